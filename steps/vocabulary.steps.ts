// Steps a reviewer needs that the crash vocabulary lacked: extended attributes in every crash state and
// zeros on a device ("may or may not hold" for files is in files.steps.ts). Thin adapters over crash checks.

import { Then } from '@cucumber/cucumber';
import { AssertionError } from 'chai';
import { toHex } from '../targets/hex';
import { checkCrash, mustHoldEverywhere } from './crash.steps';
import { DaxWorld } from './support/world';

Then('in every crash state {path} has the extended attribute {word} set to {data}', async function (this: DaxWorld, path: string, name: string, value: Uint8Array) {
  await mustHoldEverywhere(this, { kind: 'xattr', path: this.path(path), name, value: toHex(value) }, 'extended attribute lost');
});

Then('in every crash state {path} has no extended attribute {word}', async function (this: DaxWorld, path: string, name: string) {
  await mustHoldEverywhere(this, { kind: 'xattr', path: this.path(path), name, value: null }, 'extended attribute appeared');
});

Then('in some crash state {path} lacks the extended attribute {word} set to {data}', async function (this: DaxWorld, path: string, name: string, value: Uint8Array) {
  const v = await checkCrash(this, { kind: 'xattr', path: this.path(path), name, value: toHex(value) });
  if (v.ok) throw new AssertionError(this.ruleMessage(`expected a crash state without the extended attribute ${name} of ${path}, but all ${v.states} states have it [${v.coverage}]`));
});

Then('in every crash state {dev} holds {size} zero bytes at offset {size}', async function (this: DaxWorld, dev: string, n: number, offset: number) {
  if (n <= 0) throw new AssertionError(this.ruleMessage(`"${n} zero bytes" checks nothing; name at least one byte`));
  await mustHoldEverywhere(this, { kind: 'device-holds', dev, offset, data: '00'.repeat(n) }, 'stale or lost bytes');
});
