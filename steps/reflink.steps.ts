// Reflink (MS-13): files that share blocks through FICLONE, and the copy a write to a shared block makes.

import { Given, When } from '@cucumber/cucumber';
import { toHex } from '../targets/hex';
import { DaxWorld } from './support/world';
import { attempt } from './files.steps';
import { mapFile } from './mapping.steps';

/** a pattern that is neither zeros nor the new bytes, so a copy that is missing or partial shows */
Given('a file {path} with {size} of {data} written and synced', async function (this: DaxWorld, path: string, size: number, data: Uint8Array) {
  const p = this.path(path);
  await this.target.create({ path: p });
  const chunk = new Uint8Array(Math.min(size, 1 << 20));
  for (let i = 0; i < chunk.length; i++) chunk[i] = data[i % data.length];
  for (let off = 0; off < size; off += chunk.length) await this.target.write({ path: p, offset: off, data: toHex(chunk.subarray(0, Math.min(chunk.length, size - off))) });
  await this.target.sync();
});

Given('{path} is a clone of {path}, synced', async function (this: DaxWorld, to: string, from: string) {
  await this.target.create({ path: this.path(to) });
  await this.target.clone!({ from: this.path(from), to: this.path(to) });
  await this.target.sync();
});

Given('{path} is mapped shared with its page at offset {size} read in', async function (this: DaxWorld, path: string, offset: number) {
  const map = await mapFile(this, path, 'pte', true);
  await this.target.load({ map, offset, length: 1 });
});

When('the application tries to clone {path} onto {path}', async function (this: DaxWorld, from: string, to: string) {
  await attempt(this, () => this.target.clone!({ from: this.path(from), to: this.path(to) }));
});

When('the application stores {data} through the mapping of {path} at offset {size} and calls fsync on {path}', async function (this: DaxWorld, data: Uint8Array, path: string, offset: number, fsynced: string) {
  const map = this.maps.get(path);
  if (map === undefined) throw new Error(`${path} is not mapped in this scenario; map it first`);
  await this.target.store({ map, offset, data: toHex(data) });
  await this.target.fsync({ path: this.path(fsynced) });
});
