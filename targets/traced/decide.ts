// Crash checks decided by the suite from a server's trace, with the emulator's explorer pieces and
// coverage labels: byte ranges per line where the extents are known (asked before the power failure),
// everything else state by state, each state evaluated by the server's `recover`.

import { CrashCheck, CrashVerdict, LineReport, MountOptions } from '../contract';
import { fromHex, toHex } from '../hex';
import { adrStates, CrashState, distinctPrefixes, eadrStates, LOWER_BOUND_ID, parseStateId, planEnumeration, stateId, Coverage } from '../../emulator/pmem/crash';
import { LINE_SIZE } from '../../emulator/pmem/line';
import { lineFailure, needsFixedLines } from '../emulator/crash-checks';
import { Extent, LineRange, LineRun, RecoverAnswer } from './events';
import { TraceReplay } from './replay';

export interface TracedCrash {
  replay: TraceReplay;
  /** files and block devices (`/dev/<name>`) by path, asked before the power failure */
  extents: ReadonlyMap<string, Extent[]>;
  recover(args: { lines: LineRun[]; check: CrashCheck; mounts: MountOptions[]; watch: LineRange[] }): Promise<RecoverAnswer>;
}

export interface DecideOptions {
  budget: number;
  /** at most this many states evaluated by the server's `recover` (a slow server's own cap) */
  recoverBudget?: number;
  /** decide only this state (DAX_CRASH_STATE) */
  onlyState?: string;
}

type Range = { phys: number | undefined; len: number };

interface LineFail {
  lineAddr: number;
  k: number;
  found: Uint8Array;
  expected: Uint8Array;
  compareOffset: number;
  reason: string;
}

/** the model's addresses of [offset, offset+len) of a file or device; undefined when its place is unknown */
function placeOf(t: TracedCrash, leaf: CrashCheck, len: number): Range[] | undefined {
  if (leaf.kind === 'device-holds') {
    const ext = t.extents.get(`/dev/${leaf.dev}`);
    if (!ext) return /^pmem\d+$/.test(leaf.dev) ? [{ phys: t.replay.addr(leaf.dev, leaf.offset, len), len }] : undefined;
    return mapExtents(t, ext, leaf.offset, len);
  }
  if (leaf.kind === 'file-holds') {
    const ext = t.extents.get(normalize(leaf.path));
    return ext ? mapExtents(t, ext, leaf.offset, len) : undefined;
  }
  return undefined;
}

function mapExtents(t: TracedCrash, ext: Extent[], offset: number, len: number): Range[] {
  const out: Range[] = [];
  for (let pos = offset; pos < offset + len; ) {
    const e = ext.find((x) => pos >= x.offset && pos < x.offset + x.length);
    const next = e ? Math.min(e.offset + e.length, offset + len) : Math.min(offset + len, ...ext.filter((x) => x.offset > pos).map((x) => x.offset));
    const n = next - pos;
    // a hole or an unwritten extent reads as zeros in every state
    out.push({ phys: e && !e.unwritten ? t.replay.addr(e.dev, e.devOffset + (pos - e.offset), n) : undefined, len: n });
    pos = next;
  }
  return out;
}

export function normalize(path: string): string {
  const parts: string[] = [];
  for (const p of path.split('/')) {
    if (!p || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return '/' + parts.join('/');
}

function leaves(check: CrashCheck): CrashCheck[] {
  return check.kind === 'all' ? check.checks.flatMap(leaves) : [check];
}

/** the per-line query of each byte-range leaf, in order; the first line that breaks one */
function perLine(t: TracedCrash, datas: CrashCheck[], places: Range[][]): LineFail | undefined {
  const mem = t.replay.mem;
  for (let i = 0; i < datas.length; i++) {
    const leaf = datas[i] as Extract<CrashCheck, { kind: 'file-holds' | 'device-holds' }>;
    const want = fromHex(leaf.data);
    const what = leaf.kind === 'file-holds' ? `${leaf.path} at offset ${leaf.offset}` : `/dev/${leaf.dev} at offset ${leaf.offset}`;
    let off = 0;
    for (const r of places[i]) {
      const part = want.subarray(off, off + r.len);
      if (r.phys === undefined) {
        const nz = part.findIndex((b) => b !== 0);
        if (nz >= 0) return { lineAddr: -1, k: 0, found: new Uint8Array(0), expected: part, compareOffset: 0, reason: `${what}: byte ${off + nz} is in a hole and reads as zero` };
      } else {
        const f = lineFailure(mem, r.phys, part, what);
        if (f) return f;
      }
      off += r.len;
    }
  }
  return undefined;
}

function lineReport(t: TracedCrash, addr: number, found: Uint8Array, expected?: Uint8Array, compareOffset?: number): LineReport {
  const h = t.replay.mem.history(addr);
  const { dev, off } = t.replay.where(addr);
  return { addr: off, dev, state: h ? h.describe() : 'durable', found: toHex(found), expected: expected ? toHex(expected) : undefined, compareOffset };
}

function upper(t: TracedCrash, a: number): Uint8Array {
  const h = t.replay.mem.history(a)!;
  return h.prefix(h.length);
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

interface Explored {
  ok: boolean;
  coverage: Coverage;
  states: number;
  varied: number[];
  failure?: { state: CrashState; reason: string };
}

/**
 * The explorer's loop (emulator/pmem/crash.ts explore) with the server as the evaluator: vary only the
 * lines not durable that an evaluation read; a read of a line not yet varied adds it and restarts.
 * `fixed` lines (the data a per-line query already decided) are sent at a value that passed it.
 */
async function exploreByRecover(t: TracedCrash, check: CrashCheck, mounts: MountOptions[], fixed: Map<number, Uint8Array | undefined>, budget: number): Promise<Explored> {
  const mem = t.replay.mem;
  const pending = mem.pendingLines();
  let varied: number[] = [];
  for (;;) {
    const counts = varied.map((a) => mem.survivable(mem.history(a)!));
    const plan = planEnumeration(counts, budget);
    const inVaried = new Set(varied);
    const watched = pending.filter((a) => !inVaried.has(a) && !fixed.has(a));
    const watch = t.replay.ranges(watched);
    const watchSet = new Set(watched);
    let checked = 0;
    let grew = false;
    // each distinct image once, as the explorer enumerates them
    for (const state of adrStates(varied, counts, plan.maxDeviation, distinctPrefixes(mem, varied, counts))) {
      const lines = new Map<number, Uint8Array>();
      for (const [a, v] of fixed) if (v) lines.set(a, v);
      for (const a of varied) {
        const v = mem.history(a)!.prefix(state.choice.get(a) ?? 0);
        if (!same(v, upper(t, a))) lines.set(a, v);
      }
      const r = await t.recover({ lines: t.replay.runs(lines), check, mounts, watch });
      const reads = r.read === undefined ? watched : t.replay.linesOf(r.read).filter((a) => watchSet.has(a));
      if (reads.length > 0) {
        varied = [...new Set([...varied, ...reads])].sort((a, b) => a - b);
        grew = true;
        break;
      }
      checked++;
      if (!r.ok) return { ok: false, coverage: plan.coverage, states: checked, varied, failure: { state, reason: r.reason ?? 'the check failed' } };
    }
    if (!grew) return { ok: true, coverage: plan.coverage, states: checked, varied };
  }
}

/** every pending line at the value a state gives it, for the server */
function fullImage(t: TracedCrash, choice: Map<number, number>): LineRun[] {
  const lines = new Map<number, Uint8Array>();
  for (const a of t.replay.mem.pendingLines()) {
    const v = t.replay.mem.history(a)!.prefix(choice.get(a) ?? 0);
    if (!same(v, upper(t, a))) lines.set(a, v);
  }
  return t.replay.runs(lines);
}

function stateLines(t: TracedCrash, choice: Map<number, number>, skip?: number): LineReport[] {
  const out: LineReport[] = [];
  for (const [a, k] of choice) if (k > 0 && a !== skip) out.push(lineReport(t, a, t.replay.mem.history(a)!.prefix(k)));
  return out;
}

export function checkStateExists(t: TracedCrash, id: string): Map<number, number> {
  const choice = parseStateId(id);
  for (const [a, k] of choice) {
    const h = t.replay.mem.history(a);
    if (!h || k > h.length) throw new Error(`crash state ${id} does not exist in this run: line 0x${a.toString(16)} has ${h ? h.length : 0} stores to keep`);
  }
  return choice;
}

/** a check over every crash state of the trace (or the one named), as the emulator's verdict */
export async function decideCrashCheck(t: TracedCrash, check: CrashCheck, mounts: MountOptions[], opts: DecideOptions): Promise<CrashVerdict> {
  const mem = t.replay.mem;
  const eadr = mem.mode === 'eadr' && !mem.quirks.eadrUnordered;
  if (opts.onlyState && !(eadr && opts.onlyState.startsWith('cut:'))) {
    // the state by its one id (lines in address order), however the rerun named it
    const choice = checkStateExists(t, opts.onlyState);
    const r = await t.recover({ lines: fullImage(t, choice), check, mounts, watch: [] });
    return r.ok
      ? { ok: true, coverage: 'single', states: 1 }
      : { ok: false, coverage: 'single', states: 1, counterexample: { stateId: opts.onlyState.startsWith('cut:') ? opts.onlyState : stateId(choice), reason: r.reason ?? 'the check failed', lines: stateLines(t, choice) } };
  }
  if (eadr) {
    // eADR: a handful of states (nothing but unfenced NT data may be lost), each evaluated whole
    const coverage = opts.onlyState ? 'single' : 'exhaustive';
    let states = 0;
    for (const state of eadrStates(mem, false)) {
      if (opts.onlyState && state.id !== opts.onlyState) continue;
      const r = await t.recover({ lines: fullImage(t, state.choice), check, mounts, watch: [] });
      states++;
      if (!r.ok) return { ok: false, coverage, states, counterexample: { stateId: state.id, reason: r.reason ?? 'the check failed', lines: stateLines(t, state.choice) } };
    }
    return { ok: true, coverage, states };
  }

  // Byte ranges whose place is known are decided per line; a negation or implication needs every line fixed.
  const all = leaves(check);
  const datas = needsFixedLines(check) ? [] : all.filter((c) => c.kind === 'file-holds' || c.kind === 'device-holds');
  const places = datas.map((c) => placeOf(t, c, fromHex((c as { data: string }).data).length));
  const byLine = datas.length > 0 && places.every((p) => p !== undefined);
  // line -> the value sent for it (undefined: the upper bound, the server's own)
  const fixed = new Map<number, Uint8Array | undefined>();
  if (byLine) {
    const f = perLine(t, datas, places as Range[][]);
    if (f) {
      const choice = new Map<number, number>();
      const lines: LineReport[] = [];
      if (f.lineAddr >= 0) {
        choice.set(f.lineAddr, f.k);
        lines.push(lineReport(t, f.lineAddr, f.found, f.expected, f.compareOffset));
      }
      return { ok: false, coverage: 'per-line', states: 1, counterexample: { stateId: stateId(choice), reason: f.reason, lines } };
    }
    // every value these lines can take passed: fix each at the one a crash keeps longest
    for (const ranges of places as Range[][]) {
      for (const r of ranges) {
        if (r.phys === undefined) continue;
        for (let a = Math.floor(r.phys / LINE_SIZE) * LINE_SIZE; a < r.phys + r.len; a += LINE_SIZE) {
          const h = mem.history(a);
          if (h) fixed.set(a, mem.survivable(h) === h.length ? undefined : h.prefix(mem.survivable(h)));
        }
      }
    }
    // device bytes are all a device check reads: nothing else to evaluate
    if (all.every((c) => c.kind === 'device-holds')) return { ok: true, coverage: 'per-line', states: perLineStates(t) };
  }
  const r = await exploreByRecover(t, check, mounts, fixed, Math.min(opts.budget, opts.recoverBudget ?? Infinity));
  if (r.ok) {
    const lineProof = byLine && r.varied.length === 0;
    return { ok: true, coverage: lineProof ? 'per-line' : r.coverage, states: lineProof ? perLineStates(t) : r.states };
  }
  const f = r.failure!;
  return { ok: false, coverage: r.coverage, states: r.states, counterexample: { stateId: f.state.id === LOWER_BOUND_ID ? LOWER_BOUND_ID : stateId(f.state.choice), reason: f.reason, lines: stateLines(t, f.state.choice) } };
}

function perLineStates(t: TracedCrash): number {
  let n = 1;
  for (const a of t.replay.mem.pendingLines()) n += t.replay.mem.history(a)!.length;
  return n;
}
