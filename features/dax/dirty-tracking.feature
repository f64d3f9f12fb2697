@epic:dax-mappings @story:dirty-tracking
Feature: Dirty tracking at fault time
  DAX has no struct page to mark dirty, so the fault handlers record each mapped page in the
  file's radix tree as an exceptional entry, tagged DIRTY on a write. fsync, msync and sync(2)
  find what to write back there. Source: "[PATCH v4 4/7] dax: add support for fsync/sync".
  Entries and tags are internals; each rule's black-box consequence is data a crash keeps: DT-1,
  DT-2 and DT-5 through fsync and sync(2) (here, writeback.feature and sync.feature), DT-3 through
  a PMD store after a PTE entry (overwrite-in-place.feature). DT-4 needs a fault stopped half-way
  against a hole punch, which only a target with schedules can arrange.

  Background:
    Given an ext4 filesystem mounted with dax on pmem0
    And a file /a with 4 MiB written and synced

  @since:4.5
  Rule: DT-1 A write fault records a DIRTY entry at the page's index; a read fault records a clean one

    @rule:DT-1 @seed:002_942ec44a608dccaf.txt @severity:critical @white-box @requires:white-box
    Scenario Outline: a <size> write fault records a DIRTY entry, a read fault a clean one
      Given /a is mapped shared with <size> pages
      When the application stores "w" through the mapping of /a at offset <write>
      And the application loads 1 bytes through the mapping of /a at offset <read>
      Then the mapping of /a has a DIRTY <size> entry at index <write index>
      And the mapping of /a has a clean <size> entry at index <read index>

      Examples:
        | size | write   | write index | read    | read index |
        | PTE  | 8192    | 2           | 12288   | 3          |
        | PMD  | 1 MiB   | 0           | 3 MiB   | 512        |

    @rule:DT-1 @seed:002_942ec44a608dccaf.txt @severity:critical
    Scenario Outline: a store through a freshly faulted <size> page reaches media on fsync
      Given /a is mapped shared with <size> pages
      When the application stores "fresh" through the mapping of /a at offset 12345
      And the application calls fsync on /a
      And power fails
      Then in every crash state /a holds "fresh" at offset 12345

      Examples:
        | size |
        | PTE  |
        | PMD  |

  @since:4.5
  Rule: DT-2 The first store to a page mapped by a read fault tags its entry DIRTY (pfn_mkwrite)

    @rule:DT-2 @seed:002_942ec44a608dccaf.txt @severity:critical @white-box @requires:white-box
    Scenario Outline: the first store to a read-faulted <size> page dirties its entry
      Given /a is mapped shared with <size> pages
      And the application loads 4 bytes through the mapping of /a at offset 4096
      When the application stores "mkwrite" through the mapping of /a at offset 4100
      Then the mapping of /a has a DIRTY <size> entry at index <index>

      Examples:
        | size | index |
        | PTE  | 1     |
        | PMD  | 0     |

    @rule:DT-2 @seed:002_942ec44a608dccaf.txt @severity:critical
    Scenario: a store to a page that was only read before survives msync
      Given /a is mapped shared with PTE pages
      And the application loads 4 bytes through the mapping of /a at offset 4096
      When the application stores "after-read" through the mapping of /a at offset 4100
      And the application calls msync(MS_SYNC) on 4096 bytes at offset 4096 of the mapping of /a
      And power fails
      Then in every crash state /a holds "after-read" at offset 4100

  @since:4.5
  Rule: DT-3 A PMD write fault records one PMD entry that replaces the PTE entries in its range

    @rule:DT-3 @seed:002_942ec44a608dccaf.txt @severity:critical @white-box @requires:white-box
    Scenario: a PMD write fault replaces a PTE entry left by an earlier PTE mapping
      Given /a is mapped shared with PTE pages
      And the application loads 1 bytes through the mapping of /a at offset 0
      And /a is unmapped
      And /a is mapped shared with PMD pages
      When the application stores "huge" through the mapping of /a at offset 1 MiB
      Then the mapping of /a has exactly one entry: a DIRTY PMD entry at index 0

    @rule:DT-3 @seed:002_942ec44a608dccaf.txt @severity:critical
    Scenario: data stored through a PMD that replaced a PTE entry survives fsync
      Given /a is mapped shared with PTE pages
      And the application loads 1 bytes through the mapping of /a at offset 0
      And /a is unmapped
      And /a is mapped shared with PMD pages
      When the application stores "huge" through the mapping of /a at offset 1 MiB
      And the application calls fsync on /a
      And power fails
      Then in every crash state /a holds "huge" at offset 1 MiB

    @rule:DT-3 @seed:002_942ec44a608dccaf.txt @severity:normal @white-box @requires:white-box
    Scenario: a PTE fault inside a PMD entry only dirties the PMD entry
      Given /a is mapped shared with PMD pages
      And the application loads 1 bytes through the mapping of /a at offset 0
      And /a is mapped shared with PTE pages
      When the application stores "small" through the mapping of /a at offset 8192
      Then the mapping of /a has exactly one entry: a DIRTY PMD entry at index 0

  @since:4.5
  Rule: DT-4 pfn_mkwrite that lost a race with hole punch inserts nothing; the fault is retried

    @rule:DT-4 @seed:002_942ec44a608dccaf.txt @severity:critical @requires:schedules @requires:white-box @white-box
    Scenario: the losing pfn_mkwrite leaves no entry for the punched page
      Given /a is mapped shared with PTE pages
      And the application loads 1 bytes through the mapping of /a at offset 0
      And the store S of "x" through the mapping of /a at offset 0 stops in pfn_mkwrite
      And a hole is punched over 4096 bytes at offset 0 of /a
      When the store S resumes and completes
      Then the mapping of /a has a DIRTY PTE entry at index 0
      And /a reads "x" at offset 0

    @rule:DT-4 @seed:002_942ec44a608dccaf.txt @severity:critical @requires:schedules
    Scenario: after the race the retried store lands in a fresh zeroed block and survives fsync
      Given the application writes "stale-bytes" to /a at offset 100 with write(2)
      And /a is mapped shared with PTE pages
      And the application loads 1 bytes through the mapping of /a at offset 0
      And the store S of "x" through the mapping of /a at offset 0 stops in pfn_mkwrite
      And a hole is punched over 4096 bytes at offset 0 of /a
      When the store S resumes and completes
      And the application calls fsync on /a
      And power fails
      Then in every crash state /a holds "x" at offset 0
      And in every crash state /a holds 11 zero bytes at offset 100

  @since:4.5
  Rule: DT-5 Dirtying an entry marks the inode I_DIRTY_PAGES so writeback finds it

    @rule:DT-5 @seed:002_942ec44a608dccaf.txt @severity:critical @white-box @requires:white-box
    Scenario: a write fault puts the inode on the writeback list
      Given /a is mapped shared with PTE pages
      When the application stores "dirty" through the mapping of /a at offset 0
      Then the inode of /a is marked I_DIRTY_PAGES

    @rule:DT-5 @seed:002_942ec44a608dccaf.txt @severity:critical
    Scenario: sync(2) finds a file dirtied only through its mapping
      Given /a is mapped shared with PTE pages
      When the application stores "found" through the mapping of /a at offset 0
      And the application calls sync(2)
      And power fails
      Then in every crash state /a holds "found" at offset 0
