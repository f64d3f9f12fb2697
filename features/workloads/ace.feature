@epic:workloads @story:ace @severity:critical
Feature: Generated workloads: every short sequence of operations keeps what its persistence points promise
  In the manner of CrashMonkey's ACE: every sequence of up to three operations (write(2), a store
  through a shared mapping, truncate, hole punch, create, mkdir, rename) over the files /A and /B,
  each followed by a persistence point (fsync, fdatasync, msync, sync(2) or none; the last never
  none), checked in every crash state after the last one. After fsync, fdatasync or msync of a file
  its data holds; after sync(2) every file, the directory and a clean fsck. A failing workload is
  printed as a scenario in the suite's own words. The workloads are split by length and by first
  operation: together the scenarios run every workload of up to three operations.

  @rule:WB-1 @rule:SY-1 @rule:SY-2 @rule:SY-3 @rule:PM-5 @rule:MS-5 @seed:002_942ec44a608dccaf.txt @requires:fast-reset @since:4.5
  Scenario Outline: generated workloads of one or two operations on <fs>
    Given every generated workload of up to 2 operations on the files /A and /B of an <fs> filesystem
    When each workload runs on a fresh machine and power fails after its last persistence point
    Then what every persistence point promised holds in every crash state

    Examples:
      | fs   |
      | ext4 |

    @profile:adr @profile:eadr
    Examples: sync(2) sends no flush request here, so only a fence-only platform (ADR, eADR) promises it
      | fs   |
      | ext2 |
      | xfs  |

  # the three-operation workloads, one scenario per first operation, so parallel workers share them
  @rule:WB-1 @rule:SY-1 @rule:SY-2 @rule:SY-3 @rule:PM-5 @rule:MS-5 @seed:002_942ec44a608dccaf.txt @requires:fast-reset @since:4.5
  Scenario Outline: generated workloads of three operations starting with a <first> on <fs>
    Given every generated workload of 3 operations starting with a <first> on the files /A and /B of an <fs> filesystem
    When each workload runs on a fresh machine and power fails after its last persistence point
    Then what every persistence point promised holds in every crash state

    @profile:adr @profile:eadr
    Examples: ext2 (no hole punch: every workload starting with one would not apply)
      | fs   | first    |
      | ext2 | write    |
      | ext2 | store    |
      | ext2 | truncate |
      | ext2 | create   |
      | ext2 | mkdir    |
      | ext2 | rename   |

    Examples: ext4 and xfs
      | fs   | first    |
      | ext4 | write    |
      | ext4 | store    |
      | ext4 | truncate |
      | ext4 | punch    |
      | ext4 | create   |
      | ext4 | mkdir    |
      | ext4 | rename   |
      | xfs  | write    |
      | xfs  | store    |
      | xfs  | truncate |
      | xfs  | punch    |
      | xfs  | create   |
      | xfs  | mkdir    |
      | xfs  | rename   |
