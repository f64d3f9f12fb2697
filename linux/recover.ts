// `recover` of the traced Linux machine: one crash state's checks decided on the host, with no boot.
//
// The suite names a crash state as the lines that differ from the upper bound (every store landed,
// which is what the backing files hold after the power failure).  For each state: a sparse copy of
// the backing files, the lines written into it, then the filesystem's own tools on that image:
//   ext2/ext4  e2fsck -E journal_only -y (jbd2's journal replayed, as mount would) then
//              e2fsck -fn for fsck-clean, debugfs for exists / dir-lists / file-size / file-holds / xattr
//   device-holds  read from the image
// The image is then discarded.  With `watchReads`, the tools run under strace and every pread of
// an image is kept: the lines a state's checks read, so the suite varies only those (as the
// emulator's explorer does with its read set).  xfs is not decided here: its log is replayed only by the kernel
// (xfs_repair -n ignores a dirty log and reports what the replay would fix); linux/server.ts boots
// a recovery machine for an xfs state instead.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CrashCheck, MountOptions, TargetError } from '../targets/contract';

export interface LineRun {
  dev: string;
  off: number;
  data?: string;
  zeros?: number;
}

export interface Device {
  /** the NVDIMM's backing file after the power failure (the upper bound) */
  backing: string;
  /** where /dev/pmemN's offset 0 is in the backing file */
  dataOffset: number;
  size: number;
  /** a partition: its whole disk (a namespace of the map) and its first byte there */
  partOf?: { dev: string; start: number };
}

type Result = { ok: boolean; reason?: string };

function run(cmd: string, args: string[]): { status: number; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new TargetError('ENOENT', `cannot run ${cmd}: ${r.error.message}`);
  return { status: r.status ?? -1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

export class CrashImage {
  private readonly files = new Map<string, string>();
  private readonly replayed = new Set<string>();
  private readonly memo = new Map<string, unknown>();
  /** lines the checks read, as `pmemN:offset` (watchReads only) */
  readonly reads = new Set<string>();

  constructor(
    private readonly devices: ReadonlyMap<string, Device>,
    private readonly workDir: string,
    lines: LineRun[],
    private readonly watchReads = false,
  ) {
    this.writeLines(lines, (run) => ({ file: this.image(run.dev), at: run.off }));
  }

  /** write lines into the backing files themselves (the state the machine comes back in) */
  writeInto(lines: LineRun[]): void {
    this.writeLines(lines, (run) => {
      const d = this.device(run.dev);
      return { file: d.backing, at: d.dataOffset + run.off };
    });
  }

  /** each run of whole lines inside its namespace, written where `place` says */
  private writeLines(lines: LineRun[], place: (run: LineRun) => { file: string; at: number }): void {
    for (const run of lines) {
      const d = this.device(run.dev);
      const len = run.data !== undefined ? run.data.length / 2 : run.zeros ?? 0;
      if (run.off % 64 !== 0 || len % 64 !== 0 || run.off + len > d.size) {
        throw new TargetError('EINVAL', `lines at ${run.off} length ${len} of ${run.dev} are not whole 64-byte lines inside the namespace`);
      }
      const buf = run.data !== undefined ? Buffer.from(run.data, 'hex') : Buffer.alloc(len);
      const { file, at } = place(run);
      const fd = fs.openSync(file, 'r+');
      try {
        fs.writeSync(fd, buf, 0, buf.length, at);
      } finally {
        fs.closeSync(fd);
      }
    }
  }

  discard(): void {
    for (const f of this.files.values()) fs.rmSync(f, { force: true });
    this.files.clear();
  }

  async evaluate(check: CrashCheck, mounts: MountOptions[]): Promise<Result> {
    switch (check.kind) {
      case 'all':
        for (const c of check.checks) {
          const r = await this.evaluate(c, mounts);
          if (!r.ok) return r;
        }
        return { ok: true };
      case 'not': {
        const r = await this.evaluate(check.check, mounts);
        return r.ok ? { ok: false, reason: `expected not: ${JSON.stringify(check.check)}` } : { ok: true };
      }
      case 'implies': {
        const c = await this.evaluate(check.if, mounts);
        return c.ok ? this.evaluate(check.then, mounts) : { ok: true };
      }
      case 'device-holds': {
        const want = check.data.toLowerCase();
        const buf = Buffer.alloc(want.length / 2);
        const fd = fs.openSync(this.image(check.dev), 'r');
        this.readAt(check.dev, check.offset, buf.length);
        try {
          fs.readSync(fd, buf, 0, buf.length, check.offset);
        } finally {
          fs.closeSync(fd);
        }
        const got = buf.toString('hex');
        return got === want ? { ok: true } : { ok: false, reason: `/dev/${check.dev} holds ${got} at offset ${check.offset}, expected ${want}` };
      }
      case 'fsck-clean': {
        const spec = this.ext(check.dev);
        const r = this.tool('e2fsck', ['-fn', spec]);
        return r.status === 0 ? { ok: true } : { ok: false, reason: `fsck of /dev/${check.dev} reports: ${lines(r.out).join('; ')}` };
      }
      case 'xattr': {
        const { dev, rel } = this.locate(check.path, mounts);
        const spec = this.ext(dev);
        const out = path.join(this.workDir, 'xattr.bin');
        fs.rmSync(out, { force: true });
        const r = this.tool('debugfs', ['-R', `ea_get -f ${out} ${quote(rel)} ${check.name}`, spec]);
        const absent = /key not found/i.test(r.out);
        if (/File not found/i.test(r.out)) return { ok: false, reason: `${check.path}: not found` };
        const got = absent ? null : fs.existsSync(out) ? fs.readFileSync(out).toString('hex') : null;
        fs.rmSync(out, { force: true });
        const want = check.value === null ? null : check.value.toLowerCase();
        return got === want ? { ok: true } : { ok: false, reason: `${check.path} has ${check.name} ${got === null ? 'absent' : `= ${got}`}, expected ${want === null ? 'absent' : want}` };
      }
      case 'exists':
      case 'file-size':
      case 'dir-lists':
      case 'file-holds': {
        const { dev, rel } = this.locate(check.path, mounts);
        const spec = this.ext(dev);
        if (check.kind === 'dir-lists') {
          // ls -p: one entry per line, /inode/mode/uid/gid/name/size/
          const r = this.tool('debugfs', ['-R', `ls -p ${quote(rel)}`, spec]);
          const entries = lines(r.out).filter((l) => l.startsWith('/'));
          if (!entries.length) return { ok: false, reason: `${check.path}: ${lines(r.out).slice(-1)[0] ?? 'cannot list'}` };
          const listed = new Set(entries.map((l) => l.split('/')[5]).filter((n) => n && n !== '.' && n !== '..'));
          const missing = check.names.filter((n) => !listed.has(n));
          return missing.length ? { ok: false, reason: `${check.path} does not list ${missing.join(', ')} (it lists ${[...listed].join(', ') || 'nothing'})` } : { ok: true };
        }
        const st = this.once(`stat\0${dev}\0${rel}`, () => this.tool('debugfs', ['-R', `stat ${quote(rel)}`, spec]));
        const size = /Size: (\d+)/.exec(st.out);
        if (!size) return { ok: false, reason: `${check.path}: ${lines(st.out).slice(-1)[0] ?? 'not found'}` };
        if (check.kind === 'exists') return { ok: true };
        if (check.kind === 'file-size') {
          return Number(size[1]) === check.size ? { ok: true } : { ok: false, reason: `${check.path} has size ${size[1]}, expected ${check.size}` };
        }
        const content = this.once(`dump\0${dev}\0${rel}`, () => {
          const out = path.join(this.workDir, 'dump.bin');
          fs.rmSync(out, { force: true });
          this.tool('debugfs', ['-R', `dump ${quote(rel)} ${out}`, spec]);
          const got = fs.existsSync(out) ? fs.readFileSync(out) : Buffer.alloc(0);
          fs.rmSync(out, { force: true });
          return got;
        });
        const want = check.data.toLowerCase();
        const got = content.subarray(check.offset, check.offset + want.length / 2).toString('hex');
        return got === want ? { ok: true } : { ok: false, reason: `${check.path} holds ${got || 'nothing'} at offset ${check.offset}, expected ${want}` };
      }
      default:
        throw new TargetError('EINVAL', `unknown check kind ${JSON.stringify((check as { kind?: unknown }).kind)}`);
    }
  }

  /** a read-only tool's answer, once per image: a check of many byte ranges of one file stats and dumps it once */
  private once<T>(key: string, f: () => T): T {
    if (!this.memo.has(key)) this.memo.set(key, f());
    return this.memo.get(key) as T;
  }

  /** a tool on the images; watching reads, under strace, whose log of preads names the lines read */
  private tool(cmd: string, args: string[]): { status: number; out: string } {
    if (!this.watchReads) return run(cmd, args);
    const log = path.join(this.workDir, 'reads.strace');
    fs.rmSync(log, { force: true });
    const t0 = Date.now();
    const r = run('strace', ['-f', '-qq', '-y', '-s0', '--seccomp-bpf', '-e', 'trace=pread64,preadv,preadv2', '-o', log, cmd, ...args]);
    const t1 = Date.now();
    const byFile = new Map([...this.files].map(([dev, f]) => [f, dev]));
    if (fs.existsSync(log)) {
      for (const m of fs.readFileSync(log, 'utf8').matchAll(/pread64\(\d+<([^>]+)>, [^\n]*?, (\d+), (\d+)\) = (\d+)/g)) {
        const dev = byFile.get(m[1]);
        if (dev !== undefined && Number(m[4]) > 0) this.readAt(dev, Number(m[3]), Number(m[4]));
      }
      fs.rmSync(log, { force: true });
    }
    if (process.env.DAX_LINUX_RECOVER_LOG) fs.appendFileSync(process.env.DAX_LINUX_RECOVER_LOG, `  ${cmd} ${args[0]} ${args[1] ?? ''}: ${t1 - t0} ms, parse ${Date.now() - t1} ms, ${this.reads.size} lines\n`);
    return r;
  }

  private readAt(dev: string, off: number, len: number): void {
    if (!this.watchReads) return;
    const part = this.devices.get(dev)?.partOf;
    if (part) {
      dev = part.dev;
      off += part.start;
    }
    for (let l = off - (off % 64); l < off + len; l += 64) this.reads.add(`${dev}:${l}`);
  }

  private device(dev: string): Device {
    const d = this.devices.get(dev);
    if (!d) throw new TargetError('ENODEV', `no traced namespace ${dev}`);
    return d;
  }

  /**
   * The state's image of a device, made on first use: /dev/pmemN's bytes alone (offset 0 is the
   * device's), because e2fsck re-opens the device after a journal replay without io options such as
   * ?offset=.  A sparse copy of the backing file with the namespace's head cut off
   * (FALLOC_FL_COLLAPSE_RANGE), or where the host filesystem cannot, a sparse dd.
   */
  private image(dev: string): string {
    let f = this.files.get(dev);
    if (f) return f;
    const d = this.device(dev);
    f = path.join(this.workDir, `state-${dev}.img`);
    fs.rmSync(f, { force: true });
    if (d.partOf) {
      // a partition's bytes are its disk's state image from the partition's first byte (any sector)
      const disk = this.image(d.partOf.dev);
      const r = spawnSync('dd', [`if=${disk}`, `of=${f}`, 'bs=1M', `skip=${d.partOf.start}`, `count=${d.size}`, 'iflag=skip_bytes,count_bytes', 'conv=sparse', 'status=none'], { encoding: 'utf8' });
      if (r.status !== 0) throw new TargetError('EIO', `dd of ${dev} out of ${d.partOf.dev}'s state: ${r.stderr}`);
      this.files.set(dev, f);
      return f;
    }
    let r = spawnSync('cp', ['--sparse=always', d.backing, f], { encoding: 'utf8' });
    if (r.status !== 0) throw new TargetError('EIO', `cp of ${dev}'s backing file: ${r.stderr}`);
    r = spawnSync('fallocate', ['--collapse-range', '--offset', '0', '--length', String(d.dataOffset), f], { encoding: 'utf8' });
    if (r.status !== 0) {
      fs.rmSync(f, { force: true });
      const MiB = 1024 * 1024;
      r = spawnSync('dd', [`if=${d.backing}`, `of=${f}`, 'bs=1M', `skip=${d.dataOffset / MiB}`, `count=${Math.ceil(d.size / MiB)}`, 'conv=sparse', 'status=none'], { encoding: 'utf8' });
      if (r.status !== 0) throw new TargetError('EIO', `dd of ${dev}'s data: ${r.stderr}`);
    }
    this.files.set(dev, f);
    return f;
  }

  /** the device as e2fsprogs opens it (image?offset=N), its journal replayed once */
  private ext(dev: string): string {
    const spec = this.image(dev);
    if (this.replayed.has(dev)) return spec;
    const head = Buffer.alloc(2048);
    const fd = fs.openSync(this.image(dev), 'r');
    this.readAt(dev, 0, head.length);
    try {
      fs.readSync(fd, head, 0, head.length, 0);
    } finally {
      fs.closeSync(fd);
    }
    if (head.subarray(0, 4).toString('latin1') === 'XFSB') {
      throw new TargetError('EOPNOTSUPP', `the crash image of ${dev} is xfs, whose log only the kernel replays: the traced target decides xfs checks only per line (data), not fsck or listings`);
    }
    if (head.readUInt16LE(1080) !== 0xef53) {
      return spec; // no filesystem: e2fsck and debugfs say so themselves
    }
    // jbd2's journal, replayed as a mount would (exit 1: "file system was modified")
    const r = this.tool('e2fsck', ['-E', 'journal_only', '-y', spec]);
    if (r.status > 1) throw new TargetError('EIO', `e2fsck -E journal_only on the crash image of ${dev}: ${lines(r.out).join('; ')}`);
    this.replayed.add(dev);
    return spec;
  }

  private locate(p: string, mounts: MountOptions[]): { dev: string; rel: string } {
    const m = [...mounts].sort((a, b) => b.dir.length - a.dir.length).find((x) => p === x.dir || p.startsWith(x.dir.replace(/\/$/, '') + '/'));
    if (!m) throw new TargetError('ENOENT', `${p} is on none of the mounts ${mounts.map((x) => x.dir).join(', ') || '(none)'}`);
    return { dev: m.dev, rel: p.slice(m.dir.replace(/\/$/, '').length) || '/' };
  }
}

function lines(s: string): string[] {
  return s
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

function quote(p: string): string {
  return /[\s"]/.test(p) ? `"${p.replace(/"/g, '\\"')}"` : p;
}
