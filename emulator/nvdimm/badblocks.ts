// Media errors and bad-block lists (block/badblocks.c, drivers/nvdimm/badrange.c). Poison is a property of
// the media, so it outlasts power loss; a namespace's driver learns it as a list of bad 512-byte sectors
// from an address range scrub at probe and from the error-injection notification, and consults that list.

import { PmemError } from '../pmem/memory';

const SECTOR = 512;

/** the DIMMs' uncorrectable errors, by physical sector: what an ARS finds after any reboot */
export class MediaErrors {
  private readonly bad = new Set<number>();

  /** ACPI error injection: the sectors of [phys, phys+len) read as poison until cleared */
  inject(phys: number, len: number): void {
    for (let s = Math.floor(phys / SECTOR); s * SECTOR < phys + len; s++) this.bad.add(s);
  }

  /** Clear Uncorrectable Error: whole sectors only; returns the bytes cleared */
  clear(phys: number, len: number): number {
    let cleared = 0;
    for (let s = phys / SECTOR; s * SECTOR < phys + len; s++) if (this.bad.delete(s)) cleared += SECTOR;
    return cleared;
  }

  /** a CPU load of these bytes consumes poison (a machine check) */
  poisoned(phys: number, len: number): boolean {
    for (let s = Math.floor(phys / SECTOR); s * SECTOR < phys + len; s++) if (this.bad.has(s)) return true;
    return false;
  }

  /** the bad physical sectors inside [base, base+size), in order: one ARS over a region */
  scrub(base: number, size: number): number[] {
    return [...this.bad].filter((s) => s * SECTOR >= base && s * SECTOR < base + size).sort((a, b) => a - b);
  }

  clone(): MediaErrors {
    const m = new MediaErrors();
    for (const s of this.bad) m.bad.add(s);
    return m;
  }
}

/** struct badblocks of one disk: known-bad sectors relative to the namespace's start */
export class Badblocks {
  private readonly bad = new Set<number>();

  get count(): number {
    return this.bad.size;
  }

  set(sector: number, n: number): void {
    for (let s = sector; s < sector + n; s++) this.bad.add(s);
  }

  clear(sector: number, n: number): void {
    for (let s = sector; s < sector + n; s++) this.bad.delete(s);
  }

  /** badblocks_check(): the first bad sector of [sector, sector+n), or undefined */
  check(sector: number, n: number): number | undefined {
    if (this.bad.size === 0) return undefined;
    for (let s = sector; s < sector + n; s++) if (this.bad.has(s)) return s;
    return undefined;
  }
}

/** the sector-aligned byte range an injection names, refused with the reason when it is not */
export function checkPoisonRange(what: string, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length <= 0 || offset % SECTOR || length % SECTOR) {
    throw new PmemError('EINVAL', `poison for ${what} at offset ${offset} length ${length}: errors are injected in whole 512-byte sectors`);
  }
}
