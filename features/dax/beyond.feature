@epic:dax-mappings @story:todays-kernel
Feature: What today's fs/dax.c adds to the 2016 design
  Rules that go past the seeds: MAP_SYNC, write-protection after writeback, SIGBUS past i_size,
  the zero page for holes, and truncation. Source: Linux's fs/dax.c and
  Documentation/filesystems/dax.rst.

  Background:
    Given an ext4 filesystem mounted with dax on pmem0

  @since:4.15
  Rule: MS-1 MAP_SYNC: a write fault's block allocation is durable with no fsync

    @rule:MS-1 @beyond @severity:critical @requires:map-sync @profile:adr @profile:eadr
    Scenario: data persisted by the application through a MAP_SYNC mapping survives without fsync
      Given a sparse file /a of 64 KiB, synced
      And /a is mapped shared with MAP_SYNC
      When the application stores "sync-fault" through the mapping of /a at offset 8192 and persists it with clwb and sfence
      And power fails
      Then in every crash state /a holds "sync-fault" at offset 8192

    @rule:MS-1 @beyond @severity:critical @requires:map-sync @profile:adr @profile:eadr
    Scenario: data persisted through a MAP_SYNC mapping with PMD pages survives without fsync
      # dax_iomap_pmd_fault() answers VM_FAULT_NEEDDSYNC like the PTE fault: the 2 MiB allocation is synced first
      Given a sparse file /a of 4 MiB, synced
      And the application tries to map /a shared with MAP_SYNC at file offset 0 with length 4194304 using PMD pages
      When the application stores "sync-fault" through the mapping of /a at offset 8192 and persists it with clwb and sfence
      And power fails
      Then in every crash state /a holds "sync-fault" at offset 8192

    @rule:MS-1 @beyond @severity:critical @requires:map-sync @profile:adr @profile:eadr
    Scenario: a MAP_SYNC PMD fault whose first page is allocated but the rest of its 2 MiB is a hole syncs the allocation
      # the fault allocates every hole of the 2 MiB, so it must look at each of its pages, not only the head
      Given a file /a with 2 MiB written and synced
      And /a is truncated to 4 MiB
      And the application writes "h" to /a at offset 2 MiB with write(2)
      And the application calls fsync on /a
      And the application tries to map /a shared with MAP_SYNC at file offset 0 with length 4194304 using PMD pages
      When the application stores "sync-fault" through the mapping of /a at offset 2105344 and persists it with clwb and sfence
      And power fails
      Then in every crash state /a holds "sync-fault" at offset 2105344

    @rule:MS-1 @beyond @severity:normal @requires:map-sync
    Scenario: MAP_SYNC on a file without DAX fails with EOPNOTSUPP
      Given an ext4 filesystem mounted without dax on pmem1 at /plain-fs
      And a file /plain-fs/plain with 64 KiB allocated and synced
      When the application tries to map /plain-fs/plain shared with MAP_SYNC
      Then the call fails with EOPNOTSUPP

  @since:4.10
  Rule: MS-2 After writeback the mapping is write-protected and the DIRTY tag cleared

    @rule:MS-2 @beyond @severity:normal @white-box @requires:white-box
    Scenario Outline: fsync cleans the <size> entry and the next store dirties it again
      Given a file /a with 4 MiB allocated and synced
      And /a is mapped shared with <size> pages
      And the application stores "one" through the mapping of /a at offset 0
      When the application calls fsync on /a
      Then the mapping of /a has no DIRTY entries
      And the application stores "two" through the mapping of /a at offset 0
      And the mapping of /a has a DIRTY <size> entry at index 0

      Examples:
        | size |
        | PTE  |
        | PMD  |

  @since:4.0
  Rule: MS-3 A fault at or beyond i_size raises SIGBUS

    @rule:MS-3 @beyond @severity:normal
    Scenario Outline: a <size> store past the end of a file raises SIGBUS
      Given a file /a with <file size> allocated and synced
      And /a is mapped shared with <size> pages
      And /a is truncated to <new size>
      When the application tries to store "x" through the mapping of /a at offset <offset>
      Then the call fails with SIGBUS

      Examples:
        | size | file size | new size | offset  |
        | PTE  | 16 KiB    | 8 KiB    | 8192    |
        | PMD  | 4 MiB     | 3 MiB    | 3670016 |

  @since:4.0
  Rule: MS-4 A read fault on a hole maps the zero page; a later write replaces it

    @rule:MS-4 @beyond @severity:normal
    Scenario: a mapping that read a hole sees the data write(2) puts there
      Given a sparse file /a of 64 KiB, synced
      And /a is mapped shared with PTE pages
      And the application loads 16 bytes through the mapping of /a at offset 0
      When the application writes "filled" to /a at offset 0 with write(2)
      Then the mapping of /a reads "filled" at offset 0

    @rule:MS-4 @beyond @severity:normal
    Scenario: a read of a hole through a mapping returns zeros and allocates nothing durable
      Given a sparse file /a of 64 KiB, synced
      And /a is mapped shared with PTE pages
      When the application loads 16 bytes through the mapping of /a at offset 4096
      Then the mapping of /a reads 16 zero bytes at offset 4096

  @since:4.5
  Rule: MS-5 Truncate and punch-hole drop dirty entries in their range; nothing else does

    @rule:MS-5 @beyond @severity:normal @white-box @requires:white-box
    Scenario: punching a hole drops the dirty entry of that page only
      Given a file /a with 64 KiB allocated and synced
      And /a is mapped shared with PTE pages
      And the application stores "keep" through the mapping of /a at offset 0
      And the application stores "drop" through the mapping of /a at offset 4096
      When a hole is punched over 4096 bytes at offset 4096 of /a
      Then the mapping of /a has no entry at index 1
      And the mapping of /a has a DIRTY PTE entry at index 0

    @rule:MS-5 @beyond @severity:normal @white-box @requires:white-box
    Scenario: background writeback does not drop a dirty entry
      Given a file /a with 64 KiB allocated and synced
      And /a is mapped shared with PTE pages
      And the application stores "keep" through the mapping of /a at offset 0
      When background writeback runs
      Then the mapping of /a has a DIRTY PTE entry at index 0

  @since:4.5
  Rule: MS-6 A partial-block truncate zeroes the block's tail, durably

    @rule:MS-6 @beyond @severity:critical
    Scenario: bytes cut by truncate do not come back when the file grows again
      Given a file /a with 8 KiB allocated and synced
      And the application writes "old-tail" x 512 to /a at offset 0 with write(2)
      And /a is truncated to 100
      And the application calls fsync on /a
      When /a is truncated to 8 KiB
      And the application calls fsync on /a
      And power fails
      Then in every crash state /a holds 3996 zero bytes at offset 100
