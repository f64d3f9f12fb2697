// dax_clear_sectors(): zero newly allocated blocks on the device that holds them (seed 000 patch 1).
// clear_pmem() is non-temporal, wmb_pmem() makes the zeroes durable before the block is used.

import type { BlockDevice } from '../block/block-device';
import { SECTOR_SIZE } from '../nvdimm/namespace';

/** zeroes for clear_pmem() to copy from, never written: one buffer, grown to the largest clear so far */
let zeroes = new Uint8Array(0);

function zeroed(n: number): Uint8Array {
  if (zeroes.length < n) zeroes = new Uint8Array(n);
  return zeroes.subarray(0, n);
}

export function dax_clear_sectors(bdev: BlockDevice, sector: number, size: number): void {
  let done = 0;
  while (done < size) {
    const { addr, available } = bdev.direct_access(sector + done / SECTOR_SIZE);
    const n = Math.min(available, size - done);
    // clear_pmem() then wmb_pmem(): zeroes are durable before the block is handed out
    bdev.driver.ns.mem.storeAndFence(addr, zeroed(n));
    done += n;
  }
}
