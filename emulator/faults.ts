// The deliberate mistakes a variant puts back (DESIGN.md section 5). The reference has none set.
// Each layer reads only its own flags; the emulator never knows which scenario runs.

export const VARIANTS = {
  'driver-no-fence': 'the pmem driver completes writes before their fence (PM-3)',
  'fua-not-durable': 'REQ_FUA completes before the bio is durable (PM-4)',
  'no-mmap-flush': 'fsync/msync never write back DAX lines (DT-1, DT-2, WB-1)',
  'pmd-keeps-pte-entries': 'a PMD fault only dirties an existing PTE entry (DT-3)',
  'mkwrite-inserts-on-race': 'pfn_mkwrite inserts an entry after losing the hole-punch race (DT-4)',
  'pmd-start-not-aligned': 'no rounding of the writeback start down to the PMD (WB-2)',
  'no-trailing-fence': 'no fence after the write-backs (WB-3)',
  'no-towrite-recheck': 'TOWRITE entries are not re-verified under the tree lock (WB-4)',
  'flush-on-background-writeback': 'WB_SYNC_NONE writeback flushes DAX lines too (WB-5)',
  'big-hammer': 'fsync writes back every line of the namespace (WB-7)',
  'flush-in-filemap': 'DAX writeback only from filemap_write_and_wait_range, so sync(2) misses it (SY-1)',
  'zero-via-sb-bdev': "new blocks are zeroed through the superblock's bdev, not get_block's (BD-1, BD-2, BD-4)",
  'dax-only-writepages': '->writepages returns after the DAX writeback even on success (SY-2, SY-3, SY-6)',
  'blkbits-check-first': 'the i_blkbits check comes before the nrexceptional/WB_SYNC_ALL check (WB-6)',
  'skip-pagecache-if-dax': 'page writeback is skipped for DAX mappings that have pages (SY-4)',
  'raw-bdev-no-writepages': "the block device's ->writepages lacks the DAX writeback (BD-3)",
  // Beyond the issues: one bug for each rule no historical variant breaks, so every rule is shown to fail.
  'dax-io-no-fence': 'write(2) on a DAX file returns before its non-temporal copy is fenced (PM-5)',
  'no-dirty-inode': 'dirtying a DAX entry does not mark the inode I_DIRTY_PAGES (DT-5)',
  'no-wrprotect-after-writeback': 'writeback clears DIRTY but leaves the mapping writable, so the next store is never tracked (WB-8, MS-2)',
  'no-map-sync': 'a MAP_SYNC write fault returns before its block allocation is durable (MS-1)',
  'no-sigbus-past-eof': 'a fault beyond i_size is served instead of raising SIGBUS (MS-3, BD-5)',
  'hole-zero-page-kept': 'write(2) into a hole leaves the zero page mapped, so the mapping reads stale zeros (MS-4)',
  'punch-keeps-dirty-entries': 'punching a hole keeps the dirty DAX entries of its range (MS-5)',
  'tail-zeroing-not-durable': 'a partial-block truncate zeroes the tail with cached stores and no flush (MS-6)',
  // Mistakes of a persistence model or of the block layer, so the remaining rules are shown to fail too.
  'flush-ignored': 'the platform model treats clwb and clflushopt as no-ops (PM-1)',
  'no-eviction': 'the platform model forgets eviction: a line nobody wrote back never survives (PM-2)',
  'eadr-unordered': 'the eADR model keeps lines independently instead of a prefix of the store order (PM-6)',
  'bdev-write-via-page-cache': 'write(2) to a DAX block device lands in its page cache, not on pmem (BD-6)',
  'statx-dax-on-dirs': 'statx reports STATX_ATTR_DAX on directories (MS-7)',
  // Bugs of kernels after 2016, one per rule of today's rulebook.
  'pte-entry-in-pmd-range': "a PTE fault inside a PMD entry puts its own PTE entry in the PMD's slot, so the PMD's dirty lines drop out of the index (MS-9)",
  'writeback-walks-dirty': 'DAX writeback walks the DIRTY tag instead of the TOWRITE entries it tagged, so stores meanwhile keep it going (MS-10)',
  'ro-private-fault-journal': 'a private write fault on a read-only ext4 DAX mount starts a journal handle and raises SIGBUS (MS-8)',
  'dax-switch-drops-dirty': "evicting an inode whose DAX flag changed drops its dirty pages and DAX entries without writing them back (MS-12)",
  'dax-switch-under-mapping': 'a DAX flag change under dax=inode flips the live inode at once, under its mappings and cached pages, instead of at eviction (MS-12)',
  'dax-writes-shared-in-place': 'a DAX write or write fault on a block shared by reflink lands in the shared block, as before 6.0 taught fs/dax.c to copy on write (MS-13)',
  'cow-no-copy-around': 'a copy-on-write of a shared block zeroes the new block instead of copying the old one around the write (MS-13)',
  'no-recovery-write': 'write(2) over known poison on a DAX file fails with EIO, as before 5.19 added dax_recovery_write, so poison is never cleared (MS-11)',
  'virtio-no-host-flush': "fsync and msync on virtio-pmem end at the guest's fence and send no flush request, so their data stays in the host's page cache (MS-14)",
  'rt-fsync-flushes-data-device': "xfs_file_fsync of a realtime file sends its first flush request to the data device, not the realtime device that holds the file's data (MS-14)",
  'virtio-flush-coalesced': "a flush request sent while another fsync's is in flight waits for that one instead of getting its own host fsync, so lines written back after the first was sent stay in the host's page cache (MS-14)",
} as const;

export type VariantName = keyof typeof VARIANTS;

export class Faults {
  private readonly on: ReadonlySet<VariantName>;
  /** `read` collects every switch consulted: a variant can change a run only where its switch is read */
  constructor(variant?: VariantName, private readonly read?: Set<VariantName>) {
    this.on = new Set(variant ? [variant] : []);
  }
  /** the only way a variant changes behaviour */
  has(v: VariantName): boolean {
    this.read?.add(v);
    return this.on.has(v);
  }
}

export function isVariant(name: string): name is VariantName {
  return Object.prototype.hasOwnProperty.call(VARIANTS, name);
}
