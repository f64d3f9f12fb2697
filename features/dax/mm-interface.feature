@epic:dax-mappings @story:mm-interface
Feature: The mm interface at its edges: mmap, msync and munmap arguments and the radix tree behind them
  What an application gets back from mmap, msync and munmap when an argument is wrong or sits exactly
  on a boundary, and what the mapping's radix tree (entries, counters, DIRTY and TOWRITE tags) looks
  like after a ranged writeback. Source: "[PATCH v4 4/7] dax: add support for fsync/sync"; the
  argument rules (MM-1, beyond the seeds) are the kernel's own: mm/mmap.c (do_mmap: a file offset
  inside a page or a length of 0 is EINVAL) and mm/msync.c (an address inside a page is EINVAL, a
  range that reaches an unmapped page is ENOMEM, a length of 0 does nothing; the length is a size_t
  rounded up to whole pages, so -1 to -4095 wrap round to 0 and do nothing as well). Mapping ids, negative
  numbers and the text of an error are the harness's, not the kernel's: the scenarios that check
  how the emulator words them are @white-box, so no target is judged on them.

  @since:4.0
  Rule: MM-1 (beyond) mmap and msync refuse what mm/mmap.c and mm/msync.c refuse, with the same errno

    @rule:MM-1 @beyond @severity:minor
    Scenario Outline: mmap <why> fails with EINVAL
      Given an ext4 filesystem mounted with dax on pmem0
      And a file /a with 16 KiB allocated and synced
      When the application tries to map /a shared at file offset <offset> with length <length>
      Then the call fails with EINVAL

      Examples:
        | why                                | offset | length |
        | at a file offset inside a page     | 100    | 4096   |
        | at a file offset one byte short    | 4095   | 4096   |
        | of length 0                        | 0      | 0      |

    @rule:MM-1 @beyond @severity:minor
    Scenario Outline: msync of <length> bytes at offset <offset> <why> fails with <errno>
      Given an ext4 filesystem mounted with dax on pmem0
      And a file /a with 16 KiB allocated and synced
      And /a is mapped shared with PTE pages
      When the application tries to msync the mapping of /a with offset <offset> and length <length>
      Then the call fails with <errno>

      Examples:
        | offset | length | why                                 | errno  |
        | 12288  | 4097   | reaching one byte past the mapping  | ENOMEM |
        | 16384  | 1      | starting at the end of the mapping  | ENOMEM |
        | 100    | 10     | at an address inside a page         | EINVAL |
        | 4095   | 1      | one byte before a page boundary     | EINVAL |

    @rule:MM-1 @beyond @severity:minor
    Scenario Outline: msync of <length> bytes at offset <offset>, which ends inside the mapping, succeeds
      Given an ext4 filesystem mounted with dax on pmem0
      And a file /a with 16 KiB allocated and synced
      And /a is mapped shared with PTE pages
      When the application tries to msync the mapping of /a with offset <offset> and length <length>
      Then the call succeeds

      Examples:
        | offset | length |
        | 0      | 0      |
        | 12288  | 4096   |
        | 12288  | 1      |
        | 0      | 16383  |
        | 4096   | -1     |
        | 4096   | -4095  |

  @since:4.0
  Rule: MM-1 (beyond) mmap and msync refuse what mm/mmap.c and mm/msync.c refuse, with the same errno

    @rule:MM-1 @beyond @severity:minor @white-box @requires:white-box
    Scenario Outline: the emulator refuses mmap at offset <offset> with length <length> with EINVAL naming the value
      Given an ext4 filesystem mounted with dax on pmem0
      And a file /a with 16 KiB allocated and synced
      When the application tries to map /a shared at file offset <offset> with length <length>
      Then the call fails with EINVAL
      And the error message names "<names>"

      Examples:
        | offset           | length | names                        |
        | 100              | 4096   | mmap offset 100              |
        | -4096            | 4096   | mmap offset -4096            |
        | 9007199254740992 | 4096   | mmap offset 9007199254740992 |
        | 0                | 0      | mmap length 0                |
        | 0                | -4096  | mmap length -4096            |

    @rule:MM-1 @beyond @severity:minor @white-box @requires:white-box
    Scenario Outline: the emulator refuses msync of [<offset>, <offset> + <length>) with <errno> naming the range
      Given an ext4 filesystem mounted with dax on pmem0
      And a file /a with 16 KiB allocated and synced
      And /a is mapped shared with PTE pages
      When the application tries to msync the mapping of /a with offset <offset> and length <length>
      Then the call fails with <errno>
      And the error message names "<names>"

      Examples:
        | offset | length | errno  | names                                    |
        | 12288  | 4097   | ENOMEM | [12288, 16385) reaches outside the 16384 |
        | -4096  | 4096   | ENOMEM | [-4096, 0)                               |
        | 4096   | -4096  | ENOMEM | [4096, 0)                                |
        | 100    | 10     | EINVAL | msync address at offset 100              |

    @rule:MM-1 @beyond @severity:minor @white-box @requires:white-box
    Scenario: the emulator refuses to unmap an id it never returned, naming it and listing no mapping
      Given an ext4 filesystem mounted with dax on pmem0
      When the application tries to unmap mapping id 99, which it never got
      Then the call fails with EINVAL
      And the error message names "no mapping with id 99"
      And the error lists the mappings still in place

    @rule:MM-1 @beyond @severity:minor @white-box @requires:white-box
    Scenario: the emulator refuses to unmap an unknown id, listing the live mappings
      Given an ext4 filesystem mounted with dax on pmem0
      And a file /a with 16 KiB allocated and synced
      And a file /b with 16 KiB allocated and synced
      And /a is mapped shared with PTE pages
      And /b is mapped shared with PTE pages
      When the application tries to unmap mapping id 99, which it never got
      Then the call fails with EINVAL
      And the error lists the mappings still in place

    @rule:MM-1 @beyond @severity:minor @white-box @requires:white-box
    Scenario: the emulator answers msync of an unmapped mapping with ENOMEM, as msync(2) answers an unmapped range
      Given an ext4 filesystem mounted with dax on pmem0
      And a file /a with 16 KiB allocated and synced
      And a file /b with 16 KiB allocated and synced
      And /a is mapped shared with PTE pages
      And /b is mapped shared with PTE pages
      When /a is unmapped and the application tries to msync 4096 bytes of its old mapping
      Then the call fails with ENOMEM
      And the error message names "no such mapping"

  @since:4.5
  Rule: WB-1 msync up to the end of the mapping writes back what it covers

    @rule:WB-1 @seed:002_942ec44a608dccaf.txt @severity:normal @white-box @requires:white-box
    Scenario: a mapping at a page-aligned file offset maps that page and msync writes it back
      Given an ext4 filesystem mounted with dax on pmem0
      And a file /a with 16 KiB allocated and synced
      When /a is mapped shared with PTE pages over 8192 from file offset 4096
      And the application stores "off" through the mapping of /a at offset 0
      Then the mapping of /a has exactly one entry: a DIRTY PTE entry at index 1
      And /a reads "off" at offset 4096
      When the application calls msync(MS_SYNC) on 4096 bytes at offset 0 of the mapping of /a
      Then the mapping of /a has no DIRTY entries

    @rule:WB-1 @seed:002_942ec44a608dccaf.txt @severity:normal @white-box @requires:white-box
    Scenario: msync up to the last byte of the mapping succeeds and writes back the last page
      Given an ext4 filesystem mounted with dax on pmem0
      And a file /a with 16 KiB allocated and synced
      And /a is mapped shared with PTE pages
      And the application stores "last" through the mapping of /a at offset 12288
      When the application tries to msync the mapping of /a with offset 12288 and length 4096
      Then the call succeeds
      And the mapping of /a has a clean PTE entry at index 3

  @since:4.5
  Rule: DT-3 A PMD mapping starts on a 2 MiB boundary of the file

    @rule:DT-3 @seed:002_942ec44a608dccaf.txt @severity:minor @white-box @requires:white-box
    Scenario: the emulator refuses a PMD mapping at an unaligned file offset, naming the offset
      Given an ext4 filesystem mounted with dax on pmem0
      And a file /a with 4 MiB allocated and synced
      When the application tries to map /a shared at file offset 4096 with length 2097152 using PMD pages
      Then the call fails with EINVAL
      And the error message names "2 MiB-aligned file offset, got 4096"

    @rule:DT-3 @seed:002_942ec44a608dccaf.txt @severity:normal @white-box @requires:white-box
    Scenario: a PMD mapping at file offset 2 MiB records its PMD entry at index 512
      Given an ext4 filesystem mounted with dax on pmem0
      And a file /a with 4 MiB allocated and synced
      When /a is mapped shared with PMD pages over 2 MiB from file offset 2 MiB
      And the application stores "pmd" through the mapping of /a at offset 4096
      Then the mapping of /a has exactly one entry: a DIRTY PMD entry at index 512
      And /a reads "pmd" at offset 2101248

  @since:4.15
  Rule: MS-1 MAP_SYNC is only for shared mappings of DAX files

    @rule:MS-1 @beyond @severity:minor @white-box @requires:white-box @requires:map-sync
    Scenario: the emulator refuses MAP_SYNC on a private mapping with EOPNOTSUPP naming the file
      Given an ext4 filesystem mounted with dax on pmem0
      And a file /a with 16 KiB allocated and synced
      When the application tries to map /a private with MAP_SYNC at file offset 0 with length 4096
      Then the call fails with EOPNOTSUPP
      And the error message names "MAP_SYNC needs a shared mapping of a DAX file; /mnt/a is mapped private"

    @rule:MS-1 @beyond @severity:minor @requires:map-sync
    Scenario: MAP_SYNC on a file without DAX fails with EOPNOTSUPP
      Given an ext4 filesystem mounted without dax on pmem0
      And a file /a with 16 KiB allocated and synced
      When the application tries to map /a shared with MAP_SYNC at file offset 0 with length 4096
      Then the call fails with EOPNOTSUPP

    @rule:MS-1 @beyond @severity:minor @white-box @requires:white-box @requires:map-sync
    Scenario: the emulator's EOPNOTSUPP for MAP_SYNC on a file without DAX says the file is not DAX
      Given an ext4 filesystem mounted without dax on pmem0
      And a file /a with 16 KiB allocated and synced
      When the application tries to map /a shared with MAP_SYNC at file offset 0 with length 4096
      Then the call fails with EOPNOTSUPP
      And the error message names "/mnt/a is not DAX"

  @since:4.5
  Rule: MS-5 The radix tree counts and orders its entries; truncate and punch-hole drop only their range

    @rule:MS-5 @beyond @severity:normal @white-box @requires:white-box
    Scenario: entries are kept in index order and counted; a punched hole drops only its page
      Given an ext4 filesystem mounted with dax on pmem0
      And a file /a with 16 KiB allocated and synced
      And /a is mapped shared with PTE pages
      When the application stores "three" through the mapping of /a at offset 12288
      And the application stores "one" through the mapping of /a at offset 4096
      And the application stores "zero" through the mapping of /a at offset 0
      Then the entries of the mapping of /a are at indices 0,1,3, in that order
      And the mapping of /a counts 3 DAX entries and 0 page-cache pages
      When a hole is punched over 4096 bytes at offset 4096 of /a
      Then the entries of the mapping of /a are at indices 0,3, in that order
      And the mapping of /a counts 2 DAX entries and 0 page-cache pages

    @rule:MS-5 @beyond @severity:normal @white-box @requires:white-box
    Scenario: fsync of a file with a page-cache page and DAX entries cleans both
      Given an ext4 filesystem mounted with dax on pmem0
      And a file /a with 16 KiB allocated and synced
      And /a is mapped shared with PTE pages
      When the application sets the extended attribute user.k of /a to "v"
      And the application stores "dax" through the mapping of /a at offset 8192
      Then the mapping of /a counts 1 DAX entries and 1 page-cache pages
      When the application calls fsync on /a
      Then the mapping of /a has no DIRTY entries
      And the inode of /a is not marked I_DIRTY_PAGES

    @rule:MS-5 @beyond @severity:normal @white-box @requires:white-box @requires:ext2
    Scenario: unmounting drops the clean buffer pages of the device's page cache
      Given an ext2 filesystem mounted with dax on pmem0
      And a file /a
      When the filesystem is unmounted
      Then the mapping of /dev/pmem0 counts 0 DAX entries and 0 page-cache pages

    @rule:MS-5 @beyond @severity:normal @white-box @requires:white-box
    Scenario: a PMD entry replaces only the PTE entries of its own 2 MiB range
      Given an ext4 filesystem mounted with dax on pmem0
      And a file /a with 4 MiB allocated and synced
      And /a is mapped shared with PTE pages
      And the application stores "pte" through the mapping of /a at offset 4096
      When /a is mapped shared with PMD pages over 2 MiB from file offset 2 MiB
      And the application stores "pmd" through the mapping of /a at offset 0
      Then the mapping of /a has a DIRTY PTE entry at index 1
      And the mapping of /a has a DIRTY PMD entry at index 512
      And the mapping of /a counts 2 DAX entries and 0 page-cache pages

  @since:4.5
  Rule: WB-2 Writeback covers exactly the range asked for: page-cache pages outside it stay dirty

    @rule:WB-2 @seed:002_942ec44a608dccaf.txt @severity:normal @white-box @requires:white-box @requires:raw-block-dax @requires:ext2
    Scenario Outline: msync of one page of a raw-device mapping writes back that buffer page only
      Given an ext2 filesystem mounted with dax on pmem0
      And a directory /d
      And /dev/pmem0 is mapped shared with PTE pages
      When the application calls msync(MS_SYNC) on 4096 bytes at offset <offset> of the mapping of /dev/pmem0
      Then the page-cache page of /dev/pmem0 at index <written> is clean
      And the page-cache page of /dev/pmem0 at index <kept> is DIRTY
      And the mapping of /dev/pmem0 has no TOWRITE entries
      And the inode of /dev/pmem0 is marked I_DIRTY_PAGES

      Examples:
        | offset | written | kept |
        | 4096   | 1       | 9    |
        | 36864  | 9       | 1    |

    @rule:WB-2 @seed:002_942ec44a608dccaf.txt @severity:normal @white-box @requires:white-box @requires:raw-block-dax @requires:ext2
    Scenario: msync of a raw-device mapping at a device offset writes back the page at that offset
      Given an ext2 filesystem mounted with dax on pmem0
      And a directory /d
      When /dev/pmem0 is mapped shared with PTE pages over 36864 from file offset 4096
      And the application calls msync(MS_SYNC) on 4096 bytes at offset 32768 of the mapping of /dev/pmem0
      Then the page-cache page of /dev/pmem0 at index 9 is clean
      And the page-cache page of /dev/pmem0 at index 1 is DIRTY

    @rule:WB-2 @beyond @severity:normal @white-box @requires:white-box @requires:ext2
    Scenario: background writeback writes back the device's dirty buffer pages
      Given an ext2 filesystem mounted with dax on pmem0
      And a file /a
      And the page-cache page of /dev/pmem0 at index 9 is DIRTY
      When background writeback runs
      Then the mapping of /dev/pmem0 has no DIRTY entries
      And the inode of /dev/pmem0 is not marked I_DIRTY_PAGES

  @since:4.5
  Rule: WB-4 Writeback walks its tagged entries in index order and only inside its range

    @rule:WB-4 @beyond @severity:minor @white-box @requires:white-box @requires:raw-block-dax
    Scenario: msync writes back a raw-device mapping's entries in index order, whatever the store order
      Given a pmem namespace pmem0
      And /dev/pmem0 is mapped shared with PTE pages
      When the application stores "later" through the mapping of /dev/pmem0 at offset 20480
      And the application stores "sooner" through the mapping of /dev/pmem0 at offset 8192
      And the write-back log is cleared
      And the application calls msync(MS_SYNC) on 4194304 bytes at offset 0 of the mapping of /dev/pmem0
      Then the write-back log reaches offset 8192 of pmem0 before offset 20480

    @rule:WB-4 @seed:002_942ec44a608dccaf.txt @severity:normal @white-box @requires:white-box @requires:schedules
    Scenario: an msync of one page leaves another fsync's tagged entries outside its range alone
      Given an ext4 filesystem mounted with dax on pmem0
      And a file /a with 16 KiB allocated and synced
      And /a is mapped shared with PTE pages
      And the application stores "p0" through the mapping of /a at offset 0
      And the application stores "p2" through the mapping of /a at offset 8192
      When fsync A of /a stops after tagging
      And the application calls msync(MS_SYNC) on 4096 bytes at offset 0 of the mapping of /a
      Then the mapping of /a has a clean PTE entry at index 0
      And the mapping of /a has a DIRTY PTE entry at index 2
      When fsync A resumes and completes
      Then the mapping of /a has no DIRTY entries

  @since:4.4 @until:4.6
  Rule: BD-5 Nothing beyond the end of a device is touched, even by writeback of a page that straddles it

    @rule:BD-5 @beyond @severity:normal @white-box @requires:white-box @requires:partitions @requires:resize @requires:ext2
    Scenario: background writeback of a directory page across the end of a shrunk partition writes only its part inside
      Given a 64 MiB pmem namespace pmem0 with partitions pmem0p1 at sector 2048 of 16 MiB and pmem0p2 at sector 34816 of 16 MiB
      And /dev/pmem0p2 was written with "next-door" at offset 0 beforehand
      And an ext2 filesystem mounted with dax on pmem0p1
      And a file /a
      And the page-cache page of / at index 0 is DIRTY
      When the device /dev/pmem0p1 is resized to 47104
      And background writeback runs
      Then the mapping of / has no DIRTY entries
      And the mapping of /dev/pmem0p1 has no DIRTY entries
      And /dev/pmem0p2 still holds "next-door" at offset 0
