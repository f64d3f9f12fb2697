// ext4 metadata: buffer heads in the block device's page cache, but journaled (jbd2): a changed buffer
// joins the running transaction and is only marked dirty for writeback once its transaction committed,
// so home locations never hold uncommitted metadata.

import type { BlockDevice } from '../../block/block-device';
import { bforget, invalidate_buffers, mark_buffer_dirty, sb_bread, sync_dirty_buffer, blkdev_issue_flush } from '../buffer';
import type { MetaStore } from '../meta';
import { WriteAheadLog } from '../wal';

export class Jbd2Journal implements MetaStore {
  private readonly running = new Set<number>();
  /** the running transaction's revoke records (jbd2_journal_revoke) */
  private readonly revoked = new Set<number>();
  /** committed, possibly not yet home: the checkpoint list */
  private readonly checkpointList = new Set<number>();

  constructor(
    private readonly bdev: BlockDevice,
    private readonly log: WriteAheadLog,
  ) {}

  read(block: number): Uint8Array {
    return sb_bread(this.bdev, block).data;
  }

  dirty(block: number, owner?: { assoc: Set<number> }): void {
    sb_bread(this.bdev, block);
    // jbd2_journal_cancel_revoke(): the block is metadata again, so this transaction's image must replay
    this.revoked.delete(block);
    this.running.add(block);
    owner?.assoc.add(block);
  }

  /** ext4_forget(): jbd2_journal_forget() drops the buffer from every list, jbd2_journal_revoke() records it */
  forget(block: number): void {
    this.running.delete(block);
    this.checkpointList.delete(block);
    bforget(this.bdev, block);
    this.revoked.add(block);
  }

  busy(block: number): boolean {
    return this.revoked.has(block);
  }

  /** jbd2_journal_commit_transaction(): the revoke records go out with the transaction's blocks */
  commit(): boolean {
    if (this.running.size === 0 && this.revoked.size === 0) return false;
    this.log.commitAll([...this.running], [...this.revoked], (b) => this.read(b), () => this.checkpoint_committed(), (b) => {
      mark_buffer_dirty(this.bdev, b);
      this.checkpointList.add(b);
    });
    this.running.clear();
    this.revoked.clear();
    return this.log.barrier;
  }

  syncInode(owner: { assoc: Set<number> }): boolean {
    // ext4_sync_file(): a journal commit covers the inode and everything it dirtied
    owner.assoc.clear();
    return this.commit();
  }

  /** jbd2_log_do_checkpoint(): write committed buffers home, then move the log tail (reset) */
  private checkpoint_committed(): void {
    for (const b of this.checkpointList) sync_dirty_buffer(this.bdev, b);
    // jbd2_cleanup_journal_tail(): the flush only with JBD2_BARRIER
    if (this.log.barrier) blkdev_issue_flush(this.bdev);
    this.checkpointList.clear();
    this.log.reset();
  }

  checkpoint(): void {
    this.commit();
    this.checkpoint_committed();
  }

  drop(): void {
    invalidate_buffers(this.bdev, 0, Infinity);
  }
}
