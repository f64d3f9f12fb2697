// The mm interface as an application meets it: mmap/msync/munmap argument rules and the error text
// that names the offending value, and the white-box view of a mapping's radix tree (entry counts,
// order, DIRTY/TOWRITE tags of page-cache pages) around ranged writeback.

import { Then, When } from '@cucumber/cucumber';
import { AssertionError } from 'chai';
import { DaxWorld } from './support/world';
import { attempt } from './files.steps';
import { describeMapping, info } from './mapping.steps';

function lastError(world: DaxWorld) {
  if (!world.lastError) throw new AssertionError(world.ruleMessage('expected the call to fail, but it succeeded'));
  return world.lastError;
}

// --- mmap arguments ---

When(/^the application tries to map (\S+) (shared|private)( with MAP_SYNC)? at file offset (-?\d+) with length (-?\d+)( using PMD pages)?$/, async function (this: DaxWorld, path: string, kind: string, sync: string | undefined, offset: string, length: string, pmd: string | undefined) {
  await attempt(this, async () => {
    const { map } = await this.target.mmap({ path: this.path(path), offset: Number(offset), length: Number(length), shared: kind === 'shared', sync: Boolean(sync), size: pmd ? 'pmd' : 'pte' });
    this.maps.set(path, map);
  });
});

// --- mapping ids ---

When('the application tries to unmap mapping id {int}, which it never got', async function (this: DaxWorld, id: number) {
  await attempt(this, () => this.target.munmap({ map: id }));
});

Then('the error lists the mappings still in place', function (this: DaxWorld) {
  const e = lastError(this);
  const want = `(mapped: ${[...this.maps.values()].join(', ') || 'none'})`;
  if (!e.message.includes(want)) throw new AssertionError(this.ruleMessage(`the error should list the live mappings as "${want}"; its message is: ${e.message}`));
});

When('{path} is unmapped and the application tries to msync {size} bytes of its old mapping', async function (this: DaxWorld, path: string, length: number) {
  const map = this.maps.get(path);
  if (map === undefined) throw new Error(`${path} is not mapped`);
  await this.target.munmap({ map });
  this.maps.delete(path);
  await attempt(this, () => this.target.msync({ map, offset: 0, length, sync: true }));
});

When(/^the application tries to msync the mapping of (\S+) with offset (-?\d+) and length (-?\d+)$/, async function (this: DaxWorld, path: string, offset: string, length: string) {
  const map = this.maps.get(path);
  if (map === undefined) throw new Error(`${path} is not mapped`);
  await attempt(this, () => this.target.msync({ map, offset: Number(offset), length: Number(length), sync: true }));
});

// --- radix tree: counters, order, tags ---

Then('the mapping of {path} counts {int} DAX entries and {int} page-cache pages', async function (this: DaxWorld, path: string, dax: number, pages: number) {
  const i = await info(this, path);
  if (i.nrexceptional !== dax || i.nrpages !== pages) {
    throw new AssertionError(this.ruleMessage(`expected nrexceptional ${dax} and nrpages ${pages}; the mapping holds: ${describeMapping(i)}`));
  }
});

Then('the entries of the mapping of {path} are at indices {word}, in that order', async function (this: DaxWorld, path: string, list: string) {
  const i = await info(this, path);
  const got = i.entries.map((e) => e.index).join(',');
  if (got !== list) throw new AssertionError(this.ruleMessage(`expected entries at ${list}; the mapping holds: ${describeMapping(i)}`));
});

Then(/^the page-cache page of (\S+) at index (\d+) is (DIRTY|clean)$/, async function (this: DaxWorld, path: string, index: string, tag: string) {
  const i = await info(this, path);
  const e = i.entries.find((x) => x.index === Number(index));
  const ok = e && e.type === 'page' && e.tags.includes('DIRTY') === (tag === 'DIRTY');
  if (!ok) throw new AssertionError(this.ruleMessage(`expected a ${tag} page-cache page at index ${index}; the mapping holds: ${describeMapping(i)}`));
});

Then('the mapping of {path} has no TOWRITE entries', async function (this: DaxWorld, path: string) {
  const i = await info(this, path);
  if (i.entries.some((e) => e.tags.includes('TOWRITE'))) throw new AssertionError(this.ruleMessage(`writeback left TOWRITE tags behind: ${describeMapping(i)}`));
});

When('the filesystem is unmounted', async function (this: DaxWorld) {
  const m = this.mounts.pop();
  if (!m) throw new Error('no filesystem is mounted');
  await this.target.umount({ dir: m.dir });
});

// --- write-back order ---

Then('the write-back log reaches offset {size} of {dev} before offset {size}', async function (this: DaxWorld, first: number, dev: string, second: number) {
  const ev = (await this.target.writebackLog!({})).events;
  const at = (addr: number) => ev.findIndex((e) => e.kind === 'writeback-line' && e.dev === dev && e.addr <= addr && addr < e.addr + e.lines * 64);
  const a = at(first);
  const b = at(second);
  if (a < 0 || b < 0 || a > b) {
    throw new AssertionError(this.ruleMessage(`expected the line at ${first} written back before the line at ${second} (log positions ${a} and ${b}; ${ev.length} events)`));
  }
});

