@epic:dax-mappings @story:todays-kernel
Feature: A read-only DAX mount never writes
  On a filesystem mounted with -o dax,ro no system call and no fault changes the file or the media;
  a private mapping still takes its copy-on-write faults. Source: the 4.13 fix "ext4: fix fault
  handling when mounted with -o dax,ro" (ext4 took a journal handle for every write fault, so a
  private write fault raised SIGBUS) and xfstests generic/452.

  @since:4.13
  Rule: MS-8 On a dax,ro mount nothing writes; a private mapping's write fault still copies

    @rule:MS-8 @beyond @severity:normal
    Scenario Outline: <call> on a read-only <fs> DAX mount fails with EROFS
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 64 KiB written and synced
      And the filesystem is remounted read-only with dax
      When the application tries <call>
      Then the call fails with EROFS

      Examples:
        | fs   | call                                       |
        | ext2 | write(2) of "w" to /a at offset 0          |
        | ext4 | write(2) of "w" to /a at offset 0          |
        | xfs  | write(2) of "w" to /a at offset 0          |
        | ext2 | to create /b                               |
        | ext4 | to create /b                               |
        | xfs  | to create /b                               |
        | ext2 | to truncate /a to 4 KiB                    |
        | ext4 | to truncate /a to 4 KiB                    |
        | xfs  | to truncate /a to 4 KiB                    |
        | ext2 | to fallocate 64 KiB at offset 64 KiB of /a |
        | ext4 | to fallocate 64 KiB at offset 64 KiB of /a |
        | xfs  | to fallocate 64 KiB at offset 64 KiB of /a |
        | ext2 | to map /a shared                           |
        | ext4 | to map /a shared                           |
        | xfs  | to map /a shared                           |

    @rule:MS-8 @beyond @severity:normal @requires:schedules
    Scenario Outline: a store through a private mapping on a read-only <fs> DAX mount over a page mapped for reading copies it without pfn_mkwrite
      # do_wp_page() copies a read-only private page into an anonymous one; ->pfn_mkwrite serves shared mappings only
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 64 KiB written and synced
      And the filesystem is remounted read-only with dax
      And /a is mapped private
      When the application loads 8 bytes through the mapping of /a at offset 4096
      Then a store of "private" through the mapping of /a at offset 4096 takes no pfn_mkwrite fault
      And the mapping of /a reads "private" at offset 4096
      And /a reads 7 zero bytes at offset 4096

      Examples:
        | fs   |
        | ext2 |
        | ext4 |
        | xfs  |

    @rule:MS-8 @beyond @severity:critical
    Scenario Outline: a store through a private mapping on a read-only <fs> DAX mount changes only the copy
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 64 KiB written and synced
      And the filesystem is remounted read-only with dax
      And /a is mapped private
      When the application stores "private" through the mapping of /a at offset 4096
      Then the mapping of /a reads "private" at offset 4096
      And /a reads 7 zero bytes at offset 4096
      And power fails
      And in every crash state /a holds 7 zero bytes at offset 4096

      Examples:
        | fs   |
        | ext2 |
        | ext4 |
        | xfs  |
