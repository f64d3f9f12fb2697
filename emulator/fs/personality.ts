// What makes ext2, ext4 and xfs different here: where directories and xattr blocks live, how metadata
// reaches media, which internal inodes exist, and how ->writepages places the DAX writeback.

import type { BlockDevice } from '../block/block-device';
import type { AddressSpace } from '../mm/address-space';
import type { WritebackControl } from '../mm/inode';
import type { FsType } from '../../targets/contract';
import type { MetaStore } from './meta';
import type { FsInode } from './inode';
import type { WriteAheadLog } from './wal';

export interface Personality {
  type: FsType;
  /** inode number of table slot 0 */
  inoBase: number;
  rootIno: number;
  firstUserIno: number;
  /** an internal quota inode with i_blkbits != 12 (0: none) */
  hasQuotaInode: boolean;
  /** the quota inode's data sits in its own page cache (ext4) rather than in logged buffers (xfs) */
  quotaInPageCache: boolean;
  /** log/journal size in blocks (0: none) */
  journalBlocks: number;
  /** directory blocks live in the directory inode's page cache (ext2/ext4) rather than in metadata buffers */
  dirsInPageCache: boolean;
  /** the xattr block is a page in the inode's own page cache (ext4, seed 003) */
  xattrInPageCache: boolean;
  realtime: boolean;
  /** fallocate makes unwritten extents (ext4, xfs): allocated, read as zeros, converted by the first write */
  unwrittenExtents: boolean;
  /** files can share blocks (FICLONE): a refcount per shared block, and a write to one copies it first (xfs) */
  reflink: boolean;
  /**
   * fdatasync commits only size and block-map changes (ext4's i_datasync_tid); false: every inode change
   * but timestamps counts (ext2's mark_inode_dirty sets I_DIRTY_DATASYNC, xfs's ili_fsync_fields)
   */
  datasyncDataOnly: boolean;
  /**
   * a change copies the in-core inode into its table block only when ->write_inode runs (ext2's
   * __ext2_write_inode); false: at every change (ext4_mark_inode_dirty, xfs_trans_log_inode)
   */
  inodeCopiedAtWriteInode: boolean;
  /**
   * who sends the flush request (REQ_PREFLUSH) of fsync and sync(2), the same in 4.5 and 6.1:
   * 'generic' (ext2: generic_file_fsync always, ext2_sync_fs never), 'jbd2' (ext4: the commit block
   * carries it, else blkdev_issue_flush; none with barrier=0), 'xfs' (xfs_file_fsync: the realtime
   * device first, then the data device unless the log force wrote; sync_fs only through a log force)
   */
  flushRequests: 'generic' | 'jbd2' | 'xfs';
  /** fsck speaks e2fsck or xfs_repair */
  fsckName: 'e2fsck' | 'xfs_repair';
  makeMeta(bdev: BlockDevice, log: WriteAheadLog | undefined): MetaStore;
  writepages(inode: FsInode, mapping: AddressSpace, wbc: WritebackControl): void;
}
