// xfs metadata: its own buffer cache (xfs_buf, not the block device's page cache) and its log.
// A changed buffer joins the transaction; a log force writes it to the log with REQ_FLUSH|REQ_FUA and
// pins it in the AIL; pushing the AIL writes buffers home and lets the log tail move.

import type { BlockDevice } from '../../block/block-device';
import { BLOCK_SIZE, SECTORS_PER_BLOCK } from '../format';
import { blkdev_issue_flush } from '../buffer';
import type { MetaStore } from '../meta';
import { WriteAheadLog } from '../wal';

export class XfsLog implements MetaStore {
  private readonly bufs = new Map<number, Uint8Array>();
  private readonly transaction = new Set<number>();
  private readonly ail = new Set<number>();
  /** buffers made stale in this transaction: XFS_BLF_CANCEL items */
  private readonly cancelled = new Set<number>();

  constructor(
    private readonly bdev: BlockDevice,
    private readonly log: WriteAheadLog,
  ) {}

  /** xfs_buf_read() */
  read(block: number): Uint8Array {
    let b = this.bufs.get(block);
    if (!b) {
      b = this.bdev.read(block * BLOCK_SIZE, BLOCK_SIZE);
      this.bufs.set(block, b);
    }
    return b;
  }

  dirty(block: number, owner?: { assoc: Set<number> }): void {
    this.read(block);
    // logging a stale buffer again clears XFS_BLI_STALE: it is metadata once more, no cancel record
    this.cancelled.delete(block);
    this.transaction.add(block);
    owner?.assoc.add(block);
  }

  /**
   * xfs_trans_binval(): the buffer goes stale, leaves the transaction and the AIL (xfsaild never writes a
   * stale buffer) and is logged only as a cancel record
   */
  forget(block: number): void {
    this.transaction.delete(block);
    this.ail.delete(block);
    this.bufs.delete(block);
    this.cancelled.add(block);
  }

  /** xfs_extent_busy: the extent was freed by a transaction the log does not hold yet */
  busy(block: number): boolean {
    return this.cancelled.has(block);
  }

  /** xfs_log_force(): every committed transaction reaches the log on media */
  commit(): boolean {
    if (this.transaction.size === 0 && this.cancelled.size === 0) return false;
    this.log.commitAll([...this.transaction], [...this.cancelled], (b) => this.read(b), () => this.pushAil(), (b) => this.ail.add(b));
    this.transaction.clear();
    this.cancelled.clear();
    return true;
  }

  syncInode(owner: { assoc: Set<number> }): boolean {
    // xfs_file_fsync(): a log force up to the inode's last change
    owner.assoc.clear();
    return this.commit();
  }

  /** xfsaild: write pinned buffers home, flush, then the log tail moves past them */
  private pushAil(): void {
    for (const b of [...this.ail].sort((x, y) => x - y)) {
      this.bdev.submit_bio({ sector: b * SECTORS_PER_BLOCK, write: true, data: this.read(b).slice(), flags: new Set() });
    }
    blkdev_issue_flush(this.bdev);
    this.ail.clear();
    this.log.reset();
  }

  checkpoint(): void {
    this.commit();
    this.pushAil();
  }

  drop(): void {
    this.bufs.clear();
  }
}
