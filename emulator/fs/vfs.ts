// The VFS: a mount table over FileSystem instances, path walking, system calls, sync(2), and the
// crash-state questions a freshly booted machine answers (fileRange, evaluate).

import type { Machine } from '../machine';
import type { BlockDevice } from '../block/block-device';
import { PmemError } from '../pmem/memory';
import { do_writepages } from '../mm/page-writeback';
import type { CrashCheck, FsckResult, FsType, MountOptions, Stat } from '../../targets/contract';
import { FileSystem } from './filesystem';
import { FsInode } from './inode';
import { FLAG_DAX, S_IFDIR } from './format';
import { fsck } from './fsck';
import { mkfs } from './mkfs';
import { normalize, splitMount } from './path';
import { personality } from './personalities';
import { invalidate_buffers } from './buffer';

const DAX_MODES = ['always', 'never', 'inode'];

function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

export class Vfs {
  private readonly mounts = new Map<string, FileSystem>();
  /** mounts Vfs.boot could not make, with why (fsck can still report) */
  readonly failedMounts = new Map<string, string>();

  constructor(readonly machine: Machine) {}

  /** mount the given filesystems on a machine after a crash (journal/log replay); never throws */
  static boot(machine: Machine, mounts: MountOptions[]): Vfs {
    const vfs = new Vfs(machine);
    for (const m of mounts) {
      try {
        vfs.mount(m);
      } catch (e) {
        vfs.failedMounts.set(normalize(m.dir), (e as Error).message);
      }
    }
    return vfs;
  }

  private isMounted(bdev: BlockDevice): string | undefined {
    for (const [dir, fs] of this.mounts) if (fs.s_bdev === bdev || fs.rtdev === bdev) return dir;
    return undefined;
  }

  mkfs(fs: FsType, dev: string, rtdev?: string): void {
    const p = personality(fs);
    const bdev = this.machine.bdev(dev);
    const rt = rtdev === undefined ? undefined : this.machine.bdev(rtdev);
    if (rt && !p.realtime) throw new PmemError('EINVAL', `${fs} has no realtime device; rtdev=${rtdev} is accepted only for xfs`);
    if (rt === bdev) throw new PmemError('EINVAL', `the realtime device must differ from the data device /dev/${bdev.name}`);
    for (const b of [bdev, rt]) {
      const at = b && this.isMounted(b);
      if (at) throw new PmemError('EBUSY', `/dev/${b!.name} is mounted on ${at}; unmount it before mkfs`);
    }
    invalidate_buffers(bdev, 0, Infinity);
    mkfs(p, bdev, rt);
  }

  mount(opts: MountOptions): void {
    const p = personality(opts.fs);
    if (!DAX_MODES.includes(opts.dax)) throw new PmemError('EINVAL', `dax option "${opts.dax}" is not one of always, never, inode`);
    // ext2 knows only the legacy "dax" option: per-file DAX (dax=inode) is ext4's and xfs's
    if (opts.fs === 'ext2' && opts.dax === 'inode') throw new PmemError('EINVAL', 'ext2 has no per-file DAX: mount it with dax (always) or without');
    // barrier=0 is ext4's (jbd2); ext2 has no such option and xfs dropped nobarrier in 4.19
    if (opts.barrier === false && opts.fs !== 'ext4') throw new PmemError('EINVAL', `barrier=0 is an ext4 mount option; ${opts.fs} does not accept it`);
    const dir = normalize(opts.dir);
    if (this.mounts.has(dir)) throw new PmemError('EBUSY', `${dir} is already a mount point; unmount it first`);
    const bdev = this.machine.bdev(opts.dev);
    const rt = opts.rtdev === undefined ? undefined : this.machine.bdev(opts.rtdev);
    if (rt && !p.realtime) throw new PmemError('EINVAL', `${opts.fs} has no realtime device; rtdev is accepted only for xfs`);
    for (const b of [bdev, rt]) {
      const at = b && this.isMounted(b);
      if (at) throw new PmemError('EBUSY', `/dev/${b!.name} is already mounted on ${at}`);
    }
    invalidate_buffers(bdev, 0, Infinity);
    this.mounts.set(dir, new FileSystem(this.machine, p, bdev, rt, { ...opts, dir }));
  }

  umount(dir: string): void {
    const d = normalize(dir);
    const fs = this.mounts.get(d);
    if (!fs) throw new PmemError('EINVAL', `${d} is not a mount point (mounted: ${[...this.mounts.keys()].join(', ') || 'none'})`);
    fs.quiesce();
    fs.release();
    this.mounts.delete(d);
  }

  freeze(dir: string): void {
    const fs = this.fsAt(dir);
    if (fs.frozen) throw new PmemError('EBUSY', `${normalize(dir)} is already frozen`);
    fs.quiesce();
    fs.frozen = true;
  }

  thaw(dir: string): void {
    const fs = this.fsAt(dir);
    if (!fs.frozen) throw new PmemError('EINVAL', `${normalize(dir)} is not frozen`);
    fs.frozen = false;
  }

  private fsAt(dir: string): FileSystem {
    const fs = this.mounts.get(normalize(dir));
    if (!fs) throw new PmemError('EINVAL', `${normalize(dir)} is not a mount point (mounted: ${[...this.mounts.keys()].join(', ') || 'none'})`);
    return fs;
  }

  fsck(dev: string): FsckResult {
    return fsck(this.machine.bdev(dev));
  }

  /** the mounted filesystem a path is on (white-box) */
  superblockOf(path: string): FileSystem {
    return splitMount(this.mounts, path).mount;
  }

  // --- path walking ---

  private walk(path: string): { fs: FileSystem; inode: FsInode } {
    const { mount: fs, rest } = splitMount(this.mounts, path);
    let inode = fs.root;
    let at = '';
    for (const name of rest) {
      if (inode.kind !== 'dir') throw new PmemError('ENOTDIR', `${at || '/'} is not a directory, so ${normalize(path)} cannot be looked up`);
      const ino = fs.dirLookup(inode, name);
      at += '/' + name;
      if (ino === undefined) throw new PmemError('ENOENT', `no such file or directory: ${normalize(path)} (${name} not found)`);
      inode = fs.iget(ino, inode.ino);
    }
    return { fs, inode };
  }

  private parentOf(path: string): { fs: FileSystem; dir: FsInode; name: string } {
    const p = normalize(path);
    const cut = p.lastIndexOf('/');
    const name = p.slice(cut + 1);
    if (!name) throw new PmemError('EINVAL', `path "${path}" names no file`);
    const { fs, inode, } = this.walk(p.slice(0, cut) || '/');
    const sm = splitMount(this.mounts, p);
    if (sm.rest.length === 0) throw new PmemError('EBUSY', `${p} is a mount point`);
    if (inode.kind !== 'dir') throw new PmemError('ENOTDIR', `${p.slice(0, cut) || '/'} is not a directory`);
    return { fs, dir: inode, name };
  }

  private fileAt(path: string): { fs: FileSystem; inode: FsInode } {
    const r = this.walk(path);
    if (r.inode.kind !== 'file') throw new PmemError('EISDIR', `${normalize(path)} is a directory, not a regular file`);
    return r;
  }

  lookup(path: string): FsInode {
    return this.walk(path).inode;
  }

  // --- namespace ---

  create(path: string, opts: { realtime?: boolean } = {}): void {
    const { fs, dir, name } = this.parentOf(path);
    if (fs.dirLookup(dir, name) !== undefined) throw new PmemError('EEXIST', `${normalize(path)} already exists`);
    fs.create(dir, name, opts.realtime ?? false);
  }

  mkdir(path: string): void {
    const { fs, dir, name } = this.parentOf(path);
    if (fs.dirLookup(dir, name) !== undefined) throw new PmemError('EEXIST', `${normalize(path)} already exists`);
    fs.mkdir(dir, name);
  }

  unlink(path: string): void {
    const { fs, dir, name } = this.parentOf(path);
    const ino = fs.dirLookup(dir, name);
    if (ino === undefined) throw new PmemError('ENOENT', `no such file: ${normalize(path)}`);
    const inode = fs.iget(ino, dir.ino);
    if (inode.kind === 'dir') throw new PmemError('EISDIR', `${normalize(path)} is a directory; unlink removes files only`);
    fs.checkWritable();
    fs.dirRemove(dir, name);
    fs.dropLink(inode);
  }

  rename(from: string, to: string): void {
    const a = this.parentOf(from);
    const b = this.parentOf(to);
    if (a.fs !== b.fs) throw new PmemError('EXDEV', `${normalize(from)} and ${normalize(to)} are on different filesystems`);
    const fs = a.fs;
    fs.checkWritable();
    const ino = fs.dirLookup(a.dir, a.name);
    if (ino === undefined) throw new PmemError('ENOENT', `no such file or directory: ${normalize(from)}`);
    const src = fs.iget(ino, a.dir.ino);
    if (src.kind === 'dir') {
      for (let d: FsInode | undefined = b.dir; d; d = d.ino === fs.sbf.rootIno ? undefined : fs.iget(d.parent || fs.sbf.rootIno)) {
        if (d === src) throw new PmemError('EINVAL', `cannot move directory ${normalize(from)} into itself (${normalize(to)})`);
      }
    }
    const existing = fs.dirLookup(b.dir, b.name);
    if (existing === ino) return;
    if (existing !== undefined) {
      const victim = fs.iget(existing, b.dir.ino);
      if (victim.kind === 'dir' || src.kind === 'dir') {
        throw new PmemError('EEXIST', `${normalize(to)} exists; rename replaces only a file with a file`);
      }
      fs.dirRemove(b.dir, b.name);
      fs.dropLink(victim);
    }
    fs.dirAdd(b.dir, b.name, ino, src.kind === 'dir' ? S_IFDIR : 1);
    fs.dirRemove(a.dir, a.name);
    if (src.kind === 'dir' && a.dir !== b.dir) {
      fs.dirSetParent(src, b.dir.ino);
      a.dir.d.links--;
      b.dir.d.links++;
      fs.writeInode(a.dir, false);
      fs.writeInode(b.dir, false);
    } else {
      src.parent = b.dir.ino;
    }
  }

  readdir(path: string): string[] {
    const { fs, inode } = this.walk(path);
    if (inode.kind !== 'dir') throw new PmemError('ENOTDIR', `${normalize(path)} is not a directory`);
    return fs.dirEntries(inode).map((e) => e.name).filter((n) => n !== '.' && n !== '..');
  }

  setxattr(path: string, name: string, value: Uint8Array): void {
    const { fs, inode } = this.walk(path);
    fs.setxattr(inode, name, value);
  }

  getxattr(path: string, name: string): Uint8Array {
    const { fs, inode } = this.walk(path);
    return fs.getxattr(inode, name);
  }

  /**
   * FS_IOC_FSSETXATTR setting or clearing FS_XFLAG_DAX: the flag is stored at once; under dax=inode a
   * change marks the inode I_DONTCACHE (d_mark_dontcache), so its mode follows only when it is evicted.
   * The ioctl's own file is closed at the end: that is the last reference unless a mapping holds one.
   */
  setDaxFlag(path: string, on: boolean): void {
    const { fs, inode } = this.walk(path);
    if (inode.kind === 'meta') throw new PmemError('EINVAL', `${normalize(path)} is not a regular file or directory`);
    fs.checkWritable();
    const had = (inode.d.flags & FLAG_DAX) !== 0;
    inode.d.flags = on ? inode.d.flags | FLAG_DAX : inode.d.flags & ~FLAG_DAX;
    fs.writeInode(inode, false);
    if (had === on || fs.opts.dax !== 'inode') return;
    if (this.machine.faults.has('dax-switch-under-mapping')) {
      // the mode flips on the live inode, whatever is mapped or cached
      inode.S_DAX = fs.daxFor(inode.d);
      return;
    }
    inode.dontcache = true;
    fs.iput_final(inode);
  }

  /** FICLONE: `to` (an existing file) becomes a copy of `from` that shares its blocks */
  clone(from: string, to: string): void {
    const a = this.fileAt(from);
    const b = this.fileAt(to);
    if (a.fs !== b.fs) throw new PmemError('EXDEV', `${normalize(from)} and ${normalize(to)} are on different filesystems; a clone shares blocks within one`);
    a.fs.clone(a.inode, b.inode);
  }

  // --- data ---

  write(path: string, off: number, data: Uint8Array): void {
    const { fs, inode } = this.fileAt(path);
    fs.write(inode, off, data);
  }

  read(path: string, off: number, len: number): Uint8Array {
    const { fs, inode } = this.fileAt(path);
    return fs.read(inode, off, len);
  }

  truncate(path: string, size: number): void {
    const { fs, inode } = this.fileAt(path);
    fs.truncate(inode, size);
  }

  fallocate(path: string, off: number, len: number, mode: 'allocate' | 'punch-hole'): void {
    const { fs, inode } = this.fileAt(path);
    // the file cannot be opened for writing on a read-only mount, before any ->fallocate is asked
    fs.checkWritable();
    // ext2 has no ->fallocate: Linux answers EOPNOTSUPP (glibc's posix_fallocate then writes zeros)
    if (fs.p.type === 'ext2') throw new PmemError('EOPNOTSUPP', `fallocate (${mode}) of ${path}: ext2 does not support fallocate`);
    if (mode === 'allocate') fs.allocate(inode, off, len);
    else if (mode === 'punch-hole') fs.punchHole(inode, off, len);
    else throw new PmemError('EINVAL', `fallocate mode "${mode as string}" is not one of allocate, punch-hole`);
  }

  /** `flush` sends the fsync's own flush request (a schedule takes it over to stop while it is in flight) */
  fsync(path: string, datasync = false, range?: { start: number; end: number }, flush?: (bdev: BlockDevice) => void): void {
    const { fs, inode } = this.walk(path);
    fs.fsync(inode, datasync, range, flush);
  }

  /**
   * ksys_sync(): every superblock's inodes and ->sync_fs, then every block device's pages (sync_bdevs:
   * write and wait). No flush request of its own: only a ->sync_fs that issues one sends it (4.5 and 6.1)
   */
  sync(): void {
    for (const fs of this.mounts.values()) fs.syncFs();
    for (const bdev of this.machine.bdevs.values()) {
      do_writepages(bdev.bd_inode.mapping, { sync_mode: 'WB_SYNC_ALL', range_start: 0, range_end: Number.MAX_SAFE_INTEGER });
      if (bdev.bd_inode.state.size === 0) bdev.bd_inode.sb.dirtyInodes.delete(bdev.bd_inode);
    }
  }

  /** the flusher thread: WB_SYNC_NONE over every dirty inode (ext4's journal commits on its timer first) */
  backgroundWriteback(): void {
    for (const fs of this.mounts.values()) {
      fs.writebackInodes('WB_SYNC_NONE');
      fs.meta.commit();
    }
    for (const bdev of this.machine.bdevs.values()) {
      if (bdev.bd_inode.state.has('I_DIRTY_PAGES')) do_writepages(bdev.bd_inode.mapping, { sync_mode: 'WB_SYNC_NONE', range_start: 0, range_end: Number.MAX_SAFE_INTEGER });
    }
  }

  statx(path: string): Stat {
    const { inode } = this.walk(path);
    // STATX_ATTR_DAX only for regular files: a directory's internal S_DAX is not reported (MS-7)
    return { size: inode.d.size, blocks: inode.d.nblocks * 8, isDir: inode.kind === 'dir', attrDax: inode.S_DAX && (inode.kind === 'file' || this.machine.faults.has('statx-dax-on-dirs')) };
  }

  // --- crash checks on a freshly booted machine ---

  /** physical pmem addresses of a file's bytes as get_block maps them (undefined: hole); never allocates */
  fileRange(path: string, off: number, len: number): Array<{ phys: number | undefined; len: number }> {
    const { inode } = this.fileAt(path);
    const out: Array<{ phys: number | undefined; len: number }> = [];
    for (let done = 0; done < len; ) {
      const pos = off + done;
      const n = Math.min(4096 - (pos % 4096), len - done);
      const m = inode.get_block(Math.floor(pos / 4096), false);
      const phys = m ? m.bdev.direct_access(m.sector).addr + (pos % 4096) : undefined;
      const prev = out[out.length - 1];
      if (prev && ((prev.phys === undefined && phys === undefined) || (prev.phys !== undefined && phys === prev.phys + prev.len))) prev.len += n;
      else out.push({ phys, len: n });
      done += n;
    }
    return out;
  }

  evaluate(check: CrashCheck): { ok: boolean; reason?: string } {
    const failedMount = (path: string): string | undefined => {
      const p = normalize(path);
      for (const [dir, why] of this.failedMounts) if (p === dir || p.startsWith(dir + '/')) return `${dir} could not be mounted: ${why}`;
      return undefined;
    };
    const guard = (path: string, f: () => { ok: boolean; reason?: string }): { ok: boolean; reason?: string } => {
      const fm = failedMount(path);
      if (fm) return { ok: false, reason: fm };
      try {
        return f();
      } catch (e) {
        return { ok: false, reason: `${normalize(path)}: ${(e as Error).message}` };
      }
    };
    switch (check.kind) {
      case 'exists':
        return guard(check.path, () => (this.walk(check.path), { ok: true }));
      case 'dir-lists':
        return guard(check.path, () => {
          const names = this.readdir(check.path);
          const missing = check.names.filter((n) => !names.includes(n));
          return missing.length ? { ok: false, reason: `${normalize(check.path)} does not list ${missing.join(', ')} (it lists ${names.join(', ') || 'nothing'})` } : { ok: true };
        });
      case 'xattr':
        return guard(check.path, () => {
          let got: string | null = null;
          try {
            got = Buffer.from(this.getxattr(check.path, check.name)).toString('hex');
          } catch (e) {
            if ((e as PmemError).errno !== 'ENODATA') throw e;
          }
          if (got === check.value) return { ok: true };
          const want = check.value === null ? 'no such attribute' : check.value;
          return { ok: false, reason: `${normalize(check.path)} has extended attribute ${check.name} ${got === null ? 'absent' : `= ${got}`}, expected ${want}` };
        });
      case 'file-size':
        return guard(check.path, () => {
          const s = this.statx(check.path).size;
          return s === check.size ? { ok: true } : { ok: false, reason: `${normalize(check.path)} has size ${s}, expected ${check.size}` };
        });
      case 'file-holds':
        return guard(check.path, () => {
          const want = hexToBytes(check.data);
          const got = this.read(check.path, check.offset, want.length);
          return Buffer.from(got).equals(Buffer.from(want)) ? { ok: true } : { ok: false, reason: `${normalize(check.path)} holds ${Buffer.from(got).toString('hex')} at offset ${check.offset}, expected ${check.data}` };
        });
      case 'device-holds': {
        const want = hexToBytes(check.data);
        const got = this.machine.bdev(check.dev).read(check.offset, want.length);
        return Buffer.from(got).equals(Buffer.from(want)) ? { ok: true } : { ok: false, reason: `/dev/${check.dev} holds ${Buffer.from(got).toString('hex')} at offset ${check.offset}, expected ${check.data}` };
      }
      case 'fsck-clean': {
        const r = this.fsck(check.dev);
        return r.clean ? { ok: true } : { ok: false, reason: `fsck of /dev/${check.dev} reports: ${r.messages.join('; ')}` };
      }
      case 'all':
        for (const c of check.checks) {
          const r = this.evaluate(c);
          if (!r.ok) return r;
        }
        return { ok: true };
      case 'not': {
        const r = this.evaluate(check.check);
        return r.ok ? { ok: false, reason: `expected not: ${JSON.stringify(check.check)}` } : { ok: true };
      }
      case 'implies': {
        const c = this.evaluate(check.if);
        return c.ok ? this.evaluate(check.then) : { ok: true };
      }
    }
  }
}
