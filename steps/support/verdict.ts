// The three verdicts a failed scenario can have, and who is to blame for each:
//   rule            the implementation broke a rule: the message starts with the rule id ("WB-2: ...")
//   implementation  the implementation could not be driven (no hello, died, refused a core op):
//                   the message starts with "IMPLEMENTATION:"
//   input           the suite or its input is wrong (unknown target, undefined step, missing image,
//                   a bug in a step): the message starts with "INPUT:"
// Exit codes: 1 for a broken rule, 2 for the other two. Pure: the harness and the steps share it.

export type VerdictClass = 'rule' | 'implementation' | 'input';

export const IMPLEMENTATION = 'IMPLEMENTATION:';
export const INPUT = 'INPUT:';

/** the suite or what it was given is wrong; never the implementation's fault */
export class InputError extends Error {
  constructor(sentence: string) {
    super(sentence.startsWith(INPUT) ? sentence : `${INPUT} ${sentence}`);
    this.stack = this.message; // one sentence, no stack trace
  }
}

/** the implementation could not be driven; `start` when it never got as far as a hello (fail fast) */
export class UndrivableError extends Error {
  constructor(
    sentence: string,
    readonly start = false,
  ) {
    super(sentence.startsWith(IMPLEMENTATION) ? sentence : `${IMPLEMENTATION} ${sentence}`);
    this.stack = this.message;
  }
}

/** a rule's check failed: the message starts with the rule ids (an assertion: Allure marks it failed, the others broken) */
export class RuleAssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.stack = this.message;
  }
}

// the name on the prototype, not the instance: Node then prints the error as its one sentence
InputError.prototype.name = 'InputError';
UndrivableError.prototype.name = 'UndrivableError';
RuleAssertionError.prototype.name = 'RuleAssertionError';

/** "WB-2: msg" (or "WB-2, WB-3: msg"); a message that already names the rules is kept as it is */
export function withRules(rules: readonly string[], msg: string): string {
  const head = rules.length ? rules.join(', ') : 'NO-RULE';
  if (msg.startsWith(`${head}: `)) return msg;
  // a failure that names the one rule it broke (a generated workload's promise) keeps that rule alone
  if (rules.some((r) => msg.startsWith(`${r}: `))) return msg;
  const old = `[${rules.join(', ')}] `; // the form the steps wrote before
  return `${head}: ${rules.length && msg.startsWith(old) ? msg.slice(old.length) : msg}`;
}

/** Cucumber step statuses that say the feature text itself is wrong */
const INPUT_STATUSES = new Set(['undefined', 'ambiguous', 'pending']);

/** the class of a failed scenario from its status and first message line */
export function classify(status: string, message: string | undefined): VerdictClass {
  const s = status.toLowerCase();
  if (INPUT_STATUSES.has(s)) return 'input';
  const m = (message ?? '').replace(/^(?:\w*Error|AssertionError \[[^\]]*\]): /, '');
  if (m.startsWith(IMPLEMENTATION)) return 'implementation';
  if (m.startsWith(INPUT)) return 'input';
  // Cucumber's own step time-out: the implementation never answered
  if (/^function timed out/.test(m)) return 'implementation';
  return 'rule';
}

/** the one-sentence form of a failure for the console: the class word or rule id first, no error type */
export function sentence(status: string, message: string | undefined): string {
  const s = status.toLowerCase();
  if (s === 'undefined') return `${INPUT} a step has no definition (Cucumber printed a snippet for it)`;
  if (s === 'ambiguous') return `${INPUT} a step matches more than one definition`;
  if (s === 'pending') return `${INPUT} a step is pending (not written yet)`;
  const m = (message ?? s).split('\n')[0].replace(/^(?:\w*Error|AssertionError \[[^\]]*\]): /, '');
  if (/^function timed out/.test(m)) return `${IMPLEMENTATION} a step did not finish in time (${m})`;
  return m;
}

/** 0 all passed, 1 only rules broken, 2 anything not the implementation's rules' fault */
export function exitCodeOf(classes: readonly VerdictClass[]): 0 | 1 | 2 {
  if (classes.some((c) => c !== 'rule')) return 2;
  return classes.length ? 1 : 0;
}
