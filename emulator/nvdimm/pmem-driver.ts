// The pmem block driver (drivers/nvdimm/pmem.c of 2016): every write is copied with non-temporal
// stores (memcpy_to_pmem) and fenced (wmb_pmem) before the I/O completes, so it is durable on completion
// (6.1 fences only a REQ_FUA write and leaves the rest to the flush request, which this driver handles as 4.8+).

import { Faults } from '../faults';
import { PmemError } from '../pmem/memory';
import { Namespace, SECTOR_SIZE } from './namespace';

export type BioFlag = 'REQ_FLUSH' | 'REQ_FUA';

/** enum dax_access_mode (5.19): a recovery write may map a range with known poison */
export type DaxAccessMode = 'DAX_ACCESS' | 'DAX_RECOVERY_WRITE';

const PAGE = 4096;

export interface Bio {
  sector: number; // namespace sector (the block layer has already added any partition start)
  write: boolean;
  data: Uint8Array; // for reads: filled in
  flags: ReadonlySet<BioFlag>;
}

export class PmemDriver {
  /** flush requests sent to the host and not yet acknowledged (virtio_pmem_flush() waits for each) */
  private inFlight = 0;

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

  /** is_bad_pmem(): any known-bad sector under [offset, offset+len) */
  private is_bad_pmem(offset: number, len: number): boolean {
    const first = Math.floor(offset / SECTOR_SIZE);
    return this.ns.bb.check(first, Math.ceil((offset + len) / SECTOR_SIZE) - first) !== undefined;
  }

  /** a read of known-bad sectors completes with BLK_STS_IOERR */
  private checkRead(offset: number, len: number, what: string): void {
    if (this.is_bad_pmem(offset, len)) throw new PmemError('EIO', `${what} at byte ${offset} length ${len} of ${this.ns.name} covers a bad block`);
  }

  /** pmem_clear_poison(): a write over bad sectors clears the whole sectors it covers before the copy */
  private clearPoison(offset: number, len: number): void {
    if (!this.is_bad_pmem(offset, len)) return;
    const first = Math.ceil(offset / SECTOR_SIZE);
    const end = Math.floor((offset + len) / SECTOR_SIZE);
    if (end <= first) return;
    this.ns.media.clear(this.ns.base + first * SECTOR_SIZE, (end - first) * SECTOR_SIZE);
    this.ns.bb.clear(first, end - first);
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

  /**
   * nvdimm_flush(): on an asynchronous region async_pmem_flush() sends virtio_pmem_flush() and waits for
   * the host to fsync its backing file; a synchronous region has nothing past the fence to do
   */
  nvdimm_flush(): void {
    if (!this.ns.async) return;
    // every request gets its own host fsync; the coalescing variant lets it wait for one already in flight
    if (this.inFlight > 0 && this.faults.has('virtio-flush-coalesced')) return;
    this.ns.mem.hostFlush({ base: this.ns.base, size: this.ns.size });
  }

  /** REQ_PREFLUSH: the fence and the flush request; returns the request's acknowledgement */
  preflush(): () => void {
    this.wmb_pmem();
    this.nvdimm_flush();
    this.inFlight++;
    return () => {
      this.inFlight--;
    };
  }

  /** nsio/btt use: byte-granular, durable on return */
  rw_bytes(offset: number, data: Uint8Array, write: boolean): void {
    this.checkRange(offset, data.length, 'rw_bytes');
    if (!write) {
      this.checkRead(offset, data.length, 'rw_bytes');
      this.ns.mem.load(this.ns.base + offset, data.length, data);
      return;
    }
    // nsio_rw_bytes(): only whole sectors can be cleared; a partial write over poison fails
    if (this.is_bad_pmem(offset, data.length) && (offset % SECTOR_SIZE || data.length % SECTOR_SIZE)) {
      throw new PmemError('EIO', `rw_bytes write at byte ${offset} length ${data.length} of ${this.ns.name} covers part of a bad sector`);
    }
    this.clearPoison(offset, data.length);
    this.copyInDurable(offset, data, !this.faults.has('driver-no-fence'));
  }

  /** a read the caller only looks at: rw_bytes' checks, the media's bytes shared rather than copied */
  peek_bytes(offset: number, len: number): Uint8Array {
    this.checkRange(offset, len, 'rw_bytes');
    this.checkRead(offset, len, 'rw_bytes');
    return this.ns.mem.peek(this.ns.base + offset, len);
  }

  /** one page, durable when page_endio() runs */
  rw_page(sector: number, page: Uint8Array, write: boolean): void {
    if (page.length !== 4096) throw new PmemError('EINVAL', `rw_page needs a 4096-byte page, got ${page.length} bytes`);
    const offset = sector * SECTOR_SIZE;
    this.checkRange(offset, page.length, 'rw_page');
    if (!write) {
      this.checkRead(offset, page.length, 'rw_page');
      this.ns.mem.load(this.ns.base + offset, page.length, page);
      return;
    }
    this.clearPoison(offset, page.length);
    this.copyInDurable(offset, page, !this.faults.has('driver-no-fence'));
  }

  make_request(bio: Bio): void {
    const offset = bio.sector * SECTOR_SIZE;
    this.checkRange(offset, bio.data.length, 'bio');
    // REQ_FLUSH: earlier writes, including CPU write-backs still in flight, are durable before this bio.
    // As since 4.8 (nvdimm_flush()); 4.5-4.7's queue had no flush support, so the block layer ended it unseen.
    if (bio.flags.has('REQ_FLUSH')) this.preflush()();
    if (!bio.write) {
      this.checkRead(offset, bio.data.length, 'bio');
      this.ns.mem.load(this.ns.base + offset, bio.data.length, bio.data);
      return;
    }
    this.clearPoison(offset, bio.data.length);
    const fua = bio.flags.has('REQ_FUA');
    if (fua && this.faults.has('fua-not-durable')) return this.copyIn(offset, bio.data);
    this.copyInDurable(offset, bio.data, fua || !this.faults.has('driver-no-fence'));
    // REQ_FUA: the data is durable before completion, which on an asynchronous region takes the flush
    if (fua) this.nvdimm_flush();
  }

  /**
   * ->direct_access(): the kernel (physical) address of a sector and how many bytes follow it. `len`
   * bytes that hold a known-bad sector are EIO, except for a recovery write, which gets the pages
   * before the first bad one (at least one page). `len` 0 only translates the address.
   */
  direct_access(sector: number, len = 0, mode: DaxAccessMode = 'DAX_ACCESS'): { addr: number; available: number } {
    const off = sector * SECTOR_SIZE;
    if (!Number.isSafeInteger(off) || off < 0 || off >= this.ns.size) {
      throw new PmemError('ERANGE', `direct_access at sector ${sector} is past the end of ${this.ns.name}`);
    }
    const first = len > 0 ? this.ns.bb.check(sector, Math.ceil(len / SECTOR_SIZE)) : undefined;
    if (first === undefined) return { addr: this.ns.base + off, available: this.ns.size - off };
    if (mode !== 'DAX_RECOVERY_WRITE') throw new PmemError('EIO', `direct_access of ${len} bytes at sector ${sector} of ${this.ns.name}: sector ${first} is bad`);
    const clean = Math.ceil(((first - sector) * SECTOR_SIZE) / PAGE) * PAGE;
    return { addr: this.ns.base + off, available: clean || PAGE };
  }

  /**
   * ->recovery_write() (pmem_recovery_write, 5.19): over known poison only a whole-page write can
   * clear it and then lands; anything else copies nothing (0). Returns the bytes copied.
   */
  recovery_write(offset: number, data: Uint8Array): number {
    const inPage = offset % PAGE;
    const start = offset - inPage;
    const len = Math.ceil((inPage + data.length) / PAGE) * PAGE;
    if (!this.is_bad_pmem(start, len)) {
      this.copyIn(offset, data);
      return data.length;
    }
    if (inPage || data.length % PAGE) return 0;
    // __pmem_clear_poison(): the firmware clears the media, then the sectors leave the badblocks list
    this.ns.media.clear(this.ns.base + start, len);
    this.ns.bb.clear(start / SECTOR_SIZE, len / SECTOR_SIZE);
    this.copyIn(offset, data);
    return data.length;
  }
}
