// ext2 metadata: plain buffer heads in the block device's page cache, written by the bdev inode's
// ->writepages on sync(2), or one by one (sync_dirty_buffer) on fsync. No journal.

import type { BlockDevice } from '../../block/block-device';
import { bforget, buffer_dirty, invalidate_buffers, mark_buffer_dirty, sb_bread, sync_dirty_buffer } from '../buffer';
import type { MetaStore } from '../meta';

export class Ext2Buffers implements MetaStore {
  constructor(private readonly bdev: BlockDevice) {}

  read(block: number): Uint8Array {
    return sb_bread(this.bdev, block).data;
  }

  dirty(block: number, owner?: { assoc: Set<number> }): void {
    mark_buffer_dirty(this.bdev, block);
    // mark_buffer_dirty_inode(): fsync of the owner writes this buffer too
    owner?.assoc.add(block);
  }

  forget(block: number): void {
    // ext2_free_branches(): bforget() on a freed indirect block
    bforget(this.bdev, block);
  }

  commit(): boolean {
    return false;
  }

  syncInode(owner: { assoc: Set<number> }, inodeBlock: number): boolean {
    // sync_mapping_buffers() (the indirect blocks) then sync_inode_metadata(); bitmaps wait for sync(2)
    for (const b of [...owner.assoc, inodeBlock]) sync_dirty_buffer(this.bdev, b);
    owner.assoc.clear();
    return false;
  }

  writeSuper(): void {
    mark_buffer_dirty(this.bdev, 0);
    sync_dirty_buffer(this.bdev, 0);
  }

  writeInode(inodeBlock: number): void {
    // __ext2_write_inode(do_sync): the table block goes out now, not with the bdev's writeback
    sync_dirty_buffer(this.bdev, inodeBlock);
  }

  checkpoint(): void {
    for (const [i] of this.bdev.bd_inode.mapping.entries()) {
      if (buffer_dirty(this.bdev, i)) sync_dirty_buffer(this.bdev, i);
    }
  }

  drop(): void {
    invalidate_buffers(this.bdev, 0, Infinity);
  }
}
