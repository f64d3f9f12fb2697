// A VMA's page table seen from outside: mappings at a file offset and of a given length, accesses
// at offsets no byte has, the message a signal carries, and whether a store takes a write fault.

import { Given, Then, When } from '@cucumber/cucumber';
import { AssertionError } from 'chai';
import { MapKind } from '../targets/contract';
import { toHex } from '../targets/hex';
import { DaxWorld } from './support/world';
import { attempt } from './files.steps';
import { rememberMapping } from './support/reporting';
import { mapOf } from './mapping.steps';


Given('{path} is mapped {word} with {mapsize} pages over {size} from file offset {size}', async function (this: DaxWorld, path: string, how: string, size: MapKind, length: number, offset: number) {
  if (how !== 'shared' && how !== 'private') throw new Error(`"${how}": a mapping is shared or private`);
  const p = this.path(path);
  const { map } = await this.target.mmap({ path: p, offset, length, shared: how === 'shared', size });
  this.maps.set(path, map);
  rememberMapping(this, p);
});

// Offsets no byte of a mapping has: negative or not a whole number (the {size} parameter takes neither).
When(/^the application tries to store ("[^"]*") through the mapping of (\S+) at offset (-\d+(?:\.\d+)?|\d+\.\d+)$/, async function (this: DaxWorld, data: string, path: string, offset: string) {
  const map = await mapOf(this, path);
  const hex = Buffer.from(data.slice(1, -1)).toString('hex');
  await attempt(this, () => this.target.store({ map, offset: Number(offset), data: hex }));
});

// --- white-box: does a store take a write fault? (schedules stop a store in pfn_mkwrite) ---

Then('a store of {data} through the mapping of {path} at offset {size} takes no pfn_mkwrite fault', async function (this: DaxWorld, data: Uint8Array, path: string, offset: number) {
  const map = await mapOf(this, path);
  const t = await this.target.begin!({ op: 'store', args: { map, offset, data: toHex(data) }, stopAt: 'pfn_mkwrite' });
  if (t.at !== 'done') {
    await this.target.resume!({ task: t.task });
    throw new AssertionError(this.ruleMessage(`a store at offset ${offset} of the mapping of ${path} took a pfn_mkwrite fault (it stopped at ${t.at}); the page should still be mapped writable`));
  }
});

When('the application fallocates {size} at offset {size} of {path}', async function (this: DaxWorld, length: number, offset: number, path: string) {
  await this.target.fallocate({ path: this.path(path), offset, length, mode: 'allocate' });
});
