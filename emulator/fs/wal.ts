// The write-ahead log shared by ext4's journal (jbd2) and xfs's log: block images are written to the
// log area, then a commit block with REQ_FLUSH|REQ_FUA. Recovery trusts a commit block and does not
// checksum the logged blocks, so writing the commit before its blocks are durable would replay garbage:
// the ordering is what makes it safe. A transaction also carries revoke records (jbd2's revoke blocks,
// xfs's XFS_BLF_CANCEL buffer items): a block freed as metadata is not replayed from any transaction up
// to the one that revoked it, since by then it may hold file data.

import type { BlockDevice } from '../block/block-device';
import { BLOCK_SIZE, SECTORS_PER_BLOCK, getU32, setU32 } from './format';

const LOG_MAGIC = 0x4a424432;
const T_DESC = 1;
const T_COMMIT = 2;
const T_SB = 3;
const T_REVOKE = 4;
/** block numbers one descriptor block holds */
const MAX_PER_TXN = (BLOCK_SIZE - 16) / 4;

/** a log header block, built in `b` (zeroed first): a log reuses one, since the driver copies each write before returning */
function header(type: number, seq: number, n: number, b = new Uint8Array(BLOCK_SIZE)): Uint8Array {
  b.fill(0);
  setU32(b, 0, LOG_MAGIC);
  setU32(b, 4, type);
  setU32(b, 8, seq);
  setU32(b, 12, n);
  return b;
}

function parse(b: Uint8Array): { type: number; seq: number; n: number } | undefined {
  if (getU32(b, 0) !== LOG_MAGIC) return undefined;
  return { type: getU32(b, 4), seq: getU32(b, 8), n: getU32(b, 12) };
}

export interface RecoveredLog {
  /** the next sequence number to use */
  nextSeq: number;
  /** committed block images in commit order (later ones win), revoked ones left out */
  writes: Array<[number, Uint8Array]>;
  transactions: number;
  /** logged images that a later (or the same) transaction revoked */
  revoked: number;
}

/** revoke blocks a transaction of r revoked block numbers needs */
function revokeBlocks(r: number): number {
  return Math.ceil(r / MAX_PER_TXN);
}

/**
 * Scan the log from its superblock: each descriptor with the expected sequence, its revoke blocks and a
 * matching commit. Like jbd2's PASS_REVOKE then PASS_REPLAY (xlog_recover's two passes over cancel
 * records): an image logged in transaction t is skipped when its block was revoked in a transaction >= t.
 */
export function scanLog(readBlock: (block: number) => Uint8Array, start: number, len: number): RecoveredLog {
  // a descriptor and a revoke block are parsed, then read for their block numbers: one read each
  const seen = new Map<number, Uint8Array>();
  const read = (b: number): Uint8Array => {
    let d = seen.get(b);
    if (!d) seen.set(b, (d = readBlock(b)));
    return d;
  };
  const sb = parse(read(start));
  let seq = sb && sb.type === T_SB ? sb.seq : 1;
  const logged: Array<[number, Uint8Array, number]> = [];
  const revokedIn = new Map<number, number>();
  let pos = start + 1;
  let transactions = 0;
  for (;;) {
    if (pos >= start + len) break;
    const d = parse(read(pos));
    if (!d || d.type !== T_DESC || d.seq !== seq || d.n > MAX_PER_TXN || pos + 1 + d.n >= start + len) break;
    let end = pos + 1 + d.n;
    const revokes: number[] = [];
    while (end + 1 < start + len) {
      const r = parse(read(end));
      if (!r || r.type !== T_REVOKE || r.seq !== seq || r.n > MAX_PER_TXN) break;
      const rb = read(end);
      for (let i = 0; i < r.n; i++) revokes.push(getU32(rb, 16 + i * 4));
      end++;
    }
    const c = parse(read(end));
    if (!c || c.type !== T_COMMIT || c.seq !== seq || c.n !== d.n) break;
    const db = read(pos);
    for (let i = 0; i < d.n; i++) logged.push([getU32(db, 16 + i * 4), read(pos + 1 + i), seq]);
    for (const b of revokes) revokedIn.set(b, seq);
    transactions++;
    seq++;
    pos = end + 1;
  }
  const writes: Array<[number, Uint8Array]> = [];
  let revoked = 0;
  for (const [b, data, t] of logged) {
    if ((revokedIn.get(b) ?? 0) >= t) revoked++;
    else writes.push([b, data]);
  }
  return { nextSeq: seq, writes, transactions, revoked };
}

export class WriteAheadLog {
  private head: number;
  /** where descriptor, revoke, commit and log superblocks are built, one at a time */
  private readonly hdr = new Uint8Array(BLOCK_SIZE);
  /** JBD2_BARRIER: commit and log superblock carry REQ_FLUSH|REQ_FUA; ext4's barrier=0 turns it off */
  barrier = true;
  constructor(
    readonly bdev: BlockDevice,
    readonly start: number,
    readonly len: number,
    public seq: number,
  ) {
    this.head = start + 1;
  }

  private write(block: number, data: Uint8Array, flags: Array<'REQ_FLUSH' | 'REQ_FUA'> = []): void {
    // without JBD2_BARRIER the commit and superblock writes drop REQ_FLUSH and REQ_FUA
    this.bdev.submit_bio({ sector: block * SECTORS_PER_BLOCK, write: true, data, flags: new Set(this.barrier ? flags : []) });
  }

  /** room for a transaction of n blocks before the log must be checkpointed */
  fits(n: number): boolean {
    return this.head + n + 2 <= this.start + this.len;
  }

  static maxPerTransaction(len: number): number {
    return Math.min(MAX_PER_TXN, len - 3);
  }

  /** write one transaction: descriptor, images and revoke blocks, then the commit block with REQ_FLUSH|REQ_FUA */
  commit(blocks: Array<[number, Uint8Array]>, revoked: number[] = []): void {
    const d = header(T_DESC, this.seq, blocks.length, this.hdr);
    blocks.forEach(([blk], i) => setU32(d, 16 + i * 4, blk));
    this.write(this.head, d);
    // the driver copies each image to the log before write() returns: the buffer itself can go
    blocks.forEach(([, data], i) => this.write(this.head + 1 + i, data));
    let end = this.head + 1 + blocks.length;
    for (let i = 0; i < revoked.length; i += MAX_PER_TXN) {
      const part = revoked.slice(i, i + MAX_PER_TXN);
      const r = header(T_REVOKE, this.seq, part.length, this.hdr);
      part.forEach((blk, j) => setU32(r, 16 + j * 4, blk));
      this.write(end++, r);
    }
    // REQ_FLUSH: the descriptor, images and revokes are durable before the commit block; REQ_FUA: the commit is.
    this.write(end, header(T_COMMIT, this.seq, blocks.length, this.hdr), ['REQ_FLUSH', 'REQ_FUA']);
    this.head = end + 1;
    this.seq++;
  }

  /**
   * Log `blocks` in as many transactions as the log allows: `makeRoom` checkpoints when the next one
   * does not fit, `logged` hears of each block once its transaction is committed.
   */
  commitAll(blocks: number[], revoked: number[], read: (b: number) => Uint8Array, makeRoom: () => void, logged: (b: number) => void): void {
    const sorted = [...blocks].sort((a, b) => a - b);
    const max = WriteAheadLog.maxPerTransaction(this.len);
    const revokes = [...revoked].sort((a, b) => a - b);
    let i = 0;
    let r = 0;
    while (i < sorted.length || r < revokes.length) {
      const part = sorted.slice(i, i + max);
      i += part.length;
      // revoke blocks take the room the images leave; what does not fit goes in the next transaction
      const rv = revokes.slice(r, r + (max - part.length) * MAX_PER_TXN);
      r += rv.length;
      if (!this.fits(part.length + revokeBlocks(rv.length))) makeRoom();
      this.commit(part.map((b) => [b, read(b)]), rv);
      part.forEach(logged);
    }
  }

  /** after a checkpoint: every logged block is home, so the log restarts empty at `seq` */
  reset(): void {
    this.write(this.start, header(T_SB, this.seq, 0, this.hdr), ['REQ_FLUSH', 'REQ_FUA']);
    this.head = this.start + 1;
  }

  /** mkfs: an empty log's first block (written with REQ_FUA) */
  static emptyLog(): Uint8Array {
    return header(T_SB, 1, 0);
  }
}
