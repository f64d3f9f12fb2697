// The naive crash-state enumerator the benchmark compares against: every combination of every
// pending line's prefixes (all subsets of surviving stores), a full image per state, no pruning,
// no ordering, no deduplication. It lives here only: the suite never uses it.

import { PersistentMemory } from '../emulator/pmem/memory';

export function naiveExplore(mem: PersistentMemory, evaluate: (image: PersistentMemory) => boolean): { ok: boolean; states: number } {
  const lines = mem.pendingLines();
  const counts = lines.map((a) => mem.history(a)!.length);
  const ks = lines.map(() => 0);
  let states = 0;
  for (;;) {
    const choice = new Map(lines.map((a, i) => [a, ks[i]]));
    const image = mem.image((a) => choice.get(a) ?? 0);
    states++;
    if (!evaluate(image)) return { ok: false, states };
    let i = 0;
    while (i < ks.length && ks[i] === counts[i]) ks[i++] = 0;
    if (i === ks.length) return { ok: true, states };
    ks[i]++;
  }
}
