@epic:durability @story:fdatasync
Feature: fdatasync makes a file's new size durable
  fdatasync(2) may skip metadata that is not needed to read the data back (timestamps), but not the
  size: a write(2) that extends the file marks the inode I_DIRTY_DATASYNC, and fdatasync writes the
  inode then (fs/fs-writeback.c, each filesystem's ->fsync). On DAX the data itself is durable at
  write(2)'s return; the size that makes it reachable needs fsync or fdatasync.

  @since:4.4
  Rule: PM-5 write(2) to a DAX file leaves its data durable at return; the file size and allocation still need fsync

    @rule:PM-5 @beyond @severity:critical
    Scenario Outline: after write(2) that extends an <fs> file and fdatasync, the new size is durable
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a
      And the application calls sync(2)
      When the application writes "grow" to /a at offset 8192 with write(2)
      And the application calls fdatasync on /a
      And power fails
      Then in every crash state /a exists and is 8196 bytes long
      And in every crash state /a holds "grow" at offset 8192

      Examples:
        | fs   |
        | ext2 |
        | ext4 |
        | xfs  |

    @rule:PM-5 @beyond @severity:critical
    Scenario Outline: on <fs>, write(2) that extends the file to <end> bytes without a new block is durable in size after fdatasync
      # an append that stays inside the last allocated block changes only i_size: still I_DIRTY_DATASYNC
      # Linux 6.1 built without fs/ext2 (Debian: CONFIG_EXT4_USE_FOR_EXT2) mounts ext2 with ext4 in
      # no-journal mode, whose fsync skips the inode table buffer ext4_mark_inode_dirty() dirtied: the
      # ext2 row fails there (a kernel bug, fixed by "ext4: Fix fsync(2) for nojournal mode", 2026)
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 100 written and synced
      When the application writes "tail" to /a at offset <offset> with write(2)
      And the application calls fdatasync on /a
      And power fails
      Then in every crash state /a exists and is <end> bytes long
      And in every crash state /a holds "tail" at offset <offset>

      Examples:
        | fs   | offset | end  |
        | ext2 | 100    | 104  |
        | ext4 | 100    | 104  |
        | ext4 | 4092   | 4096 |
        | ext4 | 4094   | 4098 |
        | xfs  | 100    | 104  |
        | xfs  | 4092   | 4096 |

    @rule:PM-5 @beyond @severity:critical
    Scenario Outline: on <fs>, a new file in a new directory is reachable with its data after <call>
      # the journal commit (log force) covers the directory entries up the path, not only the parent's
      Given an <fs> filesystem mounted with dax on pmem0
      And a directory /top
      And a directory /top/mid
      And a file /top/mid/f
      When the application writes "reachable" to /top/mid/f at offset 0 with write(2)
      And the application calls <call> on /top/mid/f
      And power fails
      Then in every crash state /top/mid/f holds "reachable" at offset 0

      Examples:
        | fs   | call      |
        | ext4 | fsync     |
        | ext4 | fdatasync |
        | xfs  | fsync     |
        | xfs  | fdatasync |
