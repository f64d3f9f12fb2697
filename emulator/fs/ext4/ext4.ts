// ext4: ext2's layout plus a journal for metadata, xattr blocks in the page cache, and a quota inode
// (ino 3, i_blkbits 10) that sits on the writeback list like any inode.

import { ext_writepages } from '../ext2/ext2';
import type { Personality } from '../personality';
import { Jbd2Journal } from './journal';

export const ext4: Personality = {
  type: 'ext4',
  inoBase: 1,
  rootIno: 2,
  firstUserIno: 12,
  hasQuotaInode: true,
  quotaInPageCache: true,
  journalBlocks: 1024,
  dirsInPageCache: true,
  xattrInPageCache: true,
  unwrittenExtents: true,
  reflink: false,
  datasyncDataOnly: true,
  inodeCopiedAtWriteInode: false,
  realtime: false,
  flushRequests: 'jbd2',
  fsckName: 'e2fsck',
  makeMeta: (bdev, log) => new Jbd2Journal(bdev, log!),
  writepages: ext_writepages,
};
