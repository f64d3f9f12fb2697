// Power failure and what must hold afterwards. "In every crash state" is a proof over all crash
// states the target can land in (per-line, exhaustive, or a bound it names); a real system has one.

import { Then, When } from '@cucumber/cucumber';
import { AssertionError } from 'chai';
import { CrashCheck, CrashVerdict } from '../targets/contract';
import { toHex } from '../targets/hex';
import { DaxWorld } from './support/world';
import { describeCheck } from './support/describe-check';

When('power fails', async function (this: DaxWorld) {
  await this.target.powerFail();
  this.powerFailed = true;
});

When('power fails and the machine comes back', async function (this: DaxWorld) {
  await this.target.powerFail();
  this.powerFailed = true;
  await this.target.remount({ mounts: this.mounts, ...(this.crash.state ? { state: this.crash.state } : {}) });
});

export async function checkCrash(world: DaxWorld, check: CrashCheck): Promise<CrashVerdict> {
  if (!world.powerFailed) throw new Error('a crash check needs "power fails" earlier in the scenario');
  const verdict = await world.target.checkCrash({ check, mounts: world.mounts, ...world.crash });
  world.verdicts.push({ check, verdict });
  return verdict;
}


/** assert the check holds in every crash state; the message names the rule, the state and the coverage */
export async function mustHoldEverywhere(world: DaxWorld, check: CrashCheck, why = 'durability violation'): Promise<void> {
  const v = await checkCrash(world, check);
  if (!v.ok) {
    const cx = v.counterexample;
    throw new AssertionError(
      world.ruleMessage(`${why}: expected in every crash state that ${describeCheck(check)}, but crash state ${cx?.stateId ?? '?'} breaks it: ${cx?.reason ?? 'no reason given'} [${v.coverage}, ${v.states} states checked]`),
    );
  }
}

/** assert both outcomes are possible: the suite must not assume either (PM-2) */
export async function mayGoEitherWay(world: DaxWorld, check: CrashCheck): Promise<void> {
  const holds = await checkCrash(world, check);
  const fails = await checkCrash(world, { kind: 'not', check });
  if (holds.ok) throw new AssertionError(world.ruleMessage(`expected some crash state where it is not true that ${describeCheck(check)}, but it holds in all ${holds.states} states [${holds.coverage}]`));
  if (fails.ok) throw new AssertionError(world.ruleMessage(`expected some crash state where ${describeCheck(check)}, but no state has it [${fails.coverage}, ${fails.states} states]`));
}

Then('in every crash state {dev} holds {data} at offset {size}', async function (this: DaxWorld, dev: string, data: Uint8Array, offset: number) {
  await mustHoldEverywhere(this, { kind: 'device-holds', dev, offset, data: toHex(data) });
});

Then('{dev} may or may not hold {data} at offset {size} after the crash', async function (this: DaxWorld, dev: string, data: Uint8Array, offset: number) {
  await mayGoEitherWay(this, { kind: 'device-holds', dev, offset, data: toHex(data) });
});

Then(
  'in every crash state where {dev} holds {data} at offset {size} it also holds {data} at offset {size}',
  async function (this: DaxWorld, dev: string, later: Uint8Array, lo: number, earlier: Uint8Array, eo: number) {
    await mustHoldEverywhere(
      this,
      {
        kind: 'implies',
        if: { kind: 'device-holds', dev, offset: lo, data: toHex(later) },
        then: { kind: 'device-holds', dev, offset: eo, data: toHex(earlier) },
      },
      'store order violation',
    );
  },
);

Then('in some crash state {dev} holds {data} at offset {size} without {data} at offset {size}', async function (this: DaxWorld, dev: string, later: Uint8Array, lo: number, earlier: Uint8Array, eo: number) {
  const v = await checkCrash(this, {
    kind: 'implies',
    if: { kind: 'device-holds', dev, offset: lo, data: toHex(later) },
    then: { kind: 'device-holds', dev, offset: eo, data: toHex(earlier) },
  });
  if (v.ok) throw new AssertionError(this.ruleMessage(`expected a crash state where the later store survived without the earlier one, but none of ${v.states} states [${v.coverage}] has it`));
});
