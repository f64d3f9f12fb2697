// truncate_inode_pages_range(): drop page-cache pages and DAX entries wholly inside [lstart, lend]
// (bytes, inclusive) and unmap them from every VMA first, dirty or not (MS-5: truncate and punch-hole
// are the only invalidations allowed to drop dirty entries). A PMD entry that overlaps the range goes whole.
// MAP_PRIVATE copies go only when `evenCows`: truncate drops them, punch-hole keeps them (mm/truncate.c).

import type { AddressSpace } from '../mm/address-space';
import { PAGE_SIZE, PAGES_PER_PMD } from '../mm/address-space';

export function truncate_inode_pages_range(mapping: AddressSpace, lstart: number, lend: number, keepDirty = false, evenCows = true): void {
  const first = Math.ceil(lstart / PAGE_SIZE);
  const last = lend === Infinity ? Infinity : Math.floor((lend + 1) / PAGE_SIZE) - 1;
  if (last < first) return;
  // unmap_mapping_range() over the whole range first, so no VMA keeps a stale translation
  for (const vma of mapping.i_mmap) vma.zap(first, last === Infinity ? Number.MAX_SAFE_INTEGER : last, evenCows);
  const lo = Math.max(0, first - PAGES_PER_PMD + 1);
  for (const [index, entry] of mapping.entries(lo, last)) {
    const span = entry.kind === 'dax' && entry.type === 'pmd' ? PAGES_PER_PMD : 1;
    if (index + span - 1 < first) continue;
    // a PMD entry reaching below the range is unmapped whole; private copies below the range stay (zap_pte_range stops at the range)
    if (index < first) for (const vma of mapping.i_mmap) vma.zap(index, index + span - 1, false);
    if (keepDirty && mapping.tagGet(index, 'DIRTY')) continue;
    mapping.delete(index);
  }
}
