// mkfs: lay out and write a fresh filesystem with synchronous, durable writes.

import type { BlockDevice } from '../block/block-device';
import { PmemError } from '../pmem/memory';
import {
  BLOCK_SIZE, INODE_SIZE, INODES_PER_BLOCK, MAGIC, S_IFDIR, S_IFMETA, SECTORS_PER_BLOCK, SuperblockFields,
  emptyDirBlock, emptyInode, encodeInode, encodeSuperblock, setBit,
} from './format';
import type { Personality } from './personality';
import { WriteAheadLog } from './wal';
import { blkdev_issue_flush } from './buffer';

const BITS_PER_BLOCK = BLOCK_SIZE * 8;

export function layout(p: Personality, bdev: BlockDevice, rtdev: BlockDevice | undefined): SuperblockFields {
  const nblocks = Math.floor(bdev.size / BLOCK_SIZE);
  if (nblocks < 2048) throw new PmemError('EINVAL', `/dev/${bdev.name} has ${bdev.size} bytes; ${p.type} here needs at least 8 MiB`);
  const ninodes = Math.min(2048, Math.max(256, Math.floor(nblocks / 64 / INODES_PER_BLOCK) * INODES_PER_BLOCK));
  const rtBlocks = rtdev ? Math.floor(rtdev.size / BLOCK_SIZE) : 0;
  let next = 1;
  const take = (n: number): number => {
    const at = next;
    next += n;
    return at;
  };
  const bbitmapLen = Math.ceil(nblocks / BITS_PER_BLOCK);
  const bbitmapStart = take(bbitmapLen);
  const ibitmapStart = take(1);
  const itableLen = ninodes / INODES_PER_BLOCK;
  const itableStart = take(itableLen);
  const rtBitmapLen = rtBlocks ? Math.ceil(rtBlocks / BITS_PER_BLOCK) : 0;
  const rtBitmapStart = rtBitmapLen ? take(rtBitmapLen) : 0;
  const journalLen = p.journalBlocks ? Math.min(p.journalBlocks, Math.floor(nblocks / 8)) : 0;
  const journalStart = journalLen ? take(journalLen) : 0;
  const quotaBlock = p.hasQuotaInode ? take(1) : 0;
  // the reference counts of shared blocks (xfs's refcount btree, one leaf here)
  const refcountBlock = p.reflink ? take(1) : 0;
  return {
    magic: MAGIC[p.type], nblocks, ninodes, bbitmapStart, bbitmapLen, ibitmapStart, itableStart, itableLen,
    journalStart, journalLen, rtBlocks, rtBitmapStart, rtBitmapLen, quotaBlock, firstData: next,
    inoBase: p.inoBase, rootIno: p.rootIno, firstUserIno: p.firstUserIno, quotaIno: p.hasQuotaInode ? p.inoBase + ninodes - 1 : 0,
    refcountBlock,
  };
}

/** set bits [from, to) of a bitmap block (clamped to it), whole bytes at once */
function setBits(b: Uint8Array, from: number, to: number): void {
  let bit = Math.max(0, from);
  const end = Math.min(BITS_PER_BLOCK, to);
  for (; bit < end && bit % 8 !== 0; bit++) setBit(b, bit, true);
  const fullEnd = end - (end % 8);
  if (bit < fullEnd) {
    b.fill(0xff, bit / 8, fullEnd / 8);
    bit = fullEnd;
  }
  for (; bit < end; bit++) setBit(b, bit, true);
}

/** one block mkfs writes: where, what, and whether with REQ_FUA */
interface MkfsWrite {
  block: number;
  data: Uint8Array;
  fua: boolean;
}

/** an all-zero block: the inode-table blocks with no inode in use share it */
const ZERO_BLOCK = new Uint8Array(BLOCK_SIZE);

/** the layout and the blocks to write: a function of the personality and the sizes alone, so computed once per shape */
function image(p: Personality, bdev: BlockDevice, rtdev: BlockDevice | undefined): { sb: SuperblockFields; writes: MkfsWrite[] } {
  const sb = layout(p, bdev, rtdev);
  const writes: MkfsWrite[] = [];
  const put = (block: number, data: Uint8Array, fua = false) => writes.push({ block, data, fua });
  const rootBlock = sb.firstData;
  // block bitmap: everything up to the root directory's block is in use; bits past the end too
  for (let i = 0; i < sb.bbitmapLen; i++) {
    const b = new Uint8Array(BLOCK_SIZE);
    const base = i * BITS_PER_BLOCK;
    setBits(b, 0, rootBlock + 1 - base);
    setBits(b, sb.nblocks - base, BITS_PER_BLOCK);
    put(sb.bbitmapStart + i, b);
  }
  const ib = new Uint8Array(BLOCK_SIZE);
  for (let ino = sb.inoBase; ino < sb.firstUserIno; ino++) setBit(ib, ino - sb.inoBase, true);
  if (sb.quotaIno) setBit(ib, sb.quotaIno - sb.inoBase, true);
  put(sb.ibitmapStart, ib);
  const blockOfIno = (ino: number) => Math.floor((ino - sb.inoBase) / INODES_PER_BLOCK);
  for (let i = 0; i < sb.itableLen; i++) {
    const holdsRoot = blockOfIno(sb.rootIno) === i;
    const holdsQuota = sb.quotaIno !== 0 && blockOfIno(sb.quotaIno) === i;
    if (!holdsRoot && !holdsQuota) {
      put(sb.itableStart + i, ZERO_BLOCK);
      continue;
    }
    const b = new Uint8Array(BLOCK_SIZE);
    const slot = (ino: number): Uint8Array => {
      const at = ((ino - sb.inoBase) % INODES_PER_BLOCK) * INODE_SIZE;
      return b.subarray(at, at + INODE_SIZE);
    };
    if (holdsRoot) encodeInode({ ...emptyInode(), mode: S_IFDIR, links: 2, size: BLOCK_SIZE, nblocks: 1, direct: [rootBlock, ...new Array(11).fill(0)] }, slot(sb.rootIno));
    if (holdsQuota) encodeInode({ ...emptyInode(), mode: S_IFMETA, links: 1, size: BLOCK_SIZE }, slot(sb.quotaIno));
    put(sb.itableStart + i, b);
  }
  for (let i = 0; i < sb.rtBitmapLen; i++) {
    const b = new Uint8Array(BLOCK_SIZE);
    const base = i * BITS_PER_BLOCK;
    // realtime block 0 stays reserved so a zero pointer means a hole; bits past the end are in use
    setBits(b, 0, 1 - base);
    setBits(b, sb.rtBlocks - base, BITS_PER_BLOCK);
    put(sb.rtBitmapStart + i, b);
  }
  if (sb.journalLen) put(sb.journalStart, WriteAheadLog.emptyLog(), true);
  if (sb.quotaBlock) put(sb.quotaBlock, ZERO_BLOCK);
  if (sb.refcountBlock) put(sb.refcountBlock, ZERO_BLOCK);
  put(rootBlock, emptyDirBlock(true, sb.rootIno, sb.rootIno));
  put(0, encodeSuperblock(sb));
  return { sb, writes };
}

/** per personality, the images made so far by device and realtime-device size (a handful of shapes per run) */
const images = new WeakMap<Personality, Map<string, { sb: SuperblockFields; writes: MkfsWrite[] }>>();

export function mkfs(p: Personality, bdev: BlockDevice, rtdev: BlockDevice | undefined): SuperblockFields {
  let shapes = images.get(p);
  if (!shapes) images.set(p, (shapes = new Map()));
  const key = `${bdev.size}:${rtdev?.size ?? -1}`;
  let img = shapes.get(key);
  if (!img) {
    if (shapes.size >= 32) shapes.clear();
    shapes.set(key, (img = image(p, bdev, rtdev)));
  }
  // the blocks are only read by the driver's copy: shared between filesystems of one shape
  for (const w of img.writes) bdev.submit_bio({ sector: w.block * SECTORS_PER_BLOCK, write: true, data: w.data, flags: new Set(w.fua ? ['REQ_FUA'] : []) });
  blkdev_issue_flush(bdev);
  return { ...img.sb };
}
