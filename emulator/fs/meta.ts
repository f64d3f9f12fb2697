// How a filesystem's metadata blocks (bitmaps, inode table, indirect blocks, xfs directories) reach
// media: the one place the personalities differ in their metadata path.

export interface MetaStore {
  /** the cached, mutable copy of a metadata block */
  read(block: number): Uint8Array;
  /** the caller changed the block; `owner` is the inode whose fsync must make it durable */
  dirty(block: number, owner?: { assoc: Set<number> }): void;
  /**
   * the block was freed as metadata (ext2's bforget, ext4_forget's jbd2_journal_revoke, xfs_trans_binval):
   * no writeback, checkpoint or log replay may write its old contents over the block's next use
   */
  forget(block: number): void;
  /** freed by a transaction not yet committed, so not to be reused (ext4_mb_free_metadata, xfs busy extents) */
  busy?(block: number): boolean;
  /**
   * make every change so far durable: ext4 commits its journal, xfs forces its log, ext2 does nothing.
   * True when a commit record went out with REQ_FLUSH (the flush request the caller need not send again).
   */
  commit(): boolean;
  /** fsync of one inode: make its metadata durable; true as for commit() */
  syncInode(owner: { assoc: Set<number> }, inodeBlock: number): boolean;
  /** ext2_sync_fs(): the superblock goes out with sync_dirty_buffer, no flush request */
  writeSuper?(): void;
  /** write_inode() of data-integrity writeback: ext2 writes the inode's table block at once (sync_dirty_buffer) */
  writeInode?(inodeBlock: number): void;
  /** write every metadata block home and empty the log (umount, freeze, log full) */
  checkpoint(): void;
  /** forget cached blocks (umount) */
  drop(): void;
}
