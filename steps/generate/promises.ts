// The oracle of generated workloads: what each persistence point promises, byte by byte, and the rule
// each promise comes from. It knows nothing of any implementation: it replays a workload's operations
// on a model of the files' bytes, drops operations that are not valid where they stand (so shrinking
// never produces a workload the suite would not write), and lists the promises standing when power
// fails, each as a Target crash check and as the Then line a developer pastes into a feature.
//
// The promises: write(2) to a file leaves its data durable at return where the block was allocated,
// written and synced before (PM-5); fsync/fdatasync make the file's bytes and size durable (WB-1 for
// stores, PM-5 for write(2), BD-1 for zeros of new blocks, MS-5 for punched ranges, MS-6 for the tail
// a truncate or extension zeroes); msync(MS_SYNC) does so for the mapping's pages in its range; sync(2)
// for every file, plus a clean fsck and the directory's names (SY-1, SY-3); a raw device's write(2) is
// durable at return (PM-3), its mapping's stores after fsync/msync (BD-3), at the partition's start
// sector on the whole disk too (BD-4); a MAP_SYNC store the application wrote back and fenced is durable
// at once (MS-1); CPU stores written back and fenced survive (PM-1). A later change to a byte lapses
// its promise (a crash may keep either value).

import { CrashCheck } from '../../targets/contract';
import { Runs } from './runs';
import { devName, FileName, isFs, LINE, mapLength, MapMode, Op, PAGE, pathOf, Setup, tagOf, Workload } from './workload';

/** largest file a workload grows: past a PMD and a bit, so ranges cross the 2 MiB boundary */
export const MAX_FILE = 4 * 1024 ** 2 + 2 * PAGE;

type Writer = 'init' | 'write' | 'store' | 'cpu' | 'extend' | 'tail' | 'punch';
interface Owner {
  writer: Writer;
  /** the data byte (a tag character) or 0 for zeros */
  byte: number;
  char?: string;
}
type Point = 'fsync' | 'msync' | 'sync' | 'immediate' | 'persisted' | 'map-sync';

export interface Promise_ {
  rule: string;
  check: CrashCheck;
  /** the Then line a developer pastes into a feature */
  then: string;
  /** the operation that made the promise, in words */
  by: string;
}

interface FileModel {
  size: number;
  owner: Runs;
  /** index of the promise record each byte is under, or -1 */
  promised: Runs;
  /** pages holding a block that was written (not merely fallocated) */
  written: Set<number>;
  /** written pages whose allocation a persistence point made durable */
  durable: Set<number>;
  durableSize: number;
  sizePromise?: { size: number; rule: string; by: string };
  map?: { mode: MapMode; length: number };
  /** mappings made so far: a second one (PTE then PMD, say) shares the tree with the first */
  maps: number;
  /** the byte range of the last store through a mapping */
  lastStore?: [number, number];
  /** pages any operation touched (devices promise only these) */
  touched: Set<number>;
}

interface Record_ {
  owner: number;
  rule: string;
  by: string;
}

export class PromiseModel {
  readonly files = new Map<FileName, FileModel>();
  private readonly owners: Owner[] = [{ writer: 'init', byte: 0 }];
  private readonly records: Record_[] = [];
  private readonly recordIds = new Map<string, number>();
  /** byte value of the media before mkfs: what a stale block shows */
  private fsckPromise?: string;
  private byOf: string[] = [];
  /** the operations that were valid where they stand, in order */
  readonly ops: Op[] = [];
  private readonly device: boolean;

  constructor(readonly setup: Setup) {
    this.device = !isFs(setup.kind);
    const names: FileName[] = this.device ? ['dev'] : ['A', 'B'];
    for (const f of names) {
      const size = f === 'dev' ? setup.devSize : f === 'A' ? setup.sizeA : setup.sizeB;
      const m: FileModel = { size, owner: new Runs(0), promised: new Runs(-1), written: new Set(), durable: new Set(), durableSize: size, touched: new Set(), maps: 0 };
      // the set-up wrote zeros and synced: every byte and the size are promised already
      if (!this.device) {
        // a sparse /A is all holes: its zeros are those a new block must show (BD-1)
        if (f === 'A' && setup.sparseA) m.owner.set(0, Infinity, this.newOwner('extend', 0));
        else {
          for (let p = 0; p < Math.ceil(size / PAGE); p++) {
            m.written.add(p);
            m.durable.add(p);
          }
        }
        for (const r of m.owner.get(0, size)) m.promised.set(r.start, r.end, this.record(r.v, 'SY-1', 'sync(2) of the set-up'));
        m.sizePromise = { size, rule: 'SY-1', by: 'sync(2) of the set-up' };
      }
      this.files.set(f, m);
    }
    this.byOf.push('the set-up');
    if (!this.device) this.fsckPromise = 'sync(2) of the set-up';
  }

  private record(owner: number, rule: string, by: string): number {
    const key = `${owner}/${rule}/${by}`;
    let id = this.recordIds.get(key);
    if (id === undefined) {
      id = this.records.push({ owner, rule, by }) - 1;
      this.recordIds.set(key, id);
    }
    return id;
  }

  /** replay a workload; the operations kept are in `ops` */
  static of(w: Workload): PromiseModel {
    const m = new PromiseModel(w.setup);
    for (const op of w.ops) m.apply(op);
    return m;
  }

  private newOwner(writer: Writer, i: number): number {
    const char = writer === 'write' || writer === 'store' || writer === 'cpu' ? tagOf(i) : undefined;
    this.owners.push({ writer, byte: char ? char.charCodeAt(0) : 0, char });
    return this.owners.length - 1;
  }

  /** the rule a byte's promise comes from: who wrote it, and what made it durable */
  private ruleOf(owner: number, point: Point): string {
    const w = this.owners[owner].writer;
    if (point === 'immediate') return this.device ? 'PM-3' : 'PM-5';
    if (point === 'persisted') return 'PM-1';
    if (point === 'map-sync') return 'MS-1';
    if (w === 'cpu') return 'PM-1';
    if (w === 'extend') return 'BD-1';
    if (w === 'punch') return 'MS-5';
    if (w === 'tail') return 'MS-6';
    if (point === 'sync') return 'SY-1';
    if (this.device) return w === 'write' ? 'PM-3' : 'BD-3';
    return w === 'write' ? 'PM-5' : 'WB-1';
  }

  private lapse(f: FileModel, start: number, end: number): void {
    f.promised.set(start, end, -1);
  }

  private touch(f: FileModel, start: number, end: number): void {
    for (let p = Math.floor(start / PAGE); p < Math.ceil(end / PAGE); p++) f.touched.add(p);
  }

  /** the file grows to `end`: the new bytes read as zeros; those in the old last block are the tail it zeroes */
  private extend(f: FileModel, end: number, i: number): void {
    if (end <= f.size) return;
    const tailEnd = Math.min(end, Math.ceil(f.size / PAGE) * PAGE);
    if (tailEnd > f.size) f.owner.set(f.size, tailEnd, this.newOwner('tail', i));
    f.owner.set(Math.max(f.size, tailEnd), end, this.newOwner('extend', i));
    this.lapse(f, f.size, end);
    f.size = end;
    f.sizePromise = undefined;
  }

  /** promise the bytes [start, end) as they are now */
  private promise(f: FileModel, start: number, end: number, point: Point): void {
    for (const r of f.owner.get(start, Math.min(end, f.size))) {
      // a CPU store reaches media only by its own write-back: fsync and sync promise nothing for it
      if (this.owners[r.v].writer === 'cpu' && point !== 'persisted') continue;
      f.promised.set(r.start, r.end, this.record(r.v, this.ruleOf(r.v, point), this.byOf[this.byOf.length - 1]));
    }
  }

  private storeValid(f: FileModel, off: number, len: number): boolean {
    return !!f.map && len > 0 && off >= 0 && off + len <= Math.min(f.size, f.map.length);
  }

  private doStore(f: FileModel, off: number, len: number, persist: boolean, i: number): void {
    const mode = f.map!.mode;
    this.touch(f, off, off + len);
    f.lastStore = [off, off + len];
    if (mode === 'private') return; // a private copy never reaches the file
    const o = this.newOwner('store', i);
    f.owner.set(off, off + len, o);
    this.lapse(f, off, off + len);
    for (let p = Math.floor(off / PAGE); p < Math.ceil((off + len) / PAGE); p++) f.written.add(p);
    if (!persist) return;
    if (mode === 'sync' || this.device) {
      // MAP_SYNC made the block allocation durable at the fault; the application wrote back and fenced
      this.promise(f, off, off + len, this.device ? 'persisted' : 'map-sync');
      return;
    }
    // a plain shared mapping: durable where the block itself already was
    for (let p = Math.floor(off / PAGE); p < Math.ceil((off + len) / PAGE); p++) {
      if (f.durable.has(p) && (p + 1) * PAGE <= f.durableSize) this.promise(f, Math.max(off, p * PAGE), Math.min(off + len, (p + 1) * PAGE), 'persisted');
    }
  }

  /** an operation's range moved inside what it may reach here (its file, mapping or device) */
  private clamp(op: Op): Op {
    const fit = (off: number, len: number, limit: number): [number, number] => {
      const l = Math.min(len, limit);
      return [Math.max(0, Math.min(off, limit - l)), l];
    };
    const f = 'file' in op ? this.files.get(op.file) : this.files.get('dev');
    if (!f) return op;
    const mapLimit = f.map ? Math.min(f.size, f.map.length) : 0;
    switch (op.op) {
      case 'write': {
        // an append lands at the size the file has by now: inside its last block, at a block end, or just past it
        const at = op.atEnd === undefined || this.device ? op.off : Math.max(0, f.size + op.atEnd);
        const [off, len] = fit(at, op.len, this.device ? f.size : MAX_FILE);
        return { op: 'write', file: op.file, off, len };
      }
      case 'store': {
        const [off, len] = fit(op.off, op.len, mapLimit);
        return { ...op, off, len };
      }
      case 'scatter': {
        const pages = Math.floor(mapLimit / PAGE);
        const page = op.page < pages ? op.page : 0;
        const count = Math.min(op.count, Math.floor((pages - 1 - page) / op.stride) + 1);
        return { ...op, page, count, len: Math.min(op.len, mapLimit - page * PAGE) };
      }
      case 'msync': {
        if (!f.map) return op;
        if (op.around !== undefined && f.lastStore) {
          // an application msyncs what it just stored: from that page to the store's end, give or take
          const off = Math.floor(f.lastStore[0] / PAGE) * PAGE;
          const end = op.into ? Math.floor((f.lastStore[1] - 1) / PAGE) * PAGE + 1 : f.lastStore[1] + op.around;
          const len = Math.max(1, Math.min(end, f.map.length) - off);
          return { op: 'msync', file: op.file, off, len };
        }
        const len = Math.min(op.len, f.map.length);
        return { op: 'msync', file: op.file, len, off: Math.floor(Math.min(op.off, f.map.length - len) / PAGE) * PAGE };
      }
      case 'fallocate': {
        const [off, len] = fit(op.off, op.len, MAX_FILE);
        return { ...op, off, len };
      }
      case 'cpu': {
        const [off, len] = fit(op.off, op.len, f.size);
        const [flushOff, flushLen] = fit(op.flushOff, op.flushLen, f.size);
        return { ...op, off, len, flushOff, flushLen };
      }
      default:
        return op;
    }
  }

  /** apply one operation if it is valid here (its range moved inside what it may reach); false if not */
  apply(raw: Op): boolean {
    const op = this.clamp(raw);
    const i = this.ops.length + 1;
    const kind = this.setup.kind;
    const fileOk = (name: FileName) => this.files.get(name);
    const by = (s: string) => this.byOf.push(`${s} (operation ${i})`);
    switch (op.op) {
      case 'write': {
        const f = fileOk(op.file);
        if (!f || op.len <= 0 || op.off < 0 || op.off + op.len > (this.device ? f.size : MAX_FILE)) return false;
        this.extend(f, op.off, i);
        const o = this.newOwner('write', i);
        f.owner.set(op.off, op.off + op.len, o);
        this.lapse(f, op.off, op.off + op.len);
        this.touch(f, op.off, op.off + op.len);
        if (op.off + op.len > f.size) {
          f.size = op.off + op.len;
          f.sizePromise = undefined;
        }
        this.ops.push(op);
        by(`write(2) of ${op.len} bytes at offset ${op.off}`);
        if (this.device) {
          this.promise(f, op.off, op.off + op.len, 'immediate');
          break;
        }
        // PM-5: data written over a block that was allocated, written and synced is durable at return
        for (let p = Math.floor(op.off / PAGE); p < Math.ceil((op.off + op.len) / PAGE); p++) {
          if (f.durable.has(p) && (p + 1) * PAGE <= f.durableSize) this.promise(f, Math.max(op.off, p * PAGE), Math.min(op.off + op.len, (p + 1) * PAGE), 'immediate');
          f.written.add(p);
        }
        break;
      }
      case 'map': {
        const f = fileOk(op.file);
        if (!f || f.maps >= 2) return false;
        if (op.mode === 'sync' && (this.device || kind === 'ext2')) return false; // MAP_SYNC: ext4 and xfs files only
        if (op.mode !== 'shared' && op.pmd) return false;
        f.map = { mode: op.mode, length: mapLength(f.size, this.device) };
        f.maps++;
        this.ops.push(op);
        by(`mmap of ${op.file}`);
        break;
      }
      case 'store': {
        const f = fileOk(op.file);
        if (!f || !this.storeValid(f, op.off, op.len)) return false;
        if (op.persist && f.map!.mode === 'private') return false;
        this.ops.push(op);
        by(`a store of ${op.len} bytes at offset ${op.off}`);
        this.doStore(f, op.off, op.len, op.persist, i);
        break;
      }
      case 'scatter': {
        const f = fileOk(op.file);
        if (!f || op.count <= 0 || op.stride <= 0 || op.len <= 0 || op.len > PAGE) return false;
        const last = (op.page + (op.count - 1) * op.stride) * PAGE;
        if (!this.storeValid(f, op.page * PAGE, last + op.len - op.page * PAGE)) return false;
        this.ops.push(op);
        by(`stores to ${op.count} pages`);
        for (let k = 0; k < op.count; k++) this.doStore(f, (op.page + k * op.stride) * PAGE, op.len, false, i);
        break;
      }
      case 'truncate': {
        const f = fileOk(op.file);
        if (!f || this.device || op.size < 0 || op.size > MAX_FILE || op.size === f.size) return false;
        this.ops.push(op);
        by(`truncate to ${op.size}`);
        if (op.size > f.size) {
          this.extend(f, op.size, i);
        } else {
          this.lapse(f, op.size, Infinity);
          // the block a partial truncate keeps has its tail zeroed (MS-6): a later extension shows it
          const keep = Math.ceil(op.size / PAGE);
          f.owner.set(op.size, keep * PAGE, this.newOwner('tail', i));
          f.owner.set(keep * PAGE, Infinity, 0);
          for (const s of [f.written, f.durable]) for (const p of [...s]) if (p >= keep) s.delete(p);
          f.size = op.size;
          f.sizePromise = undefined;
        }
        break;
      }
      case 'punch': {
        const f = fileOk(op.file);
        if (!f || this.device || kind === 'ext2' || op.len <= 0 || op.off < 0 || op.off >= f.size) return false;
        this.ops.push(op);
        by(`a hole punched over ${op.len} bytes at offset ${op.off}`);
        const end = Math.min(op.off + op.len, f.size);
        f.owner.set(op.off, end, this.newOwner('punch', i));
        this.lapse(f, op.off, end);
        this.touch(f, op.off, end);
        for (let p = Math.ceil(op.off / PAGE); (p + 1) * PAGE <= op.off + op.len; p++) {
          f.written.delete(p);
          f.durable.delete(p);
        }
        break;
      }
      case 'fallocate': {
        const f = fileOk(op.file);
        if (!f || this.device || kind === 'ext2' || op.len <= 0 || op.off < 0 || op.off + op.len > MAX_FILE) return false;
        this.ops.push(op);
        by(`fallocate of ${op.len} bytes at offset ${op.off}`);
        this.touch(f, op.off, op.off + op.len);
        this.extend(f, op.off + op.len, i);
        break;
      }
      case 'fsync': {
        const f = fileOk(op.file);
        if (!f) return false;
        this.ops.push(op);
        by(op.datasync ? `fdatasync of ${op.file}` : `fsync of ${op.file}`);
        this.promise(f, 0, f.size, 'fsync');
        this.syncAlloc(f, 0, f.size);
        // PM-5: the size (and allocation) a write(2), truncate or fallocate left is durable after fsync
        if (!this.device) f.sizePromise = { size: f.size, rule: 'PM-5', by: this.byOf[this.byOf.length - 1] };
        break;
      }
      case 'msync': {
        const f = fileOk(op.file);
        if (!f || !f.map || op.off % PAGE !== 0 || op.len <= 0 || op.off + op.len > f.map.length) return false;
        this.ops.push(op);
        by(`msync(MS_SYNC) of ${op.len} bytes at offset ${op.off}`);
        if (f.map.mode === 'private') break;
        const end = Math.ceil((op.off + op.len) / PAGE) * PAGE;
        this.promise(f, op.off, end, 'msync');
        this.syncAlloc(f, op.off, end);
        break;
      }
      case 'remount': {
        // umount refuses a filesystem with a file mapped; each file's one mapping goes first
        if (this.device || [...this.files.values()].some((f) => f.maps > 1)) return false;
        const unmap = [...this.files].filter(([, f]) => f.map).map(([n]) => n);
        this.ops.push({ op: 'remount', unmap });
        by('unmount and mount');
        for (const f of this.files.values()) {
          f.map = undefined;
          f.maps = 0;
          // sync_filesystem() at unmount is sync(2)'s path; the checkpoint then writes the log home
          this.promise(f, 0, f.size, 'sync');
          this.syncAlloc(f, 0, f.size);
          f.sizePromise = { size: f.size, rule: 'SY-1', by: this.byOf[this.byOf.length - 1] };
        }
        this.fsckPromise = this.byOf[this.byOf.length - 1];
        return true;
      }
      case 'sync': {
        this.ops.push(op);
        by('sync(2)');
        for (const f of this.files.values()) {
          this.promise(f, 0, f.size, 'sync');
          this.syncAlloc(f, 0, f.size);
          if (!this.device) f.sizePromise = { size: f.size, rule: 'SY-1', by: this.byOf[this.byOf.length - 1] };
        }
        if (!this.device) this.fsckPromise = this.byOf[this.byOf.length - 1];
        return true;
      }
      case 'cpu': {
        const f = fileOk('dev');
        if (!f || kind !== 'raw' || op.len <= 0 || op.off < 0 || op.off + op.len > f.size || op.flushLen <= 0 || op.flushOff < 0 || op.flushOff + op.flushLen > f.size) return false;
        this.ops.push(op);
        by(`a CPU store of ${op.len} bytes at offset ${op.off}, ${op.insn}${op.fence ? ' and sfence' : ''}`);
        const o = this.newOwner('cpu', i);
        f.owner.set(op.off, op.off + op.len, o);
        this.lapse(f, op.off, op.off + op.len);
        this.touch(f, op.off, op.off + op.len);
        if (op.fence) {
          // the lines the write-back touched hold the store's bytes durably
          const lo = Math.max(op.off, Math.floor(op.flushOff / LINE) * LINE);
          const hi = Math.min(op.off + op.len, Math.ceil((op.flushOff + op.flushLen) / LINE) * LINE);
          if (hi > lo) this.promise(f, lo, hi, 'persisted');
        }
        break;
      }
    }
    // any change but a persistence point may leave a crash state that fsck must repair (ext2)
    if (op.op !== 'fsync' && op.op !== 'msync' && !(op.op === 'store' && this.files.get(op.file)?.map?.mode === 'private')) this.fsckPromise = undefined;
    return true;
  }

  private syncAlloc(f: FileModel, start: number, end: number): void {
    for (let p = Math.floor(start / PAGE); p < Math.ceil(end / PAGE); p++) if (f.written.has(p)) f.durable.add(p);
    if (start === 0 && end >= f.size) f.durableSize = f.size;
  }

  // --- the promises standing when power fails ---

  /** every promise, each a small crash check; long zero runs are sampled at each page's first line */
  promises(): Promise_[] {
    const out: Promise_[] = [];
    for (const [name, f] of this.files) {
      const path = pathOf(this.setup, name);
      const shown = name === 'dev' ? devName(this.setup) : `/${name}`;
      for (const r of f.promised.get(0, f.size)) {
        if (r.v < 0) continue;
        const rec = this.records[r.v];
        const owner = this.owners[rec.owner];
        const rule = rec.rule;
        if (this.device && ![...range(Math.floor(r.start / PAGE), Math.ceil(r.end / PAGE))].some((p) => f.touched.has(p))) continue;
        for (const [s, e] of pieces(r.start, r.end, owner.byte === 0, this.device ? f.touched : undefined)) {
          out.push({ ...this.holds(name, path, shown, s, e - s, owner, rule), by: rec.by });
          if (this.setup.kind === 'partition') {
            // the same bytes at the partition's start sector on the whole disk (BD-4)
            const at = this.setup.startSector * 512 + s;
            out.push({ ...this.holds(name, path, 'pmem0', at, e - s, owner, 'BD-4'), by: rec.by, check: { kind: 'device-holds', dev: 'pmem0', offset: at, data: hexOf(owner.byte, e - s) } });
          }
        }
      }
      if (f.sizePromise && f.sizePromise.size === f.size) {
        out.push({ rule: f.sizePromise.rule, by: f.sizePromise.by, check: { kind: 'file-size', path, size: f.size }, then: `Then in every crash state ${shown} exists and is ${f.size} bytes long` });
      }
    }
    if (!this.device) {
      out.push({ rule: 'SY-3', by: 'sync(2) of the set-up', check: { kind: 'dir-lists', path: '/mnt', names: ['A', 'B'] }, then: 'Then in every crash state / lists A,B' });
      if (this.fsckPromise) out.push({ rule: 'SY-3', by: this.fsckPromise, check: { kind: 'fsck-clean', dev: devName(this.setup) }, then: `Then in every crash state fsck reports ${devName(this.setup)} clean` });
    }
    return out;
  }

  private holds(name: FileName, path: string, shown: string, off: number, len: number, owner: Owner, rule: string): Promise_ {
    const data = hexOf(owner.byte, len);
    const check: CrashCheck = name === 'dev' ? { kind: 'device-holds', dev: devName(this.setup), offset: off, data } : { kind: 'file-holds', path, offset: off, data };
    const what = owner.byte === 0 ? `${len} zero bytes` : `"${owner.char}"${len > 1 ? ` x ${len}` : ''}`;
    return { rule, by: '', check, then: `Then in every crash state ${shown} holds ${what} at offset ${off}` };
  }
}

function* range(a: number, b: number): Generator<number> {
  for (let i = a; i < b; i++) yield i;
}

export function hexOf(byte: number, len: number): string {
  return byte.toString(16).padStart(2, '0').repeat(len);
}

/** the checked pieces of a run: data whole; zeros whole up to 16 KiB, else both ends and each page's first line */
function pieces(start: number, end: number, zero: boolean, onlyPages?: Set<number>): Array<[number, number]> {
  const keep = (s: number, e: number) => !onlyPages || [...range(Math.floor(s / PAGE), Math.ceil(e / PAGE))].some((p) => onlyPages.has(p));
  if (!zero || end - start <= 16 * 1024) return keep(start, end) ? [[start, end]] : [];
  const out: Array<[number, number]> = [];
  const head = Math.min(end, Math.ceil((start + 1) / PAGE) * PAGE + PAGE);
  const tail = Math.max(head, Math.floor((end - 1) / PAGE) * PAGE - PAGE);
  if (keep(start, head)) out.push([start, head]);
  for (let p = head; p < tail; p += PAGE) if (keep(p, p + LINE)) out.push([p, Math.min(p + LINE, tail)]);
  if (tail < end && keep(tail, end)) out.push([tail, end]);
  return out;
}
