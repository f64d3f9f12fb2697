// Questions about a crash (DESIGN.md section 2): a per-line query with no enumeration, and an explorer
// that enumerates crash states in a fixed order, fewest deviating lines first, within a budget.

import { LINE_SIZE, LineHistory } from './line';
import { PersistentMemory } from './memory';

/**
 * How the states were covered: every state, only those at most k lines away from the lower bound
 * (a bound, never a proof), or the single state a rerun named (DAX_CRASH_STATE).
 */
export type Coverage = 'exhaustive' | `bounded(${number})` | 'single';

/** only an exhaustive enumeration proves a predicate; a bound or a single state does not */
export function isProof(c: Coverage): boolean {
  return c === 'exhaustive';
}

/** A crash state: for each varied line, how many entries of its history survived. */
export interface CrashState {
  id: string;
  /** line address -> surviving entries (0 = only the durable lower bound) */
  choice: Map<number, number>;
  /** eADR: the cut in the global store order, and whether unfenced non-temporal stores landed */
  cut?: { seq: number; ntLanded: boolean };
}

export const LOWER_BOUND_ID = 'lb';

/** Stable id: the deviations from the lower bound, by address. Same trace, same id, every run. */
export function stateId(choice: Map<number, number>): string {
  const parts = [...choice].filter(([, k]) => k > 0).sort((a, b) => a[0] - b[0]);
  return parts.length === 0 ? LOWER_BOUND_ID : parts.map(([a, k]) => `${a.toString(16)}:${k}`).join('+');
}

export function parseStateId(id: string): Map<number, number> {
  const m = new Map<number, number>();
  if (id === LOWER_BOUND_ID) return m;
  for (const part of id.split('+')) {
    const mt = /^([0-9a-f]+):(\d+)$/.exec(part);
    if (!mt) throw new Error(`crash state id "${id}" is malformed: expected "lb" or "<hex line address>:<k>" joined by "+"`);
    m.set(parseInt(mt[1], 16), Number(mt[2]));
  }
  return m;
}

export interface LineFailure {
  lineAddr: number;
  k: number; // the surviving prefix length that breaks the expectation
  found: Uint8Array; // the line's bytes in that state
}

/**
 * "Bytes [addr, addr+len) hold `expected` in every crash state", decided per line from its history:
 * the lines are independent under ADR, so the range holds everywhere iff every prefix of every line does.
 */
export function holdsInEveryState(mem: PersistentMemory, addr: number, expected: Uint8Array): LineFailure | undefined {
  if (expected.length === 0) return undefined;
  const first = Math.floor(addr / LINE_SIZE);
  const last = Math.floor((addr + expected.length - 1) / LINE_SIZE);
  for (let l = first; l <= last; l++) {
    const lineAddr = l * LINE_SIZE;
    const lo = Math.max(addr, lineAddr);
    if (!mem.history(lineAddr)) {
      // a run of durable lines has one value in every state, what loads see: compare the run at once
      let r = l + 1;
      while (r <= last && !mem.history(r * LINE_SIZE)) r++;
      const runHi = Math.min(addr + expected.length, r * LINE_SIZE);
      if (mem.holds(lo, expected.subarray(lo - addr, runHi - addr))) {
        l = r - 1;
        continue;
      }
      // the first line of the run that differs
      for (; l < r; l++) {
        const a = Math.max(addr, l * LINE_SIZE);
        const b = Math.min(addr + expected.length, (l + 1) * LINE_SIZE);
        if (!mem.holds(a, expected.subarray(a - addr, b - addr))) return { lineAddr: l * LINE_SIZE, k: 0, found: mem.load(l * LINE_SIZE, LINE_SIZE) };
      }
      l = r - 1;
      continue;
    }
    const hi = Math.min(addr + expected.length, lineAddr + LINE_SIZE);
    const want = expected.subarray(lo - addr, hi - addr);
    const values = possibleValues(mem, lineAddr);
    for (let k = 0; k < values.length; k++) {
      const got = values[k].subarray(lo - lineAddr, hi - lineAddr);
      if (!equalBytes(got, want)) return { lineAddr, k, found: values[k] };
    }
  }
  return undefined;
}

function possibleValues(mem: PersistentMemory, lineAddr: number): Uint8Array[] {
  if (mem.mode === 'eadr' && !mem.quirks.eadrUnordered) {
    // eADR: cached stores are in the persistence domain; only unfenced NT data may be lost.
    const h = mem.history(lineAddr);
    if (!h) return [mem.durableLine(lineAddr)];
    return [h.prefix(eadrPrefix(h, false)), h.prefix(eadrPrefix(h, true))];
  }
  return mem.possibleLineValues(lineAddr);
}

/** eADR: the entries that survive when the crash cuts the global order at `cutSeq` */
function eadrPrefix(h: LineHistory, ntLanded: boolean, cutSeq = Infinity): number {
  let k = 0;
  for (const e of h.entries) {
    if (e.seq >= cutSeq) break;
    if (e.nt && !ntLanded) break; // an NT entry still in the history has not been fenced
    k++;
  }
  return k;
}

/** two line values (64 bytes at most): a loop beats a native call at this size (durability queries 7M/s vs 4-5M/s) */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Number of states with exactly d deviating lines, for d = 0..n (elementary symmetric sums of the choice counts). */
function statesByDeviation(counts: number[]): number[] {
  const e = [1];
  for (const n of counts) {
    for (let d = e.length; d >= 1; d--) e[d] = (e[d] ?? 0) + (e[d - 1] ?? 0) * n;
  }
  return e;
}

export interface EnumerationPlan {
  coverage: Coverage;
  total: number; // states in the plan
}

/** How many states the varied lines give and what a budget can cover. */
export function planEnumeration(counts: number[], budget: number): EnumerationPlan & { maxDeviation: number } {
  const e = statesByDeviation(counts);
  const total = e.reduce((s, x) => s + x, 0);
  if (total <= budget) return { coverage: 'exhaustive', total, maxDeviation: counts.length };
  let covered = 0;
  let k = -1;
  while (k + 1 < e.length && covered + e[k + 1] <= budget) covered += e[++k];
  k = Math.max(k, 0);
  return { coverage: `bounded(${k})`, total: covered || 1, maxDeviation: k };
}

/**
 * ADR states over `lines` (each with `counts[i]` history entries), fewest deviations first, then by address.
 * `distinct[i]`, when given, lists the prefix lengths of line i whose content no shorter prefix has:
 * only those are enumerated, so every distinct crash image comes once, as its first state in this order.
 */
export function* adrStates(lines: number[], counts: number[], maxDeviation: number, distinct?: number[][]): Generator<CrashState> {
  const choices = distinct ?? counts.map((n) => Array.from({ length: n }, (_, k) => k + 1));
  for (let d = 0; d <= Math.min(maxDeviation, lines.length); d++) {
    for (const combo of combinations(lines.length, d)) {
      // a line that can keep none of its stores (or none that change it) never deviates
      if (combo.some((li) => choices[li].length === 0)) continue;
      const ks = combo.map(() => 0);
      for (;;) {
        const choice = new Map<number, number>();
        combo.forEach((li, j) => choice.set(lines[li], choices[li][ks[j]]));
        yield { id: stateId(choice), choice };
        let j = ks.length - 1;
        while (j >= 0 && ks[j] === choices[combo[j]].length - 1) ks[j--] = 0;
        if (j < 0) break;
        ks[j]++;
      }
    }
  }
}

/**
 * For each line, the prefix lengths k >= 1 whose line content differs from every shorter prefix's.
 * Lines are independent under ADR, so two states hold the same image iff each line's prefixes hold the
 * same bytes; the state with each line's shortest such prefix is the first of them in adrStates' order
 * (fewest deviations, then lowest k). Enumerating only those deduplicates with no table of states.
 */
export function distinctPrefixes(mem: PersistentMemory, lines: number[], counts: number[]): number[][] {
  return lines.map((a, i) => {
    const values = mem.possibleLineValues(a).slice(0, counts[i] + 1);
    const out: number[] = [];
    for (let k = 1; k < values.length; k++) {
      if (!values.slice(0, k).some((v) => equalBytes(v, values[k]))) out.push(k);
    }
    return out;
  });
}

function* combinations(n: number, d: number): Generator<number[]> {
  const idx = Array.from({ length: d }, (_, i) => i);
  if (d > n) return;
  for (;;) {
    yield idx.slice();
    let i = d - 1;
    while (i >= 0 && idx[i] === n - d + i) i--;
    if (i < 0) return;
    idx[i]++;
    for (let j = i + 1; j < d; j++) idx[j] = idx[j - 1] + 1;
  }
}

/** eADR states: cuts of the global store order (from the last fence when the crash is during the stores). */
export function* eadrStates(mem: PersistentMemory, during: boolean): Generator<CrashState> {
  const lines = mem.pendingLines();
  const hasNt = lines.some((a) => mem.history(a)!.entries.some((e) => e.nt));
  const seqs = new Set<number>();
  for (const a of lines) for (const e of mem.history(a)!.entries) seqs.add(e.seq + 1);
  // After the operations every retired cached store is durable; during them the cut may fall anywhere since the last fence.
  const cuts = during ? [mem.lastFenceSeq, ...[...seqs].filter((s) => s > mem.lastFenceSeq).sort((a, b) => a - b)] : [Infinity];
  for (const seq of cuts) {
    for (const ntLanded of hasNt ? [false, true] : [false]) {
      const choice = new Map<number, number>();
      for (const a of lines) choice.set(a, eadrPrefix(mem.history(a)!, ntLanded, seq));
      const cutName = seq === Infinity ? 'end' : String(seq);
      yield { id: `cut:${cutName}${ntLanded ? '+nt' : ''}`, choice, cut: { seq, ntLanded } };
    }
  }
}

export interface Evaluation {
  ok: boolean;
  reason?: string;
}

export interface ExploreResult {
  ok: boolean;
  coverage: Coverage;
  states: number;
  failure?: { state: CrashState; reason: string; image: PersistentMemory };
  /** lines the predicate read that were not durable: the only ones varied */
  varied: number[];
}

export interface ExploreOptions {
  budget?: number;
  /** check only this state (DAX_CRASH_STATE) */
  onlyState?: string;
  /** eADR: the power failure interrupts the stores since the last fence */
  during?: boolean;
  /** vary every pending line, not just the ones read (the naive baseline) */
  noPruning?: boolean;
}

/**
 * Enumerate crash states, varying only the non-durable lines the predicate reads. The predicate gets a
 * partial image: varied lines fixed, other lines keeping their history (for per-line queries). When
 * an evaluation reads a non-durable line not yet varied, that line joins and enumeration restarts.
 */
export function explore(
  mem: PersistentMemory,
  evaluate: (image: PersistentMemory, state: CrashState) => Evaluation,
  opts: ExploreOptions = {},
): ExploreResult {
  const budget = opts.budget ?? 4096;
  if (mem.mode === 'eadr' && !mem.quirks.eadrUnordered) return exploreEadr(mem, evaluate, opts);
  const pending = new Set(mem.pendingLines());
  if (opts.onlyState) checkStateExists(mem, opts.onlyState);
  let varied: number[] = opts.noPruning ? [...pending] : [];
  for (;;) {
    const counts = varied.map((a) => mem.survivable(mem.history(a)!));
    const plan = planEnumeration(counts, budget);
    const states: Iterable<CrashState> = opts.onlyState
      ? [{ id: opts.onlyState, choice: parseStateId(opts.onlyState) }]
      : adrStates(varied, counts, plan.maxDeviation, distinctPrefixes(mem, varied, counts));
    let grew = false;
    let checked = 0;
    // A single named state fixes every line; otherwise only the varied ones.
    const fixed = new Set(opts.onlyState ? pending : varied);
    for (const state of states) {
      const image = mem.image((a) => (fixed.has(a) ? (state.choice.get(a) ?? 0) : undefined));
      image.readSet = new Set();
      const r = evaluate(image, state);
      const reads = [...image.readSet].filter((a) => pending.has(a) && !fixed.has(a));
      image.readSet = undefined;
      if (reads.length > 0 && !opts.onlyState) {
        varied = [...new Set([...varied, ...reads])].sort((a, b) => a - b);
        grew = true;
        break;
      }
      checked++;
      if (!r.ok) {
        return { ok: false, coverage: opts.onlyState ? 'single' : plan.coverage, states: checked, failure: { state, reason: r.reason ?? 'check failed', image }, varied };
      }
    }
    if (!grew) return { ok: true, coverage: opts.onlyState ? 'single' : plan.coverage, states: checked, varied };
  }
}

/** a named state must exist in this run: every line it names has that many stores to keep */
function checkStateExists(mem: PersistentMemory, id: string): void {
  if (id.startsWith('cut:')) return;
  for (const [a, k] of parseStateId(id)) {
    const h = mem.history(a);
    if (!h || k > h.length) throw new Error(`crash state ${id} does not exist in this run: line 0x${a.toString(16)} has ${h ? h.length : 0} stores to keep`);
  }
}

function exploreEadr(
  mem: PersistentMemory,
  evaluate: (image: PersistentMemory, state: CrashState) => Evaluation,
  opts: ExploreOptions,
): ExploreResult {
  let checked = 0;
  const coverage: Coverage = opts.onlyState ? 'single' : 'exhaustive';
  for (const state of eadrStates(mem, opts.during ?? false)) {
    if (opts.onlyState && state.id !== opts.onlyState) continue;
    const image = mem.image((a) => state.choice.get(a) ?? 0);
    const r = evaluate(image, state);
    checked++;
    if (!r.ok) return { ok: false, coverage, states: checked, failure: { state, reason: r.reason ?? 'check failed', image }, varied: mem.pendingLines() };
  }
  return { ok: true, coverage, states: checked, varied: mem.pendingLines() };
}
