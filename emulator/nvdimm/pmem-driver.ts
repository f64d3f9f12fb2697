// The pmem block driver (drivers/nvdimm/pmem.c of 2016): every write is copied with non-temporal
// stores (memcpy_to_pmem) and fenced (wmb_pmem) before the I/O completes, so it is durable on completion.

import { Faults } from '../faults';
import { PmemError } from '../pmem/memory';
import { Namespace, SECTOR_SIZE } from './namespace';

export type BioFlag = 'REQ_FLUSH' | 'REQ_FUA';

export interface Bio {
  sector: number; // namespace sector (the block layer has already added any partition start)
  write: boolean;
  data: Uint8Array; // for reads: filled in
  flags: ReadonlySet<BioFlag>;
}

export class PmemDriver {
  constructor(
    readonly ns: Namespace,
    private readonly faults: Faults,
  ) {}

  get size(): number {
    return this.ns.size;
  }

  private checkRange(offset: number, len: number, what: string): void {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + len > this.ns.size) {
      throw new PmemError('EIO', `${what} at byte ${offset} length ${len} is past the end of ${this.ns.name} (${this.ns.size} bytes)`);
    }
  }

  private copyIn(offset: number, data: Uint8Array): void {
    this.ns.mem.store(this.ns.base + offset, data, true);
  }

  /** the copy and, when `fence`, the wmb_pmem() that completes it */
  private copyInDurable(offset: number, data: Uint8Array, fence: boolean): void {
    if (fence) this.ns.mem.storeAndFence(this.ns.base + offset, data);
    else this.copyIn(offset, data);
  }

  /** wmb_pmem(): on x86 an sfence after the non-temporal copies */
  private wmb_pmem(): void {
    this.ns.mem.fence();
  }

  /** nsio/btt use: byte-granular, durable on return */
  rw_bytes(offset: number, data: Uint8Array, write: boolean): void {
    this.checkRange(offset, data.length, 'rw_bytes');
    if (!write) {
      data.set(this.ns.mem.load(this.ns.base + offset, data.length));
      return;
    }
    this.copyInDurable(offset, data, !this.faults.has('driver-no-fence'));
  }

  /** one page, durable when page_endio() runs */
  rw_page(sector: number, page: Uint8Array, write: boolean): void {
    if (page.length !== 4096) throw new PmemError('EINVAL', `rw_page needs a 4096-byte page, got ${page.length} bytes`);
    const offset = sector * SECTOR_SIZE;
    this.checkRange(offset, page.length, 'rw_page');
    if (!write) {
      page.set(this.ns.mem.load(this.ns.base + offset, page.length));
      return;
    }
    this.copyInDurable(offset, page, !this.faults.has('driver-no-fence'));
  }

  make_request(bio: Bio): void {
    const offset = bio.sector * SECTOR_SIZE;
    this.checkRange(offset, bio.data.length, 'bio');
    // REQ_FLUSH: earlier writes, including CPU write-backs still in flight, are durable before this bio.
    if (bio.flags.has('REQ_FLUSH')) this.wmb_pmem();
    if (!bio.write) {
      bio.data.set(this.ns.mem.load(this.ns.base + offset, bio.data.length));
      return;
    }
    const fua = bio.flags.has('REQ_FUA');
    if (fua && this.faults.has('fua-not-durable')) return this.copyIn(offset, bio.data);
    this.copyInDurable(offset, bio.data, fua || !this.faults.has('driver-no-fence'));
  }

  /** ->direct_access(): the kernel (physical) address of a sector and how many bytes follow it */
  direct_access(sector: number): { addr: number; available: number } {
    const off = sector * SECTOR_SIZE;
    if (!Number.isSafeInteger(off) || off < 0 || off >= this.ns.size) {
      throw new PmemError('ERANGE', `direct_access at sector ${sector} is past the end of ${this.ns.name}`);
    }
    return { addr: this.ns.base + off, available: this.ns.size - off };
  }
}
