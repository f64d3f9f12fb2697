// Child process of `npm run bench`: states/s and peak resident memory of the crash-state explorer over
// 2^N distinct states (N unflushed lines of one store each, a passing predicate reading all of them).
//   explore-child.ts <N> explorer    the explorer (distinct prefixes: no table of states)
//   explore-child.ts <N> table       the old way: every state's content kept in a set to drop repeats

import { performance } from 'node:perf_hooks';
import { PersistentMemory } from '../emulator/pmem/memory';
import { LINE_SIZE } from '../emulator/pmem/line';
import { adrStates, explore } from '../emulator/pmem/crash';

const n = Number(process.argv[2]);
const how = process.argv[3];
if (!Number.isInteger(n) || n < 1 || n > 26 || (how !== 'explorer' && how !== 'table')) {
  console.error('usage: explore-child.ts <lines 1..26> explorer|table');
  process.exit(2);
}
const lineAddr = (i: number) => i * 4096 + (i % 64) * LINE_SIZE;
const mem = new PersistentMemory(64 << 20);
for (let i = 0; i < n; i++) mem.store(lineAddr(i), new Uint8Array([1, i & 255]));
const lines = Array.from({ length: n }, (_, i) => lineAddr(i));
const readAll = (img: PersistentMemory) => lines.every((a) => img.load(a, 1)[0] <= 1);

const t0 = performance.now();
let states = 0;
if (how === 'explorer') {
  const r = explore(mem, (img) => ({ ok: readAll(img) }), { budget: 2 ** n });
  if (!r.ok || r.coverage !== 'exhaustive') throw new Error('the explorer did not cover every state');
  states = r.states;
} else {
  // the deduplication the explorer used before: a set of every state's line contents
  const seen = new Set<string>();
  for (const s of adrStates(lines, lines.map(() => 1), n)) {
    const img = mem.image((a) => s.choice.get(a) ?? 0);
    const key = lines.map((a) => Buffer.from(img.load(a, LINE_SIZE)).toString('base64')).join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    readAll(img);
    states++;
  }
}
const seconds = (performance.now() - t0) / 1000;
// maxRSS is in kilobytes
process.stdout.write(JSON.stringify({ states, seconds, states_per_s: states / seconds, peak_rss_mb: process.resourceUsage().maxRSS / 1024 }) + '\n');
