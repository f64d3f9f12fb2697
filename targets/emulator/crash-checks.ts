// Evaluates the contract's CrashCheck predicates over crash states of the emulator.
// Data comparisons use the per-line query on a partial image; everything else the explorer enumerates.

import { CrashCheck, CrashVerdict, LineReport, MountOptions } from '../contract';
import { fromHex, toHex } from '../hex';
import { Machine } from '../../emulator/machine';
import { explore, holdsInEveryState, parseStateId, stateId, CrashState } from '../../emulator/pmem/crash';
import { LINE_SIZE } from '../../emulator/pmem/line';
import { equal, isZero } from '../../emulator/pmem/bytes';
import { PersistentMemory } from '../../emulator/pmem/memory';

export interface KernelOnImage {
  machine: Machine;
  /** physical address of a file byte range, after the path resolves in this state (undefined: hole) */
  fileRange?(path: string, offset: number, length: number): Array<{ phys: number | undefined; len: number }>;
  evaluateFs?(check: CrashCheck): { ok: boolean; reason?: string } | undefined;
}

export type Boot = (image: PersistentMemory, mounts: MountOptions[]) => KernelOnImage;

interface Outcome {
  ok: boolean;
  reason?: string;
  line?: { lineAddr: number; k: number; found: Uint8Array; expected: Uint8Array; compareOffset: number };
  perLine: boolean;
}

/** the first line where a crash state breaks "`part` at `phys`", with the compared bytes of that line, or undefined */
export function lineFailure(mem: PersistentMemory, phys: number, part: Uint8Array, what: string) {
  const f = holdsInEveryState(mem, phys, part);
  if (!f) return undefined;
  const lo = Math.max(phys, f.lineAddr);
  const hi = Math.min(phys + part.length, f.lineAddr + LINE_SIZE);
  const expected = part.subarray(lo - phys, hi - phys);
  const reason = `${what}: expected ${toHex(expected)} but a crash state holds ${toHex(f.found.subarray(lo - f.lineAddr, hi - f.lineAddr))} (line 0x${f.lineAddr.toString(16)} keeps ${f.k} of its stores)`;
  return { lineAddr: f.lineAddr, k: f.k, found: f.found, expected, compareOffset: lo - f.lineAddr, reason };
}

function dataHolds(mem: PersistentMemory, ranges: Array<{ phys: number | undefined; len: number }>, want: Uint8Array, what: string, concrete: boolean): Outcome {
  let off = 0;
  for (const r of ranges) {
    const part = want.subarray(off, off + r.len);
    if (r.phys === undefined) {
      // a hole reads as zeros in every state (the byte is looked for only when the native comparison says there is one)
      if (!isZero(part)) {
        const nz = part.findIndex((b) => b !== 0);
        return { ok: false, reason: `${what}: byte ${off + nz} is in a hole and reads as zero`, perLine: true };
      }
    } else if (concrete) {
      // a tracked load: the explorer varies every non-durable line it touches
      const got = mem.load(r.phys, r.len);
      if (!equal(got, part)) return { ok: false, reason: `${what}: expected ${toHex(part)} but this crash state holds ${toHex(got)}`, perLine: false };
    } else {
      const f = lineFailure(mem, r.phys, part, what);
      if (f) {
        const { reason, ...line } = f;
        return { ok: false, reason, line, perLine: true };
      }
    }
    off += r.len;
  }
  return { ok: true, perLine: true };
}

/** a check's expected bytes, decoded once per check rather than once per crash state */
type Decode = (check: { data: string }) => Uint8Array;

function decoder(): Decode {
  // keyed by the check itself: a key of MiBs of hex would be hashed whole
  const decoded = new Map<{ data: string }, Uint8Array>();
  return (check) => {
    let b = decoded.get(check);
    if (!b) decoded.set(check, (b = fromHex(check.data)));
    return b;
  };
}

export function evaluate(k: KernelOnImage, check: CrashCheck, concrete: boolean, bytes: Decode = (c) => fromHex(c.data)): Outcome {
  switch (check.kind) {
    case 'device-holds': {
      const want = bytes(check);
      const phys = k.machine.physRange(check.dev, check.offset, want.length);
      return dataHolds(k.machine.mem, [{ phys, len: want.length }], want, `/dev/${check.dev} at offset ${check.offset}`, concrete);
    }
    case 'file-holds': {
      const want = bytes(check);
      if (!k.fileRange) return { ok: false, reason: 'no filesystem is mounted', perLine: false };
      let ranges;
      try {
        ranges = k.fileRange(check.path, check.offset, want.length);
      } catch (e) {
        // the file itself did not survive: that is this state's answer, not an error of the check
        return { ok: false, reason: `${check.path} at offset ${check.offset}: ${(e as Error).message}`, perLine: false };
      }
      return dataHolds(k.machine.mem, ranges, want, `${check.path} at offset ${check.offset}`, concrete);
    }
    case 'all': {
      let perLine = false;
      for (const c of check.checks) {
        const o = evaluate(k, c, concrete, bytes);
        perLine ||= o.perLine;
        if (!o.ok) return o;
      }
      return { ok: true, perLine };
    }
    case 'not': {
      const o = evaluate(k, check.check, true, bytes);
      return { ok: !o.ok, reason: o.ok ? `expected not: ${JSON.stringify(check.check)}` : undefined, perLine: false };
    }
    case 'implies': {
      const a = evaluate(k, check.if, true, bytes);
      if (!a.ok) return { ok: true, perLine: false };
      return evaluate(k, check.then, true, bytes);
    }
    default: {
      const r = k.evaluateFs?.(check);
      if (!r) return { ok: false, reason: `check ${check.kind} needs a mounted filesystem`, perLine: false };
      return { ...r, perLine: false };
    }
  }
}

/** Is this check decided by per-line queries alone in each state? Then negation must enumerate (the traced target asks the same). */
export function needsFixedLines(check: CrashCheck): boolean {
  return check.kind === 'not' || check.kind === 'implies' || (check.kind === 'all' && check.checks.some(needsFixedLines));
}

export function checkCrashStates(
  machine: Machine,
  boot: Boot,
  check: CrashCheck,
  mounts: MountOptions[],
  opts: { budget: number; onlyState?: string },
): CrashVerdict {
  const mem = machine.mem;
  let lastOutcome: Outcome | undefined;
  let usedPerLine = false;
  // Negations and implications compare concrete values, so every line they read must be fixed.
  const noPerLine = needsFixedLines(check);
  const bytes = decoder();
  const r = explore(
    mem,
    (image) => {
      const o = evaluate(boot(image, mounts), check, noPerLine, bytes);
      usedPerLine ||= o.perLine && !noPerLine;
      lastOutcome = o;
      return { ok: o.ok, reason: o.reason };
    },
    { budget: opts.budget, onlyState: opts.onlyState },
  );
  // A rerun in one named state fixes every line, so even a per-line query decided exactly that state.
  const single = opts.onlyState !== undefined;
  if (r.ok) {
    const perLine = !single && usedPerLine && r.varied.length === 0;
    return { ok: true, coverage: perLine ? 'per-line' : r.coverage, states: perLine ? perLineStates(mem) : r.states };
  }
  const f = r.failure!;
  const choice = new Map(f.state.choice);
  const lines: LineReport[] = [];
  const o = lastOutcome!;
  if (o.line) {
    choice.set(o.line.lineAddr, o.line.k);
    lines.push(lineReport(machine, o.line.lineAddr, o.line.found, o.line.expected, o.line.compareOffset));
  }
  for (const [addr, k] of f.state.choice) {
    if (k > 0 && addr !== o.line?.lineAddr) lines.push(lineReport(machine, addr, mem.history(addr)!.prefix(k)));
  }
  return {
    ok: false,
    coverage: !single && o.perLine && r.varied.length === 0 ? 'per-line' : r.coverage,
    states: r.states,
    counterexample: { stateId: f.state.cut ? f.state.id : stateId(choice), reason: f.reason, lines },
  };
}

/** all lines at the durable lower bound except those the state id names */
export function imageForState(mem: PersistentMemory, id: string | undefined): { image: PersistentMemory; id: string } {
  if (!id) return { image: mem.image(() => 0), id: 'lb' };
  const choice = parseStateId(id);
  for (const [a, k] of choice) {
    const h = mem.history(a);
    if (!h || k > h.length) throw new Error(`crash state ${id} does not exist in this run: line 0x${a.toString(16)} has ${h ? h.length : 0} stores to keep`);
  }
  return { image: mem.image((a) => choice.get(a) ?? 0), id };
}

function perLineStates(mem: PersistentMemory): number {
  let n = 1;
  for (const a of mem.pendingLines()) n += mem.history(a)!.length;
  return n;
}

function lineReport(machine: Machine, addr: number, found: Uint8Array, expected?: Uint8Array, compareOffset?: number): LineReport {
  const h = machine.mem.history(addr);
  let dev = '?';
  let devAddr = addr;
  for (const ns of machine.namespaces.values()) {
    if (addr >= ns.base && addr < ns.base + ns.size) {
      dev = ns.name;
      devAddr = addr - ns.base;
    }
  }
  return {
    addr: devAddr,
    dev,
    state: h ? h.describe() : 'durable',
    found: toHex(found),
    expected: expected ? toHex(expected) : undefined,
    compareOffset,
  };
}

export type { CrashState };
