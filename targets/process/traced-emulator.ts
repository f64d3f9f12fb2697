// The reference server's traced mode (`server.ts --traced`): the emulator as an implementation that
// records its persistent-memory traffic (capability `pmem-trace`) and leaves crash states to the suite.
// It answers `trace`, `extents` and `recover`, and comes back from a power failure in the image the
// suite names; its own crash exploration is not offered.

import { Capability, CrashCheck, Hello, MountOptions, PmemMode, TargetError } from '../contract';
import { Emulator } from '../emulator/emulator-target';
import { evaluate } from '../emulator/crash-checks';
import { Kernel } from '../../emulator/kernel';
import { LINE_SIZE } from '../../emulator/pmem/line';
import { PersistentMemory } from '../../emulator/pmem/memory';
import { byteLength, bytesValue, Extent, LineRange, LineRun, RecoverAnswer, TRACE_CAPABILITY, TraceChunk } from '../traced/events';
import { TraceRecorder } from './trace-recorder';

export class TracedEmulator extends Emulator {
  readonly recorder = new TraceRecorder();
  /** lines of a crash image sent ahead with `partial` */
  private staged: LineRun[] = [];

  constructor(variant?: ConstructorParameters<typeof Emulator>[0], profile?: PmemMode) {
    super(variant, profile);
    this.recorder.restart(this.kernel.machine);
  }

  override async hello(): Promise<Hello> {
    const h = await super.hello();
    return { ...h, capabilities: [...h.capabilities, TRACE_CAPABILITY as Capability], description: `${h.description ?? h.name}, traced` };
  }

  override async reset(): Promise<void> {
    await super.reset();
    this.recorder.restart(this.kernel.machine);
  }

  override async configure(args: { pmemMode?: PmemMode; tearing?: boolean }): Promise<void> {
    await super.configure(args);
    this.recorder.attach(this.kernel.machine);
  }

  override async checkCrash(): Promise<never> {
    throw new TargetError('EOPNOTSUPP', 'this server is traced: the suite decides crash checks from its trace (ops trace, extents, recover)');
  }

  /** every event since the last call (or reset), in order; `more` when the rest needs another call */
  async trace(): Promise<TraceChunk> {
    return this.recorder.take();
  }

  /** where a file's (or a block device's) bytes live on the namespaces, as FIEMAP would say */
  async extents(args: { path: string }): Promise<Extent[]> {
    const k = this.kernel;
    if (this.crashed) throw new TargetError('EIO', 'the power has failed: extents are asked before the power failure');
    if (typeof args.path !== 'string') throw new TargetError('EINVAL', 'extents needs a "path"');
    if (args.path.startsWith('/dev/')) {
      const b = k.machine.bdev(args.path.slice(5));
      return [{ offset: 0, length: b.size, dev: b.driver.ns.name, devOffset: b.diskOffset(0) }];
    }
    const st = k.fs.statx(args.path);
    if (st.isDir) throw new TargetError('EISDIR', `${args.path} is a directory`);
    const out: Extent[] = [];
    let offset = 0;
    for (const r of k.fs.fileRange(args.path, 0, Math.ceil(st.size / 4096) * 4096)) {
      if (r.phys !== undefined) {
        const ns = [...k.machine.namespaces.values()].find((n) => r.phys! >= n.base && r.phys! < n.base + n.size)!;
        out.push({ offset, length: r.len, dev: ns.name, devOffset: r.phys - ns.base });
      }
      offset += r.len;
    }
    return out;
  }

  /** power comes back in the image the suite chose: every store landed, then the given lines replaced */
  override async remount(args: { mounts: MountOptions[]; lines?: LineRun[] }): Promise<{ stateId: string }> {
    if (!this.crashed) throw new TargetError('EINVAL', 'remount follows a power failure');
    const image = this.crashImage(args.lines ?? []);
    // the journal replay and the mount's own writes are traffic of the new trace
    image.tracepoints = this.recorder;
    this.kernel = Kernel.boot(this.kernel.machine, image, args.mounts);
    this.recorder.attach(this.kernel.machine);
    this.crashed = false;
    return { stateId: 'chosen-by-the-suite' };
  }

  /** "start from this crash image and answer": evaluate the check on it, then forget it */
  async recover(args: { lines: LineRun[]; check: CrashCheck; mounts: MountOptions[]; watch?: LineRange[]; partial?: boolean }): Promise<RecoverAnswer> {
    if (!this.crashed) throw new TargetError('EINVAL', 'recover follows a power failure');
    if (!Array.isArray(args.lines) || !args.check || !Array.isArray(args.mounts)) throw new TargetError('EINVAL', 'recover needs "lines", "check" and "mounts"');
    if (args.partial) {
      // the first part of an image too big for one line: kept for the next recover or remount
      this.staged.push(...args.lines);
      return { ok: true };
    }
    const image = this.crashImage(args.lines);
    // a watched line carries a one-entry history, so the memory's read set notices its loads
    const watched = new Set<number>();
    for (const r of args.watch ?? []) {
      const a = this.phys(r.dev, r.off, r.len);
      for (let l = a; l < a + r.len; l += LINE_SIZE) {
        image.store(l, image.load(l, LINE_SIZE), false);
        watched.add(l);
      }
    }
    image.readSet = new Set();
    const booted = Kernel.boot(this.kernel.machine, image, args.mounts);
    const fs = args.mounts.length > 0 ? booted.fs : undefined;
    const o = evaluate(
      { machine: booted.machine, fileRange: fs ? (p, off, l) => fs.fileRange(p, off, l) : undefined, evaluateFs: fs ? (c) => fs.evaluate(c) : undefined },
      args.check,
      true,
    );
    const read = [...image.readSet].filter((a) => watched.has(a)).sort((a, b) => a - b);
    image.readSet = undefined;
    return { ok: o.ok, ...(o.reason ? { reason: o.reason } : {}), read: read.map((a) => ({ ...this.where(a), len: LINE_SIZE })) };
  }

  private phys(dev: string, off: number, len: number): number {
    const ns = this.kernel.machine.namespaces.get(dev);
    if (!ns) throw new TargetError('ENODEV', `no namespace "${dev}"`);
    if (!Number.isSafeInteger(off) || off % LINE_SIZE !== 0 || len % LINE_SIZE !== 0 || off + len > ns.size) {
      throw new TargetError('EINVAL', `lines at ${off} length ${len} of ${dev} are not whole 64-byte lines inside the namespace`);
    }
    return ns.base + off;
  }

  private where(addr: number): { dev: string; off: number } {
    const ns = [...this.kernel.machine.namespaces.values()].find((n) => addr >= n.base && addr < n.base + n.size)!;
    return { dev: ns.name, off: addr - ns.base };
  }

  /** the media after the power failure (every store landed), with the given lines replaced */
  private crashImage(given: LineRun[]): PersistentMemory {
    const lines = [...this.staged, ...given];
    this.staged = [];
    const image = this.kernel.machine.mem.image((_a, h) => h.length);
    for (const run of lines) image.storeAndFence(this.phys(run.dev, run.off, byteLength(run)), bytesValue(run));
    return image;
  }
}
