// A mounted filesystem (struct super_block plus the fs's own state): inode table, allocation, block
// mapping (get_block), directories, file I/O, truncation and writeback, parameterised by personality.

import type { BlockDevice } from '../block/block-device';
import type { Machine } from '../machine';
import { PmemError } from '../pmem/memory';
import type { Inode, SuperBlock, WritebackControl, SyncMode, BlockMapping } from '../mm/inode';
import { mark_inode_dirty } from '../mm/inode';
import { PAGE_SIZE, PageEntry } from '../mm/address-space';
import { do_writepages, filemap_write_and_wait_range } from '../mm/page-writeback';
import { dax_do_io } from '../dax/io';
import { dax_clear_sectors } from '../dax/zero';
import { dax_writeback_mapping_range } from '../dax/writeback';
import { isZero } from '../pmem/bytes';
import type { MountOptions } from '../../targets/contract';
import {
  BLOCK_SIZE, DiskInode, FLAG_DAX, FLAG_REALTIME, INODE_SIZE, INODES_PER_BLOCK, MAX_FILE_BLOCKS, MAX_FILE_BYTES, NDIRECT,
  PTRS_PER_BLOCK, S_IFDIR, S_IFMETA, S_IFREG, SECTORS_PER_BLOCK, SuperblockFields, checkName, decodeInode, decodeSuperblock, getU32, setU32,
  blockOf, decodeXattrs, direntSize, emptyDirBlock, emptyInode, encodeInode, encodeXattrs, findDirent, fsTypeOfMagic, parseDirBlock, setBit,
  testBit, UNWRITTEN, view, writeDirent, Dirent,
} from './format';
import { FsInode } from './inode';
import type { MetaStore } from './meta';
import type { Personality } from './personality';
import { WriteAheadLog, scanLog } from './wal';
import { truncate_inode_pages_range } from './truncate';
import { blkdev_issue_flush } from './buffer';
import { RefcountLeaf } from './refcount';

const BITS_PER_BLOCK = BLOCK_SIZE * 8;
/** the page index of ext4's in-inode-page-cache xattr block: past any file block */
export const XATTR_PAGE_INDEX = MAX_FILE_BLOCKS + 1;

const PMD_BLOCKS = 512; // 2 MiB of 4 KiB blocks
const DATA_RESERVE = 1024; // blocks kept for indirect blocks and directories before the first data run

export class FileSystem implements SuperBlock {
  readonly s_id: string;
  readonly dirtyInodes = new Set<Inode>();
  frozen = false;
  readonly sbf: SuperblockFields;
  readonly meta: MetaStore;
  private readonly icache = new Map<number, FsInode>();
  private rotor = 0;
  /** indirect blocks come from their own rotor so file data can stay contiguous (PMD faults need 2 MiB runs) */
  private metaRotor = 0;
  private rtRotor = 1;
  /** transactions replayed from the journal/log at mount */
  readonly replayed: number;

  constructor(
    readonly machine: Machine,
    readonly p: Personality,
    readonly s_bdev: BlockDevice,
    readonly rtdev: BlockDevice | undefined,
    readonly opts: MountOptions,
  ) {
    this.s_id = s_bdev.name;
    const sbf = decodeSuperblock(s_bdev.peek(0, BLOCK_SIZE));
    const found = fsTypeOfMagic(sbf.magic);
    if (found !== p.type) {
      throw new PmemError('EINVAL', `/dev/${s_bdev.name} does not hold an ${p.type} filesystem (found ${found ?? 'no filesystem: bad magic number in superblock'})`);
    }
    if (sbf.rtBlocks && !rtdev) throw new PmemError('EINVAL', `/dev/${s_bdev.name} has a realtime section: mount it with rtdev`);
    if (!sbf.rtBlocks && rtdev) throw new PmemError('EINVAL', `/dev/${s_bdev.name} was made without a realtime device; rtdev=${rtdev.name} is not accepted`);
    this.sbf = sbf;
    this.metaRotor = sbf.firstData;
    // data starts at the first 2 MiB boundary past a metadata reserve, so large files can map with PMDs
    this.rotor = Math.min(Math.ceil((sbf.firstData + DATA_RESERVE) / PMD_BLOCKS) * PMD_BLOCKS, Math.max(sbf.firstData, sbf.nblocks - 1));
    let log: WriteAheadLog | undefined;
    let replayed = 0;
    if (sbf.journalLen) {
      // recovery: replay committed transactions home, make them durable, then empty the log
      // the logged images are the media's bytes (peek): a replay writing over a log block copies that page first
      const rec = scanLog((b) => s_bdev.peek(b * BLOCK_SIZE, BLOCK_SIZE), sbf.journalStart, sbf.journalLen);
      for (const [blk, data] of rec.writes) {
        if (blk < sbf.nblocks) s_bdev.submit_bio({ sector: blk * SECTORS_PER_BLOCK, write: true, data, flags: new Set() });
      }
      log = new WriteAheadLog(s_bdev, sbf.journalStart, sbf.journalLen, rec.nextSeq);
      log.barrier = opts.barrier !== false;
      if (rec.transactions) {
        blkdev_issue_flush(s_bdev);
        log.reset();
      }
      replayed = rec.transactions;
    }
    this.replayed = replayed;
    this.meta = p.makeMeta(s_bdev, log);
  }

  // --- inodes ---

  private checkIno(ino: number): void {
    if (!Number.isInteger(ino) || ino < this.sbf.inoBase || ino >= this.sbf.inoBase + this.sbf.ninodes) {
      throw new PmemError('EUCLEAN', `inode number ${ino} is outside the inode table (${this.sbf.inoBase}..${this.sbf.inoBase + this.sbf.ninodes - 1}) of /dev/${this.s_id}`);
    }
  }

  private inodeLoc(ino: number): { block: number; off: number } {
    const idx = ino - this.sbf.inoBase;
    return { block: this.sbf.itableStart + Math.floor(idx / INODES_PER_BLOCK), off: (idx % INODES_PER_BLOCK) * INODE_SIZE };
  }

  /** the S_DAX an inode gets when it is loaded (xfs_inode_should_enable_dax / ext4_should_use_dax) */
  daxFor(d: DiskInode): boolean {
    if (this.opts.dax === 'always') return true; // every inode, directories included: the 2016 behaviour
    if (this.opts.dax === 'inode') return (d.flags & FLAG_DAX) !== 0 && d.mode === S_IFREG;
    return false;
  }

  iget(ino: number, parent = 0): FsInode {
    const cached = this.icache.get(ino);
    if (cached) {
      if (parent && cached.kind === 'file') cached.parent = parent;
      return cached;
    }
    this.checkIno(ino);
    const { block, off } = this.inodeLoc(ino);
    const d = decodeInode(this.meta.read(block).subarray(off, off + INODE_SIZE));
    if (d.mode === 0 || d.links === 0) throw new PmemError('EUCLEAN', `inode ${ino} on /dev/${this.s_id} is not in use`);
    const inode = new FsInode(this, ino, d, parent);
    inode.newSinceSync = false;
    inode.S_DAX = this.daxFor(d);
    // internal metadata inodes use 1 KiB blocks, like a quota file (seed 000 fix 2)
    if (d.mode === S_IFMETA) inode.i_blkbits = 10;
    this.icache.set(ino, inode);
    return inode;
  }

  get root(): FsInode {
    return this.iget(this.sbf.rootIno);
  }

  get quota(): FsInode | undefined {
    return this.sbf.quotaIno ? this.iget(this.sbf.quotaIno) : undefined;
  }

  /**
   * The in-core inode changed: ext4_mark_inode_dirty / xfs_trans_log_inode copy it into its inode-table
   * block at once; ext2's mark_inode_dirty only flags it, the copy waits for its ->write_inode.
   * A size or block-map change (`datasync`) is one fdatasync must commit (I_DIRTY_DATASYNC); other
   * changes (links, flags, the xattr block) only fsync must, where the personality says so.
   */
  writeInode(inode: FsInode, datasync = true): void {
    if (!this.p.inodeCopiedAtWriteInode) this.copyInode(inode, inode);
    mark_inode_dirty(inode, 'I_DIRTY_SYNC');
    if (datasync || !this.p.datasyncDataOnly) mark_inode_dirty(inode, 'I_DIRTY_DATASYNC');
  }

  /** encode the in-core inode into its table block's buffer; `owner`: the inode whose fsync must write that block */
  private copyInode(inode: FsInode, owner?: FsInode): void {
    const { block, off } = this.inodeLoc(inode.ino);
    encodeInode(inode.d, this.meta.read(block).subarray(off, off + INODE_SIZE));
    this.meta.dirty(block, owner);
  }

  /** ->write_inode of a dirty inode: ext2 copies it into its table block now (__ext2_write_inode), `sync` also writes that block */
  private write_inode(inode: FsInode, sync: boolean): void {
    if (this.p.inodeCopiedAtWriteInode) this.copyInode(inode);
    if (sync) this.meta.writeInode?.(this.inodeBlock(inode));
  }

  inodeBlock(inode: FsInode): number {
    return this.inodeLoc(inode.ino).block;
  }

  // --- allocation ---

  /** the bitmaps are plain buffers: ext2 does not tie them to the inode (mark_buffer_dirty, not _inode), so its fsync leaves them to sync(2) */
  private allocBit(start: number, nbits: number, from: number, what: string, busy: (bit: number) => boolean = () => false): number {
    for (let n = 0; n < nbits; n++) {
      const bit = (from + n) % nbits;
      const blk = start + Math.floor(bit / BITS_PER_BLOCK);
      const map = this.meta.read(blk);
      if (!testBit(map, bit % BITS_PER_BLOCK) && !busy(bit)) {
        setBit(map, bit % BITS_PER_BLOCK, true);
        this.meta.dirty(blk);
        return bit;
      }
    }
    throw new PmemError('ENOSPC', `no free ${what} left on /dev/${this.s_id} (${nbits} in all)`);
  }

  private freeBit(start: number, bit: number): void {
    const blk = start + Math.floor(bit / BITS_PER_BLOCK);
    setBit(this.meta.read(blk), bit % BITS_PER_BLOCK, false);
    this.meta.dirty(blk);
  }

  /** a block on the data device (data of ordinary files, directories, indirect blocks, xattrs) */
  allocBlock(): number {
    const b = this.allocBit(this.sbf.bbitmapStart, this.sbf.nblocks, this.rotor, 'block', this.freedUncommitted);
    this.rotor = b + 1;
    this.chargeQuota(0, 1);
    return b;
  }

  /** the reference counts of shared blocks; undefined on a filesystem without reflink */
  get refcount(): RefcountLeaf | undefined {
    const blk = this.sbf.refcountBlock;
    if (!blk) return undefined;
    return new RefcountLeaf(() => this.meta.read(blk), (owner) => this.meta.dirty(blk, owner));
  }

  /** is file block `iblock` of `inode` shared with another file (IOMAP_F_SHARED) */
  isShared(inode: FsInode, iblock: number): boolean {
    const rc = this.refcount;
    if (!rc || inode.kind !== 'file') return false;
    const r = this.bmap(inode, iblock, false);
    return r !== undefined && rc.get(r.blk) > 1;
  }

  /** a block for block-map metadata (indirect blocks), kept out of the data runs */
  allocMetaBlock(): number {
    const b = this.allocBit(this.sbf.bbitmapStart, this.sbf.nblocks, this.metaRotor, 'block', this.freedUncommitted);
    this.metaRotor = b + 1;
    this.chargeQuota(0, 1);
    return b;
  }

  /** start the next data allocation on a 2 MiB boundary (fallocate of whole PMD-sized chunks) */
  alignDataRotor(): void {
    const aligned = Math.ceil(this.rotor / PMD_BLOCKS) * PMD_BLOCKS;
    if (aligned < this.sbf.nblocks) this.rotor = aligned;
  }

  /** a block on the realtime device (xfs_rtallocate_extent) */
  allocRtBlock(): number {
    const b = this.allocBit(this.sbf.rtBitmapStart, this.sbf.rtBlocks, this.rtRotor, 'realtime extent');
    this.rtRotor = b + 1;
    this.chargeQuota(0, 1);
    return b;
  }

  /** a block freed as metadata stays out of reach until the transaction that freed it is in the log */
  private readonly freedUncommitted = (blk: number): boolean => this.meta.busy?.(blk) ?? false;

  /** free a metadata block (indirect block, xfs directory or xattr block): its buffer is forgotten first */
  freeMetaBlock(blk: number): void {
    this.meta.forget(blk);
    this.freeBlock(blk, false);
  }

  freeBlock(blk: number, rt: boolean): void {
    this.freeBit(rt ? this.sbf.rtBitmapStart : this.sbf.bbitmapStart, blk);
    this.chargeQuota(0, -1);
  }

  private chargeQuota(inodes: number, blocks: number): void {
    const q = this.quota;
    if (!q) return;
    let data: Uint8Array;
    if (this.p.quotaInPageCache) {
      // ext4: the quota file's page, in the quota inode's page cache
      let e = q.mapping.lookup(0) as PageEntry | undefined;
      if (!e) {
        e = { kind: 'page', data: this.s_bdev.read(this.sbf.quotaBlock * BLOCK_SIZE, BLOCK_SIZE), bdev: this.s_bdev, sector: this.sbf.quotaBlock * SECTORS_PER_BLOCK };
        q.mapping.insert(0, e);
      }
      data = e.data;
    } else {
      data = this.meta.read(this.sbf.quotaBlock);
    }
    const v = view(data);
    v.setInt32(0, v.getInt32(0, true) + inodes, true);
    v.setInt32(4, v.getInt32(4, true) + blocks, true);
    if (this.p.quotaInPageCache) {
      q.mapping.tagSet(0, 'DIRTY');
      mark_inode_dirty(q, 'I_DIRTY_PAGES');
    } else {
      this.meta.dirty(this.sbf.quotaBlock);
      mark_inode_dirty(q, 'I_DIRTY_SYNC');
    }
  }

  newInode(mode: number, flags: number, parent: FsInode): FsInode {
    const bit = this.allocBit(this.sbf.ibitmapStart, this.sbf.ninodes, this.sbf.firstUserIno - this.sbf.inoBase, 'inode');
    const ino = bit + this.sbf.inoBase;
    const d: DiskInode = { ...emptyInode(), mode, flags, links: mode === S_IFDIR ? 2 : 1 };
    const inode = new FsInode(this, ino, d, parent.ino);
    inode.S_DAX = this.daxFor(d);
    this.icache.set(ino, inode);
    this.writeInode(inode);
    this.chargeQuota(1, 0);
    return inode;
  }

  // --- block mapping ---

  private ptr(blk: number, i: number): number {
    return getU32(this.meta.read(blk), i * 4);
  }

  private setPtr(blk: number, i: number, v: number, owner: FsInode): void {
    setU32(this.meta.read(blk), i * 4, v);
    this.meta.dirty(blk, owner);
  }

  /** a zeroed indirect block, through the metadata path */
  private newIndirect(owner: FsInode): number {
    const b = this.allocMetaBlock();
    this.meta.read(b).fill(0);
    this.meta.dirty(b, owner);
    owner.d.nblocks++;
    return b;
  }

  /** the slot holding file block `iblock`'s pointer; with `create`, the indirect blocks on the way are made */
  private slotFor(inode: FsInode, iblock: number, create: boolean): { get: () => number; set: (v: number) => void } | undefined {
    const d = inode.d;
    if (iblock < NDIRECT) {
      return {
        get: () => d.direct[iblock],
        set: (v) => {
          d.direct[iblock] = v;
          this.writeInode(inode);
        },
      };
    }
    let idx = iblock - NDIRECT;
    let table: number;
    if (idx < PTRS_PER_BLOCK) {
      if (!d.ind) {
        if (!create) return undefined;
        d.ind = this.newIndirect(inode);
        this.writeInode(inode);
      }
      table = d.ind;
    } else {
      idx -= PTRS_PER_BLOCK;
      if (!d.dind) {
        if (!create) return undefined;
        d.dind = this.newIndirect(inode);
        this.writeInode(inode);
      }
      const i1 = Math.floor(idx / PTRS_PER_BLOCK);
      let t = this.ptr(d.dind, i1);
      if (!t) {
        if (!create) return undefined;
        t = this.newIndirect(inode);
        this.setPtr(d.dind, i1, t, inode);
      }
      table = t;
      idx %= PTRS_PER_BLOCK;
    }
    return {
      get: () => this.ptr(table, idx),
      set: (v) => {
        this.setPtr(table, idx, v, inode);
        this.writeInode(inode);
      },
    };
  }

  /**
   * The block holding file block `iblock` (undefined: hole). With `create` a hole is allocated: written
   * (`fresh`, the caller zeroes it) or, for fallocate on ext4/xfs, `unwritten` (no zeroing: it reads as
   * zeros). A write (`create` without `unwritten`) to an unwritten block converts it, a metadata change
   * durable with the next commit, and reports it `fresh` so the caller zeroes it first.
   */
  bmap(inode: FsInode, iblock: number, create: boolean, unwritten = false): { blk: number; fresh: boolean; unwritten: boolean } | undefined {
    const slot = this.slotFor(inode, iblock, create);
    if (!slot) return undefined;
    const cur = slot.get();
    if (cur) {
      const blk = blockOf(cur);
      if (cur === blk) return { blk, fresh: false, unwritten: false };
      if (!create || unwritten) return { blk, fresh: false, unwritten: true };
      slot.set(blk);
      return { blk, fresh: true, unwritten: false };
    }
    if (!create) return undefined;
    const b = inode.realtime ? this.allocRtBlock() : this.allocBlock();
    inode.d.nblocks++;
    slot.set(unwritten ? b + UNWRITTEN : b);
    return { blk: b, fresh: !unwritten, unwritten };
  }

  /** every mapped file block in [from, to) as [iblock, blk, clear] */
  private *mapped(inode: FsInode, from: number, to: number): Generator<[number, number, () => void]> {
    const d = inode.d;
    for (let i = Math.max(0, from); i < Math.min(NDIRECT, to); i++) {
      if (d.direct[i]) yield [i, blockOf(d.direct[i]), () => (d.direct[i] = 0)];
    }
    const tables: Array<[number, number]> = [];
    if (d.ind) tables.push([d.ind, NDIRECT]);
    if (d.dind) {
      for (let i1 = 0; i1 < PTRS_PER_BLOCK; i1++) {
        const t = this.ptr(d.dind, i1);
        if (t) tables.push([t, NDIRECT + PTRS_PER_BLOCK + i1 * PTRS_PER_BLOCK]);
      }
    }
    for (const [t, base] of tables) {
      if (base + PTRS_PER_BLOCK <= from || base >= to) continue;
      for (let i = Math.max(0, from - base); i < Math.min(PTRS_PER_BLOCK, to - base); i++) {
        const b = blockOf(this.ptr(t, i));
        if (b) yield [base + i, b, () => this.setPtr(t, i, 0, inode)];
      }
    }
  }

  /** free the blocks of file blocks [from, to), and indirect blocks left empty */
  freeRange(inode: FsInode, from: number, to: number): void {
    const rc = this.refcount;
    for (const [, blk, clear] of [...this.mapped(inode, from, to)]) {
      clear();
      const n = rc && !inode.realtime ? rc.get(blk) : 1;
      // a shared block stays with the files that still map it
      if (n > 1) rc!.set(blk, n - 1, inode);
      else if (inode.kind === 'dir' && !this.p.dirsInPageCache) this.freeMetaBlock(blk);
      else this.freeBlock(blk, inode.realtime);
      inode.d.nblocks--;
    }
    const d = inode.d;
    const empty = (t: number): boolean => isZero(this.meta.read(t));
    if (d.dind) {
      for (let i1 = 0; i1 < PTRS_PER_BLOCK; i1++) {
        const t = this.ptr(d.dind, i1);
        if (t && empty(t)) {
          this.setPtr(d.dind, i1, 0, inode);
          this.freeMetaBlock(t);
          d.nblocks--;
        }
      }
      if (empty(d.dind)) {
        this.freeMetaBlock(d.dind);
        d.dind = 0;
        d.nblocks--;
      }
    }
    if (d.ind && empty(d.ind)) {
      this.freeMetaBlock(d.ind);
      d.ind = 0;
      d.nblocks--;
    }
    this.writeInode(inode);
  }

  /**
   * get_block(): the device that really holds the block (the realtime device for realtime files).
   * New blocks are zeroed through that device, unless the zero-via-sb-bdev bug zeroes sb->s_bdev instead.
   */
  get_block(inode: FsInode, iblock: number, create: boolean): BlockMapping | undefined {
    if (inode.kind === 'meta') {
      return iblock === 0 && this.sbf.quotaBlock ? { bdev: this.s_bdev, sector: this.sbf.quotaBlock * SECTORS_PER_BLOCK, fresh: false } : undefined;
    }
    if (!Number.isInteger(iblock) || iblock < 0 || iblock >= MAX_FILE_BLOCKS) {
      if (create) throw new PmemError('EFBIG', `file block ${iblock} is past the largest file (${MAX_FILE_BLOCKS} blocks)`);
      return undefined;
    }
    if (create) this.checkWritable();
    if (create && this.isShared(inode, iblock) && !this.machine.faults.has('dax-writes-shared-in-place')) return this.cowBlock(inode, iblock);
    const r = this.bmap(inode, iblock, create);
    // an unwritten extent reads as a hole: a read fault maps the zero page, read(2) returns zeros
    if (!r || r.unwritten) return undefined;
    const bdev = inode.dataBdev;
    const sector = r.blk * SECTORS_PER_BLOCK;
    if (r.fresh) {
      if (inode.S_DAX) {
        const zdev = this.machine.faults.has('zero-via-sb-bdev') ? this.s_bdev : bdev;
        dax_clear_sectors(zdev, sector, BLOCK_SIZE);
      } else {
        // sb_issue_zeroout(): a non-DAX block is zeroed on media too, so no old data shows through
        bdev.submit_bio({ sector, write: true, data: new Uint8Array(BLOCK_SIZE), flags: new Set() });
      }
    }
    return { bdev, sector, fresh: r.fresh };
  }

  /**
   * A write to a shared block (xfs_reflink_allocate_cow, then dax_iomap_copy_around): a new block gets
   * a copy of the whole old block before the caller's bytes land in it, the file's map points at it
   * (xfs_reflink_end_cow) and the old block loses a reference. Translations of the old block go first.
   */
  private cowBlock(inode: FsInode, iblock: number): BlockMapping {
    const slot = this.slotFor(inode, iblock, false)!;
    const raw = slot.get();
    const old = blockOf(raw);
    const nb = this.allocBlock();
    const bdev = inode.dataBdev;
    const sector = nb * SECTORS_PER_BLOCK;
    if (raw !== old || this.machine.faults.has('cow-no-copy-around')) {
      // an unwritten source reads as zeros; the variant treats the new block as IOMAP_F_NEW and zeroes it
      dax_clear_sectors(bdev, sector, BLOCK_SIZE);
    } else {
      const mem = bdev.driver.ns.mem;
      // copy_mc_to_kernel(): plain cached stores, written back with the page's DAX entry
      mem.store(bdev.direct_access(sector).addr, mem.load(bdev.direct_access(old * SECTORS_PER_BLOCK).addr, BLOCK_SIZE), false);
    }
    truncate_inode_pages_range(inode.mapping, iblock * BLOCK_SIZE, iblock * BLOCK_SIZE + BLOCK_SIZE - 1, false, false);
    slot.set(nb);
    const rc = this.refcount!;
    rc.set(old, rc.get(old) - 1, inode);
    return { bdev, sector, fresh: false };
  }

  /**
   * FICLONE (xfs_reflink_remap_range over the whole file): both files' dirty data goes home and their
   * mappings turn read-only, dst loses its blocks, then maps every block of src, each one more reference.
   */
  clone(src: FsInode, dst: FsInode): void {
    const rc = this.refcount;
    if (!rc) throw new PmemError('EOPNOTSUPP', `${this.p.type} on /dev/${this.s_id} cannot share blocks between files (no reflink)`);
    this.checkWritable();
    if (src.kind !== 'file' || dst.kind !== 'file') throw new PmemError('EINVAL', 'only regular files can be cloned');
    if (src === dst) throw new PmemError('EINVAL', 'a file cannot be cloned onto itself');
    if (src.realtime || dst.realtime) throw new PmemError('EINVAL', 'realtime files cannot share blocks');
    for (const f of [src, dst]) do_writepages(f.mapping, { sync_mode: 'WB_SYNC_ALL', range_start: 0, range_end: Number.MAX_SAFE_INTEGER });
    truncate_inode_pages_range(dst.mapping, 0, Infinity);
    this.freeRange(dst, 0, MAX_FILE_BLOCKS);
    for (const [i, blk] of [...this.mapped(src, 0, MAX_FILE_BLOCKS)]) {
      this.slotFor(dst, i, true)!.set(this.slotFor(src, i, false)!.get());
      dst.d.nblocks++;
      rc.set(blk, rc.get(blk) + 1, dst);
    }
    dst.d.size = src.d.size;
    this.writeInode(dst);
  }

  get s_rdonly(): boolean {
    return this.opts.ro === true;
  }

  /** ext4's jbd2 handle: only ext4 takes one in its fault path; a read-only superblock refuses it */
  get journal_start(): (() => void) | undefined {
    if (this.p.type !== 'ext4') return undefined;
    return () => {
      if (this.s_rdonly) throw new PmemError('EROFS', `the filesystem on /dev/${this.s_id} (${this.opts.dir}) is mounted read-only; no journal handle`);
    };
  }

  checkWritable(): void {
    if (this.s_rdonly) throw new PmemError('EROFS', `the filesystem on /dev/${this.s_id} (${this.opts.dir}) is mounted read-only`);
    if (this.frozen) throw new PmemError('EBUSY', `the filesystem on /dev/${this.s_id} (${this.opts.dir}) is frozen; thaw it before writing`);
  }

  // --- directories ---

  /** a directory block: in the directory's page cache (ext2/ext4) or a metadata buffer (xfs) */
  private dirBlock(dir: FsInode, iblock: number, create: boolean): { data: Uint8Array; dirty: () => void } | undefined {
    if (this.p.dirsInPageCache) {
      let e = dir.mapping.lookup(iblock);
      if (!e || e.kind !== 'page') {
        const m = this.get_block(dir, iblock, create);
        if (!m) return undefined;
        const data = m.fresh ? emptyDirBlock(iblock === 0, dir.ino, dir.parent || dir.ino) : m.bdev.read(m.sector * 512, BLOCK_SIZE);
        e = { kind: 'page', data, bdev: m.bdev, sector: m.sector };
        dir.mapping.insert(iblock, e);
        if (m.fresh) {
          dir.mapping.tagSet(iblock, 'DIRTY');
          mark_inode_dirty(dir, 'I_DIRTY_PAGES');
        }
      }
      const page = e;
      return {
        data: page.data,
        dirty: () => {
          dir.mapping.tagSet(iblock, 'DIRTY');
          mark_inode_dirty(dir, 'I_DIRTY_PAGES');
        },
      };
    }
    const m = this.get_block(dir, iblock, create);
    if (!m) return undefined;
    const blk = m.sector / SECTORS_PER_BLOCK;
    const data = this.meta.read(blk);
    if (m.fresh) {
      data.set(emptyDirBlock(iblock === 0, dir.ino, dir.parent || dir.ino));
      this.meta.dirty(blk, dir);
    }
    return { data, dirty: () => this.meta.dirty(blk, dir) };
  }

  private dirBlocks(dir: FsInode): number {
    return Math.ceil(dir.d.size / BLOCK_SIZE);
  }

  dirEntries(dir: FsInode): Array<Dirent & { block: number }> {
    const out: Array<Dirent & { block: number }> = [];
    for (let b = 0; b < this.dirBlocks(dir); b++) {
      const blk = this.dirBlock(dir, b, false);
      if (!blk) continue;
      const r = parseDirBlock(blk.data);
      if (r.badOffset !== undefined) {
        throw new PmemError('EUCLEAN', `directory inode ${dir.ino}, block #${b}, offset ${r.badOffset} on /dev/${this.s_id} is corrupted`);
      }
      for (const e of r.entries) if (e.ino) out.push({ ...e, block: b });
    }
    return out;
  }

  dirLookup(dir: FsInode, name: string): number | undefined {
    const want = Buffer.from(name, 'utf8');
    // raw bytes equal exactly when the decoded names do, unless the name holds U+FFFD or does not survive UTF-8
    if (name.includes('\uFFFD') || want.toString('utf8') !== name) return this.dirEntries(dir).find((e) => e.name === name)?.ino;
    let ino: number | undefined;
    for (let b = 0; b < this.dirBlocks(dir); b++) {
      const blk = this.dirBlock(dir, b, false);
      if (!blk) continue;
      // every block is still checked, as dirEntries does: a corrupt one fails the lookup wherever the name is
      const r = findDirent(blk.data, ino === undefined ? want : undefined);
      if (r.badOffset !== undefined) {
        throw new PmemError('EUCLEAN', `directory inode ${dir.ino}, block #${b}, offset ${r.badOffset} on /dev/${this.s_id} is corrupted`);
      }
      ino ??= r.ino;
    }
    return ino;
  }

  dirAdd(dir: FsInode, name: string, ino: number, type: number): void {
    checkName(name);
    const need = direntSize(Buffer.byteLength(name, 'utf8'));
    const n = this.dirBlocks(dir);
    for (let b = 0; b < n; b++) {
      const blk = this.dirBlock(dir, b, false);
      if (!blk) continue;
      const r = parseDirBlock(blk.data);
      if (r.badOffset !== undefined) throw new PmemError('EUCLEAN', `directory inode ${dir.ino}, block #${b}, offset ${r.badOffset} on /dev/${this.s_id} is corrupted`);
      for (const e of r.entries) {
        if (e.ino === 0 && e.recLen >= need) {
          writeDirent(blk.data, e.offset, ino, e.recLen, name, type);
          blk.dirty();
          return;
        }
        const used = direntSize(e.nameLen);
        if (e.ino !== 0 && e.recLen - used >= need) {
          view(blk.data).setUint16(e.offset + 4, used, true);
          writeDirent(blk.data, e.offset + used, ino, e.recLen - used, name, type);
          blk.dirty();
          return;
        }
      }
    }
    const blk = this.dirBlock(dir, n, true)!;
    writeDirent(blk.data, 0, ino, BLOCK_SIZE, name, type);
    blk.dirty();
    dir.d.size = (n + 1) * BLOCK_SIZE;
    this.writeInode(dir);
  }

  dirRemove(dir: FsInode, name: string): void {
    for (let b = 0; b < this.dirBlocks(dir); b++) {
      const blk = this.dirBlock(dir, b, false);
      if (!blk) continue;
      const r = parseDirBlock(blk.data);
      const i = r.entries.findIndex((e) => e.ino && e.name === name);
      if (i < 0) continue;
      const e = r.entries[i];
      if (i > 0) view(blk.data).setUint16(r.entries[i - 1].offset + 4, r.entries[i - 1].recLen + e.recLen, true);
      else view(blk.data).setUint32(e.offset, 0, true);
      blk.dirty();
      return;
    }
    throw new PmemError('ENOENT', `no entry "${name}" in directory inode ${dir.ino}`);
  }

  /** change a directory's ".." (rename of a directory to a new parent) */
  dirSetParent(dir: FsInode, parent: number): void {
    const blk = this.dirBlock(dir, 0, false);
    if (!blk) return;
    const r = parseDirBlock(blk.data);
    const dd = r.entries.find((e) => e.name === '..');
    if (dd) {
      view(blk.data).setUint32(dd.offset, parent, true);
      blk.dirty();
    }
    dir.parent = parent;
  }

  // --- namespace operations (the VFS resolved the parent) ---

  create(parent: FsInode, name: string, realtime: boolean): FsInode {
    this.checkWritable();
    if (realtime && !this.rtdev) throw new PmemError('EINVAL', `a realtime file needs an xfs filesystem mounted with rtdev; /dev/${this.s_id} has none`);
    checkName(name);
    // FS_XFLAG_DAX is inherited from the directory (EXT4_FL_INHERITED, xfs_inode_inherit_flags2)
    const inode = this.newInode(S_IFREG, (realtime ? FLAG_REALTIME : 0) | (parent.d.flags & FLAG_DAX), parent);
    this.dirAdd(parent, name, inode.ino, S_IFREG);
    return inode;
  }

  mkdir(parent: FsInode, name: string): FsInode {
    this.checkWritable();
    checkName(name);
    const dir = this.newInode(S_IFDIR, parent.d.flags & FLAG_DAX, parent);
    this.dirBlock(dir, 0, true);
    dir.d.size = BLOCK_SIZE;
    this.writeInode(dir);
    this.dirAdd(parent, name, dir.ino, S_IFDIR);
    parent.d.links++;
    this.writeInode(parent, false);
    return dir;
  }

  /** drop a link; at zero the inode is freed (with a dtime, as e2fsck expects) */
  dropLink(inode: FsInode): void {
    inode.d.links--;
    if (inode.d.links > 0 && !(inode.kind === 'dir' && inode.d.links < 2)) {
      this.writeInode(inode, false);
      return;
    }
    truncate_inode_pages_range(inode.mapping, 0, Infinity);
    this.freeRange(inode, 0, MAX_FILE_BLOCKS);
    if (inode.d.xattr) {
      if (this.p.xattrInPageCache) this.freeBlock(inode.d.xattr, false);
      else this.freeMetaBlock(inode.d.xattr);
      inode.d.xattr = 0;
    }
    inode.d = { ...emptyInode(), dtime: Math.max(1, Math.floor(Date.now() / 1000)) };
    this.writeInode(inode);
    // ext2_evict_inode(): the freed inode goes into its table block before it leaves the cache
    this.write_inode(inode, false);
    this.freeBit(this.sbf.ibitmapStart, inode.ino - this.sbf.inoBase);
    this.chargeQuota(-1, 0);
    this.icache.delete(inode.ino);
    this.dirtyInodes.delete(inode);
  }

  // --- xattrs ---

  setxattr(inode: FsInode, name: string, value: Uint8Array): void {
    this.checkWritable();
    // setxattr(2) copies the name with strncpy_from_user into XATTR_NAME_MAX + 1 bytes: empty or longer is ERANGE
    if (name.length === 0 || Buffer.byteLength(name) > 255) throw new PmemError('ERANGE', `xattr name "${name}" must be 1 to 255 bytes`);
    let page: { data: Uint8Array; dirty: () => void };
    if (!inode.d.xattr) {
      inode.d.xattr = this.allocBlock();
      inode.d.nblocks++;
      this.writeInode(inode, false);
    }
    const blk = inode.d.xattr;
    if (this.p.xattrInPageCache) {
      // ext4 (seed 003): the xattr block is a page in the inode's own page cache, even on a DAX inode
      let e = inode.mapping.lookup(XATTR_PAGE_INDEX) as PageEntry | undefined;
      if (!e) {
        e = { kind: 'page', data: this.s_bdev.read(blk * BLOCK_SIZE, BLOCK_SIZE), bdev: this.s_bdev, sector: blk * SECTORS_PER_BLOCK };
        inode.mapping.insert(XATTR_PAGE_INDEX, e);
      }
      const pe = e;
      page = {
        data: pe.data,
        dirty: () => {
          inode.mapping.tagSet(XATTR_PAGE_INDEX, 'DIRTY');
          mark_inode_dirty(inode, 'I_DIRTY_PAGES');
        },
      };
    } else {
      page = { data: this.meta.read(blk), dirty: () => this.meta.dirty(blk, inode) };
    }
    const attrs = decodeXattrs(page.data) ?? new Map<string, Uint8Array>();
    attrs.set(name, value);
    const enc = encodeXattrs(attrs);
    if (!enc) throw new PmemError('ENOSPC', `xattr "${name}" (${value.length} bytes) does not fit in inode ${inode.ino}'s 4096-byte xattr block`);
    page.data.set(enc);
    page.dirty();
  }

  /** the attribute's value, read where setxattr keeps the block (the page cache on ext4) */
  getxattr(inode: FsInode, name: string): Uint8Array {
    let attrs: Map<string, Uint8Array> | undefined;
    if (inode.d.xattr) {
      const cached = this.p.xattrInPageCache ? (inode.mapping.lookup(XATTR_PAGE_INDEX) as PageEntry | undefined) : undefined;
      attrs = decodeXattrs(cached ? cached.data : this.meta.read(inode.d.xattr));
    }
    const v = attrs?.get(name);
    if (!v) throw new PmemError('ENODATA', `inode ${inode.ino} has no extended attribute "${name}"`);
    return v.slice();
  }

  // --- file I/O ---

  private checkRange(off: number, len: number, what: string): void {
    if (!Number.isSafeInteger(off) || !Number.isSafeInteger(len) || off < 0 || len < 0) {
      throw new PmemError('EINVAL', `${what}: offset ${off} and length ${len} must be non-negative integers`);
    }
    if (off + len > MAX_FILE_BYTES) throw new PmemError('EFBIG', `${what}: byte ${off + len} is past the largest file (${MAX_FILE_BYTES} bytes)`);
  }

  write(inode: FsInode, off: number, data: Uint8Array): void {
    this.checkWritable();
    this.checkRange(off, data.length, 'write');
    if (inode.S_DAX) {
      // as write(2) callers do, a short write is retried from where it stopped: the retry reports the error
      let done = 0;
      try {
        while (done < data.length) done += dax_do_io(inode, off + done, data.subarray(done), true, this.machine.faults);
      } finally {
        if (off + done > inode.d.size) {
          inode.d.size = off + done;
          this.writeInode(inode);
        }
      }
    } else {
      for (let done = 0; done < data.length; ) {
        const pos = off + done;
        const idx = Math.floor(pos / PAGE_SIZE);
        const n = Math.min(PAGE_SIZE - (pos % PAGE_SIZE), data.length - done);
        const page = this.pageFor(inode, idx, true)!;
        page.data.set(data.subarray(done, done + n), pos % PAGE_SIZE);
        inode.mapping.tagSet(idx, 'DIRTY');
        mark_inode_dirty(inode, 'I_DIRTY_PAGES');
        done += n;
      }
    }
    if (off + data.length > inode.d.size) {
      inode.d.size = off + data.length;
      this.writeInode(inode);
    }
  }

  /** the page-cache page of a non-DAX file block (read from media, or zero for a hole) */
  private pageFor(inode: FsInode, idx: number, create: boolean): PageEntry | undefined {
    const e = inode.mapping.lookup(idx);
    if (e && e.kind === 'page') return e;
    const m = this.get_block(inode, idx, create);
    if (!m) return undefined;
    const page: PageEntry = { kind: 'page', data: m.fresh ? new Uint8Array(PAGE_SIZE) : m.bdev.read(m.sector * 512, PAGE_SIZE), bdev: m.bdev, sector: m.sector };
    inode.mapping.insert(idx, page);
    return page;
  }

  read(inode: FsInode, off: number, len: number): Uint8Array {
    this.checkRange(off, len, 'read');
    const n = Math.max(0, Math.min(len, inode.d.size - off));
    const out = new Uint8Array(n);
    if (n === 0) return out;
    if (inode.S_DAX) {
      for (let done = 0; done < n; ) done += dax_do_io(inode, off + done, out.subarray(done), false);
      return out;
    }
    for (let done = 0; done < n; ) {
      const pos = off + done;
      const idx = Math.floor(pos / PAGE_SIZE);
      const k = Math.min(PAGE_SIZE - (pos % PAGE_SIZE), n - done);
      const page = this.pageFor(inode, idx, false);
      if (page) out.set(page.data.subarray(pos % PAGE_SIZE, pos % PAGE_SIZE + k), done);
      done += k;
    }
    return out;
  }

  /** zero [off, off+len) inside one block: durably on DAX (MS-6), in the page cache otherwise */
  private zeroPartial(inode: FsInode, off: number, len: number): void {
    if (len <= 0) return;
    const idx = Math.floor(off / PAGE_SIZE);
    if (inode.S_DAX) {
      const m = this.get_block(inode, idx, false);
      if (!m) return;
      const { addr } = m.bdev.direct_access(m.sector);
      const mem = m.bdev.driver.ns.mem;
      if (this.machine.faults.has('tail-zeroing-not-durable')) {
        mem.store(addr + (off % PAGE_SIZE), new Uint8Array(len), false);
        return;
      }
      mem.store(addr + (off % PAGE_SIZE), new Uint8Array(len), true);
      mem.fence();
      return;
    }
    const page = this.pageFor(inode, idx, false);
    if (!page) return;
    page.data.fill(0, off % PAGE_SIZE, off % PAGE_SIZE + len);
    inode.mapping.tagSet(idx, 'DIRTY');
    mark_inode_dirty(inode, 'I_DIRTY_PAGES');
  }

  truncate(inode: FsInode, size: number): void {
    this.checkWritable();
    this.checkRange(size, 0, 'truncate');
    if (size < inode.d.size) {
      const tail = size % BLOCK_SIZE;
      if (tail) this.zeroPartial(inode, size, BLOCK_SIZE - tail);
      const firstFree = Math.ceil(size / BLOCK_SIZE);
      // drop DAX entries and pages past the new end before the blocks go (MS-5)
      truncate_inode_pages_range(inode.mapping, firstFree * PAGE_SIZE, MAX_FILE_BYTES - 1);
      this.freeRange(inode, firstFree, MAX_FILE_BLOCKS);
    }
    inode.d.size = size;
    this.writeInode(inode);
  }

  punchHole(inode: FsInode, off: number, len: number): void {
    this.checkWritable();
    this.checkRange(off, len, 'punch-hole');
    const end = Math.min(off + len, inode.d.size);
    if (end <= off) return;
    const first = Math.ceil(off / BLOCK_SIZE);
    const last = Math.floor(end / BLOCK_SIZE); // exclusive
    if (first > last) {
      this.zeroPartial(inode, off, end - off);
      return;
    }
    this.zeroPartial(inode, off, first * BLOCK_SIZE - off);
    // the partial block at the end is zeroed up to `end` even when `end` is the file's end
    this.zeroPartial(inode, last * BLOCK_SIZE, end - last * BLOCK_SIZE);
    if (last > first) {
      // truncate_pagecache_range(): unmap_mapping_range() with even_cows 0, so MAP_PRIVATE copies stay
      truncate_inode_pages_range(inode.mapping, first * PAGE_SIZE, last * PAGE_SIZE - 1, this.machine.faults.has('punch-keeps-dirty-entries'), false);
      this.freeRange(inode, first, last);
    }
  }

  allocate(inode: FsInode, off: number, len: number): void {
    this.checkWritable();
    this.checkRange(off, len, 'fallocate');
    for (let b = Math.floor(off / BLOCK_SIZE); b * BLOCK_SIZE < off + len; b++) {
      // a whole unallocated 2 MiB chunk starts on a 2 MiB boundary of the device, as ext4/xfs align for DAX
      if (b % PMD_BLOCKS === 0 && (b + PMD_BLOCKS) * BLOCK_SIZE <= off + len && !inode.realtime && !this.bmap(inode, b, false)) this.alignDataRotor();
      // ext4/xfs: unwritten extents, media left as it was; otherwise written, zeroed blocks
      if (this.p.unwrittenExtents) this.bmap(inode, b, true, true);
      else this.get_block(inode, b, true);
    }
    if (off + len > inode.d.size) {
      inode.d.size = off + len;
      this.writeInode(inode);
    }
  }

  // --- writeback ---

  /** filemap_write_and_wait_range() for fsync; the flush-in-filemap variant does its DAX writeback there */
  private writeAndWait(inode: FsInode, start = 0, end = MAX_FILE_BYTES * 2): void {
    const env = this.machine.wbEnv;
    filemap_write_and_wait_range(inode.mapping, start, end, {
      faults: this.machine.faults,
      daxWriteback: (m, wbc) => dax_writeback_mapping_range(m, inode.dataBdev, wbc, env),
    });
  }

  /** vfs_fsync_range(): msync passes the mapped range, fsync the whole file */
  fsync(inode: FsInode, datasync: boolean, range?: { start: number; end: number }, flush: (bdev: BlockDevice) => void = blkdev_issue_flush): void {
    this.writeAndWait(inode, range?.start, range?.end);
    // ext4 and xfs make a new inode's directory entry durable with the inode (ext2 does not: no journal)
    if (this.p.journalBlocks && inode.newSinceSync) {
      for (let dir = this.icache.get(inode.parent); dir; dir = dir.ino === this.sbf.rootIno ? undefined : this.icache.get(dir.parent)) {
        this.writeAndWait(dir);
      }
    }
    // fdatasync commits only what I_DIRTY_DATASYNC marks; fsync any inode change
    const metadata = inode.state.has('I_DIRTY_DATASYNC') || (!datasync && inode.state.has('I_DIRTY_SYNC'));
    // xfs_file_fsync(): a realtime file's data device is flushed before the log force records its size
    if (this.p.flushRequests === 'xfs' && inode.realtime && inode.kind === 'file' && this.rtdev) {
      this.fsyncFlush(this.machine.faults.has('rt-fsync-flushes-data-device') ? this.s_bdev : this.rtdev);
    }
    let logFlushed = false;
    if (metadata) {
      // sync_inode_metadata(): ext2's ->write_inode copies the inode only now
      this.write_inode(inode, false);
      logFlushed = this.meta.syncInode(inode, this.inodeBlock(inode));
    }
    if (this.p.journalBlocks) inode.newSinceSync = false;
    // an inode fdatasync skipped stays dirty for ext2: its table block does not hold it yet
    if (metadata || !this.p.inodeCopiedAtWriteInode) {
      inode.state.delete('I_DIRTY_SYNC');
      inode.state.delete('I_DIRTY_DATASYNC');
    }
    this.tidyDirty(inode);
    // the fsync's own flush request, on every region (on virtio-pmem it is what reaches the host's media)
    if (this.fsyncNeedsFlush(inode, logFlushed)) this.fsyncFlush(this.s_bdev, flush);
  }

  /**
   * ext2: generic_file_fsync() always; ext4_sync_file(): unless the commit carried REQ_FLUSH (needs_barrier),
   * never with barrier=0; xfs_file_fsync(): unless the log force wrote, and not for a realtime file (its
   * device was flushed first) nor a directory (xfs_dir_fsync forces the log only)
   */
  private fsyncNeedsFlush(inode: FsInode, logFlushed: boolean): boolean {
    switch (this.p.flushRequests) {
      case 'generic':
        return true;
      case 'jbd2':
        return this.opts.barrier !== false && !logFlushed;
      case 'xfs':
        return !logFlushed && !(inode.realtime && this.rtdev) && inode.kind === 'file';
    }
  }

  /** blkdev_issue_flush(); the virtio-no-host-flush variant sends none on an asynchronous region */
  private fsyncFlush(bdev: BlockDevice, flush: (bdev: BlockDevice) => void = blkdev_issue_flush): void {
    if (bdev.driver.ns.async && this.machine.faults.has('virtio-no-host-flush')) return;
    flush(bdev);
  }

  private tidyDirty(inode: Inode): void {
    if (!inode.mapping.tagged_any('DIRTY')) inode.state.delete('I_DIRTY_PAGES');
    if (inode.state.size === 0) this.dirtyInodes.delete(inode);
  }

  /** writeback_sb_inodes(): ->writepages for every inode on the writeback list */
  writebackInodes(mode: SyncMode): void {
    const wbc: WritebackControl = { sync_mode: mode, range_start: 0, range_end: Number.MAX_SAFE_INTEGER };
    for (const inode of [...this.dirtyInodes]) {
      do_writepages(inode.mapping, wbc);
      const dirty = inode.state.has('I_DIRTY_SYNC') || inode.state.has('I_DIRTY_DATASYNC');
      if (mode === 'WB_SYNC_ALL') {
        // write_inode(): ext2 copies the inode into its table block and writes it now, a journal/log has it already
        if (inode instanceof FsInode && dirty) this.write_inode(inode, true);
        inode.state.delete('I_DIRTY_SYNC');
        inode.state.delete('I_DIRTY_DATASYNC');
        if (inode instanceof FsInode) inode.newSinceSync = false;
      } else if (inode instanceof FsInode && dirty && this.p.inodeCopiedAtWriteInode) {
        // the flusher's write_inode (do_sync 0): ext2's copy lands in a dirty buffer the bdev writes next
        this.write_inode(inode, false);
        inode.state.delete('I_DIRTY_SYNC');
        inode.state.delete('I_DIRTY_DATASYNC');
      }
      this.tidyDirty(inode);
    }
  }

  /**
   * iput_final() of an I_DONTCACHE inode once nothing maps it: write_inode_now(inode, 1) writes its
   * data (page cache or DAX lines) and inode back, then eviction drops its pages and DAX entries. The
   * next iget loads the same disk inode afresh, so S_DAX follows the on-disk flag from then on.
   */
  iput_final(inode: FsInode): void {
    if (!inode.dontcache || inode.mapping.i_mmap.size > 0) return;
    if (!this.machine.faults.has('dax-switch-drops-dirty')) {
      do_writepages(inode.mapping, { sync_mode: 'WB_SYNC_ALL', range_start: 0, range_end: Number.MAX_SAFE_INTEGER });
      if (inode.state.has('I_DIRTY_SYNC') || inode.state.has('I_DIRTY_DATASYNC')) this.write_inode(inode, true);
      inode.state.delete('I_DIRTY_SYNC');
      inode.state.delete('I_DIRTY_DATASYNC');
    }
    truncate_inode_pages_range(inode.mapping, 0, Infinity);
    inode.state.delete('I_DIRTY_PAGES');
    this.tidyDirty(inode);
    inode.S_DAX = this.daxFor(inode.d);
    inode.dontcache = false;
  }

  /**
   * sync_inodes_one_sb() then ->sync_fs(wait): ext4 commits and flushes unless the commit carried it
   * (ext4_sync_fs, none with barrier=0), xfs forces its log (a flush only if it writes), ext2 writes
   * its superblock with no flush; sync(2) sends no other flush request
   */
  syncFs(): void {
    this.writebackInodes('WB_SYNC_ALL');
    const logFlushed = this.meta.commit();
    this.meta.writeSuper?.();
    if (this.p.flushRequests === 'jbd2' && this.opts.barrier !== false && !logFlushed) blkdev_issue_flush(this.s_bdev);
  }

  /** umount/freeze: everything home, log empty */
  quiesce(): void {
    this.syncFs();
    this.meta.checkpoint();
    for (const bdev of [this.s_bdev, this.rtdev]) {
      if (!bdev) continue;
      do_writepages(bdev.bd_inode.mapping, { sync_mode: 'WB_SYNC_ALL', range_start: 0, range_end: Number.MAX_SAFE_INTEGER });
      blkdev_issue_flush(bdev);
    }
  }

  release(): void {
    this.meta.drop();
    for (const inode of this.icache.values()) truncate_inode_pages_range(inode.mapping, 0, Infinity);
    this.icache.clear();
    this.dirtyInodes.clear();
  }

  /** the inodes the VFS has in core (white-box) */
  cachedInodes(): FsInode[] {
    return [...this.icache.values()];
  }
}

export { S_IFDIR, S_IFREG, S_IFMETA, FLAG_REALTIME };
