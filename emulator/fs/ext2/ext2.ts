// ext2: no journal, metadata in buffer heads, directories in the directory inode's page cache.
// ext2_writepages() as seed 000 settled it: the DAX writeback with the bdev that holds the blocks,
// then the page-cache pages (directories have them even though S_DAX is set, seed 003).

import { dax_writeback_mapping_range } from '../../dax/writeback';
import type { AddressSpace } from '../../mm/address-space';
import type { WritebackControl } from '../../mm/inode';
import { write_cache_pages } from '../../mm/page-writeback';
import type { FsInode } from '../inode';
import type { Personality } from '../personality';
import { Ext2Buffers } from './buffers';

/** shared by ext2 and ext4 */
export function ext_writepages(inode: FsInode, mapping: AddressSpace, wbc: WritebackControl): void {
  const env = inode.sb.machine.wbEnv;
  if (inode.S_DAX && !env.faults.has('flush-in-filemap')) {
    // an error throws: the only early return
    dax_writeback_mapping_range(mapping, inode.dataBdev, wbc, env);
    // the historical bug: return after the DAX writeback even on success, stranding directory pages
    if (env.faults.has('dax-only-writepages')) return;
  }
  write_cache_pages(mapping, wbc);
}

export const ext2: Personality = {
  type: 'ext2',
  inoBase: 1,
  rootIno: 2,
  firstUserIno: 12,
  hasQuotaInode: false,
  quotaInPageCache: false,
  journalBlocks: 0,
  dirsInPageCache: true,
  xattrInPageCache: false,
  unwrittenExtents: false,
  reflink: false,
  datasyncDataOnly: false,
  inodeCopiedAtWriteInode: true,
  realtime: false,
  flushRequests: 'generic',
  fsckName: 'e2fsck',
  makeMeta: (bdev) => new Ext2Buffers(bdev),
  writepages: ext_writepages,
};
