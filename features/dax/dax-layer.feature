@epic:dax-mappings @story:radix-tree-entries
Feature: The DAX layer's entries, faults and writeback ranges at their edges
  What dax_fault, dax_pmd_fault, dax_radix_entry and dax_writeback_mapping_range must get right
  where two entries, two mappings or two 2 MiB ranges meet. Sources: "[PATCH v4 4/7] dax: add
  support for fsync/sync" and, for MAP_SYNC and the zero page, Linux's fs/dax.c.

  Background:
    Given an ext4 filesystem mounted with dax on pmem0

  @since:4.5
  Rule: DT-1 A write fault records a DIRTY entry at the page's index; a read fault records a clean one

    @rule:DT-1 @seed:002_942ec44a608dccaf.txt @severity:critical @white-box @requires:white-box
    Scenario: two neighbouring pages stored through a PTE mapping get an entry each
      Given a file /a with 64 KiB allocated and synced
      And /a is mapped shared with PTE pages
      When the application stores "first" through the mapping of /a at offset 0
      And the application stores "second" through the mapping of /a at offset 4096
      Then the mapping of /a has a DIRTY PTE entry at index 0
      And the mapping of /a has a DIRTY PTE entry at index 1

    @rule:DT-1 @seed:002_942ec44a608dccaf.txt @severity:normal @white-box @requires:white-box
    Scenario: a read fault of a page that already has a clean entry leaves it clean
      Given a file /a with 64 KiB written and synced
      And /a is mapped shared with PTE pages
      And /a is also mapped shared with PTE pages
      When the application loads 8 bytes through the mapping of /a at offset 8192
      And the application loads 8 bytes through the second mapping of /a at offset 8192
      Then the mapping of /a has exactly one entry: a clean PTE entry at index 2
      And the inode of /a is not marked I_DIRTY_PAGES

  @since:4.5
  Rule: DT-3 A PMD write fault records one PMD entry that replaces the PTE entries in its range

    @rule:DT-3 @seed:002_942ec44a608dccaf.txt @severity:critical @white-box @requires:white-box
    Scenario: a PMD entry replaces the PTE entries of its own 2 MiB only
      Given a file /a with 4 MiB allocated and synced
      And /a is mapped shared with PTE pages
      And /a is also mapped shared with PMD pages
      When the application stores "next-pmd" through the mapping of /a at offset 2 MiB
      And the application stores "head" through the second mapping of /a at offset 0
      And the application calls fsync on /a
      And power fails
      Then in every crash state /a holds "next-pmd" at offset 2 MiB
      And in every crash state /a holds "head" at offset 0

    @rule:DT-3 @seed:002_942ec44a608dccaf.txt @severity:critical @white-box @requires:white-box
    Scenario: a PTE mapping inside a PMD entry stores into the pmem the PMD entry tracks
      Given a file /a with 4 MiB written and synced
      And /a is mapped shared with PMD pages
      And /a is also mapped shared with PTE pages
      When the application loads 8 bytes through the mapping of /a at offset 2 MiB
      And the application loads 8 bytes through the second mapping of /a at offset 2109440
      Then the mapping of /a has exactly one entry: a clean PMD entry at index 512
      When the application stores "via-pte" through the second mapping of /a at offset 2109440
      Then the mapping of /a has exactly one entry: a DIRTY PMD entry at index 512
      And the mapping of /a reads "via-pte" at offset 2109440
      And /a reads "via-pte" at offset 2109440

    @rule:DT-3 @seed:002_942ec44a608dccaf.txt @severity:critical @white-box @requires:white-box
    Scenario: mapping a file again with PMD pages finds its PMD entry
      Given a file /a with 4 MiB allocated and synced
      And /a is mapped shared with PMD pages
      And the application stores "before" through the mapping of /a at offset 0
      And /a is unmapped
      And /a is mapped shared with PMD pages
      When the application stores "after" through the mapping of /a at offset 4096
      Then the mapping of /a has exactly one entry: a DIRTY PMD entry at index 0
      When the application calls fsync on /a
      And power fails
      Then in every crash state /a holds "before" at offset 0
      And in every crash state /a holds "after" at offset 4096

    @rule:DT-3 @seed:002_942ec44a608dccaf.txt @severity:critical @white-box @requires:white-box
    Scenario: 2 MiB with a hole in it is mapped with PTEs, and the hole reads as zeros
      Given a file /a with 4 MiB written and synced
      And a hole is punched over 4096 bytes at offset 20480 of /a
      And /a is mapped shared with PMD pages
      When the application loads 8 bytes through the mapping of /a at offset 0
      Then the mapping of /a has a clean PTE entry at index 0
      And the mapping of /a reads 4096 zero bytes at offset 20480

    @rule:DT-3 @seed:002_942ec44a608dccaf.txt @severity:critical @white-box @requires:white-box
    Scenario: 2 MiB whose blocks are not contiguous on pmem is mapped with PTEs
      Given a file /a with 4 MiB allocated and synced
      And a file /b with 64 KiB allocated and synced
      And a hole is punched over 4096 bytes at offset 20480 of /a
      And the application writes "elsewhere" to /a at offset 20480 with write(2)
      And /a is mapped shared with PMD pages
      When the application stores "through-pte" through the mapping of /a at offset 20480
      Then the mapping of /a has a DIRTY PTE entry at index 5
      And /a reads "through-pte" at offset 20480

  @since:4.5
  Rule: WB-2 Writeback covers exactly the range asked for, widened only to the entries that hold it

    @rule:WB-2 @seed:002_942ec44a608dccaf.txt @severity:critical @white-box @requires:white-box
    Scenario: msync of a page in the second 2 MiB writes back that PMD entry only
      Given a file /a with 6 MiB allocated and synced
      And /a is mapped shared with PMD pages
      And the application stores "pmd-0" through the mapping of /a at offset 0
      And the application stores "pmd-1" through the mapping of /a at offset 2105344
      And the application stores "pmd-2" through the mapping of /a at offset 4 MiB
      And the write-back log is cleared
      When the application calls msync(MS_SYNC) on 4096 bytes at offset 2105344 of the mapping of /a
      Then the write-back log shows 32768 lines written back, then a fence
      And every line was written back with clwb
      When power fails
      Then in every crash state /a holds "pmd-1" at offset 2105344

    @rule:WB-2 @seed:002_942ec44a608dccaf.txt @severity:normal @white-box @requires:white-box
    Scenario Outline: msync of page 5 of a PTE mapping writes back page 5 only (<other>)
      Given a file /a with 64 KiB allocated and synced
      And /a is mapped shared with PTE pages
      And the application stores "<data>" through the mapping of /a at offset <offset>
      And the application stores "page-5" through the mapping of /a at offset 20480
      And the write-back log is cleared
      When the application calls msync(MS_SYNC) on 4096 bytes at offset 20480 of the mapping of /a
      Then the write-back log shows 64 lines written back, then a fence
      And the mapping of /a has a DIRTY PTE entry at index <index>

      Examples:
        | other             | data   | offset | index |
        | page 0 also dirty | page-0 | 0      | 0     |
        | page 6 also dirty | page-6 | 24576  | 6     |

  @since:4.5
  Rule: WB-4 Writeback writes back the entries it tagged; an entry dirtied meanwhile waits for the next one

    @rule:WB-4 @seed:002_942ec44a608dccaf.txt @severity:normal @white-box @requires:schedules @requires:white-box
    Scenario: fsync stopped after tagging writes back what it tagged, not a page dirtied meanwhile
      Given a file /a with 64 KiB allocated and synced
      And /a is mapped shared with PTE pages
      And the application stores "tagged" through the mapping of /a at offset 0
      When fsync A of /a stops after tagging
      Then the mapping of /a has a DIRTY PTE entry at index 0
      When the application stores "later" through the mapping of /a at offset 8192
      And fsync A resumes and completes
      Then the mapping of /a has a clean PTE entry at index 0
      And the mapping of /a has a DIRTY PTE entry at index 2
      When power fails
      Then in every crash state /a holds "tagged" at offset 0

  @since:4.15
  Rule: MS-1 MAP_SYNC: a write fault's block allocation is durable with no fsync

    @rule:MS-1 @beyond @severity:normal @white-box @requires:map-sync @requires:white-box @profile:adr @profile:eadr
    Scenario: a MAP_SYNC write fault on a block already allocated and synced writes nothing back
      Given a file /a with 64 KiB written and synced
      And /a is mapped shared with MAP_SYNC
      And the application stores "dirty" through the mapping of /a at offset 0
      And the write-back log is cleared
      When the application stores "no-sync" through the mapping of /a at offset 8192
      Then no DAX lines were written back

    @rule:MS-1 @beyond @severity:normal @white-box @requires:white-box
    Scenario: a write fault that allocates through a mapping without MAP_SYNC writes nothing back
      Given a sparse file /a of 64 KiB, synced
      And /a is mapped shared with PTE pages
      And the application stores "dirty" through the mapping of /a at offset 0
      And the write-back log is cleared
      When the application stores "allocates" through the mapping of /a at offset 8192
      Then no DAX lines were written back

  @since:4.0
  Rule: MS-4 A read of a hole maps the zero page read-only; a later write allocates a real block

    @rule:MS-4 @beyond @severity:critical
    Scenario: a store after a read of a hole through the same mapping allocates the block
      Given a sparse file /a of 64 KiB, synced
      And /a is mapped shared with PTE pages
      When the application loads 8 bytes through the mapping of /a at offset 8192
      And the application stores "filled" through the mapping of /a at offset 8192
      And the application calls fsync on /a
      And power fails
      Then in every crash state /a holds "filled" at offset 8192

    @rule:MS-4 @beyond @severity:normal
    Scenario: read(2) of a hole returns zeros, across the edge of a written page
      Given a sparse file /a of 64 KiB, synced
      When the application writes "edge" to /a at offset 8188 with write(2)
      Then /a reads 4096 zero bytes at offset 4092
      And /a reads "edge" at offset 8188
      And /a reads 4096 zero bytes at offset 8192

    @rule:MS-4 @beyond @severity:normal
    Scenario: write(2) into a hole leaves a private mapping's copy of that page alone
      Given a sparse file /a of 64 KiB, synced
      And /a is mapped private
      When the application stores "private" through the mapping of /a at offset 8192
      And the application writes "shared" to /a at offset 8192 with write(2)
      Then the mapping of /a reads "private" at offset 8192
      And /a reads "shared" at offset 8192

  @since:4.4
  Rule: PM-5 read(2) and write(2) on a DAX file go straight to pmem

    @rule:PM-5 @seed:001_b92c2fd6bf0014a8.txt @severity:normal
    Scenario: write(2) and read(2) of 6000 bytes across a page boundary
      Given a file /a with 64 KiB allocated and synced
      When the application writes "0123456789" x 600 to /a at offset 100 with write(2)
      Then /a reads "0123456789" x 600 at offset 100

    @rule:PM-5 @beyond @severity:normal
    Scenario Outline: read(2) of <length> bytes at offset <offset> of a <size>-byte file returns <n> bytes
      # read(2) stops at i_size, whatever the block behind the end holds: every boundary of the last page
      Given a file /a with <size> written and synced
      When the application reads <length> of /a at offset <offset> with read(2)
      Then the read returns <n> bytes

      Examples:
        | size | offset | length | n    |
        | 4096 | 4090   | 100    | 6    |
        | 4096 | 4096   | 100    | 0    |
        | 5000 | 0      | 8192   | 5000 |
        | 5000 | 4999   | 1      | 1    |
        | 4097 | 4096   | 4096   | 1    |
