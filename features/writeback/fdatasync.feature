@epic:dax-mappings @story:writeback
Feature: fdatasync commits size and allocation changes
  fdatasync (and msync, which is vfs_fsync_range with datasync) must commit an inode change that
  data depends on: the file size and the block map (I_DIRTY_DATASYNC, ext4's i_datasync_tid). It may
  skip changes that do not affect reading the data back (timestamps; on ext4 also links, flags and the
  xattr block), which only fsync commits; no black-box check sees that skip through this contract, so
  the unit tests (test/fs/datasync.test.ts) state it.

  @since:4.4
  Rule: PM-5 write(2) to a DAX file leaves its data durable at return; the file size and allocation still need fsync

    @rule:PM-5 @beyond @severity:critical
    Scenario Outline: on <fs>, fdatasync after write(2) <what> makes the data and the size durable
      # fs/libfs.c __generic_file_fsync, fs/ext4/fsync.c (i_datasync_tid), fs/xfs/xfs_file.c (ili_fsync_fields)
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 8 KiB written and synced
      When the application writes "tail" to /a at offset <offset> with write(2)
      And the application calls fdatasync on /a
      And power fails
      Then in every crash state /a exists and is <size> bytes long
      And in every crash state /a holds "tail" at offset <offset>

      Examples:
        | fs   | what                         | offset | size  |
        | ext2 | past the end                 | 8190   | 8194  |
        | ext4 | past the end                 | 8190   | 8194  |
        | xfs  | past the end                 | 8190   | 8194  |
        | ext2 | into a new block past a hole | 20480  | 20484 |
        | ext4 | into a new block past a hole | 20480  | 20484 |
        | xfs  | into a new block past a hole | 20480  | 20484 |
