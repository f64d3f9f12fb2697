// Persistent memory behind a CPU cache: x86 ADR by default, eADR or virtio-pmem (a host file behind a page cache) as options.
// Media is sparse by 4 KiB page; a line carries a history only while something of it is not durable
// (virtio-pmem: a fenced non-temporal copy keeps its page's lines' histories as one record until asked).

import { LINE_SIZE, LineHistory, PAGE_SIZE } from './line';
import { PmemTracepoints } from './trace';
import { equal, isZero } from './bytes';

export type PersistenceMode = 'adr' | 'eadr' | 'virtio-pmem';
export type FlushInsn = 'clwb' | 'clflushopt' | 'clflush';

/** Mistakes a model of the persistence domain can make; a variant sets one to show a PM rule failing. */
export interface ModelQuirks {
  /** clwb and clflushopt do nothing (PM-1) */
  flushIgnored?: boolean;
  /** a line nobody wrote back never survives: eviction forgotten (PM-2) */
  noEviction?: boolean;
  /** eADR crash states keep lines independently, not a prefix of the store order (PM-6) */
  eadrUnordered?: boolean;
}

export interface PmemOptions {
  quirks?: ModelQuirks;
  mode?: PersistenceMode;
  /** split each store into 8-byte units, each its own history entry (torn writes) */
  tearing?: boolean;
}

/** Observer for the write-back log (white-box introspection); the pmem layer knows nothing of files. */
export interface PmemObserver {
  /** `lines` consecutive lines from `addr` were written back by one instruction sequence */
  onFlush?(addr: number, lines: number, insn: FlushInsn): void;
  onFence?(): void;
}

interface Page {
  cur: Uint8Array; // what loads see
  lines: Map<number, LineHistory>; // line index within the page -> history (non-durable lines only)
  shared: boolean; // `cur` is also another memory's (a crash image's): copy it before writing
}

/**
 * virtio-pmem: a non-temporal copy into a page none of whose lines had a history, kept whole rather than
 * as one history per line (most reach the host's flush untouched, which drops them as one): each changed
 * line stands for the history store(nt) gives it, built by unfold() when anything asks for it.
 */
interface HostCopy {
  base: Uint8Array; // the page before the copy, never written: the lines' durable bytes
  lines: number[]; // the lines the copy changed, ascending; each holds its one entry's value in the page
  seq: number; // the copy's place in the global store order
  fenced: boolean; // a fence carried it to the host's page cache (hostMark 1); until then it is in the fence set
}

/** the lines of a page none of whose lines has a history: shared, never written (linesOf() replaces it first) */
const NO_LINES: ReadonlyMap<number, LineHistory> = new Map();

/** bytes per slab of line copies: 1024 lines */
const LINE_SLAB = 1024 * LINE_SIZE;

/** all-zero page: a store of zeros to a page never touched changes nothing a load or a crash sees */
const ZERO_PAGE = new Uint8Array(PAGE_SIZE);

/** whether `page` holds `bytes` at `off` (a line or less: a loop beats making Buffer views) */
function sameBytes(page: Uint8Array, off: number, bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (page[off + i] !== bytes[i]) return false;
  return true;
}

/** the lines of `page` that `chunk` written at `po` changes, ascending (a loop, no view per line) */
function changedLines(page: Uint8Array, po: number, chunk: Uint8Array): number[] {
  const lines: number[] = [];
  for (let li = Math.floor(po / LINE_SIZE); li * LINE_SIZE < po + chunk.length; li++) {
    const e = Math.min((li + 1) * LINE_SIZE, po + chunk.length);
    let i = Math.max(li * LINE_SIZE, po);
    while (i < e && page[i] === chunk[i - po]) i++;
    if (i < e) lines.push(li);
  }
  return lines;
}

/** per byte value, a page of it: pages written whole with one byte share it (copied on their next write) */
const FILL_PAGES = new Map<number, Uint8Array>();

/** the shared page `page` is made of, if it is one byte repeated */
function fillPage(page: Uint8Array): Uint8Array | undefined {
  if (page.byteLength !== PAGE_SIZE || page[0] !== page[PAGE_SIZE - 1]) return undefined;
  let fill = FILL_PAGES.get(page[0]);
  if (!fill) FILL_PAGES.set(page[0], (fill = new Uint8Array(PAGE_SIZE).fill(page[0])));
  return equal(fill, page) ? fill : undefined;
}

export class PmemError extends Error {
  constructor(
    readonly errno: string,
    message: string,
  ) {
    super(message);
  }
}

export class PersistentMemory {
  readonly mode: PersistenceMode;
  readonly tearing: boolean;
  readonly quirks: ModelQuirks;
  private readonly pages = new Map<number, Page>();
  /** addresses of lines with a non-durable history */
  private readonly pending = new Set<number>();
  /** lines the next fence touches (write-back requested or NT store) */
  private readonly fenceSet = new Set<number>();
  /** virtio-pmem: pages holding one non-temporal copy whole, by page number (their lines are in neither set above) */
  private readonly hostCopies = new Map<number, HostCopy>();
  /** lines the host copies hold (pending as much as those in `pending`) */
  private hostCopyLines = 0;
  /** host copies the next fence carries to the host's page cache */
  private unfencedCopies: HostCopy[] = [];
  private seq = 0;
  /** pages are carved from slabs (fewer, larger allocations); a slab grows with the pages touched */
  private slab: Uint8Array | undefined;
  private slabUsed = 0;
  private slabPages = 0;
  /** line copies (history bases and values) come from here; a history keeps its slab alive, never writes it */
  private lineSlab = new Uint8Array(0);
  private lineSlabUsed = 0;
  /** eADR: store sequence number at the last fence, the earliest point a crash "during" may cut */
  lastFenceSeq = 0;
  observer: PmemObserver | undefined;
  /** stores, write-backs and fences as issued (a traced server records them); a crash image has none */
  tracepoints: PmemTracepoints | undefined;

  constructor(
    readonly size: number,
    opts: PmemOptions = {},
  ) {
    if (!Number.isSafeInteger(size) || size <= 0 || size % PAGE_SIZE !== 0) {
      throw new PmemError('EINVAL', `namespace size ${size} must be a positive multiple of ${PAGE_SIZE}`);
    }
    this.mode = opts.mode ?? 'adr';
    this.tearing = opts.tearing ?? false;
    this.quirks = opts.quirks ?? {};
  }

  private check(addr: number, len: number): void {
    if (!Number.isSafeInteger(addr) || !Number.isSafeInteger(len) || addr < 0 || len < 0 || addr + len > this.size) {
      throw new PmemError('ERANGE', `range [${addr}, ${addr + len}) is outside the ${this.size}-byte namespace`);
    }
  }

  private page(pfn: number, create: boolean): Page | undefined {
    let p = this.pages.get(pfn);
    if (!p && create) {
      p = { cur: this.newPageBytes(), lines: NO_LINES as Map<number, LineHistory>, shared: false };
      this.pages.set(pfn, p);
    }
    return p;
  }

  private newPageBytes(): Uint8Array {
    if (!this.slab || this.slabUsed === this.slab.length) {
      // 4 pages first, growing with the pages this memory wrote to 64: a crash image copying few pages stays small
      const pages = Math.min(64, Math.max(4, this.slabPages));
      this.slabPages += pages;
      this.slab = new Uint8Array(pages * PAGE_SIZE);
      this.slabUsed = 0;
    }
    const b = this.slab.subarray(this.slabUsed, this.slabUsed + PAGE_SIZE);
    this.slabUsed += PAGE_SIZE;
    return b;
  }

  /** a copy of the 64-byte line at `off` in `bytes`, carved from a shared slab: no buffer of its own per line */
  private lineCopy(bytes: Uint8Array, off: number): Uint8Array {
    if (this.lineSlab.length === this.lineSlabUsed) {
      this.lineSlab = new Uint8Array(LINE_SLAB);
      this.lineSlabUsed = 0;
    }
    const b = this.lineSlab.subarray(this.lineSlabUsed, this.lineSlabUsed + LINE_SIZE);
    this.lineSlabUsed += LINE_SIZE;
    for (let i = 0; i < LINE_SIZE; i++) b[i] = bytes[off + i];
    return b;
  }

  /** the page now holds `fill` (a whole page of one byte, shared by every page written so: copied only when written again) */
  private shareFill(pfn: number, fill: Uint8Array): Page {
    let p = this.pages.get(pfn);
    if (!p) this.pages.set(pfn, (p = { cur: fill, lines: NO_LINES as Map<number, LineHistory>, shared: true }));
    else {
      p.cur = fill;
      p.shared = true;
    }
    return p;
  }

  /** the page's line histories, ready for a new one */
  private linesOf(p: Page): Map<number, LineHistory> {
    if (p.lines === NO_LINES) p.lines = new Map();
    return p.lines;
  }

  /** the page's bytes, copied first if a crash image shares them */
  private writable(p: Page): Uint8Array {
    if (p.shared) {
      const b = this.newPageBytes();
      b.set(p.cur);
      p.cur = b;
      p.shared = false;
    }
    return p.cur;
  }

  /** pages ever touched: memory follows this, not the namespace size */
  get touchedPages(): number {
    return this.pages.size;
  }

  get storeCount(): number {
    return this.seq;
  }

  /** the bytes loads see; into `out` when given (a driver read fills the caller's buffer) */
  load(addr: number, len: number, out: Uint8Array = new Uint8Array(len)): Uint8Array {
    this.check(addr, len);
    for (let off = 0; off < len; ) {
      const a = addr + off;
      const pfn = Math.floor(a / PAGE_SIZE);
      const po = a % PAGE_SIZE;
      const n = Math.min(PAGE_SIZE - po, len - off);
      const p = this.pages.get(pfn);
      if (p) {
        out.set(p.cur.subarray(po, po + n), off);
        if (this.readSet) this.unfold(pfn);
        if (this.readSet && p.lines.size > 0) this.noteReads(pfn, po, n);
      } else out.fill(0, off, off + n);
      off += n;
    }
    return out;
  }

  /**
   * The bytes loads see, without a copy when they lie in one page: the page is shared with the caller
   * until this memory writes it (copied first then), so the caller sees what a load saw. Never written by the caller.
   */
  peek(addr: number, len: number): Uint8Array {
    const po = addr % PAGE_SIZE;
    if (po + len > PAGE_SIZE) return this.load(addr, len);
    this.check(addr, len);
    const pfn = Math.floor(addr / PAGE_SIZE);
    const p = this.pages.get(pfn);
    if (!p) return ZERO_PAGE.subarray(0, len);
    if (this.readSet) {
      this.unfold(pfn);
      if (p.lines.size > 0) this.noteReads(pfn, po, len);
    }
    p.shared = true;
    return p.cur.subarray(po, po + len);
  }

  /** whether the bytes at addr are `expected` now (a comparison: no copy, no read recorded) */
  holds(addr: number, expected: Uint8Array): boolean {
    this.check(addr, expected.length);
    for (let off = 0; off < expected.length; ) {
      const a = addr + off;
      const pfn = Math.floor(a / PAGE_SIZE);
      const po = a % PAGE_SIZE;
      const n = Math.min(PAGE_SIZE - po, expected.length - off);
      const p = this.pages.get(pfn);
      const want = expected.subarray(off, off + n);
      if (p ? !equal(p.cur.subarray(po, po + n), want) : !isZero(want)) return false;
      off += n;
    }
    return true;
  }

  private noteReads(pfn: number, po: number, n: number): void {
    const p = this.pages.get(pfn)!;
    for (let li = Math.floor(po / LINE_SIZE); li * LINE_SIZE < po + n; li++) {
      if (p.lines.has(li)) this.readSet!.add(pfn * PAGE_SIZE + li * LINE_SIZE);
    }
  }

  /** a cached store (`nt` false) or a non-temporal one (`memcpy_to_pmem`, movnt) */
  store(addr: number, data: Uint8Array, nt = false): void {
    this.check(addr, data.length);
    this.tracepoints?.store(addr, data, nt);
    const unit = this.tearing ? 8 : LINE_SIZE;
    for (let off = 0; off < data.length; ) {
      const a = addr + off;
      const lineEnd = (Math.floor(a / LINE_SIZE) + 1) * LINE_SIZE;
      const unitEnd = this.tearing ? (Math.floor(a / unit) + 1) * unit : lineEnd;
      const n = Math.min(unitEnd, lineEnd, addr + data.length) - a;
      this.storeInLine(a, data.subarray(off, off + n), nt);
      off += n;
    }
    this.seq++;
  }

  private storeInLine(a: number, bytes: Uint8Array, nt: boolean): void {
    const pfn = Math.floor(a / PAGE_SIZE);
    const li = Math.floor((a % PAGE_SIZE) / LINE_SIZE);
    this.unfold(pfn);
    const known = this.pages.get(pfn);
    // the bytes the line holds already, and nothing of it pending: no crash state differs, so no history
    if (!known?.lines.has(li) && sameBytes(known?.cur ?? ZERO_PAGE, a % PAGE_SIZE, bytes)) return;
    const p = known ?? this.page(pfn, true)!;
    const lineAddr = pfn * PAGE_SIZE + li * LINE_SIZE;
    let h = p.lines.get(li);
    const base = h ? undefined : this.lineCopy(p.cur, li * LINE_SIZE);
    this.writable(p).set(bytes, a % PAGE_SIZE);
    // With tearing one call yields several entries of the same line, all with the call's sequence number.
    const entry = { seq: this.seq, value: this.lineCopy(p.cur, li * LINE_SIZE), nt };
    if (!h) {
      h = new LineHistory(base!, entry);
      this.linesOf(p).set(li, h);
      this.pending.add(lineAddr);
    } else h.entries.push(entry);
    if (nt) {
      // A non-temporal store evicts the line: everything stored so far lands at the next fence.
      h.fenceMark = h.entries.length;
      this.fenceSet.add(lineAddr);
    }
  }

  /**
   * A non-temporal copy followed by a fence (memcpy_to_pmem + wmb_pmem), with the same outcome as
   * store(addr, data, true) then fence() but without building histories that the fence would drop.
   */
  storeAndFence(addr: number, data: Uint8Array): void {
    // on virtio-pmem storeBeforeFence keeps the histories: the fence reaches only the host's page cache
    this.storeBeforeFence(addr, data);
    this.fence();
  }

  /**
   * A non-temporal copy whose caller issues fence() before anything else runs (dax_iomap_rw's
   * copies, then its one wmb_pmem): the same outcome as store(addr, data, true), without the
   * per-line histories that the fence would drop.
   */
  storeBeforeFence(addr: number, data: Uint8Array): void {
    if (this.mode === 'virtio-pmem') {
      // torn copies give a line several entries: those keep the per-line path
      if (this.tearing) this.store(addr, data, true);
      else this.storeToHost(addr, data);
      return;
    }
    this.check(addr, data.length);
    this.tracepoints?.store(addr, data, true);
    for (let off = 0; off < data.length; ) {
      const a = addr + off;
      const pfn = Math.floor(a / PAGE_SIZE);
      const po = a % PAGE_SIZE;
      const n = Math.min(PAGE_SIZE - po, data.length - off);
      // a one-page write (a block's bio, most of them) is its own chunk: no view made
      const chunk = n === data.length ? data : data.subarray(off, off + n);
      // zeros onto a page never touched: it already reads as zeros, durably
      if (!this.pages.has(pfn) && isZero(chunk)) {
        off += n;
        continue;
      }
      const fill = fillPage(chunk);
      let p: Page;
      if (fill) p = this.shareFill(pfn, fill);
      else {
        p = this.page(pfn, true)!;
        this.writable(p).set(chunk, po);
      }
      // lines of this range that had a history are durable now, at their new value
      if (p.lines.size > 0) {
        for (let li = Math.floor(po / LINE_SIZE); li * LINE_SIZE < po + n; li++) {
          const h = p.lines.get(li);
          if (h) this.makeDurable(pfn * PAGE_SIZE + li * LINE_SIZE, h.entries.length, true);
        }
      }
      off += n;
    }
    this.seq++;
  }

  /**
   * virtio-pmem: store(addr, data, true) with each page none of whose lines has a history kept as one
   * HostCopy; a page with histories (or a copy already) takes store()'s per-line path.
   */
  private storeToHost(addr: number, data: Uint8Array): void {
    this.check(addr, data.length);
    this.tracepoints?.store(addr, data, true);
    for (let off = 0; off < data.length; ) {
      const a = addr + off;
      const pfn = Math.floor(a / PAGE_SIZE);
      const n = Math.min(PAGE_SIZE - (a % PAGE_SIZE), data.length - off);
      const p = this.pages.get(pfn);
      if ((p && p.lines.size > 0) || this.hostCopies.has(pfn)) {
        for (let o = off; o < off + n; ) {
          const m = Math.min(LINE_SIZE - ((addr + o) % LINE_SIZE), off + n - o);
          this.storeInLine(addr + o, data.subarray(o, o + m), true);
          o += m;
        }
      } else this.copyToHost(pfn, p, a % PAGE_SIZE, data.subarray(off, off + n));
      off += n;
    }
    this.seq++;
  }

  /** one page's part of storeToHost on a page without line histories */
  private copyToHost(pfn: number, p: Page | undefined, po: number, chunk: Uint8Array): void {
    const base = p?.cur ?? ZERO_PAGE;
    // the bytes the page holds already (zeros over zeros, mostly): one comparison rather than one per line
    if (equal(base.subarray(po, po + chunk.length), chunk)) return;
    // as in storeInLine: a line given the bytes it holds keeps no history
    const lines = changedLines(base, po, chunk);
    if (lines.length === 0) return;
    const fill = fillPage(chunk);
    if (fill) this.shareFill(pfn, fill);
    else {
      // the bytes before the copy become the copy's base: writable() copies them first
      if (p) p.shared = true;
      else p = this.page(pfn, true)!;
      this.writable(p).set(chunk, po);
    }
    const c: HostCopy = { base, lines, seq: this.seq, fenced: false };
    this.hostCopies.set(pfn, c);
    this.hostCopyLines += lines.length;
    this.unfencedCopies.push(c);
  }

  /** the page's host copy as the per-line histories store(nt) builds, the copy fenced or not */
  private unfold(pfn: number): void {
    const c = this.hostCopies.get(pfn);
    if (!c) return;
    this.hostCopies.delete(pfn);
    this.hostCopyLines -= c.lines.length;
    const p = this.pages.get(pfn)!;
    const lines = this.linesOf(p);
    for (const li of c.lines) {
      const lineAddr = pfn * PAGE_SIZE + li * LINE_SIZE;
      const h = new LineHistory(this.lineCopy(c.base, li * LINE_SIZE), { seq: c.seq, value: this.lineCopy(p.cur, li * LINE_SIZE), nt: true });
      h.fenceMark = 1;
      lines.set(li, h);
      this.pending.add(lineAddr);
      if (c.fenced) h.hostMark = 1;
      else this.fenceSet.add(lineAddr);
    }
  }

  /** pages from first to last (page numbers) holding a host copy */
  private hostCopiesIn(first: number, last: number): number[] {
    if (last - first + 1 > this.hostCopies.size) return [...this.hostCopies.keys()].filter((pfn) => pfn >= first && pfn <= last);
    return Array.from({ length: last - first + 1 }, (_, i) => first + i).filter((pfn) => this.hostCopies.has(pfn));
  }

  /** every host copy as per-line histories: for whoever walks all of them */
  private unfoldAll(): void {
    for (const pfn of [...this.hostCopies.keys()]) this.unfold(pfn);
  }

  /** clwb / clflushopt request a write-back of each line's current value; clflush is durable at once */
  flush(addr: number, len: number, insn: FlushInsn): void {
    this.check(addr, len);
    if (len === 0) return;
    const first = Math.floor(addr / LINE_SIZE);
    const last = Math.floor((addr + len - 1) / LINE_SIZE);
    this.observer?.onFlush?.(first * LINE_SIZE, last - first + 1, insn);
    if (this.quirks.flushIgnored && insn !== 'clflush') return;
    this.tracepoints?.flush(first * LINE_SIZE, (last - first + 1) * LINE_SIZE, insn);
    if (this.hostCopies.size > 0) for (const pfn of this.hostCopiesIn(Math.floor(addr / PAGE_SIZE), Math.floor((addr + len - 1) / PAGE_SIZE))) this.unfold(pfn);
    // Only lines with a non-durable history change state; a huge range visits just those.
    const lines =
      last - first + 1 > this.pending.size
        ? [...this.pending].filter((a) => a >= first * LINE_SIZE && a <= last * LINE_SIZE)
        : Array.from({ length: last - first + 1 }, (_, i) => (first + i) * LINE_SIZE);
    for (const lineAddr of lines) {
      const h = this.history(lineAddr);
      if (!h) continue;
      if (insn === 'clflush' && this.mode === 'virtio-pmem') {
        h.hostMark = h.entries.length;
      } else if (insn === 'clflush') {
        this.makeDurable(lineAddr, h.entries.length);
      } else {
        h.fenceMark = h.entries.length;
        this.fenceSet.add(lineAddr);
      }
    }
  }

  /** sfence (`wmb_pmem`): every requested write-back and every NT store becomes durable */
  fence(): void {
    this.observer?.onFence?.();
    this.tracepoints?.fence();
    for (const lineAddr of this.fenceSet) {
      const h = this.history(lineAddr);
      // virtio-pmem: written back into the host's page cache, which a host crash may still lose
      if (h && this.mode === 'virtio-pmem') h.hostMark = Math.max(h.hostMark, h.fenceMark);
      else if (h) this.makeDurable(lineAddr, h.fenceMark);
    }
    this.fenceSet.clear();
    for (const c of this.unfencedCopies) c.fenced = true;
    this.unfencedCopies = [];
    if (this.mode === 'eadr') {
      // Caches are inside the persistence domain: a fence drains the store buffer, so cached stores are durable.
      // Every NT store was in the fence set above (it marks its line up to itself), so what is left is cached.
      for (const lineAddr of [...this.pending]) this.makeDurable(lineAddr, this.history(lineAddr)!.entries.length);
    }
    this.lastFenceSeq = this.seq;
  }

  /**
   * virtio_pmem_flush() served by the host (fsync of its backing file): what reached its page cache is
   * durable. Each device has its own file: `range` (its addresses) limits the flush to it; none: all.
   */
  hostFlush(range?: { base: number; size: number }): void {
    this.tracepoints?.hostFlush(range);
    // the host copies' lines are pending too: the choice below counts them as it did before they were kept whole
    const pending = this.pending.size + this.hostCopyLines;
    this.flushHostCopies(range);
    // a small range (one line) visits its own lines, not every pending one: those whose first byte it holds, as the loop below
    const first = range ? Math.ceil(range.base / LINE_SIZE) : 0;
    const lines =
      range && range.size / LINE_SIZE < pending
        ? Array.from({ length: Math.ceil((range.base + range.size) / LINE_SIZE) - first }, (_, i) => (first + i) * LINE_SIZE).filter((a) => this.pending.has(a))
        : [...this.pending];
    for (const lineAddr of lines) {
      if (range && (lineAddr < range.base || lineAddr >= range.base + range.size)) continue;
      const h = this.history(lineAddr)!;
      // a line the host never got (hostMark 0) stays as it is: makeDurable keeps nothing for k = 0
      this.makeDurable(lineAddr, h.hostMark);
    }
  }

  /** hostFlush's part for host copies: a fenced one the range covers is durable as a whole; one it cuts is unfolded */
  private flushHostCopies(range?: { base: number; size: number }): void {
    if (this.hostCopies.size === 0) return;
    const pfns = range ? this.hostCopiesIn(Math.floor(range.base / PAGE_SIZE), Math.floor((range.base + range.size - 1) / PAGE_SIZE)) : [...this.hostCopies.keys()];
    for (const pfn of pfns) {
      // a copy no fence carried to the host stays as it is, as its lines would (hostMark 0)
      const c = this.hostCopies.get(pfn)!;
      if (!c.fenced) continue;
      if (range && (pfn * PAGE_SIZE < range.base || (pfn + 1) * PAGE_SIZE > range.base + range.size)) this.unfold(pfn);
      else {
        this.hostCopies.delete(pfn);
        this.hostCopyLines -= c.lines.length;
      }
    }
  }

  history(lineAddr: number): LineHistory | undefined {
    this.unfold(Math.floor(lineAddr / PAGE_SIZE));
    const p = this.pages.get(Math.floor(lineAddr / PAGE_SIZE));
    return p?.lines.get((lineAddr % PAGE_SIZE) / LINE_SIZE);
  }

  /** drop the first k entries of a line's history: they are on media now (all of it, at `cur`, if `whole`) */
  private makeDurable(lineAddr: number, k: number, whole = false): void {
    const p = this.pages.get(Math.floor(lineAddr / PAGE_SIZE))!;
    const li = (lineAddr % PAGE_SIZE) / LINE_SIZE;
    const h = p.lines.get(li)!;
    if (k <= 0 && !whole) return;
    if (whole || k >= h.entries.length) {
      p.lines.delete(li);
      this.pending.delete(lineAddr);
      this.fenceSet.delete(lineAddr);
      return;
    }
    const rest = new LineHistory(h.entries[k - 1].value);
    rest.entries.push(...h.entries.slice(k));
    rest.fenceMark = Math.max(0, h.fenceMark - k);
    rest.hostMark = Math.max(0, h.hostMark - k);
    p.lines.set(li, rest);
    if (rest.fenceMark === 0) this.fenceSet.delete(lineAddr);
  }

  /** lines with something not yet durable, in address order (the crash-state space) */
  pendingLines(): number[] {
    this.unfoldAll();
    return [...this.pending].sort((a, b) => a - b);
  }

  /** the durable lower bound of a line: what survives every crash */
  durableLine(lineAddr: number): Uint8Array {
    const h = this.history(lineAddr);
    if (h) return h.base;
    return this.load(lineAddr, LINE_SIZE);
  }

  /** how many of a line's stores a crash may keep (ADR: any of them, the line may be evicted) */
  survivable(h: LineHistory): number {
    return this.quirks.noEviction ? h.fenceMark : h.entries.length;
  }

  /** every value the line can hold after a crash (ADR: any prefix of its history) */
  possibleLineValues(lineAddr: number): Uint8Array[] {
    const h = this.history(lineAddr);
    if (!h) return [this.load(lineAddr, LINE_SIZE)];
    const out: Uint8Array[] = [];
    for (let k = 0; k <= this.survivable(h); k++) out.push(h.prefix(k));
    return out;
  }

  /**
   * A fresh memory holding one (partial) crash state: lines for which `choose` returns k keep the
   * first k entries and become durable; lines for which it returns undefined keep their whole history.
   */
  image(choose: (lineAddr: number, h: LineHistory) => number | undefined): PersistentMemory {
    const m = new PersistentMemory(this.size, { mode: this.mode, tearing: this.tearing, quirks: this.quirks });
    this.unfoldAll();
    for (const [pfn, p] of this.pages) {
      // the image shares the page's bytes until either side writes them
      p.shared = true;
      const np: Page = { cur: p.cur, lines: NO_LINES as Map<number, LineHistory>, shared: true };
      m.pages.set(pfn, np);
      for (const [li, h] of p.lines) {
        const lineAddr = pfn * PAGE_SIZE + li * LINE_SIZE;
        const k = choose(lineAddr, h);
        if (k === undefined) {
          const copy = new LineHistory(h.base);
          copy.entries.push(...h.entries);
          copy.fenceMark = h.fenceMark;
          m.linesOf(np).set(li, copy);
          m.pending.add(lineAddr);
          // not in the fence set, nor in the host's page cache: the power failure cut its write-back, and no fence or flush after the crash completes it
        } else if (k !== h.entries.length) {
          m.writable(np).set(h.prefix(k), li * LINE_SIZE);
        }
      }
    }
    m.seq = this.seq;
    m.lastFenceSeq = this.lastFenceSeq;
    return m;
  }

  /** reads of non-durable lines are recorded here while set (the explorer's read set) */
  readSet: Set<number> | undefined;
}
