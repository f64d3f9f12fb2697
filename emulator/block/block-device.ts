// Block devices over a pmem namespace: the whole disk and its partitions (a start sector and a size).
// A partition translates its sectors by its start before the driver sees them.

import { PmemError } from '../pmem/memory';
import { Bio, DaxAccessMode, PmemDriver } from '../nvdimm/pmem-driver';
import { SECTOR_SIZE } from '../nvdimm/namespace';

export class BlockDevice {
  /** bd_inode: set by the machine when it creates the device (buffer cache and raw DAX mappings) */
  bd_inode!: import('../mm/inode').Inode;

  constructor(
    readonly name: string,
    readonly driver: PmemDriver,
    readonly startSector: number,
    public nrSectors: number,
    readonly partno: number, // 0 for the whole disk
  ) {}

  get size(): number {
    return this.nrSectors * SECTOR_SIZE;
  }

  /**
   * Change the device's size under any mapping (BLKPG_RESIZE_PARTITION, or the disk's capacity).
   * The start stays; the device must fit its namespace and must not overlap a neighbouring
   * partition (EBUSY, as blkpg), and a whole disk cannot shrink below a partition's end.
   * Nothing waits for faults in flight (seed 004): a later fault past the new end gets SIGBUS.
   */
  resize(size: number, others: Iterable<BlockDevice>): void {
    if (!Number.isSafeInteger(size) || size <= 0 || size % SECTOR_SIZE) {
      throw new PmemError('EINVAL', `device size ${size} must be a positive multiple of ${SECTOR_SIZE} bytes`);
    }
    const start = this.startSector * SECTOR_SIZE;
    const room = this.driver.ns.size - start;
    if (size > room) {
      throw new PmemError('ENOSPC', `/dev/${this.name} cannot grow to ${size} bytes: ${room} bytes remain on namespace ${this.driver.ns.name} from its start at byte ${start}`);
    }
    for (const o of others) {
      if (o === this || o.driver.ns !== this.driver.ns || o.partno === 0) continue;
      const oStart = o.startSector * SECTOR_SIZE;
      if (this.partno === 0 && oStart + o.size > size) {
        throw new PmemError('EBUSY', `/dev/${this.name} cannot shrink to ${size} bytes: partition /dev/${o.name} ends at byte ${oStart + o.size}`);
      }
      if (this.partno !== 0 && oStart > start && start + size > oStart) {
        throw new PmemError('EBUSY', `/dev/${this.name} cannot grow to ${size} bytes: it would overlap /dev/${o.name}, which starts at byte ${oStart - start} of it`);
      }
    }
    this.nrSectors = size / SECTOR_SIZE;
  }

  /** the whole-disk byte offset of a device byte offset */
  diskOffset(offset: number): number {
    return this.startSector * SECTOR_SIZE + offset;
  }

  checkRange(offset: number, len: number, what: string): void {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(len) || offset < 0 || len < 0 || offset + len > this.size) {
      throw new PmemError('EINVAL', `${what} of ${len} bytes at offset ${offset} is outside /dev/${this.name} (${this.size} bytes)`);
    }
  }

  /** generic_make_request(): remap by the partition start, then the driver */
  submit_bio(bio: Bio): void {
    this.checkRange(bio.sector * SECTOR_SIZE, bio.data.length, bio.write ? 'write' : 'read');
    this.driver.make_request({ ...bio, sector: bio.sector + this.startSector });
  }

  /** bdev_direct_access(): physical address of a device sector (partition start added) */
  direct_access(sector: number, len = 0, mode: DaxAccessMode = 'DAX_ACCESS'): { addr: number; available: number } {
    if (sector < 0 || sector >= this.nrSectors) {
      throw new PmemError('ERANGE', `sector ${sector} is past the end of /dev/${this.name} (${this.nrSectors} sectors)`);
    }
    const r = this.driver.direct_access(sector + this.startSector, len, mode);
    return { addr: r.addr, available: Math.min(r.available, (this.nrSectors - sector) * SECTOR_SIZE) };
  }

  read(offset: number, len: number): Uint8Array {
    this.checkRange(offset, len, 'read');
    const data = new Uint8Array(len);
    this.driver.rw_bytes(this.diskOffset(offset), data, false);
    return data;
  }

  /** read() for a caller that never writes the bytes (log recovery, fsck): no copy of a block within one page */
  peek(offset: number, len: number): Uint8Array {
    this.checkRange(offset, len, 'read');
    return this.driver.peek_bytes(this.diskOffset(offset), len);
  }

  /** a synchronous write through the driver (durable on completion) */
  write(offset: number, data: Uint8Array, flags: Bio['flags'] = new Set()): void {
    this.checkRange(offset, data.length, 'write');
    if (offset % SECTOR_SIZE === 0 && data.length % SECTOR_SIZE === 0) {
      this.submit_bio({ sector: offset / SECTOR_SIZE, write: true, data, flags });
    } else {
      this.driver.rw_bytes(this.diskOffset(offset), data, true);
    }
  }
}
