// The block device's own inode (bd_inode on the bdev pseudo-filesystem): its page cache holds the
// buffer heads filesystems use for metadata, and a raw-device DAX mmap puts its entries here too.
// blkdev_writepages() does the DAX writeback with this very device, then writes back the pages.

import { AddressSpace, PAGE_SHIFT, PAGE_SIZE } from '../mm/address-space';
import type { BlockMapping, Inode, InodeState, SuperBlock, WritebackControl } from '../mm/inode';
import { write_cache_pages } from '../mm/page-writeback';
import { dax_writeback_mapping_range, WritebackEnv } from '../dax/writeback';
import { SECTOR_SIZE } from '../nvdimm/namespace';
import type { BlockDevice } from './block-device';

export class BdevSuperBlock implements SuperBlock {
  readonly s_id = 'bdev';
  readonly dirtyInodes = new Set<Inode>();
  frozen = false;
  readonly s_rdonly = false;
  constructor(readonly s_bdev: BlockDevice) {}
}

export class BdevInode implements Inode {
  readonly kind = 'blockdev' as const;
  i_blkbits = PAGE_SHIFT;
  /** a pmem block device supports DAX: raw mmaps use it (seed 004) */
  S_DAX = true;
  readonly state = new Set<InodeState>();
  readonly mapping: AddressSpace;
  readonly sb: BdevSuperBlock;
  readonly a_ops = { writepages: (m: AddressSpace, wbc: WritebackControl) => this.writepages(m, wbc) };

  constructor(
    readonly bdev: BlockDevice,
    readonly ino: number,
    private readonly env: WritebackEnv,
  ) {
    this.mapping = new AddressSpace(this);
    this.sb = new BdevSuperBlock(bdev);
  }

  get dataBdev(): BlockDevice {
    return this.bdev;
  }

  get i_size(): number {
    return this.bdev.size;
  }
  set i_size(_v: number) {
    // the size of a block device is the device's; resize goes through the device
  }

  /** blkdev_get_block(): the device maps itself, block for block */
  get_block(iblock: number): BlockMapping | undefined {
    const sector = iblock * (PAGE_SIZE / SECTOR_SIZE);
    if (sector >= this.bdev.nrSectors) return undefined;
    return { bdev: this.bdev, sector, fresh: false };
  }

  private writepages(mapping: AddressSpace, wbc: WritebackControl): void {
    if (!this.env.faults.has('raw-bdev-no-writepages')) {
      dax_writeback_mapping_range(mapping, this.bdev, wbc, this.env);
      // Jan Kara's first draft returned here for every DAX mapping, so buffer heads never reached media.
      if (this.env.faults.has('dax-only-writepages')) return;
    }
    write_cache_pages(mapping, wbc);
  }
}
