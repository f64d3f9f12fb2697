// read(2) and write(2) on a block device special file. A DAX-capable device is accessed straight
// on pmem (the dax_do_io path), so a raw DAX mapping and read(2)/write(2) see the same bytes (BD-6).
// The bdev-write-via-page-cache variant buffers writes in a page-cache alias the mapping never sees.

import { PAGE_SIZE, PageEntry } from '../mm/address-space';
import { SECTOR_SIZE } from '../nvdimm/namespace';
import type { Faults } from '../faults';
import type { BlockDevice } from './block-device';

/** the variant's buffered pages: an alias of pmem that the DAX mapping never sees */
const aliases = new WeakMap<BlockDevice, Map<number, PageEntry>>();

function cachedPage(bdev: BlockDevice, index: number, create: boolean): PageEntry | undefined {
  const e = bdev.bd_inode.mapping.lookup(index);
  if (e?.kind === 'page') return e;
  let alias = aliases.get(bdev);
  if (!alias) aliases.set(bdev, (alias = new Map()));
  if (alias.has(index) || !create) return alias.get(index);
  const len = Math.min(PAGE_SIZE, bdev.size - index * PAGE_SIZE);
  const data = new Uint8Array(PAGE_SIZE);
  data.set(bdev.read(index * PAGE_SIZE, len));
  const page: PageEntry = { kind: 'page', data, bdev, sector: (index * PAGE_SIZE) / SECTOR_SIZE };
  alias.set(index, page);
  return page;
}

export function blkdev_write(bdev: BlockDevice, offset: number, data: Uint8Array, faults: Faults): void {
  if (!faults.has('bdev-write-via-page-cache')) {
    bdev.write(offset, data);
    return;
  }
  bdev.checkRange(offset, data.length, 'write');
  for (let done = 0; done < data.length; ) {
    const off = offset + done;
    const index = Math.floor(off / PAGE_SIZE);
    const n = Math.min(PAGE_SIZE - (off % PAGE_SIZE), data.length - done);
    cachedPage(bdev, index, true)!.data.set(data.subarray(done, done + n), off % PAGE_SIZE);
    done += n;
  }
}

export function blkdev_read(bdev: BlockDevice, offset: number, len: number): Uint8Array {
  bdev.checkRange(offset, len, 'read');
  const out = bdev.read(offset, len);
  // pages the page cache holds (buffer heads, or the variant's buffered writes) are what read(2) returns
  for (let done = 0; done < len; ) {
    const off = offset + done;
    const index = Math.floor(off / PAGE_SIZE);
    const n = Math.min(PAGE_SIZE - (off % PAGE_SIZE), len - done);
    const page = cachedPage(bdev, index, false);
    if (page) out.set(page.data.subarray(off % PAGE_SIZE, (off % PAGE_SIZE) + n), done);
    done += n;
  }
  return out;
}
