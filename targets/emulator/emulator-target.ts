// The reference implementation behind the Target contract: the emulated kernel, in process.
// `variant` puts one historical bug back (emulator/faults.ts).

import {
  BioFlag, Capability, CrashCheck, CrashExploration, CrashVerdict, DriverPath, FsckResult, FsType, Hello, Hex, MappingInfo,
  MapKind, MountOptions, PMEM_MODES, PmemMode, ScheduledTask, Stat, Target, TargetError, WritebackEvent,
} from '../contract';
import { fromHex, fromHexToRead, toHex } from '../hex';
import { Kernel, run, ScheduledOp } from '../../emulator/kernel';
import { VariantName, VARIANTS } from '../../emulator/faults';
import { SECTOR_SIZE } from '../../emulator/nvdimm/namespace';
import { checkCrashStates, imageForState } from './crash-checks';
import { blkdev_read, blkdev_write } from '../../emulator/block/blkdev-io';
import { blkdev_issue_flush } from '../../emulator/fs/buffer';
import { translateErrors } from './errors';

const CAPABILITIES: Capability[] = [
  'cache-model', 'white-box', 'eadr', 'ext2', 'ext4', 'xfs', 'xfs-realtime', 'raw-block-dax',
  'block-driver', 'map-sync', 'partitions', 'resize', 'freeze', 'schedules', 'fast-reset', 'per-file-dax', 'poison', 'poison-clear', 'machine-check', 'reflink', 'virtio-pmem', 'namespace-size', 'dax-shared-disk',
];

export const EMULATOR_VERSION = '0.1.0';

export class Emulator implements Target {
  protected kernel: Kernel;
  private mode: PmemMode = 'adr';
  private tearing = false;
  protected crashed = false;
  private readonly tasks = new Map<string, { op: ScheduledOp; at: string }>();
  private logCursor = 0;
  private readonly switches = new Set<VariantName>();

  constructor(
    private readonly variant?: VariantName,
    /** the platform this target is created on (DAX_TARGET emulator@virtio-pmem); reset returns to it */
    private readonly profile: PmemMode = 'adr',
  ) {
    this.mode = profile;
    this.kernel = new Kernel({ variant, mode: profile, switchesRead: this.switches });
  }

  async hello(): Promise<Hello> {
    return {
      name: this.variant ? `emulator:${this.variant}` : 'emulator',
      version: EMULATOR_VERSION,
      capabilities: CAPABILITIES,
      description: (this.variant ? `reference emulator with one bug put back: ${VARIANTS[this.variant]}` : 'reference emulator') + (this.profile === 'adr' ? '' : `, on ${this.profile}`),
      ...(this.profile === 'adr' ? {} : { profile: this.profile }),
    };
  }

  async reset(): Promise<void> {
    // a fresh machine: the platform's configuration does not carry over either
    this.mode = this.profile;
    this.tearing = false;
    this.logCursor = 0;
    this.kernel = new Kernel({ variant: this.variant, mode: this.mode, tearing: this.tearing, switchesRead: this.switches });
    this.crashed = false;
    this.tasks.clear();
  }

  async close(): Promise<void> {}

  /** every switch read since this target was made (one target per scenario, however often it resets) */
  async switchesRead(): Promise<{ switches: string[] }> {
    return { switches: [...this.switches].sort() };
  }

  private live(): Kernel {
    if (this.crashed) throw new TargetError('EIO', 'the power has failed: remount before further system calls');
    return this.kernel;
  }

  async configure(args: { pmemMode?: PmemMode; tearing?: boolean }): Promise<void> {
    const m = this.kernel.machine;
    if (m.mem.storeCount > 0) throw new TargetError('EBUSY', 'configure the platform before anything is stored to persistent memory');
    if (args.pmemMode && !PMEM_MODES.includes(args.pmemMode)) {
      throw new TargetError('EINVAL', `persistence mode "${args.pmemMode}" is not one of ${PMEM_MODES.join(', ')}`);
    }
    this.mode = args.pmemMode ?? this.mode;
    this.tearing = args.tearing ?? this.tearing;
    this.kernel = new Kernel({ variant: this.variant, mode: this.mode, tearing: this.tearing, switchesRead: this.switches });
    // the same namespaces, now on the reconfigured platform
    for (const ns of m.namespaces.values()) this.kernel.machine.createNamespace(ns.name, ns.size);
  }

  async createNamespace(args: { name: string; size: number }): Promise<void> {
    this.live().machine.createNamespace(args.name, args.size);
  }

  async createPartitions(args: { disk: string; partitions: Array<{ start: number; size: number }> }): Promise<string[]> {
    return this.live().machine.createPartitions(args.disk, args.partitions);
  }

  async resizeDevice(args: { dev: string; size: number }): Promise<void> {
    const m = this.live().machine;
    m.bdev(args.dev).resize(args.size, m.bdevs.values());
  }

  async bio(args: { dev: string; path: DriverPath; offset: number; data: Hex; flags: BioFlag[] }): Promise<void> {
    const b = this.live().machine.bdev(args.dev);
    const data = fromHexToRead(args.data);
    b.checkRange(args.offset, data.length, args.path);
    const disk = b.diskOffset(args.offset);
    switch (args.path) {
      case 'rw_bytes':
        b.driver.rw_bytes(disk, data, true);
        return;
      case 'rw_page':
        if (disk % 4096 || data.length !== 4096) throw new TargetError('EINVAL', `rw_page needs a whole 4096-byte page at a page-aligned offset, got ${data.length} bytes at ${args.offset}`);
        b.driver.rw_page(disk / SECTOR_SIZE, data, true);
        return;
      case 'make_request':
        if (args.offset % SECTOR_SIZE) throw new TargetError('EINVAL', `a bio starts on a sector boundary; offset ${args.offset} is not a multiple of ${SECTOR_SIZE}`);
        b.submit_bio({ sector: args.offset / SECTOR_SIZE, write: true, data, flags: new Set(args.flags) });
        return;
      default:
        throw new TargetError('EINVAL', `unknown driver path "${String(args.path)}"; accepted: rw_bytes, rw_page, make_request`);
    }
  }

  async flushDevice(args: { dev: string }): Promise<void> {
    blkdev_issue_flush(this.live().machine.bdev(args.dev));
  }

  async cpuStore(args: { dev: string; offset: number; data: Hex; nt: boolean }): Promise<void> {
    const m = this.live().machine;
    const data = fromHexToRead(args.data);
    m.mem.store(m.physRange(args.dev, args.offset, data.length), data, args.nt);
  }

  async cpuFlush(args: { dev: string; offset: number; length: number; insn: 'clwb' | 'clflushopt' | 'clflush' }): Promise<void> {
    const m = this.live().machine;
    m.mem.flush(m.physRange(args.dev, args.offset, args.length), args.length, args.insn);
  }

  async cpuFence(): Promise<void> {
    this.live().machine.mem.fence();
  }

  async injectPoison(args: { path: string; offset: number; length: number }): Promise<void> {
    this.live().injectPoison(args.path, args.offset, args.length);
  }

  async readDevice(args: { dev: string; offset: number; length: number }): Promise<Hex> {
    return toHex(this.live().machine.bdev(args.dev).read(args.offset, args.length));
  }

  async writeDevice(args: { dev: string; offset: number; data: Hex }): Promise<void> {
    this.live().machine.bdev(args.dev).write(args.offset, fromHexToRead(args.data));
  }

  async mkfs(args: { fs: FsType; dev: string; rtdev?: string }): Promise<void> {
    this.live().fs.mkfs(args.fs, args.dev, args.rtdev);
  }
  async mount(args: MountOptions): Promise<void> {
    this.live().fs.mount(args);
  }
  async umount(args: { dir: string }): Promise<void> {
    this.live().fs.umount(args.dir);
  }
  async freeze(args: { dir: string }): Promise<void> {
    this.live().fs.freeze(args.dir);
  }
  async thaw(args: { dir: string }): Promise<void> {
    this.live().fs.thaw(args.dir);
  }
  async fsck(args: { dev: string; rtdev?: string }): Promise<FsckResult> {
    // the emulator finds the realtime device in the superblock it reads; rtdev is for real tools
    return this.live().fs.fsck(args.dev);
  }
  async create(args: { path: string; realtime?: boolean }): Promise<void> {
    this.live().fs.create(args.path, { realtime: args.realtime });
  }
  async mkdir(args: { path: string }): Promise<void> {
    this.live().fs.mkdir(args.path);
  }
  async rename(args: { from: string; to: string }): Promise<void> {
    this.live().fs.rename(args.from, args.to);
  }
  async unlink(args: { path: string }): Promise<void> {
    this.live().fs.unlink(args.path);
  }
  async readdir(args: { path: string }): Promise<string[]> {
    return this.live().fs.readdir(args.path);
  }
  async setxattr(args: { path: string; name: string; value: Hex }): Promise<void> {
    this.live().fs.setxattr(args.path, args.name, fromHex(args.value));
  }
  async getxattr(args: { path: string; name: string }): Promise<Hex> {
    return toHex(this.live().fs.getxattr(args.path, args.name));
  }
  async clone(args: { from: string; to: string }): Promise<void> {
    this.live().fs.clone(args.from, args.to);
  }
  async setDaxFlag(args: { path: string; on: boolean }): Promise<void> {
    this.live().fs.setDaxFlag(args.path, args.on);
  }
  async write(args: { path: string; offset: number; data: Hex }): Promise<void> {
    const k = this.live();
    const data = fromHexToRead(args.data);
    if (args.path.startsWith('/dev/')) blkdev_write(k.machine.bdev(args.path.slice(5)), args.offset, data, k.machine.faults);
    else k.fs.write(args.path, args.offset, data);
  }
  async read(args: { path: string; offset: number; length: number }): Promise<Hex> {
    const k = this.live();
    if (args.path.startsWith('/dev/')) return toHex(blkdev_read(k.machine.bdev(args.path.slice(5)), args.offset, args.length));
    return toHex(k.fs.read(args.path, args.offset, args.length));
  }
  async truncate(args: { path: string; size: number }): Promise<void> {
    this.live().fs.truncate(args.path, args.size);
  }
  async fallocate(args: { path: string; offset: number; length: number; mode: 'allocate' | 'punch-hole' }): Promise<void> {
    this.live().fs.fallocate(args.path, args.offset, args.length, args.mode);
  }
  async fsync(args: { path: string; datasync?: boolean }): Promise<void> {
    this.live().fsync(args.path, args.datasync ?? false);
  }
  async sync(): Promise<void> {
    this.live().fs.sync();
  }
  async statx(args: { path: string }): Promise<Stat> {
    return this.live().fs.statx(args.path);
  }

  async mmap(args: { path: string; offset: number; length: number; shared: boolean; sync?: boolean; size?: MapKind }): Promise<{ map: number }> {
    return { map: this.live().mmap(args.path, args.offset, args.length, args.shared, args.sync ?? false, args.size === 'pmd') };
  }
  async store(args: { map: number; offset: number; data: Hex; persist?: boolean }): Promise<void> {
    run(this.live().storeSteps(args.map, args.offset, fromHexToRead(args.data), args.persist ?? false));
  }
  async load(args: { map: number; offset: number; length: number }): Promise<Hex> {
    return toHex(this.live().load(args.map, args.offset, args.length));
  }
  async msync(args: { map: number; offset: number; length: number; sync: boolean }): Promise<void> {
    this.live().msync(args.map, args.offset, args.length, args.sync);
  }
  async munmap(args: { map: number }): Promise<void> {
    this.live().munmap(args.map);
  }

  async powerFail(): Promise<void> {
    this.live();
    this.crashed = true;
  }

  async checkCrash(args: { check: CrashCheck; mounts: MountOptions[] } & CrashExploration): Promise<CrashVerdict> {
    if (!this.crashed) throw new TargetError('EINVAL', 'crash states exist only after a power failure');
    const machine = this.kernel.machine;
    const budget = args.budget ?? 4096;
    return checkCrashStates(
      machine,
      (image, mounts) => {
        const k = Kernel.boot(machine, image, mounts);
        const fs = mounts.length > 0 ? k.fs : undefined;
        return {
          machine: k.machine,
          fileRange: fs ? (p, o, l) => fs.fileRange(p, o, l) : undefined,
          evaluateFs: fs ? (c) => fs.evaluate(c) : undefined,
        };
      },
      args.check,
      args.mounts,
      { budget, onlyState: args.state || undefined },
    );
  }

  async remount(args: { mounts: MountOptions[]; state?: string }): Promise<{ stateId: string }> {
    if (!this.crashed) throw new TargetError('EINVAL', 'remount follows a power failure');
    const { image, id } = imageForState(this.kernel.machine.mem, args.state || undefined);
    this.kernel = Kernel.boot(this.kernel.machine, image, args.mounts);
    this.crashed = false;
    return { stateId: id };
  }

  async mappingInfo(args: { path: string }): Promise<MappingInfo> {
    const inode = this.live().inodeOf(args.path);
    const m = inode.mapping;
    return {
      entries: m.entries().map(([index, e]) => ({ index, type: e.kind === 'dax' ? e.type : 'page', tags: m.tagsOf(index) })),
      nrpages: m.nrpages,
      nrexceptional: m.nrexceptional,
      inodeDirtyPages: inode.state.has('I_DIRTY_PAGES'),
    };
  }

  async writebackLog(args: { since?: number }): Promise<{ events: WritebackEvent[]; next: number }> {
    const m = this.kernel.machine;
    const since = args.since ?? this.logCursor;
    const events: WritebackEvent[] = m.writebackLog.slice(since).map((r) => {
      if (r.kind === 'fence') return { kind: 'fence' };
      let dev = '?';
      let addr = r.addr!;
      for (const ns of m.namespaces.values()) if (addr >= ns.base && addr < ns.base + ns.size) [dev, addr] = [ns.name, addr - ns.base];
      return { kind: 'writeback-line', dev, addr, lines: r.lines ?? 1, insn: r.insn! };
    });
    this.logCursor = m.writebackLog.length;
    return { events, next: this.logCursor };
  }

  async backgroundWriteback(): Promise<void> {
    this.live().fs.backgroundWriteback();
  }

  async begin(args: { op: 'fsync' | 'msync' | 'store' | 'fallocate'; args: Record<string, unknown>; stopAt: string }): Promise<ScheduledTask> {
    const k = this.live();
    const a = args.args;
    let op: ScheduledOp;
    switch (args.op) {
      case 'fsync':
        op = k.fsyncSteps(String(a.path), Boolean(a.datasync));
        break;
      case 'store':
        op = k.storeSteps(Number(a.map), Number(a.offset), fromHex(String(a.data)));
        break;
      default:
        throw new TargetError('EINVAL', `operation "${args.op}" cannot be scheduled; accepted: fsync, store`);
    }
    const task = `t${this.tasks.size + 1}`;
    this.tasks.set(task, { op, at: 'start' });
    return this.advance(task, args.stopAt);
  }

  async resume(args: { task: string; stopAt?: string }): Promise<ScheduledTask> {
    this.live();
    return this.advance(args.task, args.stopAt);
  }

  private advance(task: string, stopAt?: string): ScheduledTask {
    const t = this.tasks.get(task);
    if (!t) throw new TargetError('EINVAL', `no scheduled task "${task}"`);
    if (t.at === 'done') throw new TargetError('EINVAL', `task ${task} has already finished`);
    for (;;) {
      const r = t.op.next();
      if (r.done) {
        t.at = 'done';
        return { task, at: 'done' };
      }
      if (r.value === stopAt) {
        t.at = r.value;
        return { task, at: r.value };
      }
    }
  }
}

/** the emulator as seen through the contract: emulator errors leave as TargetError */
export class EmulatorTarget {
  constructor(variant?: VariantName, profile?: PmemMode) {
    return translateErrors(new Emulator(variant, profile)) as unknown as EmulatorTarget;
  }
}
export interface EmulatorTarget extends Target {}
