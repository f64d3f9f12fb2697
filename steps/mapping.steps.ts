// Shared and private mappings of DAX files and block devices: stores, loads and msync, and the
// white-box view of the mapping's radix-tree entries and the write-back log.

import { Given, Then, When } from '@cucumber/cucumber';
import { AssertionError } from 'chai';
import { MapKind, MappingInfo, WritebackEvent } from '../targets/contract';
import { fromHex, toHex } from '../targets/hex';
import { DaxWorld } from './support/world';
import { attempt } from './files.steps';
import { rememberMapping } from './support/reporting';

/** map the whole file (or 4 MiB of a device); `key` names the mapping in the World's table */
export async function mapFile(world: DaxWorld, path: string, size: MapKind, shared: boolean, sync = false, key = path): Promise<number> {
  const p = world.path(path);
  const st = p.startsWith('/dev/') ? undefined : await world.target.statx({ path: p });
  const length = st ? Math.max(st.size, 4096) : 4 * 1024 ** 2;
  const { map } = await world.target.mmap({ path: p, offset: 0, length, shared, sync, size });
  world.maps.set(key, map);
  rememberMapping(world, p);
  return map;
}

export async function mapOf(world: DaxWorld, path: string): Promise<number> {
  return world.maps.get(path) ?? mapFile(world, path, 'pte', true);
}

Given('{path} is mapped shared with {mapsize} pages', async function (this: DaxWorld, path: string, size: MapKind) {
  await mapFile(this, path, size, true);
});

Given('{path} is mapped shared with MAP_SYNC', async function (this: DaxWorld, path: string) {
  await mapFile(this, path, 'pte', true, true);
});

When('the application tries to map {path} shared with MAP_SYNC', async function (this: DaxWorld, path: string) {
  await attempt(this, () => mapFile(this, path, 'pte', true, true));
});

Given('{path} is mapped private', async function (this: DaxWorld, path: string) {
  await mapFile(this, path, 'pte', false);
});

// A second, private mapping of a file that is mapped shared too (the World keys it `path#private`).
Given('{path} is also mapped private, with {data} stored through it at offset {size}', async function (this: DaxWorld, path: string, data: Uint8Array, offset: number) {
  const map = await mapFile(this, path, 'pte', false, false, `${path}#private`);
  await this.target.store({ map, offset, data: toHex(data) });
});

Then('the private mapping of {path} reads {data} at offset {size}', async function (this: DaxWorld, path: string, data: Uint8Array, offset: number) {
  const map = this.maps.get(`${path}#private`);
  if (map === undefined) throw new Error(`${path} has no second, private mapping: map it with "${path} is also mapped private, with ... stored through it at offset ..."`);
  await expectLoad(this, map, `the private mapping of ${path}`, data, offset);
});

Given('{path} is unmapped', async function (this: DaxWorld, path: string) {
  await this.target.munmap({ map: await mapOf(this, path) });
  this.maps.delete(path);
});

When('the application stores {data} through the mapping of {path} at offset {size}', async function (this: DaxWorld, data: Uint8Array, path: string, offset: number) {
  await this.target.store({ map: await mapOf(this, path), offset, data: toHex(data) });
});

When('the application stores {data} through the mapping of {path} at offset {size} and persists it with clwb and sfence', async function (this: DaxWorld, data: Uint8Array, path: string, offset: number) {
  await this.target.store({ map: await mapOf(this, path), offset, data: toHex(data), persist: true });
});

// Many pages at once: more dirty entries than one writeback batch (PAGEVEC_SIZE, 14) holds.
When('the application stores {data} at offset {size} of each of the first {int} pages through the mapping of {path}', async function (this: DaxWorld, data: Uint8Array, offset: number, pages: number, path: string) {
  const map = await mapOf(this, path);
  for (let i = 0; i < pages; i++) await this.target.store({ map, offset: i * 4096 + offset, data: toHex(data) });
});

When('the application stores {data} at offset {size} of each of the first {int} pages through the mapping of {path}, last page first', async function (this: DaxWorld, data: Uint8Array, offset: number, pages: number, path: string) {
  const map = await mapOf(this, path);
  for (let i = pages - 1; i >= 0; i--) await this.target.store({ map, offset: i * 4096 + offset, data: toHex(data) });
});

When('the application loads {int} bytes through the mapping of {path} at offset {size}', async function (this: DaxWorld, n: number, path: string, offset: number) {
  await this.target.load({ map: await mapOf(this, path), offset, length: n });
});

When('the application tries to store {data} through the mapping of {path} at offset {size}', async function (this: DaxWorld, data: Uint8Array, path: string, offset: number) {
  const map = await mapOf(this, path);
  await attempt(this, () => this.target.store({ map, offset, data: toHex(data) }));
});

When('the application calls msync\\(MS_SYNC) on {size} bytes at offset {size} of the mapping of {path}', async function (this: DaxWorld, length: number, offset: number, path: string) {
  await this.target.msync({ map: await mapOf(this, path), offset, length, sync: true });
});

When('the application tries to msync {size} bytes at offset {size} of the mapping of {path}', async function (this: DaxWorld, length: number, offset: number, path: string) {
  const map = await mapOf(this, path);
  await attempt(this, () => this.target.msync({ map, offset, length, sync: true }));
});

When('the application tries to map {path} with PMD pages at offset {size}', async function (this: DaxWorld, path: string, offset: number) {
  await attempt(this, () => this.target.mmap({ path: this.path(path), offset, length: 2 * 1024 ** 2, shared: true, size: 'pmd' }));
});

Then('the mapping of {path} reads {int} zero bytes at offset {size}', async function (this: DaxWorld, path: string, n: number, offset: number) {
  const got = fromHex(await this.target.load({ map: await mapOf(this, path), offset, length: n }));
  const bad = got.findIndex((b) => b !== 0);
  if (bad >= 0) throw new AssertionError(this.ruleMessage(`stale data exposure: a load through the mapping of ${path} at offset ${offset + bad} returned 0x${got[bad].toString(16)}, expected zero`));
});

Then('the mapping of {path} reads {data} at offset {size}', async function (this: DaxWorld, path: string, data: Uint8Array, offset: number) {
  await expectLoad(this, await mapOf(this, path), `the mapping of ${path}`, data, offset);
});

/** a load through `map` must return `data` */
async function expectLoad(world: DaxWorld, map: number, what: string, data: Uint8Array, offset: number): Promise<void> {
  const got = fromHex(await world.target.load({ map, offset, length: data.length }));
  if (Buffer.compare(Buffer.from(got), Buffer.from(data)) !== 0) {
    throw new AssertionError(world.ruleMessage(`a load through ${what} at offset ${offset} returned ${toHex(got)}, expected ${toHex(data)}`));
  }
}

// --- white-box: entries and tags ---

function describeEntries(info: MappingInfo): string {
  return info.entries.map((e) => `${e.type.toUpperCase()}@${e.index}[${e.tags.join(',') || 'clean'}]`).join(' ') || 'no entries';
}

/** the entries with the tree's counters and the inode's I_DIRTY_PAGES, for messages about those */
export function describeMapping(i: MappingInfo): string {
  return `${describeEntries(i)} (nrpages ${i.nrpages}, nrexceptional ${i.nrexceptional}, I_DIRTY_PAGES ${i.inodeDirtyPages})`;
}

export async function info(world: DaxWorld, path: string): Promise<MappingInfo> {
  return world.target.mappingInfo!({ path: world.path(path) });
}

Then(/^the mapping of (\S+) has a (DIRTY|clean) (PTE|PMD) entry at index (\d+)$/, async function (this: DaxWorld, path: string, tag: string, type: string, index: string) {
  const i = await info(this, path);
  const e = i.entries.find((x) => x.index === Number(index));
  const ok = e && e.type === type.toLowerCase() && (tag === 'DIRTY' ? e.tags.includes('DIRTY') : !e.tags.includes('DIRTY'));
  if (!ok) throw new AssertionError(this.ruleMessage(`expected a ${tag} ${type} entry at index ${index}; the mapping holds: ${describeEntries(i)}`));
});

Then(/^the mapping of (\S+) has exactly one entry: a (DIRTY|clean) (PTE|PMD) entry at index (\d+)$/, async function (this: DaxWorld, path: string, tag: string, type: string, index: string) {
  const i = await info(this, path);
  const e = i.entries[0];
  const ok = i.entries.length === 1 && e.index === Number(index) && e.type === type.toLowerCase() && (tag === 'DIRTY') === e.tags.includes('DIRTY');
  if (!ok) throw new AssertionError(this.ruleMessage(`expected exactly one ${tag} ${type} entry at index ${index}; the mapping holds: ${describeEntries(i)}`));
});

Then('the mapping of {path} has no entry at index {int}', async function (this: DaxWorld, path: string, index: number) {
  const i = await info(this, path);
  if (i.entries.some((e) => e.index === index)) throw new AssertionError(this.ruleMessage(`expected no entry at index ${index}; the mapping holds: ${describeEntries(i)}`));
});

Then('the mapping of {path} has no DIRTY entries', async function (this: DaxWorld, path: string) {
  const i = await info(this, path);
  if (i.entries.some((e) => e.tags.includes('DIRTY'))) throw new AssertionError(this.ruleMessage(`expected every entry clean after writeback; the mapping holds: ${describeEntries(i)}`));
});

Then('the inode of {path} is marked I_DIRTY_PAGES', async function (this: DaxWorld, path: string) {
  const i = await info(this, path);
  if (!i.inodeDirtyPages) throw new AssertionError(this.ruleMessage(`the inode of ${path} is not I_DIRTY_PAGES, so writeback would not find its dirty entries (${describeEntries(i)})`));
});

Then('the inode of {path} is not marked I_DIRTY_PAGES', async function (this: DaxWorld, path: string) {
  const i = await info(this, path);
  if (i.inodeDirtyPages) throw new AssertionError(this.ruleMessage(`the inode of ${path} is still I_DIRTY_PAGES: ${describeMapping(i)}`));
});

// --- white-box: the write-back log ---

When('the write-back log is cleared', async function (this: DaxWorld) {
  await this.target.writebackLog!({});
});

async function logSinceMark(world: DaxWorld): Promise<WritebackEvent[]> {
  return (await world.target.writebackLog!({})).events;
}

interface LineTally {
  /** distinct lines written back */
  size: number;
  /** lines written back more than once, and one example */
  repeated: number;
  example?: string;
}

/** count written-back lines from the log's runs by sweeping intervals (a big hammer logs millions) */
function linesOf(events: WritebackEvent[]): LineTally {
  const runs: Array<[string, number, number]> = [];
  for (const e of events) if (e.kind === 'writeback-line' && e.lines > 0) runs.push([e.dev, e.addr, e.addr + e.lines * 64]);
  runs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
  const t: LineTally = { size: 0, repeated: 0 };
  let dev = '';
  let coveredTo = -1; // end of the union so far on this device
  for (const [d, lo, hi] of runs) {
    if (d !== dev) [dev, coveredTo] = [d, -1];
    const overlap = Math.max(0, Math.min(hi, coveredTo) - lo);
    if (overlap > 0) {
      t.repeated += overlap / 64;
      t.example ??= `${d}:0x${lo.toString(16)}`;
    }
    t.size += (hi - lo - overlap) / 64;
    coveredTo = Math.max(coveredTo, hi);
  }
  return t;
}

/** too few lines written back is data loss (WB-1); too many is the cost rule (WB-7) */
function lineCountBroken(seen: number, n: number): string {
  return seen < n
    ? `WB-1 broken (data loss): the write-back covered ${seen} of the ${n} dirtied lines; the other ${n - seen} are not durable when the call returns`
    : `WB-7 broken (cost): ${seen} lines were written back where only the ${n} dirtied lines may be`;
}

Then('each line was written back exactly once and {int} lines in all', async function (this: DaxWorld, n: number) {
  const seen = linesOf(await logSinceMark(this));
  if (seen.repeated) throw new AssertionError(this.ruleMessage(`WB-4 broken (cost): ${seen.repeated} lines were written back more than once (e.g. the line at ${seen.example})`));
  if (seen.size !== n) throw new AssertionError(this.ruleMessage(lineCountBroken(seen.size, n)));
});

Then('no DAX lines were written back', async function (this: DaxWorld) {
  const seen = linesOf(await logSinceMark(this));
  if (seen.size) throw new AssertionError(this.ruleMessage(`WB-5 broken (cost): ${seen.size} lines were written back where nothing may be flushed (only data-integrity writeback of dirty entries flushes)`));
});

Then('the write-back log shows {int} lines written back, then a fence', async function (this: DaxWorld, n: number) {
  const ev = await logSinceMark(this);
  const seen = linesOf(ev);
  const lastWb = ev.map((e) => e.kind).lastIndexOf('writeback-line');
  const fenceAfter = ev.slice(lastWb + 1).some((e) => e.kind === 'fence');
  if (seen.size !== n) throw new AssertionError(this.ruleMessage(lineCountBroken(seen.size, n)));
  if (!fenceAfter) throw new AssertionError(this.ruleMessage(`WB-3 broken: no fence after the last write-back: ${n} lines left written back but not fenced`));
});

When('background writeback runs', async function (this: DaxWorld) {
  await this.target.backgroundWriteback!();
});

// --- schedules: deterministic interleavings ---

const tasks = new WeakMap<DaxWorld, Map<string, string>>();
function taskMap(w: DaxWorld): Map<string, string> {
  let m = tasks.get(w);
  if (!m) tasks.set(w, (m = new Map()));
  return m;
}

const FSYNC_STOPS: Record<string, string> = {
  'after tagging': 'after-tagging',
  'before writing back an entry': 'before-writeback-one',
  'with its flush request in flight': 'flush-in-flight',
};

When(/^fsync (\w) of (\S+) stops (after tagging|before writing back an entry|with its flush request in flight)$/, async function (this: DaxWorld, name: string, path: string, where: string) {
  const stopAt = FSYNC_STOPS[where];
  const t = await this.target.begin!({ op: 'fsync', args: { path: this.path(path) }, stopAt });
  if (t.at !== stopAt) throw new Error(`fsync ${name} did not reach "${where}": it ended at ${t.at}`);
  taskMap(this).set(name, t.task);
});

When(/^(?:fsync|the store) (\w+) resumes and completes$/, async function (this: DaxWorld, name: string) {
  const t = taskMap(this).get(name);
  if (!t) throw new Error(`no scheduled operation named ${name}`);
  const r = await this.target.resume!({ task: t });
  if (r.at !== 'done') throw new Error(`${name} stopped again at ${r.at}`);
});

When(/^the store (\w+) of ("[^"]*") through the mapping of (\S+) at offset (\d+) stops in pfn_mkwrite$/, async function (this: DaxWorld, name: string, data: string, path: string, offset: string) {
  const map = await mapOf(this, path);
  const t = await this.target.begin!({ op: 'store', args: { map, offset: Number(offset), data: Buffer.from(data.slice(1, -1)).toString('hex') }, stopAt: 'pfn_mkwrite' });
  if (t.at !== 'pfn_mkwrite') throw new Error(`the store did not take a pfn_mkwrite fault (it ended at ${t.at}); map the page read-only first with a load`);
  taskMap(this).set(name, t.task);
});
