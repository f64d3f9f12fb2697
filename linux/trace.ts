// The host end of linux/plugin/pmem-trace.c: its binary records turned into the protocol's
// trace events (docs/protocol.md, "pmem-trace"), with each line's `base` content taken from a
// snapshot of the backing files made when the trace began.
//
// Record: u8 kind, u8 sub, u16 len, u32 dev, u64 off, u64 arg, then len bytes (little-endian).
import * as fs from 'node:fs';

/** bytes on the wire: lowercase hex, or a run of zeros by its length */
export type Bytes = { data: string } | { zeros: number };

export type TraceEvent =
  | ({ k: 'base'; dev: string; off: number } & Bytes)
  | ({ k: 'st' | 'nt'; dev: string; off: number } & Bytes)
  | { k: 'fl'; dev: string; off: number; len?: number; insn: 'clwb' | 'clflushopt' | 'clflush' }
  | { k: 'fe'; insn: 'sfence' | 'mfence' | 'locked' }
  | { k: 'hf'; dev: string }
  | { k: 'op'; seq: number; op: string; phase: 'begin' | 'end' };

/** as kept until taken: bytes as a Buffer, so runs can grow */
type Held =
  | { k: 'base' | 'st' | 'nt'; dev: string; off: number; buf: Buffer; len: number }
  | { k: 'fl'; dev: string; off: number; len: number; insn: 'clwb' | 'clflushopt' | 'clflush' }
  | { k: 'fe'; insn: 'sfence' | 'mfence' | 'locked' }
  | { k: 'hf'; dev: string }
  | { k: 'op'; seq: number; op: string; phase: 'begin' | 'end' };

export function wireBytes(b: Buffer): Bytes {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return { data: b.toString('hex') };
  return { zeros: b.length };
}

function wire(e: Held): TraceEvent {
  switch (e.k) {
    case 'base':
      return { k: e.k, dev: e.dev, off: e.off, ...wireBytes(e.buf.subarray(0, e.len)) };
    case 'st':
    case 'nt':
      return { k: e.k, dev: e.dev, off: e.off, ...wireBytes(e.buf.subarray(0, e.len)) };
    case 'fl':
      return e.len === LINE ? { k: 'fl', dev: e.dev, off: e.off, insn: e.insn } : { k: 'fl', dev: e.dev, off: e.off, len: e.len, insn: e.insn };
    default:
      return e;
  }
}

/** the longest run one merged event may grow to */
const MAX_RUN = 128 * 1024;

export interface TraceStats {
  stores: number;
  ntStores: number;
  flushes: number;
  fences: number;
  /** flushes of a user address no traced store went through (should stay 0) */
  flushesUntranslated: number;
  /** virtio-pmem flush requests (kicks of the request queue) */
  hostFlushes: number;
}

const K_ST = 1, K_NT = 2, K_FL = 3, K_FE = 4, K_MARK = 5, K_STAT = 6, K_RD = 7, K_HF = 8;
const MARK_BEGIN = 1, MARK_END = 2, MARK_RANGE = 3, MARK_REGION = 4, MARK_ARM = 5, MARK_KICK = 6;
const FL = ['clwb', 'clflushopt', 'clflush'] as const;
const FE = ['sfence', 'mfence', 'locked'] as const;
const LINE = 64;
const HEADER = 24;

export interface Namespace {
  /** guest physical address of /dev/pmemN's offset 0 and its size */
  start: number;
  size: number;
  /** guest physical address of the NVDIMM (the backing file's offset 0) */
  region?: number;
  /** virtio-pmem: the device's notify area (guest physical), where a flush request is kicked */
  kick?: { start: number; size: number };
}

/**
 * One trace: parses the plugin's stream, keeps the events not yet taken, and answers which request
 * (by the agent's id) has had its end marker.
 */
export class TraceLog {
  readonly namespaces = new Map<number, Namespace>();
  stats: TraceStats = { stores: 0, ntStores: 0, flushes: 0, fences: 0, flushesUntranslated: 0, hostFlushes: 0 };
  armed = false;
  /** lines the guest loaded from, as `pmemN:offset` (a plugin with reads=on: a recovery machine) */
  readonly reads = new Set<string>();
  private pending: Buffer = Buffer.alloc(0);
  private events: Held[] = [];
  /** what came after the last request's end marker: kept back until the next request begins */
  private tail: Held[] = [];
  private afterEnd = false;
  private seen = new Set<string>();
  private ended = new Map<number, () => void>();
  private endedIds = new Set<number>();
  private baseFds: number[];

  /**
   * @param baseFiles snapshot of each NVDIMM's backing file when the trace began (pmem0 first)
   * @param opOf the protocol request (seq, op) an agent request id stands for
   */
  constructor(baseFiles: string[], private readonly opOf: (agentId: number) => { seq: number; op: string } | undefined) {
    this.baseFds = baseFiles.map((f) => fs.openSync(f, 'r'));
  }

  close(): void {
    for (const fd of this.baseFds) fs.closeSync(fd);
    this.baseFds = [];
  }

  /**
   * A trace of a restored machine: its agent announced the ranges and armed before the save.
   * `lines` (dev, offset) are the lines its traces had touched before the save: their contents
   * go out as `base` events first, so the consumer knows every line that is not zero.
   */
  preset(namespaces: [number, Namespace][], lines: [number, number][] = []): void {
    for (const [n, ns] of namespaces) this.namespaces.set(n, { ...ns });
    this.armed = true;
    for (const [dev, line] of lines) this.base(dev, line, this.events);
  }

  /** the machine was wiped (every device zero again) without a new stream: a new trace from here, with no bases */
  restart(): void {
    this.events = [];
    this.tail = [];
    this.afterEnd = false;
    this.seen.clear();
    this.reads.clear();
    this.close();
  }

  /** every line this trace has touched, or had as a base (for a save: see preset) */
  touched(): [number, number][] {
    return [...this.seen].map((k) => k.split(':').map(Number) as [number, number]);
  }

  /** bytes from the plugin's socket */
  feed(chunk: Buffer): void {
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let at = 0;
    while (buf.length - at >= HEADER) {
      const len = buf.readUInt16LE(at + 2);
      if (buf.length - at < HEADER + len) break;
      this.record(buf, at, len);
      at += HEADER + len;
    }
    this.pending = at === buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(at));
    buf = Buffer.alloc(0);
  }

  /**
   * The events since the last take() (or since the trace began), as many as fit in `maxBytes` of
   * JSON (the protocol's lines are at most 1 MiB); `more` when some wait.
   */
  take(maxBytes = Infinity): { events: TraceEvent[]; more: boolean } {
    const out: TraceEvent[] = [];
    let bytes = 0;
    let n = 0;
    for (; n < this.events.length; n++) {
      const w = wire(this.events[n]);
      const size = JSON.stringify(w).length + 1;
      if (out.length && bytes + size > maxBytes) break;
      out.push(w);
      bytes += size;
    }
    this.events = n === this.events.length ? [] : this.events.slice(n);
    return { events: out, more: this.events.length > 0 };
  }

  /**
   * How many lines the events not yet taken leave short of durable: a cached store needs a
   * write-back and then a fence, a non-temporal store a fence (x86, ADR); on virtio-pmem
   * (`virtio`) that reaches the host's page cache, and the device's flush request (`hf`) comes
   * after.  0 means a power failure now keeps every store, so the NVDIMMs as they are can stand
   * for this trace's beginning.
   */
  undurableLines(virtio = false): number {
    const state = new Map<string, 'cached' | 'flushing' | 'wc' | 'host'>();
    const lines = (dev: string, off: number, len: number, f: (key: string) => void): void => {
      for (let l = off - (off % LINE); l < off + len; l += LINE) f(`${dev}:${l}`);
    };
    for (const e of this.events) {
      if (e.k === 'st') lines(e.dev, e.off, e.len, (k) => state.set(k, 'cached'));
      else if (e.k === 'nt') lines(e.dev, e.off, e.len, (k) => state.get(k) !== 'cached' && state.set(k, 'wc'));
      else if (e.k === 'fl') lines(e.dev, e.off, e.len, (k) => state.has(k) && state.set(k, 'flushing'));
      else if (e.k === 'fe') {
        for (const [k, v] of state) {
          if (v === 'cached') continue;
          if (virtio) state.set(k, 'host');
          else state.delete(k);
        }
      }
      else if (e.k === 'hf') for (const [k, v] of state) if (v === 'host' && k.startsWith(`${e.dev}:`)) state.delete(k);
    }
    return state.size;
  }

  /** a request began: what ran since the last one ended happened before it, in order */
  private keepTail(): void {
    this.events.push(...this.tail);
    this.tail = [];
    this.afterEnd = false;
  }

  /**
   * The power failed: it is taken at the end of the last request.  What the kernel ran after that
   * (the locked instructions of the answer's way out, which order every write-back and
   * non-temporal store before them) a real power failure may come before, so it is dropped, unless
   * it stored to an NVDIMM (then it stays: the backing files hold those stores).  Bases stay.
   * Returns how many events were dropped.
   */
  cutAtLastEnd(): number {
    if (this.tail.some((e) => e.k === 'st' || e.k === 'nt')) {
      // a flush request kicked after the last answer may not have been served when the power failed
      const kicks = this.tail.filter((e) => e.k === 'hf').length;
      this.tail = this.tail.filter((e) => e.k !== 'hf');
      this.keepTail();
      return kicks;
    }
    const kept = this.tail.filter((e) => e.k === 'base');
    const dropped = this.tail.length - kept.length;
    this.events.push(...kept);
    this.tail = [];
    return dropped;
  }

  /** how many events wait to be taken */
  get held(): number {
    return this.events.length;
  }

  /** resolves when the end marker of agent request `id` has arrived */
  waitEnd(id: number): Promise<void> {
    if (this.endedIds.delete(id)) return Promise.resolve();
    return new Promise((resolve) => this.ended.set(id, resolve));
  }

  private record(b: Buffer, at: number, len: number): void {
    const kind = b[at];
    const sub = b[at + 1];
    const dev = b.readUInt32LE(at + 4);
    const off = Number(b.readBigUInt64LE(at + 8));
    const data = b.subarray(at + HEADER, at + HEADER + len);
    const name = `pmem${dev}`;
    switch (kind) {
      case K_ST:
      case K_NT: {
        const bases: Held[] = [];
        for (let line = off - (off % LINE); line < off + len; line += LINE) this.base(dev, line, bases);
        const k = kind === K_ST ? 'st' : 'nt';
        const q = this.afterEnd ? this.tail : this.events;
        const last = q[q.length - 1];
        // one copy of the pmem driver (memcpy_flushcache: a run of movnti) is one event, as the
        // emulator's driver stores it; cached stores stay one event per instruction
        if (k === 'nt' && last?.k === 'nt' && last.dev === name && last.off + last.len === off && last.len < MAX_RUN) {
          // one growing buffer per run, not a Buffer per 8-byte movnti: mkfs.ext4 is 4.3 million of them
          if (last.len + data.length > last.buf.length) {
            const grown = Buffer.allocUnsafe(Math.min(MAX_RUN + 16, Math.max(2 * last.buf.length, last.len + data.length)));
            last.buf.copy(grown, 0, 0, last.len);
            last.buf = grown;
          }
          data.copy(last.buf, last.len);
          last.len += data.length;
          q.splice(q.length - 1, 0, ...bases);
        } else q.push(...bases, { k, dev: name, off, buf: Buffer.from(data), len: data.length });
        return;
      }
      case K_FL: {
        const bases: Held[] = [];
        this.base(dev, off, bases);
        const insn = FL[sub] ?? 'clflush';
        const q = this.afterEnd ? this.tail : this.events;
        const last = q[q.length - 1];
        // a loop of write-backs over consecutive lines (clean_cache_range) is one ranged event
        if (last?.k === 'fl' && last.dev === name && last.insn === insn && last.off + last.len === off) {
          last.len += LINE;
          q.splice(q.length - 1, 0, ...bases);
        } else q.push(...bases, { k: 'fl', dev: name, off, len: LINE, insn });
        return;
      }
      case K_FE:
        (this.afterEnd ? this.tail : this.events).push({ k: 'fe', insn: FE[sub] ?? 'locked' });
        return;
      case K_HF:
        (this.afterEnd ? this.tail : this.events).push({ k: 'hf', dev: name });
        return;
      case K_MARK: {
        const a2 = Number(data.readBigUInt64LE(0));
        const a3 = Number(data.readBigUInt64LE(8));
        if (sub === MARK_RANGE) this.namespaces.set(off, { ...this.namespaces.get(off), start: a2, size: a3 });
        else if (sub === MARK_REGION) {
          const ns = this.namespaces.get(off);
          if (ns) ns.region = a2;
        } else if (sub === MARK_KICK) this.namespaces.set(off, { ...this.namespaces.get(off)!, kick: { start: a2, size: a3 } });
        else if (sub === MARK_ARM) this.armed = true;
        else if (sub === MARK_BEGIN || sub === MARK_END) {
          if (sub === MARK_BEGIN) this.keepTail();
          const o = this.opOf(off);
          if (o) this.events.push({ k: 'op', seq: o.seq, op: o.op, phase: sub === MARK_BEGIN ? 'begin' : 'end' });
          if (sub === MARK_END) {
            this.afterEnd = true;
            const w = this.ended.get(off);
            if (w) {
              this.ended.delete(off);
              w();
            } else this.endedIds.add(off);
          }
        }
        return;
      }
      case K_RD:
        this.reads.add(`${name}:${off}`);
        return;
      case K_STAT: {
        const n = (i: number): number => Number(data.readBigUInt64LE(i * 8));
        this.stats = { stores: n(0), ntStores: n(1), flushes: n(2), fences: n(3), flushesUntranslated: n(4), hostFlushes: len >= 48 ? n(5) : 0 };
        return;
      }
      default:
        throw new Error(`pmem-trace: unknown record kind ${kind}`);
    }
  }

  /** the line's content when the trace began, sent once before any other event on it (unless zero) */
  private base(dev: number, line: number, into: Held[]): void {
    const key = `${dev}:${line}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const ns = this.namespaces.get(dev);
    const data = Buffer.alloc(LINE);
    if (ns?.region !== undefined && this.baseFds[dev] !== undefined) {
      fs.readSync(this.baseFds[dev], data, 0, LINE, ns.start - ns.region + line);
    }
    // a line with no base was all zeros (docs/protocol.md): most of a fresh namespace
    if (data.some((b) => b !== 0)) into.push({ k: 'base', dev: `pmem${dev}`, off: line, buf: data, len: LINE });
  }
}
