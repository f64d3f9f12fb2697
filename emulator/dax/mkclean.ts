// After an entry is written back its mappings become read-only, so the next store takes a
// pfn_mkwrite fault and re-dirties the entry (today's fs/dax.c: dax_entry_mkclean).

import type { AddressSpace, DaxEntry } from '../mm/address-space';
import { PAGES_PER_PMD } from '../mm/address-space';

export function write_protect_entry(mapping: AddressSpace, index: number, entry: DaxEntry): void {
  const last = index + (entry.type === 'pmd' ? PAGES_PER_PMD : 1) - 1;
  for (const vma of mapping.i_mmap) vma.wrprotect(index, last);
}
