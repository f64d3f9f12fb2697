@epic:dax-mappings @story:page-tables
Feature: What a mapping's page table maps, and when it must let go
  A VMA of a DAX file maps file pages with PTEs or 2 MiB PMDs, read-only until a write fault or
  pfn_mkwrite makes them writable; MAP_PRIVATE copies a page on its first store. Truncate and
  punch-hole unmap exactly their range; truncate drops the private copies there too, punch-hole keeps
  them (even_cows); writeback write-protects exactly what it wrote back. Sources: "[PATCH v4 4/7] dax: add support for fsync/sync" and today's fs/dax.c and
  mm/memory.c (unmap_mapping_range, do_cow_fault).

  Background:
    Given an ext4 filesystem mounted with dax on pmem0

  @since:4.5
  Rule: WB-1 A mapping addresses the file pages it covers; MAP_PRIVATE stores stay in the process

    @rule:WB-1 @seed:002_942ec44a608dccaf.txt @severity:critical
    Scenario: a private mapping reads back its own store over the file's bytes, and the file keeps them
      Given a file /a with 16 KiB allocated and synced
      And the application writes "0123456789" to /a at offset 4096 with write(2)
      And the application writes "second-page" to /a at offset 8192 with write(2)
      And /a is mapped private
      When the application stores "ab" through the mapping of /a at offset 4098
      Then the mapping of /a reads "01ab456789" at offset 4096
      And /a reads "0123456789" at offset 4096

    @rule:WB-1 @seed:002_942ec44a608dccaf.txt @severity:normal
    Scenario: a private store into a hole reads back over zeros and leaves the hole in the file
      Given a sparse file /a of 64 KiB, synced
      And /a is mapped private
      When the application stores "mine" through the mapping of /a at offset 100
      Then the mapping of /a reads "mine" at offset 100
      And the mapping of /a reads 100 zero bytes at offset 0
      And /a reads 4 zero bytes at offset 100

    @rule:WB-1 @seed:002_942ec44a608dccaf.txt @severity:normal
    Scenario Outline: a load through a <how> mapping that spans two pages returns both pages' bytes
      Given a file /a with 16 KiB allocated and synced
      And the application writes "xxxxxxxxBBBB" to /a at offset 4088 with write(2)
      And <mapping>
      When the application stores "yy" through the mapping of /a at offset 4092
      Then the mapping of /a reads "xxxxyyxxBBBB" at offset 4088

      Examples:
        | how     | mapping                               |
        | shared  | /a is mapped shared with PTE pages    |
        | private | /a is mapped private                  |

    @rule:WB-1 @seed:002_942ec44a608dccaf.txt @severity:normal
    Scenario Outline: a <size> mapping from file offset <offset> stores into the file at <offset> plus the mapping offset
      Given a file /a with 4 MiB allocated and synced
      And /a is mapped shared with <size> pages over 2 MiB from file offset <offset>
      When the application stores "shifted" through the mapping of /a at offset 4096
      And the application calls fsync on /a
      And power fails
      Then in every crash state /a holds "shifted" at offset <file offset>

      Examples:
        | size | offset | file offset |
        | PTE  | 8192   | 12288       |
        | PMD  | 2 MiB  | 2101248     |

  @since:4.0
  Rule: MM-2 (beyond) An access outside the mapping raises SIGSEGV; its last byte is inside

    @rule:MM-2 @beyond @severity:minor
    Scenario Outline: a store of <data> at offset <offset> of a 16 KiB mapping, reaching past its end, raises SIGSEGV
      Given a file /a with 16 KiB allocated and synced
      And /a is mapped shared with PTE pages
      When the application tries to store <data> through the mapping of /a at offset <offset>
      Then the call fails with SIGSEGV

      Examples:
        | data | offset |
        | "x"  | 16384  |
        | "xy" | 16383  |
        | "x"  | 20480  |

    @rule:MM-2 @beyond @severity:minor
    Scenario: the last byte of a 16 KiB mapping can be stored and read back
      Given a file /a with 16 KiB allocated and synced
      And /a is mapped shared with PTE pages
      When the application tries to store "z" through the mapping of /a at offset 16383
      Then the call succeeds
      And the mapping of /a reads "z" at offset 16383

    @rule:MM-2 @beyond @severity:minor
    Scenario: an empty load at the start of a mapping succeeds
      Given a file /a with 16 KiB allocated and synced
      And /a is mapped shared with PTE pages
      When the application tries to load 0 bytes through the mapping of /a at offset 0
      Then the call succeeds

  @since:4.0
  Rule: MM-2 (beyond) An access outside the mapping raises SIGSEGV; its last byte is inside

    @rule:MM-2 @beyond @severity:minor @white-box @requires:white-box
    Scenario Outline: the emulator answers a store at offset <offset> of a 16 KiB mapping with SIGSEGV naming the offset
      Given a file /a with 16 KiB allocated and synced
      And /a is mapped shared with PTE pages
      When the application tries to store "x" through the mapping of /a at offset <offset>
      Then the call fails with SIGSEGV
      And the error message names "offset <offset>"

      Examples:
        | offset |
        | -1     |
        | -4096  |
        | 0.5    |
        | 16384  |

    @rule:MM-2 @beyond @severity:minor @white-box @requires:white-box
    Scenario: the emulator answers a load of a negative length with SIGSEGV
      Given a file /a with 16 KiB allocated and synced
      And /a is mapped shared with PTE pages
      When the application tries to load -1 bytes through the mapping of /a at offset 0
      Then the call fails with SIGSEGV

  @since:4.0
  Rule: MS-3 A fault at or beyond i_size raises SIGBUS

    @rule:MS-3 @beyond @severity:minor
    Scenario Outline: a <size> store at the first page past the end of a truncated file raises SIGBUS
      Given a file /a with 4 MiB allocated and synced
      And /a is mapped shared with <size> pages
      And /a is truncated to 8 KiB
      When the application tries to store "x" through the mapping of /a at offset 8192
      Then the call fails with SIGBUS

      Examples:
        | size |
        | PTE  |
        | PMD  |

    @rule:MS-3 @beyond @severity:minor @white-box @requires:white-box
    Scenario: the emulator's SIGBUS past the end of a truncated file names the page and the file size
      Given a file /a with 16 KiB allocated and synced
      And /a is mapped shared with PTE pages
      And /a is truncated to 8 KiB
      When the application tries to store "x" through the mapping of /a at offset 8192
      Then the call fails with SIGBUS
      And the error message names "page 2"
      And the error message names "(8192 bytes)"

  @since:4.0
  Rule: MS-4 A store to a hole that was read through the mapping replaces the zero page

    @rule:MS-4 @beyond @severity:critical
    Scenario: a store after a read of a hole reaches the file
      Given a sparse file /a of 64 KiB, synced
      And /a is mapped shared with PTE pages
      And the application loads 16 bytes through the mapping of /a at offset 0
      When the application stores "filled" through the mapping of /a at offset 0
      Then /a reads "filled" at offset 0
      And the mapping of /a reads "filled" at offset 0

  @since:4.5
  Rule: MS-5 Truncate and punch-hole unmap exactly their range; only truncate drops private copies

    @rule:MS-5 @beyond @severity:normal @requires:schedules
    Scenario Outline: punching page 1 leaves the read-only PTE of page <page> mapped
      Given a file /a with 16 KiB written and synced
      And /a is mapped shared with PTE pages
      And the application loads 12288 bytes through the mapping of /a at offset 0
      When a hole is punched over 4096 bytes at offset 4096 of /a
      Then the store S of "still" through the mapping of /a at offset <offset> stops in pfn_mkwrite
      And the store S resumes and completes
      And /a reads "still" at offset <offset>

      Examples:
        | page | offset |
        | 0    | 0      |
        | 2    | 8192   |

    @rule:MS-5 @beyond @severity:critical
    Scenario: punching the first page of a PMD unmaps that PMD, so the hole reads as zeros
      Given a file /a with 4 MiB allocated and synced
      And the application writes "old-data" to /a at offset 2 MiB with write(2)
      And /a is mapped shared with PMD pages
      And the application loads 8 bytes through the mapping of /a at offset 0
      And the application loads 8 bytes through the mapping of /a at offset 2 MiB
      When a hole is punched over 4096 bytes at offset 2 MiB of /a
      Then the mapping of /a reads 8 zero bytes at offset 2 MiB

    @rule:MS-5 @beyond @severity:normal @requires:schedules
    Scenario Outline: punching page <punched> leaves the neighbouring PMD at <offset> mapped
      Given a file /a with 4 MiB written and synced
      And /a is mapped shared with PMD pages
      And the application loads 8 bytes through the mapping of /a at offset 0
      And the application loads 8 bytes through the mapping of /a at offset 2 MiB
      When a hole is punched over 4096 bytes at offset <hole> of /a
      Then the store S of "still" through the mapping of /a at offset <offset> stops in pfn_mkwrite
      And the store S resumes and completes

      Examples:
        | punched | hole    | offset  |
        | 512     | 2 MiB   | 0       |
        | 511     | 2093056 | 2097152 |

    @rule:MS-5 @beyond @severity:normal
    Scenario: punching a hole keeps the private copy of the punched page; the file reads zeros there
      # mm/truncate.c truncate_pagecache_range() unmaps with even_cows 0; only truncate drops private copies
      Given a file /a with 16 KiB allocated and synced
      And /a is mapped private
      And the application stores "mine1" through the mapping of /a at offset 4096
      When a hole is punched over 4096 bytes at offset 4096 of /a
      Then the mapping of /a reads "mine1" at offset 4096
      And /a reads 5 zero bytes at offset 4096

    @rule:MS-5 @beyond @severity:normal
    Scenario: write(2) into a hole under a private copy leaves the copy in place
      Given a sparse file /a of 64 KiB, synced
      And /a is mapped private
      And the application stores "mine" through the mapping of /a at offset 0
      When the application writes "file" to /a at offset 0 with write(2)
      Then the mapping of /a reads "mine" at offset 0
      And /a reads "file" at offset 0

    @rule:MS-5 @beyond @severity:critical
    Scenario Outline: a hole punched over <what> of a PMD-mapped 2 MiB page is written afresh by the next store
      # the PMD entry that covers the hole from before its start goes whole, so the next fault maps the new block
      Given a file /a with 4 MiB written and synced
      And /a is mapped shared with PMD pages
      And the application loads 8 bytes through the mapping of /a at offset 0
      When a hole is punched over <length> bytes at offset <offset> of /a
      And the application stores "fresh" through the mapping of /a at offset <offset>
      Then /a reads "fresh" at offset <offset>

      Examples:
        | what            | offset  | length |
        | page 1          | 4096    | 4096   |
        | the middle page | 1 MiB   | 4096   |
        | the last page   | 2093056 | 4096   |
        | pages 1 to 256  | 4096    | 1 MiB  |

  @since:4.10
  Rule: MS-2 Writeback write-protects the entries it wrote back and no others

    @rule:MS-2 @beyond @severity:normal @requires:schedules
    Scenario Outline: msync of page 1 leaves the dirty PTE of page <page> writable
      Given a file /a with 16 KiB allocated and synced
      And /a is mapped shared with PTE pages
      And the application stores "p0" through the mapping of /a at offset 0
      And the application stores "p1" through the mapping of /a at offset 4096
      And the application stores "p2" through the mapping of /a at offset 8192
      When the application calls msync(MS_SYNC) on 4096 bytes at offset 4096 of the mapping of /a
      Then a store of "again" through the mapping of /a at offset <offset> takes no pfn_mkwrite fault
      And the store S of "p1-again" through the mapping of /a at offset 4096 stops in pfn_mkwrite

      Examples:
        | page | offset |
        | 0    | 0      |
        | 2    | 8192   |

    @rule:MS-2 @beyond @severity:normal @requires:schedules
    Scenario Outline: msync of the PMD at <synced> leaves the dirty PMD at <offset> writable
      Given a file /a with 4 MiB allocated and synced
      And /a is mapped shared with PMD pages
      And the application stores "lo" through the mapping of /a at offset 0
      And the application stores "hi" through the mapping of /a at offset 2 MiB
      When the application calls msync(MS_SYNC) on 4096 bytes at offset <synced> of the mapping of /a
      Then a store of "again" through the mapping of /a at offset <offset> takes no pfn_mkwrite fault
      And the store S of "synced-again" through the mapping of /a at offset <synced> stops in pfn_mkwrite

      Examples:
        | synced  | offset  |
        | 2097152 | 0       |
        | 0       | 2097152 |

  @since:4.5
  Rule: DT-2 pfn_mkwrite makes the page writable: the next store to it takes no fault

    @rule:DT-2 @seed:002_942ec44a608dccaf.txt @severity:normal @requires:schedules
    Scenario: the second store to a read-faulted page takes no pfn_mkwrite fault
      Given a file /a with 16 KiB written and synced
      And /a is mapped shared with PTE pages
      And the application loads 4 bytes through the mapping of /a at offset 0
      And the store S of "first" through the mapping of /a at offset 0 stops in pfn_mkwrite
      And the store S resumes and completes
      Then a store of "second" through the mapping of /a at offset 0 takes no pfn_mkwrite fault
      And /a reads "second" at offset 0

    @rule:DT-2 @seed:002_942ec44a608dccaf.txt @severity:normal @requires:schedules @requires:white-box @white-box
    Scenario: a read fault maps the whole PMD, so a store elsewhere in it takes pfn_mkwrite
      Given a file /a with 4 MiB written and synced
      And /a is mapped shared with PMD pages
      And the application loads 4 bytes through the mapping of /a at offset 4096
      When the store S of "elsewhere" through the mapping of /a at offset 8192 stops in pfn_mkwrite
      And the store S resumes and completes
      Then the mapping of /a has exactly one entry: a DIRTY PMD entry at index 0

  @since:4.5
  Rule: DT-3 A PMD fault falls back to PTEs where the 2 MiB page would pass the end of the mapping

    @rule:DT-3 @seed:002_942ec44a608dccaf.txt @severity:normal @white-box @requires:white-box
    Scenario: a store in the last, partial 2 MiB of a 3 MiB PMD mapping records a PTE entry
      Given a file /a with 4 MiB allocated and synced
      And /a is mapped shared with PMD pages over 3 MiB from file offset 0
      When the application stores "tail" through the mapping of /a at offset 2 MiB
      Then the mapping of /a has exactly one entry: a DIRTY PTE entry at index 512

  @since:4.5
  Rule: DT-3 A PMD installed over a range drops the PTEs the mapping held there

    @rule:DT-3 @seed:002_942ec44a608dccaf.txt @severity:normal @white-box @requires:white-box
    Scenario: the zero page of a filled hole does not come back when the PMD over it goes
      Given a sparse file /a of 4 MiB, synced
      And /a is mapped shared with PMD pages
      And the application loads 4 bytes through the mapping of /a at offset 4096
      And the application fallocates 2 MiB at offset 0 of /a
      And the application stores "lo" through the mapping of /a at offset 0
      And the mapping of /a has exactly one entry: a DIRTY PMD entry at index 0
      And the application stores "one" through the mapping of /a at offset 4096
      When a hole is punched over 4096 bytes at offset 0 of /a
      Then the mapping of /a reads "one" at offset 4096

    @rule:DT-3 @seed:002_942ec44a608dccaf.txt @severity:normal @requires:schedules @requires:white-box @white-box
    Scenario Outline: a PMD fault at <pmd offset> leaves the read-only PTE at <pte offset> outside its 2 MiB mapped
      Given a sparse file /a of 4 MiB, synced
      And the application writes "page" to /a at offset <pte offset> with write(2)
      And /a is mapped shared with PMD pages
      And the application loads 4 bytes through the mapping of /a at offset <pte offset>
      And the application fallocates 2 MiB at offset <pmd offset> of /a
      When the application stores "huge" through the mapping of /a at offset <pmd offset>
      Then the mapping of /a has a DIRTY PMD entry at index <pmd index>
      And the store S of "small" through the mapping of /a at offset <pte offset> stops in pfn_mkwrite
      And the store S resumes and completes
      And /a reads "small" at offset <pte offset>

      Examples:
        | pmd offset | pmd index | pte offset |
        | 0          | 0         | 2097152    |
        | 2097152    | 512       | 2093056    |
