@epic:zeroing @story:right-device
Feature: New blocks are zeroed through the device that holds them
  DAX zeroes newly allocated blocks itself; it must use the block device get_block returned, not
  the superblock's, or a realtime (or other) device keeps stale data and the wrong device is
  clobbered. The zeros must be durable before the block's new data is: a crash may not bring the
  stale bytes back around data that fsync (or a MAP_SYNC fault and the application's own flush)
  made durable, so each live check here has a crash-state twin. Source: "[PATCH v2 0/2] DAX bdev
  fixes - move flushing calls to FS".

  @since:4.5
  Rule: BD-1 A newly allocated block reads as zeros, never as the media's earlier contents

    @rule:BD-1 @seed:000_7aa147f050932869.txt @severity:blocker @requires:xfs-realtime
    Scenario: a realtime file's new block reads as zeros through read(2)
      Given the device pmem1 holds "secret" x 2048 at offset 0 from earlier use
      And an xfs filesystem with the realtime device pmem1 mounted with dax on pmem0
      And a realtime file /r
      When the application writes "new" to /r at offset 4093 with write(2)
      Then /r reads 4093 zero bytes at offset 0

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
    Scenario Outline: on <fs>, one read(2) from a new block on into the hole after it reads zeros in both
      Given the first 16 MiB of /dev/pmem0 held stale bytes beforehand
      And an <fs> filesystem mounted with dax on pmem0
      And a sparse file /a of 64 KiB, synced
      When the application writes "n" to /a at offset 0 with write(2)
      Then /a reads 8191 zero bytes at offset 1

      Examples:
        | fs   |
        | ext2 |
        | ext4 |
        | xfs  |

    @rule:BD-1 @seed:000_7aa147f050932869.txt @severity:critical
    Scenario Outline: a block freed by one <fs> file and reused by another reads as zeros
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /old
      And the application writes "secret" x 4096 to /old at offset 0 with write(2)
      And the application calls sync(2)
      And a file /new
      When /old is truncated to 0
      And the application writes "n" to /new at offset 4095 with write(2)
      Then /new reads 4095 zero bytes at offset 0

      Examples:
        | fs   |
        | ext2 |
        | ext4 |
        | xfs  |

    @rule:BD-1 @seed:000_7aa147f050932869.txt @severity:blocker @requires:xfs-realtime
    Scenario: a realtime file's new block holds zeros around its data in every crash state after fsync
      Given the device pmem1 holds "secret" x 2048 at offset 0 from earlier use
      And an xfs filesystem with the realtime device pmem1 mounted with dax on pmem0
      And a realtime file /r
      When the application writes "new" to /r at offset 4093 with write(2)
      And the application calls fsync on /r
      And power fails
      Then in every crash state /r holds "new" at offset 4093
      And in every crash state /r holds 4093 zero bytes at offset 0

    @rule:BD-1 @seed:000_7aa147f050932869.txt @severity:blocker @requires:xfs-realtime
    Scenario: a realtime file's block allocated by a write fault holds zeros around the store in every crash state after fsync
      Given the device pmem1 holds "secret" x 2048 at offset 0 from earlier use
      And an xfs filesystem with the realtime device pmem1 mounted with dax on pmem0
      And a realtime file /r
      And the application writes "x" to /r at offset 8191 with write(2)
      When the application stores "m" through the mapping of /r at offset 0
      And the application calls fsync on /r
      And power fails
      Then in every crash state /r holds "m" at offset 0
      And in every crash state /r holds 4095 zero bytes at offset 1

    @rule:BD-1 @seed:000_7aa147f050932869.txt @severity:blocker
    Scenario Outline: on <fs>, a partial block written over stale media holds zeros around its data in every crash state after fsync
      Given the first 16 MiB of /dev/pmem0 held stale bytes beforehand
      And an <fs> filesystem mounted with dax on pmem0
      And a sparse file /a of 64 KiB, synced
      When the application writes "new" to /a at offset 8189 with write(2)
      And the application calls fsync on /a
      And power fails
      Then in every crash state /a holds 4093 zero bytes at offset 4096
      And in every crash state /a holds "new" at offset 8189

      Examples:
        | fs   |
        | ext2 |
        | ext4 |
        | xfs  |

    @rule:BD-1 @seed:000_7aa147f050932869.txt @severity:blocker @requires:map-sync @profile:adr @profile:eadr
    Scenario Outline: on <fs>, a MAP_SYNC store into a hole over stale media leaves zeros around it in every crash state
      Given the first 16 MiB of /dev/pmem0 held stale bytes beforehand
      And an <fs> filesystem mounted with dax on pmem0
      And a sparse file /a of 64 KiB, synced
      And /a is mapped shared with MAP_SYNC
      When the application stores "m" through the mapping of /a at offset 4159 and persists it with clwb and sfence
      And power fails
      Then in every crash state /a holds "m" at offset 4159
      And in every crash state /a holds 63 zero bytes at offset 4096
      And in every crash state /a holds 4032 zero bytes at offset 4160

      Examples:
        | fs   |
        | ext4 |
        | xfs  |

  @since:4.5
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

    @rule:BD-2 @seed:000_7aa147f050932869.txt @severity:critical @requires:xfs-realtime
    Scenario: allocating realtime blocks leaves the data device intact in every crash state
      Given an xfs filesystem with the realtime device pmem1 mounted with dax on pmem0
      And a file /keep with 64 KiB allocated and synced
      And the application writes "keep" to /keep at offset 0 with write(2)
      And a realtime file /r
      When the application writes "rt" x 4194304 to /r at offset 0 with write(2)
      And the application calls fsync on /r
      And power fails
      Then in every crash state /keep holds "keep" at offset 0
      And in every crash state fsck reports pmem0 clean
