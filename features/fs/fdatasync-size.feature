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
