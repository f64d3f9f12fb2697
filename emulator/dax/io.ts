// dax_do_io(): read(2)/write(2) on a DAX inode go straight to pmem. Writes use non-temporal copies
// and one fence before returning, so the data is durable at return (seed 001, path 2).

import type { Inode } from '../mm/inode';
import type { Faults } from '../faults';
import { PAGE_SIZE } from '../mm/address-space';
import { SECTOR_SIZE } from '../nvdimm/namespace';

export function dax_do_io(inode: Inode, pos: number, data: Uint8Array, write: boolean, faults?: Faults): void {
  let done = 0;
  let touched: Inode['sb']['s_bdev'] | undefined;
  while (done < data.length) {
    const off = pos + done;
    const iblock = Math.floor(off / PAGE_SIZE);
    const inPage = off % PAGE_SIZE;
    const n = Math.min(PAGE_SIZE - inPage, data.length - done);
    const map = inode.get_block(iblock, write);
    if (!map) {
      // reads of a hole see zeros
      data.fill(0, done, done + n);
    } else {
      // a hole's zero page mapped by an earlier read fault must go, so the mapping sees the new block (MS-4)
      if (map.fresh) {
        if (!faults?.has('hole-zero-page-kept')) for (const vma of inode.mapping.i_mmap) vma.zap(iblock, iblock, false);
      }
      const { addr } = map.bdev.direct_access(map.sector + inPage / SECTOR_SIZE);
      const mem = map.bdev.driver.ns.mem;
      if (write) {
        mem.store(addr, data.subarray(done, done + n), true);
        touched = map.bdev;
      } else {
        data.set(mem.load(addr, n), done);
      }
    }
    done += n;
  }
  if (touched) {
    if (!faults?.has('dax-io-no-fence')) touched.driver.ns.mem.fence();
  }
}
