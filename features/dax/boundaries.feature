@epic:dax-mappings @story:boundaries
Feature: Writeback and dirty tracking across batch and range boundaries
  dax_writeback_mapping_range() walks the TOWRITE entries of a range one pagevec (14 entries) at a
  time; a PMD entry replaces every PTE entry of its 2 MiB range, the last page's included; an entry
  written back loses its TOWRITE tag so the next fsync does not write it again. Each scenario
  crosses one such boundary: more dirty pages than one batch, the last page of a PMD range.

  Background:
    Given an ext4 filesystem mounted with dax on pmem0
    And a file /a with 4 MiB allocated and synced

  @since:4.5
  Rule: WB-1 After msync(MS_SYNC) or fsync returns, every byte stored through a shared mapping before it survives every crash

    @rule:WB-1 @seed:002_942ec44a608dccaf.txt @severity:critical
    Scenario Outline: a store over <pages> pages, more than one writeback batch of 14 entries, survives <call>
      Given /a is mapped shared with PTE pages
      When the application stores "b" x <bytes> through the mapping of /a at offset 4096
      And the application calls <call>
      And power fails
      Then in every crash state /a holds "b" x <bytes> at offset 4096

      Examples:
        | pages | bytes  | call                                                               |
        | 15    | 61440  | fsync on /a                                                        |
        | 30    | 122880 | fsync on /a                                                        |
        | 30    | 122880 | msync(MS_SYNC) on 122880 bytes at offset 4096 of the mapping of /a |

    @rule:WB-1 @seed:002_942ec44a608dccaf.txt @severity:critical
    Scenario: 20 pages dirtied last page first, more than one batch, all survive fsync
      # the walk goes by page index whatever order the pages were dirtied in, so no batch skips one
      Given /a is mapped shared with PTE pages
      When the application stores "r" at offset 0 of each of the first 20 pages through the mapping of /a, last page first
      And the application calls fsync on /a
      And power fails
      Then in every crash state /a holds "r" at offset 0 of each of the first 20 pages

    @rule:WB-1 @seed:002_942ec44a608dccaf.txt @severity:critical
    Scenario: a store to the last page of a 2 MiB range whose block lies elsewhere survives fsync
      # a PMD maps 2 MiB only when every block of it is contiguous, the last one included
      Given a hole is punched over 4096 bytes at offset 2093056 of /a
      And a file /b with 4 KiB allocated and synced
      And /a is mapped shared with PMD pages
      When the application stores "last" through the mapping of /a at offset 2093056
      And the application calls fsync on /a
      And power fails
      Then in every crash state /a holds "last" at offset 2093056

    @rule:WB-1 @seed:002_942ec44a608dccaf.txt @severity:critical
    Scenario: a store through a PTE mapping inside a PMD entry, near the end of its 2 MiB, survives fsync
      # the PTE maps the same pmem the PMD entry tracks, at the page's distance from the PMD head
      Given /a is mapped shared with PMD pages
      And the application loads 1 bytes through the mapping of /a at offset 0
      And /a is also mapped shared with PTE pages
      When the application stores "upper" through the second mapping of /a at offset 2088960
      And the application calls fsync on /a
      And power fails
      Then in every crash state /a holds "upper" at offset 2088960

  @since:4.5
  Rule: DT-3 A PMD write fault records one PMD entry that replaces the PTE entries in its range

    @rule:DT-3 @seed:002_942ec44a608dccaf.txt @severity:normal @white-box @requires:white-box
    Scenario: a PMD write fault replaces the PTE entry of the last page of its 2 MiB range
      Given /a is mapped shared with PTE pages
      And the application stores "last" through the mapping of /a at offset 2093056
      And /a is also mapped shared with PMD pages
      When the application stores "huge" through the second mapping of /a at offset 0
      Then the mapping of /a has exactly one entry: a DIRTY PMD entry at index 0

  @since:4.5
  Rule: WB-7 fsync writes back the dirty entries' lines and no others: cost follows what was dirtied

    @rule:WB-7 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @white-box @requires:white-box
    Scenario: a second fsync writes back only the page dirtied since the first
      Given /a is mapped shared with PTE pages
      And the application stores "one" through the mapping of /a at offset 0
      And the application calls fsync on /a
      And the application stores "two" through the mapping of /a at offset 8192
      And the write-back log is cleared
      When the application calls fsync on /a
      Then the write-back log shows 64 lines written back, then a fence

  @since:4.10
  Rule: WB-8 A store after fsync re-dirties the page; a second fsync makes it durable

    @rule:WB-8 @beyond @severity:critical
    Scenario: a second store through a PTE of the last page inside a PMD entry survives the second fsync
      # fs/dax.c dax_entry_mkclean() write-protects the whole 2 MiB of a PMD entry in every mapping
      Given /a is mapped shared with PMD pages
      And /a is also mapped shared with PTE pages
      And the application stores "pmd" through the mapping of /a at offset 0
      And the application stores "one" through the second mapping of /a at offset 2093056
      And the application calls fsync on /a
      When the application stores "two" through the second mapping of /a at offset 2093056
      And the application calls fsync on /a
      And power fails
      Then in every crash state /a holds "two" at offset 2093056

  @since:4.5
  Rule: SY-4 filemap_write_and_wait_range still writes back page-cache pages

    @rule:SY-4 @beyond @severity:normal
    Scenario: fsync writes back every page-cache page of a file, more than one batch of 14 pages
      # write_cache_pages() walks the dirty pages a pagevec at a time, as the DAX directories' pages use it
      Given an ext4 filesystem mounted without dax on pmem1 at /plain-fs
      And a file /plain-fs/p with 64 KiB allocated and synced
      When the application writes "c" x 61440 to /plain-fs/p at offset 4096 with write(2)
      And the application calls fsync on /plain-fs/p
      And power fails
      Then in every crash state /plain-fs/p holds "c" x 61440 at offset 4096
