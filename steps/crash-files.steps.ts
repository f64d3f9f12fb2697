// A file's bytes that no promise covers yet: some crash state may lack them (a conversion or
// allocation not yet committed). Thin adapter over the Target's crash check.

import { Then } from '@cucumber/cucumber';
import { AssertionError } from 'chai';
import { toHex } from '../targets/hex';
import { DaxWorld } from './support/world';
import { checkCrash } from './crash.steps';

Then('{path} is not guaranteed to hold {data} at offset {size} after the crash', async function (this: DaxWorld, path: string, data: Uint8Array, offset: number) {
  const v = await checkCrash(this, { kind: 'file-holds', path: this.path(path), offset, data: toHex(data) });
  if (v.ok) throw new AssertionError(this.ruleMessage(`expected a crash state where ${path} does not hold ${toHex(data)} at offset ${offset}, but it holds in all ${v.states} states [${v.coverage}]`));
});
