// An NVDIMM namespace: a named span of the machine's persistent memory. All namespaces share one
// physical address space so a crash state covers every device at once; it is sparse, so a 1 TiB
// namespace costs memory only for the pages written.

import { PersistentMemory } from '../pmem/memory';
import { Badblocks, MediaErrors } from './badblocks';

export const DEFAULT_NAMESPACE_SIZE = 1 << 30;
export const SECTOR_SIZE = 512;
/** namespaces are placed at 1 TiB-aligned physical bases so none can overlap another */
export const NAMESPACE_STRIDE = 2 ** 40;

export class Namespace {
  /** the disk's badblocks list, filled from the media's errors when the namespace is probed */
  readonly bb = new Badblocks();

  constructor(
    readonly name: string,
    readonly mem: PersistentMemory,
    readonly base: number,
    readonly size: number = DEFAULT_NAMESPACE_SIZE,
    readonly media: MediaErrors = new MediaErrors(),
  ) {
    this.badblocks_populate();
  }

  /**
   * ND_REGION_ASYNC: a virtio-pmem region is backed by a host file, so a fence reaches only the host's
   * page cache and durability needs the flush request (dax_synchronous() is false for its dax device)
   */
  get async(): boolean {
    return this.mem.mode === 'virtio-pmem';
  }

  /** nvdimm_badblocks_populate(): an address range scrub of this namespace's span */
  badblocks_populate(): void {
    for (const s of this.media.scrub(this.base, this.size)) this.bb.set(s - this.base / SECTOR_SIZE, 1);
  }
}
