// A server's persistent-memory trace replayed into the emulator's own model (emulator/pmem): the same
// per-line histories, write-backs and fences, so crash states come from one model whoever produced
// the trace. Memory follows what was touched; a line whose history is all fenced keeps no history.

import { ImplementationError } from '../contract';
import { LINE_SIZE } from '../../emulator/pmem/line';
import { PersistenceMode, PersistentMemory } from '../../emulator/pmem/memory';
import { NAMESPACE_STRIDE } from '../../emulator/nvdimm/namespace';
import { bytesValue, encodeBytes, LineRange, LineRun, TraceEvent } from './events';

/** 2^52 bytes, as the emulator's machine: a slot of 1 TiB per namespace */
const PHYS_SIZE = 2 ** 52;
const SLOTS = PHYS_SIZE / NAMESPACE_STRIDE;

export interface ReplayOptions {
  mode?: PersistenceMode;
  tearing?: boolean;
}

export class TraceReplay {
  mem: PersistentMemory;
  /** namespace name -> slot; pmemN takes slot N, so line addresses (and state ids) are the emulator's */
  private readonly slots = new Map<string, number>();
  events = 0;
  /** the request whose events are arriving (from the op markers), named when the trace is refused */
  currentOp: string | undefined;

  constructor(
    readonly opts: ReplayOptions = {},
    private readonly label = 'the server',
  ) {
    this.mem = new PersistentMemory(PHYS_SIZE, { mode: opts.mode ?? 'adr', tearing: opts.tearing ?? false });
  }

  slotOf(dev: string): number {
    let s = this.slots.get(dev);
    if (s !== undefined) return s;
    const m = /^pmem(\d+)$/.exec(dev);
    const used = new Set(this.slots.values());
    s = m && Number(m[1]) < SLOTS && !used.has(Number(m[1])) ? Number(m[1]) : undefined;
    // a name that is not pmemN takes the highest free slot, away from the pmemN ones
    for (let i = SLOTS - 1; s === undefined && i >= 0; i--) if (!used.has(i)) s = i;
    if (s === undefined) throw new ImplementationError(`${this.label} traced more than ${SLOTS} namespaces`);
    this.slots.set(dev, s);
    return s;
  }

  /** the model's address of a namespace byte */
  addr(dev: string, off: number, len = 0): number {
    if (off + len > NAMESPACE_STRIDE) throw new ImplementationError(`${this.label} traced offset ${off} of ${dev}, beyond the 1 TiB a namespace may have`);
    return this.slotOf(dev) * NAMESPACE_STRIDE + off;
  }

  /** the namespace and offset of a model address */
  where(addr: number): { dev: string; off: number } {
    const slot = Math.floor(addr / NAMESPACE_STRIDE);
    for (const [dev, s] of this.slots) if (s === slot) return { dev, off: addr - slot * NAMESPACE_STRIDE };
    return { dev: '?', off: addr };
  }

  apply(events: readonly TraceEvent[]): void {
    // a run of NT stores that a fence ends: copied as the pmem driver's memcpy_to_pmem + wmb_pmem,
    // durable at once, so no history is built only to be dropped (the same memory as store, then fence)
    let fencedRunEnd = -1;
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      this.events++;
      switch (e.k) {
        case 'base': {
          const a = this.addr(e.dev, e.off, LINE_SIZE);
          if (this.mem.history(a)) throw new ImplementationError(`${this.label} sent the base of line ${e.off} of ${e.dev} after stores to it${this.currentOp ? ` (during "${this.currentOp}")` : ''}`);
          // content from before the trace began: on media, as if written and flushed with clflush then
          this.mem.store(a, bytesValue(e), false);
          this.mem.flush(a, LINE_SIZE, 'clflush');
          // virtio-pmem: on media means past the host's page cache too
          if (this.mem.mode === 'virtio-pmem') this.mem.hostFlush({ base: a, size: LINE_SIZE });
          break;
        }
        case 'st':
        case 'nt': {
          const data = bytesValue(e);
          const a = this.addr(e.dev, e.off, data.length);
          if (e.k === 'nt' && i > fencedRunEnd) fencedRunEnd = fencedBy(events, i);
          if (e.k === 'nt' && i < fencedRunEnd) this.mem.storeAndFence(a, data);
          else this.mem.store(a, data, e.k === 'nt');
          break;
        }
        case 'fl': {
          const len = e.len ?? 1;
          const a = this.addr(e.dev, e.off, len);
          this.mem.flush(a, len, e.insn);
          break;
        }
        case 'fe':
          // sfence, mfence and locked instructions all order clwb, clflushopt and NT stores on x86
          this.mem.fence();
          break;
        case 'hf':
          // each device is its own host file: its flush request makes only its lines durable
          this.mem.hostFlush(e.dev === undefined ? undefined : { base: this.addr(e.dev, 0), size: NAMESPACE_STRIDE });
          break;
        case 'op':
          this.currentOp = e.phase === 'begin' ? e.op : undefined;
          break;
      }
    }
  }

  /** after a power failure: the machine comes back in one crash state, which is all durable */
  restart(choose: (lineAddr: number) => number): void {
    this.mem = this.mem.image((a) => choose(a));
  }

  /** a crash image's lines as runs for the wire (consecutive lines merged, zero runs by length) */
  runs(lines: Map<number, Uint8Array>): LineRun[] {
    const out: LineRun[] = [];
    const sorted = [...lines.keys()].sort((a, b) => a - b);
    for (let i = 0; i < sorted.length; ) {
      let j = i;
      // a run stays under 256 KiB of bytes, so a few of them fit one request line
      while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + LINE_SIZE && j - i < 4095) j++;
      const buf = new Uint8Array((j - i + 1) * LINE_SIZE);
      for (let x = i; x <= j; x++) buf.set(lines.get(sorted[x])!, (x - i) * LINE_SIZE);
      out.push({ ...this.where(sorted[i]), ...encodeBytes(buf) });
      i = j + 1;
    }
    return out;
  }

  /** line addresses as ranges of consecutive lines, for the wire */
  ranges(lineAddrs: number[]): LineRange[] {
    const out: LineRange[] = [];
    const sorted = [...lineAddrs].sort((a, b) => a - b);
    for (let i = 0; i < sorted.length; ) {
      let j = i;
      while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + LINE_SIZE) j++;
      out.push({ ...this.where(sorted[i]), len: (j - i + 1) * LINE_SIZE });
      i = j + 1;
    }
    return out;
  }

  /** the lines a list of ranges covers, as model addresses */
  linesOf(ranges: readonly LineRange[]): number[] {
    const out: number[] = [];
    for (const r of ranges) {
      if (!this.slots.has(r.dev) || r.len === 0) continue;
      const a = this.addr(r.dev, r.off, r.len);
      for (let l = Math.floor(a / LINE_SIZE) * LINE_SIZE; l < a + r.len; l += LINE_SIZE) out.push(l);
    }
    return out;
  }
}

/** the index of the fence that ends the run of NT stores (and markers) starting at i, or -1 */
function fencedBy(events: readonly TraceEvent[], i: number): number {
  let j = i;
  while (j < events.length && (events[j].k === 'nt' || events[j].k === 'op')) j++;
  return j < events.length && events[j].k === 'fe' ? j : -1;
}
