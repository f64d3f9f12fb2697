@epic:block-devices @story:device-size
Feature: Faults beyond the end of a raw device, and resizing it under a mapping
  A raw-device mapping may be longer than the device, and a partition may shrink while it is
  mapped: nothing in the fault path waits for a stable size. A fault at or beyond the device's
  current end must raise SIGBUS, and no byte past the end, in the next partition, may change.
  Source: "Re: [PATCH 5/5] block: enable dax for raw block devices".

  Background:
    Given a 16 MiB pmem namespace pmem0 with partitions pmem0p1 at sector 4096 of 2 MiB and pmem0p2 at sector 8192 of 2 MiB
    And /dev/pmem0p2 was written with "next-door" at offset 0 beforehand

  @since:4.4 @until:4.6
  Rule: BD-5 A fault beyond the end of the device fails with SIGBUS; no data beyond the device is touched

    @rule:BD-5 @seed:004_0939b2a0aa78b1f1.txt @severity:critical @requires:raw-block-dax @requires:partitions
    Scenario Outline: a store at offset <offset> of a 4 MiB <size> mapping of the 2 MiB pmem0p1 fails with SIGBUS
      Given /dev/pmem0p1 is mapped shared with <size> pages
      When the application tries to store "over-the-edge" through the mapping of /dev/pmem0p1 at offset <offset>
      Then the call fails with SIGBUS
      And /dev/pmem0p2 still holds "next-door" at offset 0

      Examples:
        | size | offset  |
        | PTE  | 2097152 |
        | PTE  | 2097150 |
        | PMD  | 2097152 |
        | PMD  | 3145728 |

    @rule:BD-5 @seed:004_0939b2a0aa78b1f1.txt @severity:normal @requires:raw-block-dax @requires:partitions
    Scenario Outline: a load at the end of a <size> mapping of pmem0p1 fails with SIGBUS
      Given /dev/pmem0p1 is mapped shared with <size> pages
      When the application tries to load 16 bytes through the mapping of /dev/pmem0p1 at offset 2097152
      Then the call fails with SIGBUS

      Examples:
        | size |
        | PTE  |
        | PMD  |

    @rule:BD-5 @seed:004_0939b2a0aa78b1f1.txt @severity:critical @requires:raw-block-dax @requires:partitions @requires:resize
    Scenario Outline: after pmem0p1 shrinks to 1 MiB under a <size> mapping, a store past the new end fails with SIGBUS
      Given /dev/pmem0p1 is mapped shared with <size> pages
      And the application stores "mapped" through the mapping of /dev/pmem0p1 at offset 1572864
      When the device /dev/pmem0p1 is resized to 1 MiB
      And the application tries to store "after-shrink" through the mapping of /dev/pmem0p1 at offset 1572864
      Then the call fails with SIGBUS
      And /dev/pmem0 still holds "mapped" at offset 3670016

      Examples:
        | size |
        | PTE  |
        | PMD  |

    @rule:BD-5 @seed:004_0939b2a0aa78b1f1.txt @severity:normal @requires:raw-block-dax @requires:partitions @requires:resize
    Scenario: after pmem0p1 grows back, the page past the old end can be mapped again
      Given /dev/pmem0p1 is mapped shared with PTE pages
      And the device /dev/pmem0p1 is resized to 1 MiB
      When the device /dev/pmem0p1 is resized to 2 MiB
      And the application stores "grown" through the mapping of /dev/pmem0p1 at offset 1572864
      Then read(2) of /dev/pmem0 at offset 3670016 returns "grown"

    @rule:BD-5 @seed:004_0939b2a0aa78b1f1.txt @severity:normal @requires:partitions @requires:resize
    Scenario: growing pmem0p1 over pmem0p2 is refused with EBUSY
      When the application tries to resize /dev/pmem0p1 to 3 MiB
      Then the call fails with EBUSY
      And /dev/pmem0p2 still holds "next-door" at offset 0

    # Kernels differ past this point, so these rows hold the emulator, not every kernel: BLKPG_RESIZE_PARTITION
    # in 4.4-4.6 checks only the start sector and the overlap (a partition grown past the disk's end, or to 1000
    # or 0 bytes, is accepted); 6.1 refuses lengths that are not whole logical blocks (EINVAL); since 2024
    # ("block: move capacity validation to blkpg_do_ioctl()") a partition past the disk's end is EINVAL.
    @rule:BD-5 @seed:004_0939b2a0aa78b1f1.txt @severity:minor @requires:partitions @requires:resize @white-box @requires:white-box
    Scenario Outline: the emulator refuses resizing <dev> to <size> with <errno>
      When the application tries to resize /dev/<dev> to <size>
      Then the call fails with <errno>
      And /dev/pmem0p2 still holds "next-door" at offset 0

      Examples:
        | dev     | size   | errno  |
        | pmem0p2 | 64 MiB | ENOSPC |
        | pmem0p2 | 13 MiB | ENOSPC |
        | pmem0   | 5 MiB  | EBUSY  |
        | pmem0p1 | 1000   | EINVAL |
        | pmem0p1 | 0      | EINVAL |

    @rule:BD-5 @seed:004_0939b2a0aa78b1f1.txt @severity:normal @requires:partitions @requires:resize
    Scenario Outline: <dev> can be resized to <size>, <limit>
      Given the device /dev/<dev> is resized to <size>
      When the application writes "last" to /dev/<dev> at offset <last> with write(2)
      Then read(2) of /dev/pmem0 at offset <disk> returns "last"
      And /dev/pmem0p2 still holds "next-door" at offset 0

      Examples:
        | dev     | size   | limit                                 | last     | disk     |
        | pmem0p2 | 12 MiB | the rest of the namespace             | 12582908 | 16777212 |
        | pmem0   | 6 MiB  | the end of its last partition         | 6291452  | 6291452  |
        | pmem0p1 | 2 MiB  | the start of the partition after it   | 2097148  | 4194300  |

    @rule:BD-5 @seed:004_0939b2a0aa78b1f1.txt @severity:minor @requires:partitions @requires:resize @white-box @requires:white-box
    Scenario Outline: the emulator's <errno> for resizing <dev> to <size> names the limit it hit
      When the application tries to resize /dev/<dev> to <size>
      Then the call fails with <errno>
      And the error message names "<text>"

      Examples:
        | dev     | size   | errno  | text                                                                                                                |
        | pmem0p1 | 3 MiB  | EBUSY  | /dev/pmem0p1 cannot grow to 3145728 bytes: it would overlap /dev/pmem0p2, which starts at byte 2097152 of it        |
        | pmem0p2 | 13 MiB | ENOSPC | /dev/pmem0p2 cannot grow to 13631488 bytes: 12582912 bytes remain on namespace pmem0 from its start at byte 4194304 |
        | pmem0   | 5 MiB  | EBUSY  | /dev/pmem0 cannot shrink to 5242880 bytes: partition /dev/pmem0p2 ends at byte 6291456                              |
        | pmem0p1 | 1000   | EINVAL | device size 1000 must be a positive multiple of 512 bytes                                                           |
