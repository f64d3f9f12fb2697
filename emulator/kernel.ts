// The emulated kernel: a Machine (pmem, namespaces, block devices), a VFS with ext2/ext4/xfs, and one
// process address space whose faults go through the DAX layer. System calls take and return bytes.

import { Machine, MachineConfig } from './machine';
import { ProcessMm } from './mm/mm';
import { daxFaultHandlers } from './dax/fault';
import { dax_writeback_steps } from './dax/writeback';
import { filemap_write_and_wait_range } from './mm/page-writeback';
import { blkdev_issue_flush, blkdev_issue_flush_steps } from './fs/buffer';
import type { BlockDevice } from './block/block-device';
import type { Inode, WritebackControl } from './mm/inode';
import { PmemError } from './pmem/memory';
import { checkPoisonRange } from './nvdimm/badblocks';
import type { PersistentMemory } from './pmem/memory';
import type { CrashCheck, FsckResult, FsType, MountOptions, Stat } from '../targets/contract';

/** What the kernel needs of the filesystem layer (emulator/fs/vfs.ts). */
export interface FsLayer {
  mkfs(fs: FsType, dev: string, rtdev?: string): void;
  mount(opts: MountOptions): void;
  umount(dir: string): void;
  freeze(dir: string): void;
  thaw(dir: string): void;
  fsck(dev: string): FsckResult;
  create(path: string, opts?: { realtime?: boolean }): void;
  mkdir(path: string): void;
  rename(from: string, to: string): void;
  unlink(path: string): void;
  readdir(path: string): string[];
  setxattr(path: string, name: string, value: Uint8Array): void;
  getxattr(path: string, name: string): Uint8Array;
  setDaxFlag(path: string, on: boolean): void;
  clone(from: string, to: string): void;
  write(path: string, off: number, data: Uint8Array): void;
  read(path: string, off: number, len: number): Uint8Array;
  truncate(path: string, size: number): void;
  fallocate(path: string, off: number, len: number, mode: 'allocate' | 'punch-hole'): void;
  fsync(path: string, datasync: boolean, range?: { start: number; end: number }, flush?: (bdev: BlockDevice) => void): void;
  sync(): void;
  statx(path: string): Stat;
  backgroundWriteback(): void;
  lookup(path: string): Inode;
  fileRange(path: string, off: number, len: number): Array<{ phys: number | undefined; len: number }>;
  evaluate(check: CrashCheck): { ok: boolean; reason?: string } | undefined;
}

interface FsModule {
  Vfs: { new (m: Machine): FsLayer; boot(m: Machine, mounts: MountOptions[]): FsLayer };
}

function loadFs(): FsModule | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('./fs/vfs') as FsModule;
  } catch (e) {
    if ((e as { code?: string }).code === 'MODULE_NOT_FOUND') return undefined;
    throw e;
  }
}

export type ScheduledOp = Generator<string, unknown, void>;

export class Kernel {
  readonly machine: Machine;
  readonly mm: ProcessMm;
  private fsLayer: FsLayer | undefined;

  constructor(config: MachineConfig = {}, machine?: Machine, fs?: FsLayer) {
    this.machine = machine ?? new Machine(config);
    this.fsLayer = fs;
    this.mm = new ProcessMm(
      daxFaultHandlers({
        faults: this.machine.faults,
        syncMetadata: (inode) => this.syncMetadata(inode),
      }),
    );
  }

  /** power comes back on a crash image: same devices, filesystems mounted (journals replayed) */
  static boot(old: Machine, image: PersistentMemory, mounts: MountOptions[]): Kernel {
    const machine = old.reboot(image);
    const mod = loadFs();
    const fs = mounts.length > 0 && mod ? mod.Vfs.boot(machine, mounts) : undefined;
    return new Kernel(old.config, machine, fs);
  }

  get fs(): FsLayer {
    if (!this.fsLayer) {
      const mod = loadFs();
      if (!mod) throw new PmemError('ENOSYS', 'this build of the emulator has no filesystem layer');
      this.fsLayer = new mod.Vfs(this.machine);
    }
    return this.fsLayer;
  }

  /** a path names a file in a mounted filesystem, or a block device under /dev */
  inodeOf(path: string): Inode {
    if (path.startsWith('/dev/')) return this.machine.bdev(path.slice(5)).bd_inode;
    return this.fs.lookup(path);
  }

  mmap(path: string, offset: number, length: number, shared: boolean, sync: boolean, pmd: boolean): number {
    const inode = this.inodeOf(path);
    // a shared mapping needs the file open for writing: open(O_RDWR) on a read-only mount fails
    if (shared && inode.sb.s_rdonly) throw new PmemError('EROFS', `${path} is on a read-only filesystem; it cannot be opened for writing to map it shared`);
    const id = this.mm.mmap({ inode, path, offset, length, shared, sync, pmd });
    const vma = this.mm.vma(id);
    vma.readPhys = (p) => this.cpuLoad(p, 4096);
    vma.sigbusPastEof = !this.machine.faults.has('no-sigbus-past-eof');
    return id;
  }

  /** munmap(): the mapping's file reference goes; it may have been the inode's last */
  munmap(map: number): void {
    const inode = this.mm.vma(map).inode;
    this.mm.munmap(map);
    if (inode.mapping.i_mmap.size === 0) inode.sb.iput_final?.(inode);
  }

  /** stores through a mapping; with `persist` each piece is written back (clwb) and one sfence ends it */
  *storeSteps(map: number, offset: number, data: Uint8Array, persist = false): Generator<string, void, void> {
    const mem = this.machine.mem;
    yield* this.mm.vma(map).store(offset, data, (phys, bytes) => {
      mem.store(phys, bytes, false);
      if (persist) mem.flush(phys, bytes.length, 'clwb');
    });
    if (persist) mem.fence();
  }

  load(map: number, offset: number, length: number): Uint8Array {
    return run(this.mm.vma(map).load(offset, length, (phys, n) => this.cpuLoad(phys, n))) as Uint8Array;
  }

  /** a user load that consumes poison is a machine check: memory_failure() sends SIGBUS (BUS_MCEERR_AR) */
  private cpuLoad(phys: number, n: number): Uint8Array {
    if (this.machine.media.poisoned(phys, n)) throw new PmemError('SIGBUS', `a load of ${n} bytes at physical address ${phys} consumed poison (machine check)`);
    return this.machine.mem.load(phys, n);
  }

  /** error injection under a device's range, or under the blocks that hold a file's range (as FIEMAP finds them) */
  injectPoison(path: string, offset: number, length: number): void {
    if (path.startsWith('/dev/')) return this.machine.injectPoison(path.slice(5), offset, length);
    checkPoisonRange(path, offset, length);
    const pieces = this.fs.fileRange(path, offset, length);
    if (pieces.some((p) => p.phys === undefined)) throw new PmemError('EINVAL', `${path} has a hole in bytes ${offset}..${offset + length}: no media to poison there`);
    for (const p of pieces) this.machine.injectPhys(p.phys!, p.len);
  }

  /** fsync of a path: a file through its filesystem, a block device through blkdev_fsync */
  fsync(path: string, datasync: boolean): void {
    if (path.startsWith('/dev/')) {
      this.blkdev_fsync(path, 0, Number.MAX_SAFE_INTEGER);
      return;
    }
    this.fs.fsync(path, datasync);
  }

  /** blkdev_fsync(): the device's ->writepages over the range (DAX writeback included), then REQ_FLUSH */
  private blkdev_fsync(path: string, start: number, end: number): void {
    const b = this.machine.bdev(path.slice(5));
    filemap_write_and_wait_range(b.bd_inode.mapping, start, end, this.filemapEnv());
    blkdev_issue_flush(b);
  }

  /** msync(MS_SYNC) is vfs_fsync_range(): the file's range, then the metadata */
  msync(map: number, offset: number, length: number, sync: boolean): void {
    const range = this.mm.msyncRange(map, offset, length);
    // an empty range, or MS_ASYNC: nothing is written back
    if (!range || !sync) return;
    const { vma, start, end } = range;
    if (vma.path.startsWith('/dev/')) {
      this.blkdev_fsync(vma.path, start, end);
    } else {
      this.fs.fsync(vma.path, true, { start, end });
    }
  }

  filemapEnv() {
    return {
      faults: this.machine.faults,
      daxWriteback: (mapping: Inode['mapping'], wbc: WritebackControl) => {
        run(dax_writeback_steps(mapping, mapping.host.dataBdev, wbc, this.machine.wbEnv));
      },
    };
  }

  /** the DAX part of fsync as a schedulable run, then the rest of fsync */
  *fsyncSteps(path: string, datasync: boolean): Generator<string, void, void> {
    const inode = this.inodeOf(path);
    const bdev = inode.dataBdev;
    const wbc: WritebackControl = { sync_mode: 'WB_SYNC_ALL', range_start: 0, range_end: Number.MAX_SAFE_INTEGER };
    if (inode.S_DAX) yield* dax_writeback_steps(inode.mapping, bdev, wbc, this.machine.wbEnv);
    // The rest of this one fsync: its DAX writeback ran above, so entries dirtied since it tagged wait for the next
    this.machine.wbEnv.written = inode.mapping;
    const flushes: BlockDevice[] = [];
    try {
      if (path.startsWith('/dev/')) this.fsync(path, datasync);
      else this.fs.fsync(path, datasync, undefined, (b) => flushes.push(b));
    } finally {
      this.machine.wbEnv.written = undefined;
    }
    // its own flush request last, as fsync sends it, so a schedule can stop while it is in flight
    for (const b of flushes) yield* blkdev_issue_flush_steps(b);
  }

  private syncMetadata(inode: Inode): void {
    // dax_finish_sync_fault(): the fault's block allocation reaches media before the fault returns
    for (const v of this.mm.all()) {
      if (v.inode === inode && !v.path.startsWith('/dev/')) {
        this.fs.fsync(v.path, true);
        return;
      }
    }
  }
}

/** drive a schedulable operation to its end */
export function run<T>(g: Generator<string, T, void>): T {
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
  }
}
