// The on-media format shared by the three personalities: 4 KiB blocks, a superblock, a block bitmap,
// an inode bitmap, an inode table, ext2-style directory records and a direct/indirect block map.

import { PmemError } from '../pmem/memory';
import type { FsType } from '../../targets/contract';

export const BLOCK_SIZE = 4096;
export const SECTORS_PER_BLOCK = 8;
export const INODE_SIZE = 128;
export const INODES_PER_BLOCK = BLOCK_SIZE / INODE_SIZE;
export const NDIRECT = 12;
export const PTRS_PER_BLOCK = BLOCK_SIZE / 4;
/** direct + single indirect + double indirect blocks */
export const MAX_FILE_BLOCKS = NDIRECT + PTRS_PER_BLOCK + PTRS_PER_BLOCK * PTRS_PER_BLOCK;
export const MAX_FILE_BYTES = MAX_FILE_BLOCKS * BLOCK_SIZE;
/** the top bit of a block pointer: an unwritten extent (ext4's EXT_INIT_MAX_LEN bit, xfs's XFS_EXT_UNWRITTEN), allocated but read as zeros */
export const UNWRITTEN = 2 ** 31;

/** the block number a pointer names, without its unwritten bit */
export function blockOf(ptr: number): number {
  return ptr >= UNWRITTEN ? ptr - UNWRITTEN : ptr;
}

export const MAGIC: Record<FsType, number> = { ext2: 0x45583253, ext4: 0x45583453, xfs: 0x58465342 };

export const S_IFREG = 1;
export const S_IFDIR = 2;
/** an internal inode (quota, realtime bitmap): never in a directory */
export const S_IFMETA = 3;

export const FLAG_REALTIME = 1;
/** the per-inode DAX flag of dax=inode (FS_XFLAG_DAX / EXT4_DAX_FL) */
export const FLAG_DAX = 2;

const SB_FIELDS = [
  'magic', 'nblocks', 'ninodes', 'bbitmapStart', 'bbitmapLen', 'ibitmapStart', 'itableStart', 'itableLen',
  'journalStart', 'journalLen', 'rtBlocks', 'rtBitmapStart', 'rtBitmapLen', 'quotaBlock', 'firstData',
  'inoBase', 'rootIno', 'firstUserIno', 'quotaIno', 'refcountBlock',
] as const;
export type SuperblockFields = Record<(typeof SB_FIELDS)[number], number>;

export function encodeSuperblock(sb: SuperblockFields): Uint8Array {
  const b = new Uint8Array(BLOCK_SIZE);
  const v = new DataView(b.buffer);
  SB_FIELDS.forEach((k, i) => v.setUint32(i * 4, sb[k], true));
  return b;
}

export function decodeSuperblock(b: Uint8Array): SuperblockFields {
  const v = view(b);
  const out = {} as SuperblockFields;
  SB_FIELDS.forEach((k, i) => (out[k] = v.getUint32(i * 4, true)));
  return out;
}

export function fsTypeOfMagic(magic: number): FsType | undefined {
  return (Object.keys(MAGIC) as FsType[]).find((t) => MAGIC[t] === magic);
}

export interface DiskInode {
  mode: number;
  flags: number;
  links: number;
  size: number;
  dtime: number;
  xattr: number;
  nblocks: number;
  direct: number[];
  ind: number;
  dind: number;
}

export function emptyInode(): DiskInode {
  return { mode: 0, flags: 0, links: 0, size: 0, dtime: 0, xattr: 0, nblocks: 0, direct: new Array(NDIRECT).fill(0), ind: 0, dind: 0 };
}

export function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** one little-endian u32, without a DataView per call (block pointers and log headers are read and written one at a time) */
export function getU32(b: Uint8Array, off: number): number {
  return (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0;
}

function setU16(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
}

export function setU32(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
  b[off + 2] = (v >>> 16) & 0xff;
  b[off + 3] = (v >>> 24) & 0xff;
}

export function encodeInode(d: DiskInode, out: Uint8Array): void {
  out.fill(0);
  setU16(out, 0, d.mode);
  setU16(out, 2, d.flags);
  setU32(out, 4, d.links);
  setU32(out, 8, d.size % 2 ** 32);
  setU32(out, 12, Math.floor(d.size / 2 ** 32));
  setU32(out, 16, d.dtime);
  setU32(out, 20, d.xattr);
  setU32(out, 24, d.nblocks);
  for (let i = 0; i < d.direct.length; i++) setU32(out, 28 + i * 4, d.direct[i]);
  setU32(out, 76, d.ind);
  setU32(out, 80, d.dind);
}

export function decodeInode(b: Uint8Array): DiskInode {
  const v = view(b);
  const direct: number[] = [];
  for (let i = 0; i < NDIRECT; i++) direct.push(v.getUint32(28 + i * 4, true));
  return {
    mode: v.getUint16(0, true),
    flags: v.getUint16(2, true),
    links: v.getUint32(4, true),
    size: v.getUint32(8, true) + v.getUint32(12, true) * 2 ** 32,
    dtime: v.getUint32(16, true),
    xattr: v.getUint32(20, true),
    nblocks: v.getUint32(24, true),
    direct,
    ind: v.getUint32(76, true),
    dind: v.getUint32(80, true),
  };
}

// --- directory blocks: records of (inode u32, rec_len u16, name_len u8, file_type u8, name) ---

export const DIRENT_HEADER = 8;
export interface Dirent {
  ino: number;
  recLen: number;
  nameLen: number;
  type: number;
  name: string;
  offset: number;
}

/** the smallest record that holds a name, 4-byte aligned */
export function direntSize(nameLen: number): number {
  return (DIRENT_HEADER + nameLen + 3) & ~3;
}

/** Parse one block; the first bad record stops it, as e2fsck's check_dir_block does. */
export function parseDirBlock(b: Uint8Array): { entries: Dirent[]; badOffset?: number } {
  const v = view(b);
  const entries: Dirent[] = [];
  for (let off = 0; off < BLOCK_SIZE; ) {
    const ino = v.getUint32(off, true);
    const recLen = v.getUint16(off + 4, true);
    const nameLen = v.getUint8(off + 6);
    if (recLen < DIRENT_HEADER + (ino ? 1 : 0) || recLen % 4 !== 0 || off + recLen > BLOCK_SIZE || DIRENT_HEADER + nameLen > recLen || (ino !== 0 && nameLen === 0)) {
      return { entries, badOffset: off };
    }
    const name = Buffer.from(b.subarray(off + DIRENT_HEADER, off + DIRENT_HEADER + nameLen)).toString('utf8');
    entries.push({ ino, recLen, nameLen, type: v.getUint8(off + 7), name, offset: off });
    off += recLen;
  }
  return { entries };
}

/**
 * parseDirBlock's walk without building the entries: the inode of the first live record whose raw
 * name is `want`, and the offset of the first bad record (the same reads, so the same errors).
 */
export function findDirent(b: Uint8Array, want: Uint8Array | undefined): { ino?: number; badOffset?: number } {
  const v = view(b);
  let found: number | undefined;
  for (let off = 0; off < BLOCK_SIZE; ) {
    const ino = v.getUint32(off, true);
    const recLen = v.getUint16(off + 4, true);
    const nameLen = v.getUint8(off + 6);
    if (recLen < DIRENT_HEADER + (ino ? 1 : 0) || recLen % 4 !== 0 || off + recLen > BLOCK_SIZE || DIRENT_HEADER + nameLen > recLen || (ino !== 0 && nameLen === 0)) {
      return { ino: found, badOffset: off };
    }
    if (found === undefined && want !== undefined && ino !== 0 && nameLen === want.length) {
      let i = 0;
      while (i < nameLen && b[off + DIRENT_HEADER + i] === want[i]) i++;
      if (i === nameLen) found = ino;
    }
    off += recLen;
  }
  return { ino: found };
}

export function writeDirent(b: Uint8Array, off: number, ino: number, recLen: number, name: string, type: number): void {
  const v = view(b);
  const nb = Buffer.from(name, 'utf8');
  v.setUint32(off, ino, true);
  v.setUint16(off + 4, recLen, true);
  v.setUint8(off + 6, nb.length);
  v.setUint8(off + 7, type);
  b.set(nb, off + DIRENT_HEADER);
}

/** a fresh directory block: ".", ".." in block 0, else one empty record spanning the block */
export function emptyDirBlock(first: boolean, self: number, parent: number): Uint8Array {
  const b = new Uint8Array(BLOCK_SIZE);
  if (first) {
    writeDirent(b, 0, self, 12, '.', S_IFDIR);
    writeDirent(b, 12, parent, BLOCK_SIZE - 12, '..', S_IFDIR);
  } else {
    writeDirent(b, 0, 0, BLOCK_SIZE, '', 0);
  }
  return b;
}

export function checkName(name: string): void {
  const len = Buffer.byteLength(name, 'utf8');
  // a component longer than NAME_MAX is ENAMETOOLONG, as the VFS answers before the filesystem sees it
  if (len > 255) throw new PmemError('ENAMETOOLONG', `file name of ${len} bytes is longer than NAME_MAX (255 bytes)`);
  if (len === 0 || name.includes('/') || name === '.' || name === '..') {
    throw new PmemError('EINVAL', `file name "${name}" is not allowed: use 1 to 255 bytes, no "/", not "." or ".."`);
  }
}

// --- bitmaps ---

export function testBit(b: Uint8Array, i: number): boolean {
  return (b[i >> 3] & (1 << (i & 7))) !== 0;
}
export function setBit(b: Uint8Array, i: number, on: boolean): void {
  if (on) b[i >> 3] |= 1 << (i & 7);
  else b[i >> 3] &= ~(1 << (i & 7));
}

// --- extended attribute block: magic, count, then (name_len u8, value_len u16, name, value) ---

export const XATTR_MAGIC = 0xea020000;

export function encodeXattrs(attrs: Map<string, Uint8Array>): Uint8Array | undefined {
  const b = new Uint8Array(BLOCK_SIZE);
  const v = view(b);
  v.setUint32(0, XATTR_MAGIC, true);
  v.setUint32(4, attrs.size, true);
  let off = 8;
  for (const [name, value] of attrs) {
    const nb = Buffer.from(name, 'utf8');
    if (off + 3 + nb.length + value.length > BLOCK_SIZE) return undefined;
    v.setUint8(off, nb.length);
    v.setUint16(off + 1, value.length, true);
    b.set(nb, off + 3);
    b.set(value, off + 3 + nb.length);
    off += 3 + nb.length + value.length;
  }
  return b;
}

export function decodeXattrs(b: Uint8Array): Map<string, Uint8Array> | undefined {
  const v = view(b);
  if (v.getUint32(0, true) !== XATTR_MAGIC) return undefined;
  const n = v.getUint32(4, true);
  const out = new Map<string, Uint8Array>();
  let off = 8;
  for (let i = 0; i < n; i++) {
    if (off + 3 > BLOCK_SIZE) return undefined;
    const nl = v.getUint8(off);
    const vl = v.getUint16(off + 1, true);
    if (off + 3 + nl + vl > BLOCK_SIZE) return undefined;
    out.set(Buffer.from(b.subarray(off + 3, off + 3 + nl)).toString('utf8'), b.slice(off + 3 + nl, off + 3 + nl + vl));
    off += 3 + nl + vl;
  }
  return out;
}
