// The rulebook for the kernel a run tested: which rules apply to it and which belong to another kernel's, so the
// report says what a pass means (issue 17: "the report shows the rulebook for the kernel tested").

import { kernelRange as range, RuleRow } from '../rulebook';
import { notForKernel } from '../../steps/support/kernel-range';

export interface KernelRulebook {
  /** the target's kernel release, or undefined when it names none (held to every rule) */
  kernel?: string;
  applies: RuleRow[];
  /** rules of other kernels, each with the reason the run skipped its scenarios */
  notHere: Array<{ rule: RuleRow; why: string }>;
}

export function rulebookFor(rows: RuleRow[], kernel: string | undefined): KernelRulebook {
  const out: KernelRulebook = { kernel, applies: [], notHere: [] };
  for (const rule of rows) {
    const why = kernel ? notForKernel([`@since:${rule.since}`, ...(rule.until ? [`@until:${rule.until}`] : [])], kernel) : undefined;
    if (why) out.notHere.push({ rule, why });
    else out.applies.push(rule);
  }
  return out;
}

/** the report's environment entries: the kernel, the rules that apply to it, those that do not */
export function rulebookEnvironment(book: KernelRulebook): Record<string, string> {
  const total = book.applies.length + book.notHere.length;
  return {
    'rulebook.kernel': book.kernel ?? 'none named by the target: it is held to every rule of every kernel',
    'rulebook.rules.that.apply': `${book.applies.length} of ${total}: ${book.applies.map((r) => r.id).join(', ')}`,
    'rulebook.rules.of.other.kernels': book.notHere.length ? book.notHere.map(({ rule }) => `${rule.id} (${range(rule)})`).join(', ') : 'none',
  };
}

/** the rulebook for this kernel as markdown, written beside the report */
export function rulebookForKernelMarkdown(book: KernelRulebook, target: string): string {
  const lines = [
    `# The rulebook for ${book.kernel ? `Linux ${book.kernel}` : 'every kernel'} (target ${target})`,
    '',
    book.kernel
      ? `${book.applies.length} rules apply to ${book.kernel}; the scenarios of the ${book.notHere.length} others were skipped with the reason.`
      : 'The target names no kernel, so it is held to every rule (docs/RULES.md has the versions).',
    '',
    '| rule | statement | kernels | on this kernel |',
    '|---|---|---|---|',
    ...book.applies.map((r) => `| ${r.id} | ${r.statement} | ${range(r)} | applies |`),
    ...book.notHere.map(({ rule, why }) => `| ${rule.id} | ${rule.statement} | ${range(rule)} | not run: ${why} |`),
    '',
  ];
  return lines.join('\n');
}
