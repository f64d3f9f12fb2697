@epic:zeroing @story:unwritten-extents
Feature: Unwritten extents: fallocate on ext4 and xfs
  fallocate on ext4 and xfs allocates unwritten extents: the blocks are reserved but read as zeros,
  and the media under them is not zeroed. The first write to such a block, by write(2) or a write
  fault, zeroes the block durably and converts the extent to written. The conversion is metadata:
  it is durable after fsync, fdatasync, msync or sync(2), or, for a MAP_SYNC mapping, before the
  write fault returns. Until then a crash may leave the extent unwritten, reading as zeros, but
  never as the media's earlier contents. ext2 has no fallocate (EOPNOTSUPP). Sources: today's
  fs/ext4/extents.c (ext4_ext_map_blocks, EXT4_GET_BLOCKS_CREATE_ZERO for DAX), fs/xfs/xfs_iomap.c
  (XFS_BMAPI_CONVERT | XFS_BMAPI_ZERO for DAX), fs/dax.c (a read fault on an unwritten extent maps
  the zero page; dax_finish_sync_fault for MAP_SYNC); Linux 6.1 (linux/README.md).

  Background:
    Given a pmem namespace pmem0
    And the first 16 MiB of /dev/pmem0 held stale bytes beforehand

  @since:4.5
  Rule: BD-1 A newly allocated block reads as zeros, never as the media's earlier contents

    @rule:BD-1 @beyond @severity:critical
    Scenario Outline: on <fs>, a fallocated range over stale media reads as zeros through read(2) and a mapping
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 64 KiB allocated and synced
      When /a is mapped shared with PTE pages
      Then /a reads 65536 zero bytes at offset 0
      And the mapping of /a reads 4096 zero bytes at offset 8192

      Examples:
        | fs   |
        | ext4 |
        | xfs  |

    @rule:BD-1 @beyond @severity:critical
    Scenario Outline: on <fs>, the first <how> into a fallocated block leaves the rest of it zero in every crash state
      # the conversion zeroes the block durably before the extent says written
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 64 KiB allocated and synced
      And /a is mapped shared with PTE pages
      When <write>
      And the application calls fsync on /a
      And power fails
      Then in every crash state /a holds 4094 zero bytes at offset 8194

      Examples:
        | fs   | how      | write                                                                |
        | ext4 | write(2) | the application writes "wr" to /a at offset 8192 with write(2)       |
        | ext4 | store    | the application stores "st" through the mapping of /a at offset 8192 |
        | xfs  | write(2) | the application writes "wr" to /a at offset 8192 with write(2)       |
        | xfs  | store    | the application stores "st" through the mapping of /a at offset 8192 |

  @since:4.4
  Rule: PM-5 write(2) to a DAX file leaves its data durable at return; the file size and allocation still need fsync

    @rule:PM-5 @beyond @severity:critical @requires:cache-model
    Scenario Outline: on <fs>, write(2) into a fallocated block is not guaranteed to survive without fsync
      # the extent's conversion is metadata in the running transaction (ext4 journal, xfs log)
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 64 KiB allocated and synced
      When the application writes "converted" to /a at offset 4096 with write(2)
      And power fails
      Then /a is not guaranteed to hold "converted" at offset 4096 after the crash
      And in every crash state /a holds 4087 zero bytes at offset 4105

      Examples:
        | fs   |
        | ext4 |
        | xfs  |

    @rule:PM-5 @beyond @severity:critical
    Scenario Outline: on <fs>, write(2) into a fallocated block survives <call>
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 64 KiB allocated and synced
      When the application writes "converted" to /a at offset 4096 with write(2)
      And the application calls <call>
      And power fails
      Then in every crash state /a holds "converted" at offset 4096

      Examples:
        | fs   | call            |
        | ext4 | fdatasync on /a |
        | xfs  | fdatasync on /a |
        | ext4 | sync(2)         |

  @since:4.15
  Rule: MS-1 MAP_SYNC: after a write fault returns, the block allocation is durable with no fsync

    @rule:MS-1 @beyond @severity:critical @profile:adr @profile:eadr
    Scenario Outline: on <fs>, a persisted store through a MAP_SYNC mapping into a fallocated block survives with no fsync
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 64 KiB allocated and synced
      And /a is mapped shared with MAP_SYNC
      When the application stores "synced" through the mapping of /a at offset 12288 and persists it with clwb and sfence
      And power fails
      Then in every crash state /a holds "synced" at offset 12288

      Examples:
        | fs   |
        | ext4 |
        | xfs  |

    @rule:MS-1 @beyond @severity:normal @requires:cache-model
    Scenario Outline: on <fs>, without MAP_SYNC a persisted store into a fallocated block is not guaranteed to survive
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 64 KiB allocated and synced
      And /a is mapped shared with PTE pages
      When the application stores "unsynced" through the mapping of /a at offset 12288 and persists it with clwb and sfence
      And power fails
      Then /a is not guaranteed to hold "unsynced" at offset 12288 after the crash

      Examples:
        | fs   |
        | ext4 |
        | xfs  |

  @since:4.5
  Rule: WB-1 After msync(MS_SYNC) or fsync returns, every byte stored through a shared mapping before it survives every crash

    @rule:WB-1 @beyond @severity:critical
    Scenario Outline: on <fs>, a store into a fallocated block survives msync of its page
      # msync is vfs_fsync_range(datasync): the conversion dirties I_DIRTY_DATASYNC, so it is committed
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 64 KiB allocated and synced
      And /a is mapped shared with PTE pages
      When the application stores "mapped" through the mapping of /a at offset 20480
      And the application calls msync(MS_SYNC) on 4096 bytes at offset 20480 of the mapping of /a
      And power fails
      Then in every crash state /a holds "mapped" at offset 20480

      Examples:
        | fs   |
        | ext4 |
        | xfs  |
