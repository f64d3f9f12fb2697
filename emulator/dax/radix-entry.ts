// dax_radix_entry() (seed 002): record a DAX mapping in the file's radix tree at fault time, tagged
// DIRTY for a write, and mark the inode I_DIRTY_PAGES so writeback (sync(2) included) finds it.

import type { AddressSpace, DaxEntry, Entry } from '../mm/address-space';
import { PAGES_PER_PMD } from '../mm/address-space';
import { mark_inode_dirty } from '../mm/inode';
import type { Faults } from '../faults';

/** is this a PMD entry (the kind test narrows the type: a DAX inode's tree holds only DAX entries) */
export function isPmdEntry(e: Entry): e is DaxEntry {
  if (e.kind !== 'dax') return false;
  return e.type === 'pmd';
}

/** the PMD entry covering `index`, if any (multi-order entries: a PMD covers 512 indices) */
export function pmdCovering(mapping: AddressSpace, index: number): [number, DaxEntry] | undefined {
  const head = index - (index % PAGES_PER_PMD);
  const e = mapping.lookup(head);
  return e && isPmdEntry(e) ? [head, e] : undefined;
}

/**
 * Insert (or find) the entry for `index` and tag it DIRTY when `dirty`. `entry` undefined is the
 * pfn_mkwrite case: dirty what is there, insert nothing if the entry is gone (lost a hole-punch race).
 */
export function dax_radix_entry(
  mapping: AddressSpace,
  index: number,
  entry: DaxEntry | undefined,
  dirty: boolean,
  faults: Faults,
): void {
  if (dirty) {
    if (!faults.has('no-dirty-inode')) {
      mark_inode_dirty(mapping.host, 'I_DIRTY_PAGES');
    }
  }
  const pmd = entry?.type === 'pmd';
  let at = index;
  let existing = mapping.lookup(index);
  if (!existing && !pmd) {
    // a PTE fault inside a PMD entry only dirties the PMD entry
    const cover = pmdCovering(mapping, index);
    if (cover && entry && faults.has('pte-entry-in-pmd-range')) {
      // The 4.12 race: the PTE entry takes the PMD entry's slot; the PMD stays mapped, no longer tracked.
      mapping.delete(cover[0]);
    } else if (cover) [at, existing] = cover;
  }
  if (existing) {
    // a PTE fault keeps what is there; a PMD fault keeps only a PMD entry
    let keep = !pmd || isPmdEntry(existing);
    if (faults.has('pmd-keeps-pte-entries')) keep = true;
    if (keep) {
      if (dirty) mapping.tagSet(at, 'DIRTY');
      return;
    }
  }
  if (pmd) {
    // A PMD entry replaces every PTE entry (and page) in its 2 MiB range.
    for (const [i, e] of mapping.entries(index, index + PAGES_PER_PMD - 1)) {
      if (e.kind === 'dax' && e.type === 'pte') mapping.delete(i);
    }
  }
  if (!entry) {
    // pfn_mkwrite raced with hole punch: the entry is gone; the fault is retried by the caller.
    return;
  }
  mapping.insert(index, entry);
  if (dirty) mapping.tagSet(index, 'DIRTY');
}
