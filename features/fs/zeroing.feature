@epic:zeroing @story:right-device
Feature: New blocks are zeroed through the device that holds them
  DAX zeroes newly allocated blocks itself; it must use the block device get_block returned, not
  the superblock's, or a realtime (or other) device keeps stale data and the wrong device is
  clobbered. Source: "[PATCH v2 0/2] DAX bdev fixes - move flushing calls to FS".

  Rule: BD-1 A newly allocated block reads as zeros, never as the media's earlier contents

    @rule:BD-1 @seed:000_7aa147f050932869.txt @severity:blocker @requires:xfs-realtime
    Scenario: a realtime file's new block reads as zeros through read(2)
      Given the device pmem1 holds "secret" x 2048 at offset 0 from earlier use
      And an xfs filesystem with the realtime device pmem1 mounted with dax on pmem0
      And a realtime file /r
      When the application writes "new" to /r at offset 0 with write(2)
      Then /r reads 4093 zero bytes at offset 3

    @rule:BD-1 @seed:000_7aa147f050932869.txt @severity:blocker @requires:xfs-realtime
    Scenario: a realtime file's block allocated by a write fault reads as zeros through the mapping
      Given the device pmem1 holds "secret" x 2048 at offset 0 from earlier use
      And an xfs filesystem with the realtime device pmem1 mounted with dax on pmem0
      And a realtime file /r
      And the application writes "x" to /r at offset 8191 with write(2)
      When the application stores "m" through the mapping of /r at offset 0
      Then the mapping of /r reads "m" at offset 0
      And /r reads 4095 zero bytes at offset 1

    @rule:BD-1 @seed:000_7aa147f050932869.txt @severity:critical
    Scenario Outline: a block freed by one <fs> file and reused by another reads as zeros
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /old
      And the application writes "secret" x 4096 to /old at offset 0 with write(2)
      And the application calls sync(2)
      And a file /new
      When /old is truncated to 0
      And the application writes "n" to /new at offset 0 with write(2)
      Then /new reads 1 zero bytes at offset 1

      Examples:
        | fs   |
        | ext2 |
        | ext4 |
        | xfs  |

  Rule: BD-2 Zeroing writes only the new block, on its own device: the other device is untouched

    @rule:BD-2 @seed:000_7aa147f050932869.txt @severity:critical @requires:xfs-realtime
    Scenario: allocating realtime blocks leaves the data device intact
      Given an xfs filesystem with the realtime device pmem1 mounted with dax on pmem0
      And a file /keep with 64 KiB allocated and synced
      And the application writes "keep" to /keep at offset 0 with write(2)
      And a realtime file /r
      When the application writes "rt" x 4194304 to /r at offset 0 with write(2)
      Then /keep reads "keep" at offset 0
      And fsck reports pmem0 clean
