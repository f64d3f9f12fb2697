// Buffer heads over the block device's page cache (bd_inode->i_mapping): metadata blocks of ext2/ext4.
// With 4 KiB blocks one buffer is one page, at page index = block number; the page carries bdev+sector
// so write_cache_pages sends it through submit_bio like any page.

import type { BlockDevice } from '../block/block-device';
import type { PageEntry } from '../mm/address-space';
import { mark_inode_dirty } from '../mm/inode';
import { BLOCK_SIZE, SECTORS_PER_BLOCK } from './format';

export function sb_bread(bdev: BlockDevice, block: number): PageEntry {
  const mapping = bdev.bd_inode.mapping;
  const e = mapping.lookup(block);
  if (e && e.kind === 'page') return e;
  if (e) mapping.delete(block); // a raw-device DAX entry: the buffer cache takes the slot back
  const page: PageEntry = { kind: 'page', data: bdev.read(block * BLOCK_SIZE, BLOCK_SIZE), bdev, sector: block * SECTORS_PER_BLOCK };
  mapping.insert(block, page);
  return page;
}

/** mark_buffer_dirty(): tag the page DIRTY and put the bdev inode on the writeback list */
export function mark_buffer_dirty(bdev: BlockDevice, block: number): void {
  sb_bread(bdev, block);
  bdev.bd_inode.mapping.tagSet(block, 'DIRTY');
  mark_inode_dirty(bdev.bd_inode, 'I_DIRTY_PAGES');
}

export function buffer_dirty(bdev: BlockDevice, block: number): boolean {
  return bdev.bd_inode.mapping.tagGet(block, 'DIRTY');
}

/** sync_dirty_buffer(): write the buffer now (durable on completion) and clean it */
export function sync_dirty_buffer(bdev: BlockDevice, block: number, flags: ReadonlySet<'REQ_FLUSH' | 'REQ_FUA'> = new Set()): void {
  const mapping = bdev.bd_inode.mapping;
  const e = mapping.lookup(block);
  if (!e || e.kind !== 'page' || !mapping.tagGet(block, 'DIRTY')) return;
  bdev.submit_bio({ sector: block * SECTORS_PER_BLOCK, write: true, data: e.data.slice(), flags });
  mapping.tagClear(block, 'DIRTY');
  mapping.tagClear(block, 'TOWRITE');
  if (!mapping.tagged_any('DIRTY')) bdev.bd_inode.state.delete('I_DIRTY_PAGES');
}

/** bforget(): the block was freed, so its buffer is dropped clean and never written over the block's next use */
export function bforget(bdev: BlockDevice, block: number): void {
  const mapping = bdev.bd_inode.mapping;
  const e = mapping.lookup(block);
  if (!e || e.kind !== 'page') return;
  mapping.tagClear(block, 'DIRTY');
  mapping.tagClear(block, 'TOWRITE');
  mapping.delete(block);
  if (!mapping.tagged_any('DIRTY')) bdev.bd_inode.state.delete('I_DIRTY_PAGES');
}

/** invalidate_bdev(): drop the clean buffers of [first, last] at umount so a remount reads media */
export function invalidate_buffers(bdev: BlockDevice, first: number, last: number): void {
  const mapping = bdev.bd_inode.mapping;
  for (const [i, e] of mapping.entries(first, last)) {
    if (e.kind === 'page' && !mapping.tagGet(i, 'DIRTY')) mapping.delete(i);
  }
}

/** REQ_FLUSH with no data: everything completed before it is on media */
export function blkdev_issue_flush(bdev: BlockDevice): void {
  bdev.submit_bio({ sector: 0, write: false, data: new Uint8Array(0), flags: new Set(['REQ_FLUSH']) });
}

/** blkdev_issue_flush() as a schedulable run: it stops while its request is in flight (sent, not yet acknowledged) */
export function* blkdev_issue_flush_steps(bdev: BlockDevice): Generator<'flush-in-flight', void, void> {
  const acknowledged = bdev.driver.preflush();
  yield 'flush-in-flight';
  acknowledged();
}
