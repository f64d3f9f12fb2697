// One 64-byte cache line's history since its last durable point (DESIGN.md section 2).

export const LINE_SIZE = 64;
export const PAGE_SIZE = 4096;

/** One store's effect on one line: the whole line's value after it (so a prefix is just "the k-th value"). */
export interface StoreEntry {
  seq: number; // position in the global store order
  value: Uint8Array; // the 64-byte line after this store
  nt: boolean; // non-temporal (bypasses the cache, durable at the next fence)
}

export class LineHistory {
  /** number of entries the next fence makes durable: set by clwb/clflushopt and by non-temporal stores */
  fenceMark = 0;
  /** virtio-pmem: entries a fence wrote back into the host's page cache, durable only at the host's flush */
  hostMark = 0;
  readonly entries: StoreEntry[];

  /** `first`: the store that starts the history (an array of exactly its size: most lines never get a second) */
  constructor(
    readonly base: Uint8Array,
    first?: StoreEntry,
  ) {
    this.entries = first ? [first] : [];
  }

  get length(): number {
    return this.entries.length;
  }

  /** the line's content if a crash kept the first k entries */
  prefix(k: number): Uint8Array {
    return k === 0 ? this.base : this.entries[k - 1].value;
  }

  /** the state a report draws: what happened to the newest value */
  describe(): 'durable' | 'written-back-not-fenced' | 'never-written-back' | 'in-host-page-cache' {
    if (this.entries.length === 0) return 'durable';
    if (this.hostMark === this.entries.length) return 'in-host-page-cache';
    return this.fenceMark === this.entries.length ? 'written-back-not-fenced' : 'never-written-back';
  }
}
