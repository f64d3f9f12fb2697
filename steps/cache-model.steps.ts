// The cache model seen from outside: reading a device back, the machine coming back after a power
// failure, reconfiguring the platform too late, and what a crash verdict says about the states.

import { Then, When } from '@cucumber/cucumber';
import { AssertionError } from 'chai';
import { toHex } from '../targets/hex';
import { DaxWorld } from './support/world';
import { checkCrash, mustHoldEverywhere } from './crash.steps';
import { attempt } from './files.steps';

When('the machine comes back after the power failure', async function (this: DaxWorld) {
  await this.target.remount({ mounts: this.mounts, ...(this.crash.state ? { state: this.crash.state } : {}) });
});

When('the application tries to switch the platform to eADR', async function (this: DaxWorld) {
  await attempt(this, () => this.target.configure!({ pmemMode: 'eadr' }));
});

Then('reading {dev} directly at offset {size} gives {data}', async function (this: DaxWorld, dev: string, offset: number, data: Uint8Array) {
  const got = await this.target.readDevice({ dev, offset, length: data.length });
  if (got !== toHex(data)) throw new AssertionError(this.ruleMessage(`expected /dev/${dev} at offset ${offset} to read ${toHex(data)}, got ${got}`));
});

Then('{dev} is not guaranteed to hold {data} at offset {size} after the crash', async function (this: DaxWorld, dev: string, data: Uint8Array, offset: number) {
  const v = await checkCrash(this, { kind: 'device-holds', dev, offset, data: toHex(data) });
  if (v.ok) throw new AssertionError(this.ruleMessage(`expected a crash state where /dev/${dev} does not hold ${toHex(data)} at offset ${offset}, but it holds in all ${v.states} states [${v.coverage}]`));
});

Then(
  /^the counterexample shows the line at offset (\d+) of (\S+) as (durable|written back but not fenced|never written back|in the host's page cache)$/,
  function (this: DaxWorld, offset: string, dev: string, state: string) {
    const last = this.verdicts[this.verdicts.length - 1];
    const cx = last?.verdict.counterexample;
    if (!cx) throw new AssertionError(this.ruleMessage('expected the last crash check to have a counterexample, but it had none'));
    const want = state === "in the host's page cache" ? 'in-host-page-cache' : state.replace(/ /g, '-').replace('-but-', '-');
    const line = cx.lines.find((l) => l.dev === dev && l.addr === Number(offset));
    if (!line) throw new AssertionError(this.ruleMessage(`expected the counterexample ${cx.stateId} to show the line at offset ${offset} of ${dev}; it shows ${cx.lines.map((l) => `${l.dev}@${l.addr}`).join(', ') || 'no lines'}`));
    if (line.state !== want) throw new AssertionError(this.ruleMessage(`expected the line at offset ${offset} of ${dev} to be shown as ${want}, but it is shown as ${line.state}`));
  },
);

Then('that check was decided per line over {int} crash states', function (this: DaxWorld, n: number) {
  const last = this.verdicts[this.verdicts.length - 1];
  if (!last) throw new AssertionError(this.ruleMessage('no crash check has run yet'));
  const v = last.verdict;
  if (v.coverage !== 'per-line' || v.states !== n) {
    throw new AssertionError(this.ruleMessage(`expected a per-line verdict over ${n} crash states (the durable value and one per store since), got ${v.coverage} over ${v.states}`));
  }
});

Then('that check enumerated all {int} crash states', function (this: DaxWorld, n: number) {
  const last = this.verdicts[this.verdicts.length - 1];
  if (!last) throw new AssertionError(this.ruleMessage('no crash check has run yet'));
  const v = last.verdict;
  if (v.coverage !== 'exhaustive' || v.states !== n) {
    throw new AssertionError(this.ruleMessage(`expected an exhaustive enumeration of the ${n} crash states of the lines the check reads, got ${v.coverage} over ${v.states}`));
  }
});

Then('in every crash state {dev} holds {data} or {data} at offset {size}', async function (this: DaxWorld, dev: string, a: Uint8Array, b: Uint8Array, offset: number) {
  // "a or b" is "not a implies b": a crash keeps one value of the bytes or the other, never a mix or a third
  await mustHoldEverywhere(this, {
    kind: 'implies',
    if: { kind: 'not', check: { kind: 'device-holds', dev, offset, data: toHex(a) } },
    then: { kind: 'device-holds', dev, offset, data: toHex(b) },
  });
});
