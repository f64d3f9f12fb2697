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

function put(bdev: BlockDevice, block: number, data: Uint8Array): void {
  bdev.submit_bio({ sector: block * SECTORS_PER_BLOCK, write: true, data, flags: new Set() });
}

export function mkfs(p: Personality, bdev: BlockDevice, rtdev: BlockDevice | undefined): SuperblockFields {
  const sb = layout(p, bdev, rtdev);
  const rootBlock = sb.firstData;
  // block bitmap: everything up to the root directory's block is in use; bits past the end too
  for (let i = 0; i < sb.bbitmapLen; i++) {
    const b = new Uint8Array(BLOCK_SIZE);
    const base = i * BITS_PER_BLOCK;
    setBits(b, 0, rootBlock + 1 - base);
    setBits(b, sb.nblocks - base, BITS_PER_BLOCK);
    put(bdev, sb.bbitmapStart + i, b);
  }
  const ib = new Uint8Array(BLOCK_SIZE);
  for (let ino = sb.inoBase; ino < sb.firstUserIno; ino++) setBit(ib, ino - sb.inoBase, true);
  if (sb.quotaIno) setBit(ib, sb.quotaIno - sb.inoBase, true);
  put(bdev, sb.ibitmapStart, ib);
  for (let i = 0; i < sb.itableLen; i++) {
    const b = new Uint8Array(BLOCK_SIZE);
    const slot = (ino: number): Uint8Array | undefined => {
      const idx = ino - sb.inoBase;
      return Math.floor(idx / INODES_PER_BLOCK) === i ? b.subarray((idx % INODES_PER_BLOCK) * INODE_SIZE, (idx % INODES_PER_BLOCK + 1) * INODE_SIZE) : undefined;
    };
    const root = slot(sb.rootIno);
    if (root) encodeInode({ ...emptyInode(), mode: S_IFDIR, links: 2, size: BLOCK_SIZE, nblocks: 1, direct: [rootBlock, ...new Array(11).fill(0)] }, root);
    const q = sb.quotaIno ? slot(sb.quotaIno) : undefined;
    if (q) encodeInode({ ...emptyInode(), mode: S_IFMETA, links: 1, size: BLOCK_SIZE }, q);
    put(bdev, sb.itableStart + i, b);
  }
  for (let i = 0; i < sb.rtBitmapLen; i++) {
    const b = new Uint8Array(BLOCK_SIZE);
    const base = i * BITS_PER_BLOCK;
    // realtime block 0 stays reserved so a zero pointer means a hole; bits past the end are in use
    setBits(b, 0, 1 - base);
    setBits(b, sb.rtBlocks - base, BITS_PER_BLOCK);
    put(bdev, sb.rtBitmapStart + i, b);
  }
  if (sb.journalLen) WriteAheadLog.format(bdev, sb.journalStart);
  if (sb.quotaBlock) put(bdev, sb.quotaBlock, new Uint8Array(BLOCK_SIZE));
  if (sb.refcountBlock) put(bdev, sb.refcountBlock, new Uint8Array(BLOCK_SIZE));
  put(bdev, rootBlock, emptyDirBlock(true, sb.rootIno, sb.rootIno));
  put(bdev, 0, encodeSuperblock(sb));
  blkdev_issue_flush(bdev);
  return sb;
}
