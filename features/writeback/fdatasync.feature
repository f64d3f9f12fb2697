@epic:dax-mappings @story:writeback
Feature: fdatasync commits size and allocation changes
  fdatasync (and msync, which is vfs_fsync_range with datasync) must commit an inode change that
  data depends on: the file size and the block map (I_DIRTY_DATASYNC, ext4's i_datasync_tid). It may
  skip changes that do not affect reading the data back (timestamps; on ext4 also links, flags and the
  xattr block), which only fsync commits. An extended attribute shows the skip black-box: ext4's
  fdatasync waits for i_datasync_tid (fs/ext4/fsync.c), which a setxattr does not advance
  (ext4_update_inode_fsync_trans with datasync 0), so nothing commits the attribute; fsync waits for
  i_sync_tid, which it does advance. test/fs/datasync.test.ts states the inode flags behind it.

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

  @since:4.4
  Rule: PM-5 write(2) to a DAX file leaves its data durable at return; the file size and allocation still need fsync

    @rule:PM-5 @beyond @severity:normal
    Scenario Outline: on <fs>, fsync after only a setxattr makes the attribute durable
      # fs/ext4/fsync.c commits i_sync_tid; fs/xfs/xfs_file.c forces the log up to the inode's last change
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 8 KiB written and synced
      When the application sets the extended attribute user.k of /a to "v"
      And the application calls fsync on /a
      And power fails
      Then in every crash state /a has the extended attribute user.k set to "v"

      @requires:ext4
      Examples:
        | fs   |
        | ext4 |

      @requires:xfs
      Examples:
        | fs  |
        | xfs |

    @rule:PM-5 @beyond @severity:minor @requires:ext4
    Scenario: on ext4, fdatasync after only a setxattr commits nothing: the attribute waits for fsync or the journal
      Given an ext4 filesystem mounted with dax on pmem0
      And a file /a with 8 KiB written and synced
      When the application sets the extended attribute user.k of /a to "v"
      And the application calls fdatasync on /a
      And power fails
      Then in some crash state /a lacks the extended attribute user.k set to "v"
      And in every crash state /a exists and is 8192 bytes long
