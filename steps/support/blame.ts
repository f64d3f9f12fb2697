// Every step and hook runs inside one wrapper that puts the blame on the right party before
// Cucumber sees the error (steps/support/verdict.ts): a rule's check failing names the rule first,
// an implementation that cannot be driven says IMPLEMENTATION:, a bug in the suite says INPUT:.
// It also stops a run early: once the implementation could not even start, the remaining scenarios
// are skipped and one sentence says why and how to reproduce it.

import { AfterAll, setDefinitionFunctionWrapper } from '@cucumber/cucumber';
import { AssertionError } from 'chai';
import { ImplementationError, TargetError } from '../../targets/contract';
import { BadTargetSpec } from '../../targets/registry';
import { InputError, RuleAssertionError, UndrivableError, withRules, IMPLEMENTATION, INPUT } from './verdict';

/** the first start-up failure of this run, and the scenario it happened in */
export const failFast: { cause?: string; where?: string } = {};

function rulesOf(self: unknown): string[] {
  const tags = (self as { tags?: unknown } | undefined)?.tags;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string' && t.startsWith('@rule:')).map((t) => t.slice(6)) : [];
}

/** the error Cucumber should report for `e`, thrown by a step or hook running on `self` */
export function blame(e: unknown, self: unknown): unknown {
  if (e instanceof UndrivableError || e instanceof InputError || e instanceof RuleAssertionError) return e;
  if (!(e instanceof Error)) return new RuleAssertionError(withRules(rulesOf(self), String(e)));
  if (e.message.startsWith(IMPLEMENTATION)) return new UndrivableError(e.message);
  if (e.message.startsWith(INPUT)) return new InputError(e.message);
  if (e instanceof ImplementationError) return new UndrivableError(e.message);
  if (e instanceof BadTargetSpec) return new InputError(e.message);
  // a rule's check: an assertion, an errno the scenario did not expect, a step that saw the wrong behaviour
  if (e instanceof AssertionError || e instanceof TargetError || e.constructor === Error) {
    return new RuleAssertionError(withRules(rulesOf(self), e.message));
  }
  // TypeError and the like inside a step: the suite's own bug, not the implementation's
  return new InputError(`the suite failed in its own code (${e.name}: ${e.message.split('\n')[0]}); this is a bug in the steps, not in the implementation`);
}

setDefinitionFunctionWrapper((fn: (...a: unknown[]) => unknown) =>
  async function (this: unknown, ...args: unknown[]) {
    try {
      return await fn.apply(this, args);
    } catch (e) {
      throw blame(e, this);
    }
  },
);

AfterAll(function () {
  // under the harness (npm run conformance, npm test) the harness prints this itself
  if (failFast.cause && !process.env.DAX_HARNESS) {
    console.error(`${failFast.cause}; stopped after the first scenario. Reproduce: DAX_TARGET='${process.env.DAX_TARGET ?? ''}' npx cucumber-js ${failFast.where ?? ''}`);
  }
});
