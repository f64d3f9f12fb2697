@epic:block-devices @story:partitions
Feature: Partitions of a pmem namespace map their own sectors
  A partition is a window on the namespace that starts at its first sector: offset 0 of
  /dev/pmem0p1 is that sector, for a raw mapping, for read(2) and for a filesystem's new blocks.
  Zeroing a newly allocated block must go through the block device get_block returned, or the
  zeroes land at the same sector of another device. Sources: "[PATCH v2 0/2] DAX bdev fixes -
  move flushing calls to FS" (dax: supply DAX clearing code with correct bdev).

  Rule: BD-4 A partition's mapping starts at the partition's first sector: offset 0 of /dev/pmem0p1 is its start sector on the namespace

    @rule:BD-4 @seed:000_7aa147f050932869.txt @severity:critical @requires:raw-block-dax @requires:partitions
    Scenario Outline: a store at offset 0 of a <size> mapping of <dev> lands at byte <start> of pmem0
      Given a 256 MiB pmem namespace pmem0 with partitions pmem0p1 at sector 2056 of 64 MiB and pmem0p2 at sector 135168 of 64 MiB
      And /dev/<dev> is mapped shared with <size> pages
      When the application stores "sector-zero" through the mapping of /dev/<dev> at offset 0
      And the application calls fsync on /dev/<dev>
      And power fails
      Then in every crash state pmem0 holds "sector-zero" at offset <start>

      Examples:
        | dev     | size | start    |
        | pmem0p1 | PTE  | 1052672  |
        | pmem0p1 | PMD  | 1052672  |
        | pmem0p2 | PTE  | 69206016 |
        | pmem0p2 | PMD  | 69206016 |

    @rule:BD-4 @seed:000_7aa147f050932869.txt @severity:normal @requires:partitions
    Scenario Outline: bytes written at byte <start> of pmem0 are offset 0 of <dev>
      Given a 256 MiB pmem namespace pmem0 with partitions pmem0p1 at sector 2056 of 64 MiB and pmem0p2 at sector 135168 of 64 MiB
      When the application writes "table-says" to /dev/pmem0 at offset <start> with write(2)
      Then read(2) of /dev/<dev> at offset 0 returns "table-says"

      Examples:
        | dev     | start    |
        | pmem0p1 | 1052672  |
        | pmem0p2 | 69206016 |

    @rule:BD-4 @seed:000_7aa147f050932869.txt @severity:critical @requires:partitions @requires:ext4
    Scenario: a new block of an ext4 file on the second partition reads as zeros over stale media
      Given a 256 MiB pmem namespace pmem0 with partitions pmem0p1 at sector 2056 of 64 MiB and pmem0p2 at sector 135168 of 64 MiB
      And the first 16 MiB of /dev/pmem0p2 held stale bytes beforehand
      And an ext4 filesystem mounted with dax on pmem0p2
      And a file /a
      When the application writes "new" to /a at offset 4093 with write(2)
      Then /a reads 4093 zero bytes at offset 0

    @rule:BD-4 @seed:000_7aa147f050932869.txt @severity:critical @requires:partitions @requires:xfs-realtime
    Scenario: a new realtime block on the second partition is zeroed there, not at the same sector of the first
      Given a 256 MiB pmem namespace pmem0 with partitions pmem0p1 at sector 2056 of 64 MiB and pmem0p2 at sector 135168 of 64 MiB
      And the first 16 MiB of /dev/pmem0p2 held stale bytes beforehand
      And an xfs filesystem on pmem0p1 with its realtime section on pmem0p2, mounted with dax
      And a file /r on the realtime section
      When the application writes "new" to /r at offset 4093 with write(2)
      Then /r reads 4093 zero bytes at offset 0
