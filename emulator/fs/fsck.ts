// fsck: a read-only check of a filesystem from its bytes on media (the journal/log overlaid, as
// e2fsck replays it and xfs_repair would ask for), reporting damage in e2fsck's or xfs_repair's words.

import type { BlockDevice } from '../block/block-device';
import type { FsckResult } from '../../targets/contract';
import {
  BLOCK_SIZE, DiskInode, FLAG_REALTIME, INODE_SIZE, INODES_PER_BLOCK, NDIRECT, PTRS_PER_BLOCK, S_IFDIR, S_IFMETA, S_IFREG,
  blockOf, decodeInode, decodeSuperblock, emptyInode, decodeXattrs, fsTypeOfMagic, parseDirBlock, setBit, testBit, view,
} from './format';
import { scanLog } from './wal';
import { decodeRefcounts } from './refcount';
import { isZero } from '../pmem/bytes';

/** what an all-zero inode slot decodes to, shared: fsck only reads the inodes it decodes */
const UNUSED: DiskInode = Object.freeze({ ...emptyInode(), direct: Object.freeze(emptyInode().direct) as number[] });

/** an inode slot never written (most of a fresh table): no decoding needed */
function zeroSlot(blk: Uint8Array, off: number): boolean {
  for (let i = off; i < off + INODE_SIZE; i++) if (blk[i] !== 0) return false;
  return true;
}

export function fsck(bdev: BlockDevice): FsckResult {
  // fsck only reads: blocks are the media's bytes, not copies
  const raw = (b: number): Uint8Array => bdev.peek(b * BLOCK_SIZE, BLOCK_SIZE);
  const sb = decodeSuperblock(raw(0));
  const type = fsTypeOfMagic(sb.magic);
  if (!type) {
    return { clean: false, messages: [`Bad magic number in super-block: /dev/${bdev.name} holds no ext2, ext4 or xfs filesystem`] };
  }
  const xfs = type === 'xfs';
  const messages: string[] = [];
  const overlay = new Map<number, Uint8Array>();
  if (sb.journalLen) {
    for (const [blk, data] of scanLog(raw, sb.journalStart, sb.journalLen).writes) overlay.set(blk, data);
  }
  const cache = new Map<number, Uint8Array>();
  const read = (b: number): Uint8Array => {
    let d = overlay.get(b) ?? cache.get(b);
    if (!d) cache.set(b, (d = raw(b)));
    return d;
  };
  const bitmapBit = (start: number, bit: number): boolean => testBit(read(start + Math.floor(bit / (BLOCK_SIZE * 8))), bit % (BLOCK_SIZE * 8));

  // every inode written or marked in use (and the root's and quota's slots), ascending: an all-zero slot
  // the bitmap calls free has nothing for any pass to find
  const inodes = new Map<number, DiskInode>();
  const inUse = (ino: number): boolean => bitmapBit(sb.ibitmapStart, ino - sb.inoBase);
  const reserved = (ino: number): boolean => ino < sb.firstUserIno && ino !== sb.rootIno;
  let blk: Uint8Array = new Uint8Array(0);
  let zero = true;
  for (let idx = 0; idx < sb.ninodes; idx++) {
    const ino = idx + sb.inoBase;
    const off = (idx % INODES_PER_BLOCK) * INODE_SIZE;
    if (off === 0) zero = isZero((blk = read(sb.itableStart + idx / INODES_PER_BLOCK)));
    if (!zero && !zeroSlot(blk, off)) inodes.set(ino, decodeInode(blk.subarray(off, off + INODE_SIZE)));
    else if (ino === sb.rootIno || ino === sb.quotaIno || inUse(ino)) inodes.set(ino, UNUSED);
  }

  // Pass 1: inodes and the blocks they claim
  const claimed = new Map<number, number>(); // data-device block -> owner
  const rtClaimed = new Map<number, number>();
  const live = new Set<number>();
  // reflink: a data block may be claimed by as many files as its refcount record says
  const refcounts = new Map<number, number>(sb.refcountBlock ? decodeRefcounts(read(sb.refcountBlock)) : []);
  const sharers = new Map<number, number>();
  const claim = (ino: number, blk: number, rt: boolean, data = false): boolean => {
    const limit = rt ? sb.rtBlocks : sb.nblocks;
    if (blk < (rt ? 1 : sb.firstData) || blk >= limit) {
      messages.push(xfs ? `inode ${ino} has bad block ${blk}${rt ? ' on the realtime device' : ''}` : `Inode ${ino} has illegal block(s): block ${blk}`);
      return false;
    }
    const map = rt ? rtClaimed : claimed;
    const prev = map.get(blk);
    if (prev !== undefined && data && !rt && refcounts.has(blk)) {
      sharers.set(blk, (sharers.get(blk) ?? 1) + 1);
      return true;
    }
    if (prev !== undefined) {
      messages.push(xfs ? `block ${blk} claimed by inode ${ino} is already in use by inode ${prev}` : `Multiply-claimed block(s) in inode ${ino}: ${blk} (also inode ${prev})`);
      return false;
    }
    map.set(blk, ino);
    return true;
  };
  const fileBlocks = new Map<number, number[]>(); // ino -> data block of each file block (0 hole)
  for (const [ino, d] of inodes) {
    if (reserved(ino) || ino === sb.quotaIno) continue;
    // e2fsck pass 1 walks the inode table itself; a live inode the bitmap calls free is a pass 5 finding
    const used = inUse(ino) || (d.mode !== 0 && d.links > 0);
    if (!used) continue;
    if (d.mode === 0 || d.links === 0) {
      if (d.dtime === 0) messages.push(xfs ? `imap claims in-use inode ${ino} is free` : `Inode ${ino} has zero dtime`);
      continue;
    }
    if (d.mode !== S_IFREG && d.mode !== S_IFDIR) {
      messages.push(xfs ? `bad inode format in inode ${ino}` : `Inode ${ino} has a bad mode (${d.mode})`);
      continue;
    }
    live.add(ino);
    const rt = (d.flags & FLAG_REALTIME) !== 0;
    let count = 0;
    const blocks: number[] = [];
    d.direct.forEach((p, i) => {
      const b = blockOf(p);
      if (b && claim(ino, b, rt, d.mode === S_IFREG)) {
        blocks[i] = b;
        count++;
      }
    });
    const table = (t: number, base: number): void => {
      if (!claim(ino, t, false)) return;
      count++;
      const v = view(read(t));
      for (let i = 0; i < PTRS_PER_BLOCK; i++) {
        const b = blockOf(v.getUint32(i * 4, true));
        if (b && claim(ino, b, rt, d.mode === S_IFREG)) {
          blocks[base + i] = b;
          count++;
        }
      }
    };
    if (d.ind) table(d.ind, NDIRECT);
    if (d.dind && claim(ino, d.dind, false)) {
      count++;
      const v = view(read(d.dind));
      for (let i = 0; i < PTRS_PER_BLOCK; i++) {
        const t = v.getUint32(i * 4, true);
        if (t) table(t, NDIRECT + PTRS_PER_BLOCK + i * PTRS_PER_BLOCK);
      }
    }
    if (d.xattr && claim(ino, d.xattr, false)) {
      count++;
      if (!decodeXattrs(read(d.xattr))) messages.push(xfs ? `bad attribute block ${d.xattr} in inode ${ino}` : `Inode ${ino} has a bad extended attribute block ${d.xattr}.`);
    }
    if (count !== d.nblocks) messages.push(xfs ? `inode ${ino} claims ${d.nblocks} blocks, counted ${count}` : `Inode ${ino}, i_blocks is ${d.nblocks * 8}, should be ${count * 8}.`);
    fileBlocks.set(ino, blocks);
  }

  for (const [blk, n] of refcounts) {
    const saw = claimed.has(blk) ? (sharers.get(blk) ?? 1) : 0;
    if (saw !== n) messages.push(`Incorrect reference count: saw block ${blk} shared by ${saw} file(s), refcount record says ${n}`);
  }

  // Pass 2: directory structure
  const refs = new Map<number, number>();
  const parentOf = new Map<number, number>();
  const names = new Map<number, string>([[sb.rootIno, '/']]);
  const dirs = [...live].filter((ino) => inodes.get(ino)!.mode === S_IFDIR);
  for (const ino of dirs) {
    const d = inodes.get(ino)!;
    const blocks = fileBlocks.get(ino) ?? [];
    const n = Math.ceil(d.size / BLOCK_SIZE);
    for (let b = 0; b < n; b++) {
      if (!blocks[b]) {
        messages.push(xfs ? `directory inode ${ino} has a hole at block ${b}` : `Directory inode ${ino} has an unallocated block #${b}.`);
        continue;
      }
      const r = parseDirBlock(read(blocks[b]));
      if (r.badOffset !== undefined) {
        messages.push(xfs ? `corrupt block ${b} in directory inode ${ino}` : `Directory inode ${ino}, block #${b}, offset ${r.badOffset}: directory corrupted`);
      }
      r.entries.forEach((e, i) => {
        if (b === 0 && i === 0) {
          if (e.name !== '.' || e.ino !== ino) messages.push(xfs ? `no . entry for directory ${ino}` : `Missing '.' in directory inode ${ino}.`);
          return;
        }
        if (b === 0 && i === 1) {
          if (e.name !== '..') messages.push(xfs ? `no .. entry for directory ${ino}` : `Missing '..' in directory inode ${ino}.`);
          else parentOf.set(ino, e.ino);
          return;
        }
        if (!e.ino) return;
        const dirName = `${names.get(ino) ?? `<${ino}>`}`;
        if (e.ino < sb.inoBase || e.ino >= sb.inoBase + sb.ninodes) {
          messages.push(xfs ? `entry "${e.name}" in directory inode ${ino} references invalid inode ${e.ino}` : `Entry '${e.name}' in ${dirName} (${ino}) has bad inode #: ${e.ino}.`);
          return;
        }
        if (!live.has(e.ino)) {
          messages.push(xfs ? `entry "${e.name}" in directory inode ${ino} points to free inode ${e.ino}` : `Entry '${e.name}' in ${dirName} (${ino}) has deleted/unused inode ${e.ino}.`);
          return;
        }
        refs.set(e.ino, (refs.get(e.ino) ?? 0) + 1);
        if (inodes.get(e.ino)!.mode === S_IFDIR) names.set(e.ino, `${dirName === '/' ? '' : dirName}/${e.name}`);
      });
    }
  }

  // Pass 3 and 4: connectivity and reference counts
  for (const ino of live) {
    const d = inodes.get(ino)!;
    if (ino === sb.rootIno) continue;
    const r = refs.get(ino) ?? 0;
    if (r === 0) {
      if (d.mode === S_IFDIR) messages.push(xfs ? `disconnected dir inode ${ino}, moving to lost+found` : `Unconnected directory inode ${ino} (...)`);
      else messages.push(xfs ? `disconnected inode ${ino}, moving to lost+found` : `Unattached inode ${ino}`);
      continue;
    }
    const subdirs = dirs.filter((c) => c !== ino && parentOf.get(c) === ino && (refs.get(c) ?? 0) > 0).length;
    const want = d.mode === S_IFDIR ? 2 + subdirs : r;
    if (d.links !== want) messages.push(xfs ? `resetting inode ${ino} nlinks from ${d.links} to ${want}` : `Inode ${ino} ref count is ${d.links}, should be ${want}.`);
  }
  const root = inodes.get(sb.rootIno)!;
  if (root.mode !== S_IFDIR) messages.push(xfs ? `root inode ${sb.rootIno} is not a directory` : `Root inode is not a directory.`);

  // Pass 5: bitmaps
  const blockDiffs: string[] = [];
  for (const blk of bitmapDifferences(read, sb.bbitmapStart, claimed, sb.firstData, sb.nblocks)) {
    // reserved inodes own no blocks; the root directory's first block is claimed via the root inode
    if (claimed.has(blk)) blockDiffs.push(xfs ? `data fork in ino ${claimed.get(blk)} claims free block ${blk}` : `+${blk}`);
    else blockDiffs.push(xfs ? `block ${blk} is marked in use but owned by no inode` : `-${blk}`);
  }
  for (const blk of bitmapDifferences(read, sb.rtBitmapStart, rtClaimed, 1, sb.rtBlocks)) {
    const owned = rtClaimed.has(blk);
    blockDiffs.push(owned ? `data fork in ino ${rtClaimed.get(blk)} claims free realtime block ${blk}` : `realtime block ${blk} is marked in use but owned by no inode`);
  }
  if (blockDiffs.length) {
    if (xfs) messages.push(...blockDiffs.slice(0, 20));
    else messages.push(`Block bitmap differences: ${blockDiffs.slice(0, 20).join(' ')}`);
  }
  const inodeDiffs: string[] = [];
  for (const [ino, d] of inodes) {
    if (reserved(ino) || ino === sb.quotaIno || ino === sb.rootIno) continue;
    const marked = inUse(ino);
    if (!marked && d.mode !== 0 && d.links > 0) inodeDiffs.push(xfs ? `imap claims a free inode ${ino} is in use` : `+${ino}`);
  }
  if (inodeDiffs.length) messages.push(xfs ? inodeDiffs.join('; ') : `Inode bitmap differences: ${inodeDiffs.join(' ')}`);
  const q = sb.quotaIno ? inodes.get(sb.quotaIno) : undefined;
  if (sb.quotaIno && (!q || q.mode !== S_IFMETA)) messages.push(xfs ? `quota inode ${sb.quotaIno} is corrupt` : `Quota inode is not in use, but contains data.`);
  return { clean: messages.length === 0, messages };
}

/** blocks in [from, to) whose bitmap bit disagrees with ownership, ascending; compared a byte (8 blocks) at a time */
function bitmapDifferences(read: (b: number) => Uint8Array, start: number, owners: Map<number, number>, from: number, to: number): number[] {
  const out: number[] = [];
  if (to <= from) return out;
  const owned = new Uint8Array(Math.ceil(to / 8));
  for (const blk of owners.keys()) if (blk < to) setBit(owned, blk, true);
  const bitsPerBlock = BLOCK_SIZE * 8;
  let at = -1;
  let bitmap: Uint8Array = new Uint8Array(0);
  for (let byte = from >> 3; byte * 8 < to; byte++) {
    const b = start + Math.floor((byte * 8) / bitsPerBlock);
    if (b !== at) bitmap = read((at = b));
    const diff = bitmap[byte % BLOCK_SIZE] ^ owned[byte];
    if (diff === 0) continue;
    for (let bit = 0; bit < 8; bit++) {
      const blk = byte * 8 + bit;
      if (blk >= from && blk < to && (diff & (1 << bit)) !== 0) out.push(blk);
    }
  }
  return out;
}
