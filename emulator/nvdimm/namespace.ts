// An NVDIMM namespace: a named span of the machine's persistent memory. All namespaces share one
// physical address space so a crash state covers every device at once; it is sparse, so a 1 TiB
// namespace costs memory only for the pages written.

import { PersistentMemory } from '../pmem/memory';

export const DEFAULT_NAMESPACE_SIZE = 1 << 30;
export const SECTOR_SIZE = 512;
/** namespaces are placed at 1 TiB-aligned physical bases so none can overlap another */
export const NAMESPACE_STRIDE = 2 ** 40;

export class Namespace {
  constructor(
    readonly name: string,
    readonly mem: PersistentMemory,
    readonly base: number,
    readonly size: number = DEFAULT_NAMESPACE_SIZE,
  ) {}
}
