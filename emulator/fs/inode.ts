// The in-core inode of a mounted filesystem: the mm layer's Inode plus the on-disk fields.
// One object per inode number while mounted, so mmap and lookup see the same mapping.

import type { BlockDevice } from '../block/block-device';
import { AddressSpace, PAGE_SHIFT } from '../mm/address-space';
import type { BlockMapping, Inode, InodeState, WritebackControl } from '../mm/inode';
import type { DiskInode } from './format';
import { FLAG_REALTIME, S_IFDIR, S_IFMETA } from './format';
import type { FileSystem } from './filesystem';

export class FsInode implements Inode {
  readonly state = new Set<InodeState>();
  readonly mapping: AddressSpace;
  i_blkbits = PAGE_SHIFT;
  S_DAX = false;
  /** I_DONTCACHE: evict at the last reference instead of caching (a DAX flag change waits for it) */
  dontcache = false;
  /** metadata blocks this inode dirtied that its fsync must write (ext2's i_mapping->private_list) */
  readonly assoc = new Set<number>();
  /** set at creation until the parent directory's entry has been made durable by an fsync */
  newSinceSync = true;
  readonly a_ops = { writepages: (m: AddressSpace, wbc: WritebackControl) => this.sb.p.writepages(this, m, wbc) };

  constructor(
    readonly sb: FileSystem,
    readonly ino: number,
    public d: DiskInode,
    /** the directory that holds its entry (files have one link) */
    public parent: number,
  ) {
    this.mapping = new AddressSpace(this);
  }

  get kind(): 'file' | 'dir' | 'meta' {
    return this.d.mode === S_IFDIR ? 'dir' : this.d.mode === S_IFMETA ? 'meta' : 'file';
  }

  get i_size(): number {
    return this.d.size;
  }
  set i_size(v: number) {
    this.d.size = v;
  }

  get realtime(): boolean {
    return (this.d.flags & FLAG_REALTIME) !== 0;
  }

  /** the device that holds this inode's data blocks: the realtime device for realtime files */
  get dataBdev(): BlockDevice {
    return this.realtime && this.sb.rtdev ? this.sb.rtdev : this.sb.s_bdev;
  }

  iomap_shared(index: number): boolean {
    return this.sb.isShared(this, index);
  }

  get_block(iblock: number, create: boolean): BlockMapping | undefined {
    return this.sb.get_block(this, iblock, create);
  }
}
