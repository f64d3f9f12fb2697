@epic:writeback-placement @story:metadata-inodes
Feature: Writeback of internal metadata inodes
  Filesystems keep internal inodes (quota, journal) whose i_blkbits is not PAGE_SHIFT. They have
  no DAX entries, so dax_writeback_mapping_range() must return before it checks i_blkbits, or
  the whole writeback fails. Source: "[PATCH v2 0/2] DAX bdev fixes - move flushing calls to FS".

  @since:4.5
  Rule: WB-6 An inode with i_blkbits != PAGE_SHIFT and no DAX entries does not fail writeback

    @rule:WB-6 @seed:000_7aa147f050932869.txt @severity:critical
    Scenario Outline: sync(2) succeeds on <fs> while its internal metadata inodes are dirty
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /b
      When the application writes "data" to /b at offset 0 with write(2)
      And the application calls sync(2)
      And power fails
      Then in every crash state /b holds "data" at offset 0

      Examples:
        | fs   |
        | ext4 |
        | xfs  |
