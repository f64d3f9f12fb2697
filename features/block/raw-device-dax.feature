@epic:block-devices @story:raw-device-dax
Feature: DAX mappings of a raw pmem block device or partition
  An application that wants all of a namespace, or one partition of it, maps /dev/pmem0 (or
  /dev/pmem0p1) with DAX and skips the filesystem; fsync and msync of that mapping go through the
  block device's ->writepages, which must do the DAX writeback with this very device. A partition
  whose start is not 2 MiB-aligned on the namespace cannot use PMD pages and falls back to PTEs.
  Sources: "Re: [PATCH 5/5] block: enable dax for raw block devices" and "[PATCH v2 0/2] DAX
  bdev fixes - move flushing calls to FS".

  Background:
    Given a 256 MiB pmem namespace pmem0 with partitions pmem0p1 at sector 2056 of 64 MiB and pmem0p2 at sector 135168 of 64 MiB

  @since:4.4 @until:4.6
  Rule: BD-3 A raw pmem block device or partition can be mmapped with DAX; a store plus fsync/msync on that mapping survives every crash

    @rule:BD-3 @seed:004_0939b2a0aa78b1f1.txt @severity:blocker @requires:raw-block-dax @requires:partitions
    Scenario Outline: a store through a <size> mapping of <dev> (<where>) survives <call>
      Given /dev/<dev> is mapped shared with <size> pages
      When the application stores "raw-durable" through the mapping of /dev/<dev> at offset 5000
      And the application calls <call>
      And power fails
      Then in every crash state <dev> holds "raw-durable" at offset 5000

      Examples:
        | dev     | where                 | size | call                                                                       |
        | pmem0   | whole disk            | PTE  | fsync on /dev/pmem0                                                        |
        | pmem0   | whole disk            | PTE  | msync(MS_SYNC) on 8192 bytes at offset 4096 of the mapping of /dev/pmem0   |
        | pmem0   | whole disk            | PMD  | fsync on /dev/pmem0                                                        |
        | pmem0   | whole disk            | PMD  | msync(MS_SYNC) on 4096 bytes at offset 4096 of the mapping of /dev/pmem0   |
        | pmem0p1 | start 1 MiB + 4 KiB   | PTE  | fsync on /dev/pmem0p1                                                      |
        | pmem0p1 | start 1 MiB + 4 KiB   | PTE  | msync(MS_SYNC) on 8192 bytes at offset 4096 of the mapping of /dev/pmem0p1 |
        | pmem0p1 | start 1 MiB + 4 KiB   | PMD  | fsync on /dev/pmem0p1                                                      |
        | pmem0p2 | start 66 MiB, aligned | PMD  | fsync on /dev/pmem0p2                                                      |
        | pmem0p2 | start 66 MiB, aligned | PMD  | msync(MS_SYNC) on 4096 bytes at offset 4096 of the mapping of /dev/pmem0p2 |

      @profile:adr @profile:eadr
      Examples: sync(2) sends no flush request here, so only a fence-only platform (ADR, eADR) promises it
        | dev     | where                 | size | call                                                                       |
        | pmem0p1 | start 1 MiB + 4 KiB   | PTE  | sync(2)                                                                    |
        | pmem0p2 | start 66 MiB, aligned | PMD  | sync(2)                                                                    |

    @rule:BD-3 @seed:000_7aa147f050932869.txt @severity:critical @requires:raw-block-dax @requires:partitions
    Scenario Outline: the block device's writepages writes back every dirty page of <dev>, not just the first
      Given /dev/<dev> is mapped shared with PTE pages
      When the application stores "first" through the mapping of /dev/<dev> at offset 0
      And the application stores "last" through the mapping of /dev/<dev> at offset 4190000
      And the application calls fsync on /dev/<dev>
      And power fails
      Then in every crash state <dev> holds "first" at offset 0
      And in every crash state <dev> holds "last" at offset 4190000

      Examples:
        | dev     |
        | pmem0   |
        | pmem0p1 |
        | pmem0p2 |

    @rule:BD-3 @seed:004_0939b2a0aa78b1f1.txt @severity:normal @requires:raw-block-dax @requires:partitions @requires:white-box @white-box
    Scenario Outline: a PMD mapping of <dev> (<where>) uses <entry> entries
      Given /dev/<dev> is mapped shared with PMD pages
      When the application stores "x" through the mapping of /dev/<dev> at offset 4096
      Then the mapping of /dev/<dev> has a DIRTY <entry> entry at index <index>

      Examples:
        | dev     | where                 | entry | index |
        | pmem0   | whole disk            | PMD   | 0     |
        | pmem0p1 | start 1 MiB + 4 KiB   | PTE   | 1     |
        | pmem0p2 | start 66 MiB, aligned | PMD   | 0     |

  @since:4.4 @until:4.6
  Rule: BD-6 Stores through a raw-device DAX mapping and read(2) of the device see the same bytes

    @rule:BD-6 @seed:004_0939b2a0aa78b1f1.txt @severity:critical @requires:raw-block-dax @requires:partitions
    Scenario Outline: a store through a <size> mapping of <dev> is what read(2) of <dev> returns
      Given /dev/<dev> is mapped shared with <size> pages
      When the application stores "mapped-bytes" through the mapping of /dev/<dev> at offset 12345
      Then read(2) of /dev/<dev> at offset 12345 returns "mapped-bytes"

      Examples:
        | dev     | size |
        | pmem0   | PTE  |
        | pmem0   | PMD  |
        | pmem0p1 | PTE  |
        | pmem0p2 | PMD  |

    @rule:BD-6 @seed:004_0939b2a0aa78b1f1.txt @severity:critical @requires:raw-block-dax @requires:partitions
    Scenario Outline: write(2) to <dev> is what a <size> mapping of <dev> loads, on a page it had already mapped
      Given /dev/<dev> is mapped shared with <size> pages
      And the application loads 4096 bytes through the mapping of /dev/<dev> at offset 8192
      When the application writes "written-bytes" to /dev/<dev> at offset 8200 with write(2)
      Then the mapping of /dev/<dev> reads "written-bytes" at offset 8200

      Examples:
        | dev     | size |
        | pmem0   | PTE  |
        | pmem0   | PMD  |
        | pmem0p1 | PTE  |
        | pmem0p2 | PMD  |

    @rule:BD-6 @seed:004_0939b2a0aa78b1f1.txt @severity:normal @requires:raw-block-dax
    Scenario: read(2) of the raw device after a write(2) returns the new bytes, though an earlier read(2) saw the old ones
      Given /dev/pmem0 was written with "old-bytes" at offset 8192 beforehand
      And read(2) of /dev/pmem0 at offset 8192 returns "old-bytes"
      When the application writes "new-bytes" to /dev/pmem0 at offset 8192 with write(2)
      Then read(2) of /dev/pmem0 at offset 8192 returns "new-bytes"
