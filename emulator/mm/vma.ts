// A VMA of a DAX file or block device: its page table (PTE and PMD entries with a writable bit),
// MAP_PRIVATE copies, and the fault handling that decides when the DAX layer is called.

import type { Inode } from './inode';
import { MappingUser, PAGE_SIZE, PAGES_PER_PMD } from './address-space';
import { PmemError } from '../pmem/memory';

export interface Pte {
  phys: number | undefined; // undefined: the shared zero page (a hole, read-only)
  writable: boolean;
}

/** Fault handlers the DAX layer supplies (dax_fault, dax_pmd_fault, dax_pfn_mkwrite). */
export interface FaultHandlers {
  /** map one page; `write` is FAULT_FLAG_WRITE, also set for a private mapping's copy-on-write; returns the PTE to install */
  fault(vma: Vma, index: number, write: boolean): Pte;
  /** map a 2 MiB page at a PMD-aligned file index, or undefined to fall back to PTEs */
  pmdFault(vma: Vma, index: number, write: boolean): Pte | undefined;
  /** first write to a read-only mapped DAX page; false if the caller must retry the fault */
  pfnMkwrite(vma: Vma, index: number, pte: Pte): Generator<string, boolean, void>;
}

export class Vma implements MappingUser {
  /** page table: file page index -> PTE */
  readonly ptes = new Map<number, Pte>();
  /** PMD table: PMD-aligned file page index -> PMD */
  readonly pmds = new Map<number, Pte>();
  /** MAP_PRIVATE: pages copied on write, by file index */
  readonly cow = new Map<number, Uint8Array>();

  constructor(
    readonly inode: Inode,
    readonly path: string,
    readonly pgoff: number, // first file page
    readonly pages: number,
    readonly shared: boolean,
    readonly sync: boolean, // MAP_SYNC
    readonly wantPmd: boolean,
    private readonly handlers: FaultHandlers,
  ) {}

  get length(): number {
    return this.pages * PAGE_SIZE;
  }

  zap(first: number, last: number, evenCows = true): void {
    for (const i of [...this.ptes.keys()]) if (i >= first && i <= last) this.ptes.delete(i);
    for (const i of [...this.pmds.keys()]) if (i + PAGES_PER_PMD - 1 >= first && i <= last) this.pmds.delete(i);
    if (evenCows) for (const i of [...this.cow.keys()]) if (i >= first && i <= last) this.cow.delete(i);
  }

  wrprotect(first: number, last: number): void {
    for (const [i, p] of this.ptes) if (i >= first && i <= last) p.writable = false;
    for (const [i, p] of this.pmds) if (i + PAGES_PER_PMD - 1 >= first && i <= last) p.writable = false;
  }

  private checkAccess(offset: number, len: number): void {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(len) || offset < 0 || len < 0 || offset + len > this.length) {
      throw new PmemError('SIGSEGV', `access of ${len} bytes at offset ${offset} is outside the ${this.length}-byte mapping of ${this.path}`);
    }
  }

  /** the page-table entry that maps file page `index`: a PMD covering it, or a PTE */
  private lookup(index: number): { pte: Pte; base: number } | undefined {
    const head = index - (index % PAGES_PER_PMD);
    const pmd = this.pmds.get(head);
    if (pmd) return { pte: pmd, base: head };
    const pte = this.ptes.get(index);
    return pte ? { pte, base: index } : undefined;
  }

  /** handle_mm_fault(): establish a mapping for `index` good for this access */
  private *faultIn(index: number, write: boolean): Generator<string, { pte: Pte; base: number }, void> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const hit = this.lookup(index);
      if (hit && (!write || hit.pte.writable)) return hit;
      if (write && !this.shared) {
        // MAP_PRIVATE: the caller copies on write into an anonymous page; the file never sees it
        return hit ?? this.installPte(index, true);
      }
      if (hit && write && hit.pte.phys !== undefined) {
        // a read-only DAX page: pfn_mkwrite dirties its entry; false means we lost a race, retry
        if (yield* this.handlers.pfnMkwrite(this, hit.base, hit.pte)) {
          if (this.lookup(index)?.pte === hit.pte) {
            hit.pte.writable = true;
            return hit;
          }
        }
        continue;
      }
      if (hit && hit.pte.phys === undefined) {
        // a write to the zero page of a hole: drop it and fault the block in (MS-4)
        this.zap(hit.base, hit.base);
      }
      return this.installPte(index, write);
    }
    throw new PmemError('EFAULT', `fault at page ${index} of ${this.path} did not settle after 8 retries`);
  }

  private installPte(index: number, write: boolean): { pte: Pte; base: number } {
    const head = index - (index % PAGES_PER_PMD);
    if (this.wantPmd && this.shared && head >= this.pgoff && head + PAGES_PER_PMD <= this.pgoff + this.pages) {
      const pmd = this.handlers.pmdFault(this, head, write);
      if (pmd) {
        for (const i of [...this.ptes.keys()]) if (i >= head && i < head + PAGES_PER_PMD) this.ptes.delete(i);
        this.pmds.set(head, pmd);
        return { pte: pmd, base: head };
      }
    }
    const pte = this.handlers.fault(this, index, write);
    this.ptes.set(index, pte);
    return { pte, base: index };
  }

  /** set by the mm layer for the no-sigbus-past-eof variant */
  sigbusPastEof = true;

  private checkSize(index: number): void {
    // A fault at or beyond i_size (rounded up to a page) raises SIGBUS (MS-3, BD-5).
    const limit = Math.ceil(this.inode.i_size / PAGE_SIZE);
    if (index >= limit && this.sigbusPastEof) {
      throw new PmemError('SIGBUS', `access to page ${index} of ${this.path} is at or beyond its end (${this.inode.i_size} bytes)`);
    }
  }

  *store(offset: number, data: Uint8Array, cpuStore: (phys: number, bytes: Uint8Array) => void): Generator<string, void, void> {
    this.checkAccess(offset, data.length);
    for (let done = 0; done < data.length; ) {
      const off = offset + done;
      const index = this.pgoff + Math.floor(off / PAGE_SIZE);
      const inPage = off % PAGE_SIZE;
      const n = Math.min(PAGE_SIZE - inPage, data.length - done);
      this.checkSize(index);
      const bytes = data.subarray(done, done + n);
      if (!this.shared) {
        const page = this.cow.get(index) ?? this.copyPage(yield* this.faultIn(index, true), index);
        this.cow.set(index, page);
        page.set(bytes, inPage);
      } else {
        const { pte, base } = yield* this.faultIn(index, true);
        cpuStore(pte.phys! + (index - base) * PAGE_SIZE + inPage, bytes);
      }
      done += n;
    }
  }

  *load(offset: number, len: number, cpuLoad: (phys: number, n: number) => Uint8Array): Generator<string, Uint8Array, void> {
    this.checkAccess(offset, len);
    const out = new Uint8Array(len);
    for (let done = 0; done < len; ) {
      const off = offset + done;
      const index = this.pgoff + Math.floor(off / PAGE_SIZE);
      const inPage = off % PAGE_SIZE;
      const n = Math.min(PAGE_SIZE - inPage, len - done);
      this.checkSize(index);
      const cow = this.cow.get(index);
      if (cow) {
        out.set(cow.subarray(inPage, inPage + n), done);
      } else {
        const { pte, base } = yield* this.faultIn(index, false);
        if (pte.phys !== undefined) out.set(cpuLoad(pte.phys + (index - base) * PAGE_SIZE + inPage, n), done);
      }
      done += n;
    }
    return out;
  }

  private copyPage(hit: { pte: Pte; base: number }, index: number): Uint8Array {
    const page = new Uint8Array(PAGE_SIZE);
    if (hit.pte.phys !== undefined) page.set(this.readPhys(hit.pte.phys + (index - hit.base) * PAGE_SIZE));
    return page;
  }

  /** set by the mm layer: reads a page of physical memory */
  readPhys: (phys: number) => Uint8Array = () => new Uint8Array(PAGE_SIZE);
}
