// A process's address space: mmap, munmap and msync over VMAs of DAX files and block devices.

import type { Inode } from './inode';
import { PAGE_SIZE, PMD_SIZE } from './address-space';
import { FaultHandlers, Vma } from './vma';
import { PmemError } from '../pmem/memory';

export interface MmapRequest {
  inode: Inode;
  path: string;
  offset: number;
  length: number;
  shared: boolean;
  sync: boolean;
  pmd: boolean;
}

const SIZE_T_BITS = 64;

/** PAGE_ALIGN(len) on a size_t: a negative length is 2^64 - |length|, and the round-up wraps past 2^64 */
function sizeTPageAlign(length: number): bigint {
  const mask = BigInt(PAGE_SIZE - 1);
  return BigInt.asUintN(SIZE_T_BITS, BigInt.asUintN(SIZE_T_BITS, BigInt(Math.ceil(length))) + mask) & ~mask;
}

export class ProcessMm {
  private readonly vmas = new Map<number, Vma>();
  private nextId = 1;

  constructor(private readonly handlers: FaultHandlers) {}

  mmap(r: MmapRequest): number {
    if (!Number.isSafeInteger(r.offset) || r.offset < 0 || r.offset % PAGE_SIZE !== 0) {
      throw new PmemError('EINVAL', `mmap offset ${r.offset} is not a multiple of the page size (${PAGE_SIZE})`);
    }
    if (!Number.isSafeInteger(r.length) || r.length <= 0) throw new PmemError('EINVAL', `mmap length ${r.length} must be positive`);
    if (r.pmd && r.offset % PMD_SIZE !== 0) {
      throw new PmemError('EINVAL', `a PMD mapping needs a 2 MiB-aligned file offset, got ${r.offset}`);
    }
    if (r.sync && (!r.shared || !r.inode.S_DAX)) {
      // MAP_SYNC is only for shared mappings of DAX files (MAP_SHARED_VALIDATE)
      throw new PmemError('EOPNOTSUPP', `MAP_SYNC needs a shared mapping of a DAX file; ${r.path} is ${r.inode.S_DAX ? 'mapped private' : 'not DAX'}`);
    }
    if (r.sync && r.inode.dataBdev.driver.ns.async) {
      // daxdev_mapping_supported(): MAP_SYNC needs a synchronous dax device, and virtio-pmem's is not
      throw new PmemError('EOPNOTSUPP', `MAP_SYNC needs a synchronous DAX device; ${r.path} is on an asynchronous (virtio-pmem) region`);
    }
    const pages = Math.ceil(r.length / PAGE_SIZE);
    const vma = new Vma(r.inode, r.path, r.offset / PAGE_SIZE, pages, r.shared, r.sync, r.pmd, this.handlers);
    r.inode.mapping.i_mmap.add(vma);
    const id = this.nextId++;
    this.vmas.set(id, vma);
    return id;
  }

  vma(id: number): Vma {
    const v = this.vmas.get(id);
    if (!v) throw new PmemError('EINVAL', `no mapping with id ${id} (mapped: ${[...this.vmas.keys()].join(', ') || 'none'})`);
    return v;
  }

  munmap(id: number): void {
    const v = this.vma(id);
    v.inode.mapping.i_mmap.delete(v);
    this.vmas.delete(id);
  }

  /**
   * msync(): the start must be page aligned (EINVAL); the length, a size_t, is rounded up to whole pages
   * modulo 2^64 as mm/msync.c does, so 0 and -1 .. -4095 give an empty range, which returns at once
   * (undefined) before any mapping is looked up; a range not wholly mapped is ENOMEM.
   * Returns the file byte range.
   */
  msyncRange(id: number, offset: number, length: number): { vma: Vma; start: number; end: number } | undefined {
    if (offset % PAGE_SIZE !== 0) throw new PmemError('EINVAL', `msync address at offset ${offset} is not page aligned`);
    const len = sizeTPageAlign(length);
    if (len === 0n) return undefined;
    const v = this.vmas.get(id);
    if (!v) throw new PmemError('ENOMEM', `msync of mapping ${id}: no such mapping (the range is not mapped)`);
    if (offset < 0 || len > BigInt(v.length - offset)) {
      throw new PmemError('ENOMEM', `msync of [${offset}, ${offset + length}) reaches outside the ${v.length}-byte mapping of ${v.path}`);
    }
    const start = v.pgoff * PAGE_SIZE + offset;
    return { vma: v, start, end: start + Number(len) - 1 };
  }

  all(): Vma[] {
    return [...this.vmas.values()];
  }
}
