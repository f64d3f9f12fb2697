@epic:workloads @story:generated @severity:critical
Feature: Randomly drawn workloads keep what their persistence points promise, across every boundary
  Property-based: fast-check draws operation sequences and their parameters near every boundary a
  DAX bug hides at (inside a 64-byte line, a line, a 4 KiB page, more pages than one writeback batch
  of 14, a 2 MiB PMD, partial pages at both ends of a range, the file's and the device's end), PTE,
  PMD, MAP_SYNC and private mappings, write(2), truncate, hole punch and fallocate, fsync, fdatasync,
  msync over ranges that end mid-page, sync(2), an unmount and mount (the journal or log written
  home), stale media under new blocks, partitions at odd start
  sectors and CPU stores written back with clwb, clflushopt or clflush. After power fails, every
  promise still standing is checked in every crash state, each under its own rule; a failing workload
  shrinks to the smallest one that still fails and prints as a scenario in the suite's words. The
  seed is fixed (world parameter workloadSeed) and printed; workloadRuns draws more on demand.

  @rule:WB-1 @rule:PM-5 @rule:SY-1 @rule:SY-3 @rule:BD-1 @rule:MS-1 @rule:MS-5 @rule:MS-6 @seed:002_942ec44a608dccaf.txt @requires:fast-reset @since:4.15 @profile:adr @profile:eadr
  Scenario Outline: randomly drawn <slice> workloads on <target>
    Given randomly drawn workloads of <slice> operations on <target>
    When each runs on a fresh machine and power fails after its last operation
    Then every promise of its persistence points holds in every crash state

    @requires:ext2
    Examples: ext2
      | target             | slice   |
      | an ext2 filesystem | mapped  |
      | an ext2 filesystem | written |
      | an ext2 filesystem | mixed   |

    @requires:ext4
    Examples: ext4
      | target             | slice   |
      | an ext4 filesystem | mapped  |
      | an ext4 filesystem | written |
      | an ext4 filesystem | mixed   |

    @requires:xfs
    Examples: xfs
      | target            | slice   |
      | an xfs filesystem | mapped  |
      | an xfs filesystem | written |
      | an xfs filesystem | mixed   |

  @rule:BD-3 @rule:BD-4 @rule:PM-1 @rule:PM-3 @rule:SY-1 @seed:004_0939b2a0aa78b1f1.txt @requires:fast-reset @requires:raw-block-dax @since:4.4 @until:4.6 @profile:adr @profile:eadr
  Scenario Outline: randomly drawn <slice> workloads on <target>
    Given randomly drawn workloads of <slice> operations on <target>
    When each runs on a fresh machine and power fails after its last operation
    Then every promise of its persistence points holds in every crash state

    Examples: raw device
      | target            | slice  |
      | a raw pmem device | mapped |
      | a raw pmem device | mixed  |

    @requires:partitions
    Examples: partition
      | target                            | slice  |
      | a pmem partition at an odd sector | mapped |
      | a pmem partition at an odd sector | mixed  |
