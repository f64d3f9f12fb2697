// dax_writeback_mapping_range() and dax_writeback_one() (seed 002, with seed 000's ordering fixes):
// find the DIRTY entries of a range, tag them TOWRITE, re-verify each under the tree lock, write its
// lines back, untag it, and end with one fence.

import type { AddressSpace, DaxEntry } from '../mm/address-space';
import { PAGE_SHIFT, PAGE_SIZE, PMD_SIZE } from '../mm/address-space';
import type { WritebackControl } from '../mm/inode';
import type { BlockDevice } from '../block/block-device';
import type { Faults } from '../faults';
import { PmemError } from '../pmem/memory';
import { write_protect_entry } from './mkclean';
import { isPmdEntry } from './radix-entry';

const PAGEVEC_SIZE = 14;

/** A writeback run that can stop at named points, so a scenario can interleave two of them. */
export type WritebackStep = 'after-tagging' | 'before-writeback-one';

export interface WritebackEnv {
  faults: Faults;
  /** all lines of every namespace, for the big-hammer variant */
  bigHammer?: () => void;
  /** a scheduled fsync already ran this mapping's DAX writeback; the rest of that fsync must not repeat it */
  written?: AddressSpace;
}

export function dax_writeback_mapping_range(mapping: AddressSpace, bdev: BlockDevice, wbc: WritebackControl, env: WritebackEnv): void {
  const run = dax_writeback_steps(mapping, bdev, wbc, env);
  while (!run.next().done);
}

/** The same algorithm as a generator that yields at each point a schedule may stop at. */
export function* dax_writeback_steps(
  mapping: AddressSpace,
  bdev: BlockDevice,
  wbc: WritebackControl,
  env: WritebackEnv,
): Generator<WritebackStep, void, void> {
  const inode = mapping.host;
  const f = env.faults;
  if (f.has('blkbits-check-first') && inode.i_blkbits !== PAGE_SHIFT) {
    throw new PmemError('EIO', `dax_writeback_mapping_range: inode ${inode.ino} has i_blkbits ${inode.i_blkbits}, not ${PAGE_SHIFT}`);
  }
  // Nothing to do unless there are DAX entries and this is data-integrity writeback (seed 000, fix 2).
  if (!mapping.nrexceptional || env.written === mapping) return;
  if (wbc.sync_mode !== 'WB_SYNC_ALL') {
    if (!f.has('flush-on-background-writeback')) return;
  }
  if (inode.i_blkbits !== PAGE_SHIFT) {
    throw new PmemError('EIO', `dax_writeback_mapping_range: inode ${inode.ino} has i_blkbits ${inode.i_blkbits}, not ${PAGE_SHIFT}`);
  }
  if (f.has('no-mmap-flush')) return;
  if (f.has('big-hammer')) {
    env.bigHammer?.();
    return;
  }

  let start = wbc.range_start;
  // The start of the range may be covered by a PMD entry that begins before it.
  const pmdIndex = Math.floor(start / PMD_SIZE) * (PMD_SIZE / PAGE_SIZE);
  const head = mapping.lookup(pmdIndex);
  if (head && isPmdEntry(head)) {
    if (!f.has('pmd-start-not-aligned')) start = Math.floor(start / PMD_SIZE) * PMD_SIZE;
  }
  const startPage = Math.floor(start / PAGE_SIZE);
  const endPage = Math.floor(wbc.range_end / PAGE_SIZE);

  mapping.tag_pages_for_writeback(startPage, endPage);
  yield 'after-tagging';
  // Walk only what was tagged: entries dirtied meanwhile are the next fsync's, so this one ends (MS-10).
  const walk = f.has('writeback-walks-dirty') ? 'DIRTY' : 'TOWRITE';

  let from = startPage;
  for (;;) {
    const batch = mapping.find_get_entries_tag(from, walk, PAGEVEC_SIZE, endPage);
    if (batch.length === 0) break;
    for (const [index, entry] of batch) {
      yield 'before-writeback-one';
      if (entry.kind === 'dax') dax_writeback_one(mapping, bdev, index, entry, f, walk);
      from = index + 1;
      // Without the re-check an entry another fsync already wrote back stays tagged: keep scanning past it.
    }
  }
  // 4.5's wmb_pmem(); since 4.8 fsync's flush request fences instead ("pmem: kill wmb_pmem()")
  if (!f.has('no-trailing-fence')) bdev.driver.ns.mem.fence();
}

function dax_writeback_one(mapping: AddressSpace, bdev: BlockDevice, index: number, entry: DaxEntry, f: Faults, walk: 'DIRTY' | 'TOWRITE'): void {
  // Under the tree lock: the entry must still be there, unchanged, and still TOWRITE.
  if (!f.has('no-towrite-recheck')) {
    if (mapping.lookup(index) !== entry) return;
    // another fsync thread may already have written this entry back
    if (!mapping.tagGet(index, walk)) return;
  }
  mapping.tagClear(index, 'TOWRITE');
  const size = entry.type === 'pmd' ? PMD_SIZE : PAGE_SIZE;
  // dax_map_atomic(): the lines are found from the entry's sector through the device this writeback was handed
  const { addr } = bdev.direct_access(entry.sector);
  bdev.driver.ns.mem.flush(addr, size, 'clwb');
  // Today's kernel cleans the entry and write-protects its mappings so the next store re-dirties it.
  mapping.tagClear(index, 'DIRTY');
  if (!f.has('no-wrprotect-after-writeback')) write_protect_entry(mapping, index, entry);
}
