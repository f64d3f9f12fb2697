// xfs: metadata (directories included) through its own buffers and log; an optional realtime device.
// xfs_vm_writepages() of 2016: a DAX inode needs only the DAX writeback (it has no pages), others
// go through the page cache.

import { dax_writeback_mapping_range } from '../../dax/writeback';
import type { AddressSpace } from '../../mm/address-space';
import type { WritebackControl } from '../../mm/inode';
import { write_cache_pages } from '../../mm/page-writeback';
import type { FsInode } from '../inode';
import type { Personality } from '../personality';
import { XfsLog } from './log';

function xfs_vm_writepages(inode: FsInode, mapping: AddressSpace, wbc: WritebackControl): void {
  const env = inode.sb.machine.wbEnv;
  if (inode.S_DAX) {
    if (!env.faults.has('flush-in-filemap')) dax_writeback_mapping_range(mapping, inode.dataBdev, wbc, env);
    return;
  }
  write_cache_pages(mapping, wbc);
}

export const xfs: Personality = {
  type: 'xfs',
  inoBase: 127,
  rootIno: 128,
  // 129 and 130: the realtime bitmap and summary inodes
  firstUserIno: 131,
  hasQuotaInode: true,
  quotaInPageCache: false,
  journalBlocks: 1024,
  dirsInPageCache: false,
  xattrInPageCache: false,
  unwrittenExtents: true,
  reflink: true,
  datasyncDataOnly: false,
  inodeCopiedAtWriteInode: false,
  realtime: true,
  flushRequests: 'xfs',
  fsckName: 'xfs_repair',
  makeMeta: (bdev, log) => new XfsLog(bdev, log!),
  writepages: xfs_vm_writepages,
};
