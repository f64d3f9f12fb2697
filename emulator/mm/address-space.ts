// struct address_space: the radix tree of a file (or block device) holding page-cache pages and
// exceptional DAX entries, with the DIRTY and TOWRITE tags, nrpages and nrexceptional.

import type { BlockDevice } from '../block/block-device';
import type { Inode } from './inode';

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
export const PMD_SHIFT = 21;
export const PMD_SIZE = 1 << PMD_SHIFT;
export const PAGES_PER_PMD = PMD_SIZE / PAGE_SIZE;

export type Tag = 'DIRTY' | 'TOWRITE';

/** An exceptional entry: where a DAX mapping's page (or 2 MiB) lives on pmem. */
export interface DaxEntry {
  kind: 'dax';
  type: 'pte' | 'pmd';
  bdev: BlockDevice;
  sector: number; // device sector of the first byte
  phys: number; // physical address (direct_access) of the first byte
}

/** A page-cache page (directories, metadata buffers, non-DAX file data). */
export interface PageEntry {
  kind: 'page';
  data: Uint8Array; // 4096 bytes
  /** where writeback sends it: device and sector; undefined for pages of a hole */
  bdev?: BlockDevice;
  sector?: number;
}

export type Entry = DaxEntry | PageEntry;

/** A VMA as the file side sees it (i_mmap): enough to unmap or write-protect a range of pages. */
export interface MappingUser {
  /** unmap_mapping_range(): drop page-table entries for file pages [first, last]; private copies too if evenCows */
  zap(first: number, last: number, evenCows?: boolean): void;
  /** pfn_mkclean(): make page-table entries for file pages [first, last] read-only */
  wrprotect(first: number, last: number): void;
}

export class AddressSpace {
  /** the VMAs mapping this file */
  readonly i_mmap = new Set<MappingUser>();
  private readonly slots = new Map<number, Entry>();
  private readonly tagged: Record<Tag, Set<number>> = { DIRTY: new Set(), TOWRITE: new Set() };
  nrpages = 0;
  nrexceptional = 0;

  constructor(readonly host: Inode) {}

  lookup(index: number): Entry | undefined {
    return this.slots.get(index);
  }

  insert(index: number, entry: Entry): void {
    if (this.slots.has(index)) throw new Error(`radix tree slot ${index} is occupied`);
    this.slots.set(index, entry);
    if (entry.kind === 'dax') this.nrexceptional++;
    else this.nrpages++;
  }

  delete(index: number): Entry | undefined {
    const e = this.slots.get(index);
    if (!e) return undefined;
    this.slots.delete(index);
    this.tagged.DIRTY.delete(index);
    this.tagged.TOWRITE.delete(index);
    if (e.kind === 'dax') this.nrexceptional--;
    else this.nrpages--;
    return e;
  }

  tagSet(index: number, tag: Tag): void {
    if (!this.slots.has(index)) throw new Error(`tagging empty radix tree slot ${index}`);
    this.tagged[tag].add(index);
  }

  tagClear(index: number, tag: Tag): void {
    this.tagged[tag].delete(index);
  }

  tagGet(index: number, tag: Tag): boolean {
    return this.tagged[tag].has(index);
  }

  /** mapping_tagged(): does any entry carry the tag */
  tagged_any(tag: Tag): boolean {
    return this.tagged[tag].size > 0;
  }

  /** tag_pages_for_writeback(): every DIRTY entry in [start, end] also gets TOWRITE */
  tag_pages_for_writeback(start: number, end: number): void {
    for (const i of this.tagged.DIRTY) if (i >= start && i <= end) this.tagged.TOWRITE.add(i);
  }

  /** find_get_entries_tag(): up to `max` tagged entries at or after `start`, in index order */
  find_get_entries_tag(start: number, tag: Tag, max: number, end = Infinity): Array<[number, Entry]> {
    const idx = [...this.tagged[tag]].filter((i) => i >= start && i <= end).sort((a, b) => a - b).slice(0, max);
    return idx.map((i) => [i, this.slots.get(i)!]);
  }

  /** all entries in index order (introspection and truncation) */
  entries(start = 0, end = Infinity): Array<[number, Entry]> {
    return [...this.slots].filter(([i]) => i >= start && i <= end).sort((a, b) => a[0] - b[0]);
  }

  tagsOf(index: number): Tag[] {
    return (['DIRTY', 'TOWRITE'] as Tag[]).filter((t) => this.tagged[t].has(index));
  }
}
