@epic:block-devices @story:partitions
Feature: Partitions of a pmem namespace map their own sectors
  A partition is a window on the namespace that starts at its first sector: offset 0 of
  /dev/pmem0p1 is that sector, for a raw mapping, for read(2) and for a filesystem's new blocks.
  Zeroing a newly allocated block must go through the block device get_block returned, or the
  zeroes land at the same sector of another device, and the zeroes must be durable before the
  block's data is, so each live check has a crash-state twin. Partitions that start at sectors
  that are not page-aligned are covered too (for raw mappings and read(2); Linux refuses a DAX
  filesystem there). Sources: "[PATCH v2 0/2] DAX bdev fixes -
  move flushing calls to FS" (dax: supply DAX clearing code with correct bdev).
  Since Linux 5.19 a pmem disk's DAX device has one holder ("dax: introduce holder for
  dax_device"): an xfs whose realtime section is a second partition of its data section's disk
  gets DAX on the data section only, and with dax=always Linux 6.1 refuses the realtime flag
  (EINVAL), so the two realtime scenarios need `dax-shared-disk`, which a 5.19+ kernel lacks. Since 5.19 xfs also refuses a DAX
  mount of a reflink filesystem on a partition ("xfs: fail dax mount if reflink is enabled on a
  partition"): an xfs for DAX on a partition is made without reflink.

  @since:4.5
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

    @rule:BD-4 @seed:000_7aa147f050932869.txt @severity:critical @requires:raw-block-dax @requires:partitions
    Scenario Outline: on partitions at odd sectors, a store at offset <offset> of a <size> mapping of <dev> lands at byte <start> of pmem0
      Given a 256 MiB pmem namespace pmem0 with partitions pmem0p1 at sector 2049 of 64 MiB and pmem0p2 at sector 133123 of 64 MiB
      And /dev/<dev> is mapped shared with <size> pages
      When the application stores "odd-sector" through the mapping of /dev/<dev> at offset <offset>
      And the application calls fsync on /dev/<dev>
      And power fails
      Then in every crash state pmem0 holds "odd-sector" at offset <start>

      Examples:
        | dev     | size | offset  | start    |
        | pmem0p1 | PTE  | 0       | 1049088  |
        | pmem0p1 | PMD  | 0       | 1049088  |
        | pmem0p1 | PTE  | 4090    | 1053178  |
        | pmem0p2 | PTE  | 0       | 68158976 |
        | pmem0p2 | PMD  | 2097157 | 70256133 |

    @rule:BD-4 @seed:000_7aa147f050932869.txt @severity:normal @requires:partitions
    Scenario Outline: bytes written at byte <start> of pmem0 are offset 0 of <dev>
      Given a 256 MiB pmem namespace pmem0 with partitions pmem0p1 at sector 2056 of 64 MiB and pmem0p2 at sector 135168 of 64 MiB
      When the application writes "table-says" to /dev/pmem0 at offset <start> with write(2)
      Then read(2) of /dev/<dev> at offset 0 returns "table-says"

      Examples:
        | dev     | start    |
        | pmem0p1 | 1052672  |
        | pmem0p2 | 69206016 |

    @rule:BD-4 @seed:000_7aa147f050932869.txt @severity:normal @requires:partitions
    Scenario Outline: on partitions at odd sectors, bytes written at byte <start> of pmem0 are offset <offset> of <dev>
      Given a 256 MiB pmem namespace pmem0 with partitions pmem0p1 at sector 2049 of 64 MiB and pmem0p2 at sector 133123 of 64 MiB
      When the application writes "table-says" to /dev/pmem0 at offset <start> with write(2)
      Then read(2) of /dev/<dev> at offset <offset> returns "table-says"

      Examples:
        | dev     | offset | start    |
        | pmem0p1 | 0      | 1049088  |
        | pmem0p1 | 511    | 1049599  |
        | pmem0p2 | 0      | 68158976 |
        | pmem0p2 | 4095   | 68163071 |

    @rule:BD-4 @seed:000_7aa147f050932869.txt @severity:critical @requires:partitions @requires:ext4
    Scenario: a new block of an ext4 file on the second partition reads as zeros over stale media
      Given a 256 MiB pmem namespace pmem0 with partitions pmem0p1 at sector 2056 of 64 MiB and pmem0p2 at sector 135168 of 64 MiB
      And the first 16 MiB of /dev/pmem0p2 held stale bytes beforehand
      And an ext4 filesystem mounted with dax on pmem0p2
      And a file /a
      When the application writes "new" to /a at offset 4093 with write(2)
      Then /a reads 4093 zero bytes at offset 0

    @rule:BD-4 @seed:000_7aa147f050932869.txt @severity:critical @requires:partitions
    Scenario Outline: a new block of an <fs> file on the second partition holds zeros in every crash state after fsync, and the first partition keeps its bytes
      Given a 256 MiB pmem namespace pmem0 with partitions pmem0p1 at sector 2056 of 64 MiB and pmem0p2 at sector 135168 of 64 MiB
      And the first 16 MiB of /dev/pmem0p2 held stale bytes beforehand
      And /dev/pmem0p1 was written with "next-door" at offset 0 beforehand
      And an <fs> filesystem mounted with dax on pmem0p2
      And a sparse file /a of 64 KiB, synced
      When the application writes "new" to /a at offset 8189 with write(2)
      And the application calls fsync on /a
      And power fails
      Then in every crash state /a holds 4093 zero bytes at offset 4096
      And in every crash state pmem0p1 holds "next-door" at offset 0

      Examples:
        | fs   |
        | ext2 |
        | ext4 |
        | xfs  |

    @rule:BD-4 @seed:000_7aa147f050932869.txt @severity:critical @requires:partitions @requires:xfs-realtime @requires:dax-shared-disk
    Scenario: a new realtime block on the second partition is zeroed there, not at the same sector of the first
      Given a 256 MiB pmem namespace pmem0 with partitions pmem0p1 at sector 2056 of 64 MiB and pmem0p2 at sector 135168 of 64 MiB
      And the first 16 MiB of /dev/pmem0p2 held stale bytes beforehand
      And an xfs filesystem on pmem0p1 with its realtime section on pmem0p2, mounted with dax
      And a file /r on the realtime section
      When the application writes "new" to /r at offset 4093 with write(2)
      Then /r reads 4093 zero bytes at offset 0

    @rule:BD-4 @seed:000_7aa147f050932869.txt @severity:critical @requires:partitions @requires:xfs-realtime @requires:dax-shared-disk
    Scenario: a new realtime block on the second partition holds zeros in every crash state, and the first partition's filesystem stays clean
      Given a 256 MiB pmem namespace pmem0 with partitions pmem0p1 at sector 2056 of 64 MiB and pmem0p2 at sector 135168 of 64 MiB
      And the first 16 MiB of /dev/pmem0p2 held stale bytes beforehand
      And an xfs filesystem on pmem0p1 with its realtime section on pmem0p2, mounted with dax
      And a file /r on the realtime section
      When the application writes "new" to /r at offset 4093 with write(2)
      And the application calls fsync on /r
      And power fails
      Then in every crash state /r holds 4093 zero bytes at offset 0
      And in every crash state fsck reports pmem0p1 clean

    @rule:BD-4 @beyond @severity:normal @requires:partitions @requires:namespace-size
    Scenario Outline: a partition that ends at the end of the disk holds offset <offset> at byte <start> of pmem0
      # pmem0p2 starts where pmem0p1 ends and ends on the disk's last sector
      Given a 128 MiB pmem namespace pmem0 with partitions pmem0p1 at sector 2048 of 64 MiB and pmem0p2 at sector 133120 of 63 MiB
      When the application writes "tail" to /dev/pmem0p2 at offset <offset> with write(2)
      Then read(2) of /dev/pmem0 at offset <start> returns "tail"

      Examples:
        | offset   | start     |
        | 0        | 68157440  |
        | 66060284 | 134217724 |
