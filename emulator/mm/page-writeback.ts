// Page-cache writeback: write_cache_pages() for pages (directories, buffers, non-DAX data),
// and filemap_write_and_wait_range() as seed 000 leaves it.

import type { AddressSpace } from './address-space';
import { PAGE_SIZE } from './address-space';
import type { WritebackControl } from './inode';
import { SECTOR_SIZE } from '../nvdimm/namespace';
import type { Faults } from '../faults';

/** generic_writepages()/mpage_writepages(): each dirty page in range goes to its device through a bio */
export function write_cache_pages(mapping: AddressSpace, wbc: WritebackControl): void {
  const start = Math.floor(wbc.range_start / PAGE_SIZE);
  const end = Math.floor(wbc.range_end / PAGE_SIZE);
  // Data-integrity writeback tags first so pages dirtied meanwhile do not livelock it.
  const tag = wbc.sync_mode === 'WB_SYNC_ALL' ? 'TOWRITE' : 'DIRTY';
  if (tag === 'TOWRITE') mapping.tag_pages_for_writeback(start, end);
  for (const [index, entry] of mapping.find_get_entries_tag(start, tag, Infinity, end)) {
    // a DAX (exceptional) entry's tags belong to dax_writeback_mapping_range: a racing fsync's TOWRITE stays
    if (entry.kind !== 'page') continue;
    mapping.tagClear(index, 'TOWRITE');
    mapping.tagClear(index, 'DIRTY');
    if (!entry.bdev || entry.sector === undefined) continue;
    const len = Math.min(PAGE_SIZE, entry.bdev.size - entry.sector * SECTOR_SIZE);
    entry.bdev.submit_bio({ sector: entry.sector, write: true, data: entry.data.slice(0, len), flags: new Set() });
  }
  if (!mapping.tagged_any('DIRTY')) mapping.host.state.delete('I_DIRTY_PAGES');
}

/** do_writepages(): the mapping's ->writepages */
export function do_writepages(mapping: AddressSpace, wbc: WritebackControl): void {
  mapping.host.a_ops.writepages(mapping, wbc);
}

export interface FilemapEnv {
  faults: Faults;
  /** the flush-in-filemap variant: DAX writeback here instead of in ->writepages */
  daxWriteback?: (mapping: AddressSpace, wbc: WritebackControl) => void;
}

function dax_mapping(m: AddressSpace): boolean {
  return m.host.S_DAX;
}

/**
 * filemap_write_and_wait_range(): what fsync and msync use. A DAX mapping with DAX entries, or any
 * mapping with pages (nrpages > 0, seed 000 fix 3), goes through ->writepages with WB_SYNC_ALL.
 */
export function filemap_write_and_wait_range(mapping: AddressSpace, lstart: number, lend: number, env: FilemapEnv): void {
  const wbc: WritebackControl = { sync_mode: 'WB_SYNC_ALL', range_start: lstart, range_end: lend };
  if (env.faults.has('flush-in-filemap')) {
    if (dax_mapping(mapping) && mapping.nrexceptional) env.daxWriteback?.(mapping, wbc);
    if (mapping.nrpages) do_writepages(mapping, wbc);
    return;
  }
  const skipPages = env.faults.has('skip-pagecache-if-dax') && dax_mapping(mapping);
  if ((mapping.nrpages && !skipPages) || (dax_mapping(mapping) && mapping.nrexceptional)) {
    do_writepages(mapping, wbc);
  }
}
