// The sentence a scenario skipped for want of capabilities prints: each missing capability with the
// target's own reason (its hello's `lacks`), else, for the two only an in-process model can offer, what they are.

import type { Capability, Hello } from '../../targets/contract';

/** capabilities that belong to the kind of target, not to one implementation: said plainly when the target gives no reason */
const TARGET_KIND: Partial<Record<Capability, (name: string) => string>> = {
  'white-box': (name) => `the scenario inspects the implementation's internals (mapping entries, radix-tree tags, the write-back log), which only the in-process emulator shows the suite; ${name} is tested as a black box, through its system calls`,
  schedules: (name) => `the scenario stops kernel operations at chosen points to force one interleaving, which only the in-process emulator's scheduler can do; ${name} runs its operations as they come`,
};

/** why a scenario needing `missing` is skipped on the target that said `hello` */
export function missingCapabilities(missing: readonly string[], hello: Hello): string {
  const reasons: string[] = [];
  let unexplained = false;
  for (const c of missing) {
    const why = hello.lacks?.[c as Capability] ?? TARGET_KIND[c as Capability]?.(hello.name);
    if (why) reasons.push(`${c}: ${why.replace(/[.\s]+$/, '')}`);
    else unexplained = true;
  }
  const declares = unexplained ? ` (it declares: ${hello.capabilities.join(', ') || 'nothing'})` : '';
  return `needs ${missing.join(', ')}, which ${hello.name} does not declare${declares}${reasons.length ? `. ${reasons.join('. ')}` : ''}`;
}
