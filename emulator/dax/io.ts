// dax_iomap_rw(): read(2)/write(2) on a DAX inode go straight to pmem. Writes use non-temporal copies
// and one fence before returning, so the data is durable at return (seed 001, path 2). Each physically
// contiguous run of blocks is one direct_access: known poison in it fails a read with EIO, and a write
// over it goes through the driver's recovery write (5.19), which only a whole-page write satisfies.

import type { Inode } from '../mm/inode';
import type { Faults } from '../faults';
import type { BlockDevice } from '../block/block-device';
import { PAGE_SIZE } from '../mm/address-space';
import { SECTOR_SIZE } from '../nvdimm/namespace';
import { PmemError } from '../pmem/memory';

interface Piece {
  done: number; // offset in the caller's buffer
  n: number;
  inPage: number;
  map?: { bdev: BlockDevice; sector: number };
}

/** the request cut into pages, mapped as get_block maps them (a write allocates) */
function pieces(inode: Inode, pos: number, len: number, write: boolean, faults?: Faults): Piece[] {
  const out: Piece[] = [];
  for (let done = 0; done < len; ) {
    const off = pos + done;
    const iblock = Math.floor(off / PAGE_SIZE);
    const inPage = off % PAGE_SIZE;
    const n = Math.min(PAGE_SIZE - inPage, len - done);
    const map = inode.get_block(iblock, write);
    // a hole's zero page mapped by an earlier read fault must go, so the mapping sees the new block (MS-4)
    if (map?.fresh && !faults?.has('hole-zero-page-kept')) for (const vma of inode.mapping.i_mmap) vma.zap(iblock, iblock, false);
    out.push({ done, n, inPage, map: map && { bdev: map.bdev, sector: map.sector } });
    done += n;
  }
  return out;
}

/** the pieces that one direct_access covers: a run of pages contiguous on one device */
function runLength(ps: Piece[], i: number): number {
  let k = i + 1;
  const a = ps[i].map;
  while (a && k < ps.length) {
    const b = ps[k].map;
    if (!b || b.bdev !== a.bdev || b.sector !== a.sector + ((k - i) * PAGE_SIZE) / SECTOR_SIZE) break;
    k++;
  }
  return k - i;
}

/** returns the bytes transferred: short when poison stops it after some progress */
export function dax_do_io(inode: Inode, pos: number, data: Uint8Array, write: boolean, faults?: Faults): number {
  const ps = pieces(inode, pos, data.length, write, faults);
  let done = 0;
  let touched: BlockDevice | undefined;
  let err: PmemError | undefined;
  // the copies below are fenced before this returns (unless the variant drops the fence)
  let fenced: boolean | undefined;
  for (let i = 0; i < ps.length && !err; ) {
    const k = runLength(ps, i);
    const first = ps[i];
    if (!first.map) {
      // reads of a hole see zeros (a write's buffer is the caller's, never written)
      if (!write) data.fill(0, first.done, first.done + first.n);
      done += first.n;
      i++;
      continue;
    }
    const { bdev, sector } = first.map;
    let recovery = false;
    try {
      bdev.direct_access(sector, k * PAGE_SIZE);
    } catch (e) {
      if ((e as PmemError).errno !== 'EIO' || !write || faults?.has('no-recovery-write')) {
        err = e as PmemError;
        break;
      }
      recovery = true;
    }
    if (recovery) {
      // the recovery mapping reaches up to the page that holds the first bad sector; one recovery write covers it
      const avail = Math.min(k, bdev.direct_access(sector, k * PAGE_SIZE, 'DAX_RECOVERY_WRITE').available / PAGE_SIZE);
      const last = ps[i + avail - 1];
      const bytes = data.subarray(first.done, last.done + last.n);
      const { addr } = bdev.direct_access(sector + first.inPage / SECTOR_SIZE);
      if (bdev.driver.recovery_write(addr - bdev.driver.ns.base, bytes) === 0) {
        err = new PmemError('EFAULT', `write of ${bytes.length} bytes at byte ${pos + first.done} of a DAX file over poisoned pmem: only a write of whole pages clears poison`);
        break;
      }
      touched = bdev;
      done += bytes.length;
      i += avail;
      continue;
    }
    for (let j = i; j < i + k; j++) {
      const p = ps[j];
      const { addr } = bdev.direct_access(sector + ((j - i) * PAGE_SIZE + p.inPage) / SECTOR_SIZE);
      const mem = bdev.driver.ns.mem;
      if (write) {
        fenced ??= !faults?.has('dax-io-no-fence');
        if (fenced) mem.storeBeforeFence(addr, data.subarray(p.done, p.done + p.n));
        else mem.store(addr, data.subarray(p.done, p.done + p.n), true);
        touched = bdev;
      } else {
        mem.load(addr, p.n, data.subarray(p.done, p.done + p.n));
      }
      done += p.n;
    }
    i += k;
  }
  if (touched) {
    // a recovery write alone touches the device without deciding `fenced`
    if (fenced ?? !faults?.has('dax-io-no-fence')) touched.driver.ns.mem.fence();
  }
  if (err && done === 0) throw err;
  return done;
}
