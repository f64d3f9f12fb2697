@epic:dax-mappings @story:writeback
Feature: DAX writeback finds its cache lines through the device that holds the data
  A DAX entry records the sector of its data; writeback maps that sector to memory through the block
  device it is handed (dax_map_atomic, bdev_direct_access: partition start added, then the driver).
  Handed the wrong device (the superblock's instead of the realtime device, the whole disk instead
  of the partition), it writes back the wrong lines and the stores are lost. Source: "[PATCH v2 0/2]
  DAX bdev fixes - move flushing calls to FS".

  @since:4.5
  Rule: WB-1 After msync(MS_SYNC) or fsync returns, every byte stored through a shared mapping before it survives every crash

    @rule:WB-1 @seed:000_7aa147f050932869.txt @severity:critical @requires:xfs-realtime
    Scenario Outline: a store through a mapping of a realtime file survives <call>
      Given an xfs filesystem with the realtime device pmem1 mounted with dax on pmem0
      And a realtime file /r
      And the application writes "x" to /r at offset 16383 with write(2)
      And the application calls sync(2)
      And /r is mapped shared with PTE pages
      When the application stores "realtime" through the mapping of /r at offset 4100
      And the application calls <call>
      And power fails
      Then in every crash state /r holds "realtime" at offset 4100

      Examples:
        | call                                                             |
        | fsync on /r                                                      |
        | fdatasync on /r                                                  |
        | msync(MS_SYNC) on 8192 bytes at offset 4096 of the mapping of /r |

      @profile:adr @profile:eadr
      Examples: sync(2) sends no flush request here, so only a fence-only platform (ADR, eADR) promises it
        | call                                                             |
        | sync(2)                                                          |

  @since:4.4 @until:4.6
  Rule: BD-3 A raw pmem block device (or partition) mapped with DAX: a store plus fsync or msync survives every crash

    @rule:BD-3 @seed:004_0939b2a0aa78b1f1.txt @severity:critical @requires:raw-block-dax @requires:partitions
    Scenario Outline: a store through a mapping of a partition at sector <start> survives <call>
      Given a 64 MiB pmem namespace pmem0 with partitions pmem0p1 at sector <start> of 16 MiB
      And /dev/pmem0p1 is mapped shared with PTE pages
      When the application stores "partition" through the mapping of /dev/pmem0p1 at offset 8200
      And the application calls <call>
      And power fails
      Then in every crash state pmem0p1 holds "partition" at offset 8200

      Examples:
        | start | call                                                                       |
        | 2056  | fsync on /dev/pmem0p1                                                      |
        | 2056  | msync(MS_SYNC) on 4096 bytes at offset 8192 of the mapping of /dev/pmem0p1 |

      @profile:adr @profile:eadr
      Examples: sync(2) sends no flush request here, so only a fence-only platform (ADR, eADR) promises it
        | start | call                                                                       |
        | 8     | sync(2)                                                                    |
