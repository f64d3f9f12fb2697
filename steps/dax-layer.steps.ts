// Steps of the DAX layer's edge cases: a second mapping of the same file (PTE beside PMD), the
// inode's dirty state after read faults, and which instruction wrote the lines back.

import { Given, Then, When } from '@cucumber/cucumber';
import { AssertionError } from 'chai';
import { MapKind } from '../targets/contract';
import { toHex } from '../targets/hex';
import { DaxWorld } from './support/world';
import { mapFile } from './mapping.steps';

// The second mapping lives in the World's map table under its own key, apart from the first.
const second = (path: string): string => `second:${path}`;

function secondMap(world: DaxWorld, path: string): number {
  const map = world.maps.get(second(path));
  if (map === undefined) throw new Error(`${path} has no second mapping; map it with "${path} is also mapped shared with PTE pages" first`);
  return map;
}

Given('{path} is also mapped shared with {mapsize} pages', async function (this: DaxWorld, path: string, size: MapKind) {
  await mapFile(this, path, size, true, false, second(path));
});

When('the application stores {data} through the second mapping of {path} at offset {size}', async function (this: DaxWorld, data: Uint8Array, path: string, offset: number) {
  await this.target.store({ map: secondMap(this, path), offset, data: toHex(data) });
});

When('the application loads {int} bytes through the second mapping of {path} at offset {size}', async function (this: DaxWorld, n: number, path: string, offset: number) {
  await this.target.load({ map: secondMap(this, path), offset, length: n });
});

Then('every line was written back with clwb', async function (this: DaxWorld) {
  // since 0: the whole scenario's log, so this can follow a step that consumed the recent part
  const { events } = await this.target.writebackLog!({ since: 0 });
  const lines = events.filter((e) => e.kind === 'writeback-line');
  if (lines.length === 0) throw new AssertionError(this.ruleMessage('nothing was written back at all'));
  const other = lines.find((e) => e.insn !== 'clwb');
  if (other) throw new AssertionError(this.ruleMessage(`DAX writeback used "${other.insn}" at ${other.dev}+0x${other.addr.toString(16)}; it writes lines back with clwb, which keeps them cached`));
});



