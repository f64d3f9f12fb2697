// A crash check too large for one protocol line travels as several: "in every crash state, A and B"
// holds exactly when A holds in every crash state and B does, so a conjunction (or a long byte range)
// splits into requests that each fit, and the verdicts join back into one.

import { CrashCheck, CrashVerdict } from '../contract';

/** the conjuncts of `check`, none of whose JSON exceeds `maxBytes` unless a single leaf is that large */
export function splitCheck(check: CrashCheck, maxBytes: number): CrashCheck[] {
  const leaves = conjuncts(check, Math.max(64, (maxBytes >> 1) & ~1));
  const groups: CrashCheck[][] = [];
  let size = Infinity;
  for (const c of leaves) {
    const n = JSON.stringify(c).length + 1;
    if (size + n > maxBytes) {
      groups.push([]);
      size = 0;
    }
    groups[groups.length - 1].push(c);
    size += n;
  }
  return groups.map((g) => (g.length === 1 ? g[0] : { kind: 'all', checks: g }));
}

function conjuncts(check: CrashCheck, maxHex: number): CrashCheck[] {
  if (check.kind === 'all') return check.checks.flatMap((c) => conjuncts(c, maxHex));
  if ((check.kind === 'file-holds' || check.kind === 'device-holds') && check.data.length > maxHex) {
    const out: CrashCheck[] = [];
    for (let i = 0; i < check.data.length; i += maxHex) out.push({ ...check, offset: check.offset + i / 2, data: check.data.slice(i, i + maxHex) });
    return out;
  }
  return [check];
}

const STRENGTH = (c: CrashVerdict['coverage']): number => (c === 'per-line' ? 3 : c === 'exhaustive' ? 2 : c === 'single' ? 0 : 1);

/** one verdict for the conjunction: the first failure as it came, else a pass claiming only the weakest coverage */
export function joinVerdicts(verdicts: CrashVerdict[]): CrashVerdict {
  const failed = verdicts.find((v) => !v.ok);
  if (failed) return failed;
  const weakest = verdicts.reduce((w, v) => {
    if (STRENGTH(v.coverage) !== STRENGTH(w.coverage)) return STRENGTH(v.coverage) < STRENGTH(w.coverage) ? v : w;
    // of two bounds, the smaller k claims less
    const k = (x: CrashVerdict) => Number(/\d+/.exec(x.coverage)?.[0] ?? Infinity);
    return k(v) < k(w) ? v : w;
  });
  return { ok: true, coverage: weakest.coverage, states: verdicts.reduce((n, v) => n + v.states, 0) };
}
