// The parts of struct inode and struct super_block the DAX, mm and block layers use.
// Filesystems (emulator/fs) and the block device inode (emulator/block) implement them.

import type { BlockDevice } from '../block/block-device';
import type { AddressSpace } from './address-space';

export type SyncMode = 'WB_SYNC_ALL' | 'WB_SYNC_NONE';

/** struct writeback_control: byte range [range_start, range_end] inclusive */
export interface WritebackControl {
  sync_mode: SyncMode;
  range_start: number;
  range_end: number;
}

export type InodeState = 'I_DIRTY_SYNC' | 'I_DIRTY_DATASYNC' | 'I_DIRTY_PAGES';

/** get_block()'s answer: the device that holds the block and its sector there; `fresh` if just allocated */
export interface BlockMapping {
  bdev: BlockDevice;
  sector: number;
  fresh: boolean;
}

export interface AddressSpaceOperations {
  /** ->writepages(): data-integrity or background writeback of the mapping */
  writepages(mapping: AddressSpace, wbc: WritebackControl): void;
}

export interface Inode {
  readonly ino: number;
  readonly sb: SuperBlock;
  readonly kind: 'file' | 'dir' | 'blockdev' | 'meta';
  i_size: number;
  i_blkbits: number;
  /** S_DAX: file data is accessed directly on pmem, not through the page cache */
  S_DAX: boolean;
  readonly state: Set<InodeState>;
  /** IOMAP_F_SHARED: file page `index` is in a block another file shares (reflink), so a write must copy it first */
  iomap_shared?(index: number): boolean;
  readonly mapping: AddressSpace;
  readonly a_ops: AddressSpaceOperations;
  /** the device that holds the data: xfs_find_bdev_for_inode() (the realtime device for realtime files), I_BDEV() for a block device */
  readonly dataBdev: BlockDevice;
  /**
   * get_block(): map the 4 KiB file block `iblock`; with `create`, allocate it (zeroed through the
   * returned device). Returns undefined for a hole when not creating.
   */
  get_block(iblock: number, create: boolean): BlockMapping | undefined;
}

export interface SuperBlock {
  readonly s_id: string;
  readonly s_bdev: BlockDevice;
  /** the writeback list: inodes with any I_DIRTY_* state */
  readonly dirtyInodes: Set<Inode>;
  frozen: boolean;
  /** sb_rdonly(): mounted read-only */
  readonly s_rdonly: boolean;
  /** a journal handle for a change (ext4_journal_start_sb); EROFS on a read-only superblock; absent without a journal */
  journal_start?(): void;
  /** the last reference to an inode went (its last mapping): an I_DONTCACHE inode is written back and evicted */
  iput_final?(inode: Inode): void;
}

/** __mark_inode_dirty(): set the state and put the inode on its superblock's writeback list */
export function mark_inode_dirty(inode: Inode, flag: InodeState): void {
  inode.state.add(flag);
  inode.sb.dirtyInodes.add(inode);
}
