// ext4 metadata: buffer heads in the block device's page cache, but journaled (jbd2): a changed buffer
// joins the running transaction and is only marked dirty for writeback once its transaction committed,
// so home locations never hold uncommitted metadata.

import type { BlockDevice } from '../../block/block-device';
import { invalidate_buffers, mark_buffer_dirty, sb_bread, sync_dirty_buffer, blkdev_issue_flush } from '../buffer';
import type { MetaStore } from '../meta';
import { WriteAheadLog } from '../wal';

export class Jbd2Journal implements MetaStore {
  private readonly running = new Set<number>();
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
    this.running.add(block);
    owner?.assoc.add(block);
  }

  /** jbd2_journal_commit_transaction() */
  commit(): void {
    if (this.running.size === 0) return;
    this.log.commitAll([...this.running], (b) => this.read(b), () => this.checkpoint_committed(), (b) => {
      mark_buffer_dirty(this.bdev, b);
      this.checkpointList.add(b);
    });
    this.running.clear();
  }

  syncInode(owner: { assoc: Set<number> }): void {
    // ext4_sync_file(): a journal commit covers the inode and everything it dirtied
    this.commit();
    owner.assoc.clear();
  }

  /** jbd2_log_do_checkpoint(): write committed buffers home, then move the log tail (reset) */
  private checkpoint_committed(): void {
    for (const b of this.checkpointList) sync_dirty_buffer(this.bdev, b);
    blkdev_issue_flush(this.bdev);
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
