// The crash-state explorer seen through its verdicts: how many states a check covered and how
// (per-line, exhaustive, bounded(k), single), which state failed first, and what the failure report
// says of each line. The budget and the single-state rerun travel with each crash check through the
// contract (checkCrash's budget and state); a scenario sets them for itself.

import { Before, Given, Then, When } from '@cucumber/cucumber';
import { AssertionError } from 'chai';
import { CrashCheck, CrashVerdict } from '../targets/contract';
import { toHex } from '../targets/hex';
import { checkCrash } from './crash.steps';
import { DaxWorld } from './support/world';

interface ExplorerRun {
  verdict?: CrashVerdict;
  error?: Error;
}

const runs = new WeakMap<DaxWorld, ExplorerRun>();

function run(world: DaxWorld): ExplorerRun {
  const r = runs.get(world);
  if (!r) throw new Error('explorer steps need the @explorer tag on the scenario or feature');
  return r;
}

// A scenario of this feature starts from the defaults (full budget, every state) whatever the shell set.
Before({ tags: '@explorer' }, function (this: DaxWorld) {
  this.crash = {};
  runs.set(this, {});
});

Given('the crash explorer may check at most {int} crash state(s)', function (this: DaxWorld, n: number) {
  run(this);
  this.crash.budget = n;
});

Given('crash checks are rerun in crash state {string}', function (this: DaxWorld, id: string) {
  run(this);
  this.crash.state = id;
});

async function explorerCheck(world: DaxWorld, check: CrashCheck): Promise<void> {
  const r = run(world);
  r.verdict = undefined;
  r.error = undefined;
  try {
    r.verdict = await checkCrash(world, check);
  } catch (e) {
    r.error = e as Error;
  }
}

const holds = (dev: string, data: Uint8Array, offset: number): CrashCheck => ({ kind: 'device-holds', dev, offset, data: toHex(data) });

When('the crash explorer checks that {dev} holds {data} at offset {size}', async function (this: DaxWorld, dev: string, data: Uint8Array, offset: number) {
  await explorerCheck(this, holds(dev, data, offset));
});

When('the crash explorer checks that {dev} holds {size} zero bytes at offset {size}', async function (this: DaxWorld, dev: string, n: number, offset: number) {
  await explorerCheck(this, holds(dev, new Uint8Array(n), offset));
});

When('the crash explorer checks that {dev} never holds {data} at offset {size}', async function (this: DaxWorld, dev: string, data: Uint8Array, offset: number) {
  await explorerCheck(this, { kind: 'not', check: holds(dev, data, offset) });
});

When(
  'the crash explorer checks that {dev} never holds {data} at offset {size} together with {data} at offset {size}',
  async function (this: DaxWorld, dev: string, a: Uint8Array, ao: number, b: Uint8Array, bo: number) {
    await explorerCheck(this, { kind: 'not', check: { kind: 'all', checks: [holds(dev, a, ao), holds(dev, b, bo)] } });
  },
);

When(
  'the crash explorer checks that wherever {dev} holds {data} at offset {size} it also holds {data} at offset {size}',
  async function (this: DaxWorld, dev: string, later: Uint8Array, lo: number, earlier: Uint8Array, eo: number) {
    await explorerCheck(this, { kind: 'implies', if: holds(dev, later, lo), then: holds(dev, earlier, eo) });
  },
);

function verdictOf(world: DaxWorld): CrashVerdict {
  const r = run(world);
  if (r.error) throw new AssertionError(world.ruleMessage(`expected a verdict, but the crash check was refused: ${r.error.message}`));
  if (!r.verdict) throw new Error('no crash check ran in this scenario');
  return r.verdict;
}

function show(v: CrashVerdict): string {
  return `${v.ok ? 'passed' : `failed in crash state ${v.counterexample?.stateId ?? '?'}`} [${v.coverage}, ${v.states} states]`;
}

Then('the crash check passes', function (this: DaxWorld) {
  const v = verdictOf(this);
  if (!v.ok) throw new AssertionError(this.ruleMessage(`expected the crash check to pass, but it ${show(v)}: ${v.counterexample?.reason ?? ''}`));
});

Then('the crash check fails', function (this: DaxWorld) {
  const v = verdictOf(this);
  if (v.ok) throw new AssertionError(this.ruleMessage(`expected the crash check to fail, but it ${show(v)}`));
});

Then('the crash check covered exactly {int} crash state(s) exhaustively', function (this: DaxWorld, n: number) {
  const v = verdictOf(this);
  if (v.coverage !== 'exhaustive' || v.states !== n) throw new AssertionError(this.ruleMessage(`expected exactly ${n} states checked exhaustively, but the check ${show(v)}`));
});

Then('the crash check covered {int} crash state(s) with coverage {word}', function (this: DaxWorld, n: number, coverage: string) {
  const v = verdictOf(this);
  if (v.coverage !== coverage || v.states !== n) throw new AssertionError(this.ruleMessage(`expected ${n} states with coverage ${coverage}, but the check ${show(v)}`));
});

Then('the first failing crash state is {word}', function (this: DaxWorld, id: string) {
  const v = verdictOf(this);
  if (v.ok || v.counterexample?.stateId !== id) throw new AssertionError(this.ruleMessage(`expected the first failing crash state to be ${id}, but the check ${show(v)}`));
});

Then('the failure reason mentions {string}', function (this: DaxWorld, text: string) {
  const v = verdictOf(this);
  const reason = v.counterexample?.reason ?? '';
  if (!reason.includes(text)) throw new AssertionError(this.ruleMessage(`expected the failure reason to mention "${text}", but it is "${reason}" (the check ${show(v)})`));
});

Then('the failure report draws the line at offset {size} of {dev} as {word}', function (this: DaxWorld, offset: number, dev: string, state: string) {
  const v = verdictOf(this);
  const lines = v.counterexample?.lines ?? [];
  const line = lines.find((l) => l.dev === dev && l.addr === offset);
  if (!line) throw new AssertionError(this.ruleMessage(`expected the failure report to draw the line at offset ${offset} of ${dev}, but it draws ${lines.map((l) => `${l.dev}@${l.addr}`).join(', ') || 'no line'}`));
  if (line.state !== state) throw new AssertionError(this.ruleMessage(`expected the line at offset ${offset} of ${dev} drawn as ${state}, but it is drawn as ${line.state}`));
});

Then('the crash check is refused with a message mentioning {string}', function (this: DaxWorld, text: string) {
  const r = run(this);
  if (!r.error) throw new AssertionError(this.ruleMessage(`expected the crash check to be refused, but it ${r.verdict ? show(r.verdict) : 'ran'}`));
  if (!r.error.message.includes(text)) throw new AssertionError(this.ruleMessage(`expected the refusal to mention "${text}", but it says "${r.error.message}"`));
});
