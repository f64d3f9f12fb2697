@epic:persistence-domain @story:persistence-profiles
Feature: On virtio-pmem only the flush request makes data durable
  A rule holds under the platform promise it names. ADR: a write-back and a fence put a line in the
  persistence domain. eADR: the CPU caches are in it too. virtio-pmem (a guest whose pmem is a file
  of the host, mapped through the host's page cache): the region is asynchronous, so a write-back
  and a fence reach only the host's page cache, which a host crash may lose. Durability needs the
  flush request: nvdimm_flush() on the region sends virtio_pmem_flush() and waits for the host to
  fsync the file, for every REQ_PREFLUSH or REQ_FUA; each fsync sends its own. fsync and msync send
  one on every filesystem (ext2's generic_file_fsync, ext4's commit or blkdev_issue_flush, xfs's log
  force or blkdev_issue_flush). sync(2) sends none of its own (ksys_sync, 4.5 to 6.1): only a
  ->sync_fs that issues one does. ext4_sync_fs always does (its commit, else blkdev_issue_flush);
  ext2_sync_fs writes its superblock with no flush, so on virtio-pmem ext2's sync(2) leaves data in
  the host's page cache and no row claims it; xfs flushes only when its log force writes, which on
  Linux the logged mtime update of a write fault makes happen, but the emulator keeps no timestamps,
  so no xfs sync(2) row either. The dax device is not synchronous, so ext4 and xfs refuse MAP_SYNC with EOPNOTSUPP. Rules
  that count on the fence alone (PM-1, PM-3, PM-5 ...) name the platforms they hold on
  (@profile:adr @profile:eadr) and are skipped on a virtio-pmem target. Sources: the 5.3 series "virtio-pmem: Add virtio pmem driver",
  "libnvdimm: add nd_region buffered dax_dev flag", "dax: check synchronous mapping is supported",
  "ext4: disable map_sync for async flush" and "xfs: disable map_sync for async flush" (Pankaj
  Gupta; lore thread "[PATCH v9 0/7] virtio pmem driver").

  @since:5.3
  Rule: MS-14 On virtio-pmem a fence reaches only the host's page cache: fsync and msync send the flush request that makes data durable, as does sync(2) where the filesystem's sync_fs issues one, and MAP_SYNC is refused

    @rule:MS-14 @beyond @severity:critical @requires:virtio-pmem
    Scenario Outline: on <fs> over virtio-pmem, MAP_SYNC is refused
      Given the platform is a virtio-pmem guest: its pmem is a host file made durable only by the flush request
      And an <fs> filesystem mounted with dax on pmem0
      And a file /a with 64 KiB written and synced
      When the application tries to map /a shared with MAP_SYNC
      Then the call fails with EOPNOTSUPP

      Examples:
        | fs   |
        | ext4 |
        | xfs  |

    @rule:MS-14 @beyond @severity:minor @requires:virtio-pmem @white-box @requires:white-box
    Scenario: the emulator's EOPNOTSUPP for MAP_SYNC on virtio-pmem names the file and its asynchronous region
      Given the platform is a virtio-pmem guest: its pmem is a host file made durable only by the flush request
      And an ext4 filesystem mounted with dax on pmem0
      And a file /a with 64 KiB written and synced
      When the application tries to map /a shared with MAP_SYNC
      Then the call fails with EOPNOTSUPP
      And the error message names "/mnt/a is on an asynchronous (virtio-pmem) region"

    @rule:MS-14 @beyond @severity:critical @requires:virtio-pmem @requires:cache-model
    Scenario Outline: on <platform> a store written back with clwb and fenced <survives>
      Given <platform given>
      And a pmem namespace pmem0
      And the CPU stores "hostcache" to pmem0 at offset 4096
      And the CPU writes back 9 bytes at offset 4096 of pmem0 with clwb and fences with sfence
      When power fails
      Then <outcome>

      Examples:
        | platform    | survives             | platform given                                                                                      | outcome                                                              |
        | virtio-pmem | may still be lost    | the platform is a virtio-pmem guest: its pmem is a host file made durable only by the flush request | pmem0 may or may not hold "hostcache" at offset 4096 after the crash |

      # the control row needs a platform that can be ADR: a virtio-pmem guest (linux@virtio-pmem) cannot
      @profile:adr @profile:eadr
      Examples:
        | platform    | survives             | platform given                                                                                      | outcome                                                              |
        | ADR         | survives every crash | the platform flushes its CPU caches only on request (ADR)                                           | in every crash state pmem0 holds "hostcache" at offset 4096          |

    # clflush evicts the line into the guest's memory, which is the host's page cache: no fence needed, and still not durable
    @rule:MS-14 @beyond @severity:critical @requires:virtio-pmem @requires:cache-model
    Scenario: on virtio-pmem a store written back with clflush may still be lost
      Given the platform is a virtio-pmem guest: its pmem is a host file made durable only by the flush request
      And a pmem namespace pmem0
      And the CPU stores "hostcache" to pmem0 at offset 4096
      And the CPU writes back 9 bytes at offset 4096 of pmem0 with clflush
      When power fails
      Then pmem0 may or may not hold "hostcache" at offset 4096 after the crash

    # Each virtio-pmem device is its own host file: a flush request fsyncs that file only
    @rule:MS-14 @beyond @severity:critical @requires:virtio-pmem @requires:cache-model
    Scenario: on virtio-pmem an fsync's flush request leaves another device's written-back store in the host's page cache
      Given the platform is a virtio-pmem guest: its pmem is a host file made durable only by the flush request
      And an ext4 filesystem mounted with dax on pmem0
      And a file /a with 64 KiB written and synced
      And a pmem namespace pmem1
      And the CPU stores "elsewhere" to pmem1 at offset 0
      And the CPU writes back 9 bytes at offset 0 of pmem1 with clwb and fences with sfence
      When the application calls fsync on /a
      And power fails
      Then pmem1 may or may not hold "elsewhere" at offset 0 after the crash

    # pmem0 fills the whole 1 TiB between namespace bases, so pmem1's first line sits right at pmem0's end
    @rule:MS-14 @beyond @severity:critical @requires:virtio-pmem @requires:cache-model @requires:block-driver @requires:namespace-size
    Scenario: on virtio-pmem a flush request to one device leaves the first line of the device right after it in the host's page cache
      Given the platform is a virtio-pmem guest: its pmem is a host file made durable only by the flush request
      And a 1 TiB pmem namespace pmem0
      And a pmem namespace pmem1
      And the CPU stores "next-door" to pmem1 at offset 0
      And the CPU writes back 9 bytes at offset 0 of pmem1 with clwb and fences with sfence
      When an empty REQ_FLUSH bio completes on pmem0
      And power fails
      Then pmem1 may or may not hold "next-door" at offset 0 after the crash

    # a flush request makes durable what reached the host's page cache, "first"; "later" was never written back, so no flush makes it durable
    @rule:MS-14 @beyond @severity:critical @requires:virtio-pmem @requires:cache-model @requires:block-driver
    Scenario: on virtio-pmem a line stored again after its write-back keeps only the written-back store through two flush requests
      Given the platform is a virtio-pmem guest: its pmem is a host file made durable only by the flush request
      And a pmem namespace pmem0
      And the CPU stores "first" to pmem0 at offset 0
      And the CPU writes back 5 bytes at offset 0 of pmem0 with clwb and fences with sfence
      When the CPU stores "later" to pmem0 at offset 0
      And an empty REQ_FLUSH bio completes on pmem0
      And an empty REQ_FLUSH bio completes on pmem0
      And power fails
      Then pmem0 may or may not hold "later" at offset 0 after the crash
      And in every crash state pmem0 holds "first" or "later" at offset 0

    @rule:MS-14 @beyond @severity:normal @requires:virtio-pmem @requires:cache-model @white-box @requires:white-box
    Scenario Outline: on virtio-pmem the report shows a line written back with <how> as in the host's page cache
      Given the platform is a virtio-pmem guest: its pmem is a host file made durable only by the flush request
      And a pmem namespace pmem0
      And the CPU stores "hostcache" to pmem0 at offset 4096
      And <write-back>
      When power fails
      Then pmem0 is not guaranteed to hold "hostcache" at offset 4096 after the crash
      And the counterexample shows the line at offset 4096 of pmem0 as in the host's page cache

      Examples:
        | how             | write-back                                                                           |
        | clflush         | the CPU writes back 9 bytes at offset 4096 of pmem0 with clflush                     |
        | clwb and sfence | the CPU writes back 9 bytes at offset 4096 of pmem0 with clwb and fences with sfence |

    @rule:MS-14 @beyond @severity:critical @requires:virtio-pmem
    Scenario Outline: on <fs> over <platform>, a store through a mapping persisted with clwb and sfence and no fsync <survives>
      Given <platform given>
      And an <fs> filesystem mounted with dax on pmem0
      And a file /a with 64 KiB written and synced
      When the application stores "fenced" through the mapping of /a at offset 4096 and persists it with clwb and sfence
      And power fails
      Then <outcome>

      Examples:
        | fs   | platform    | survives             | platform given                                                                                      | outcome                                                        |
        | ext2 | virtio-pmem | may be lost          | the platform is a virtio-pmem guest: its pmem is a host file made durable only by the flush request | /a may or may not hold "fenced" at offset 4096 after the crash |
        | ext4 | virtio-pmem | may be lost          | the platform is a virtio-pmem guest: its pmem is a host file made durable only by the flush request | /a may or may not hold "fenced" at offset 4096 after the crash |
        | xfs  | virtio-pmem | may be lost          | the platform is a virtio-pmem guest: its pmem is a host file made durable only by the flush request | /a may or may not hold "fenced" at offset 4096 after the crash |

      # the control rows need a platform that can be ADR: a virtio-pmem guest (linux@virtio-pmem) cannot
      @profile:adr @profile:eadr
      Examples:
        | fs   | platform    | survives             | platform given                                                                                      | outcome                                                        |
        | ext2 | ADR         | survives every crash | the platform flushes its CPU caches only on request (ADR)                                           | in every crash state /a holds "fenced" at offset 4096          |
        | ext4 | ADR         | survives every crash | the platform flushes its CPU caches only on request (ADR)                                           | in every crash state /a holds "fenced" at offset 4096          |
        | xfs  | ADR         | survives every crash | the platform flushes its CPU caches only on request (ADR)                                           | in every crash state /a holds "fenced" at offset 4096          |

    @rule:MS-14 @beyond @severity:critical @requires:virtio-pmem
    Scenario Outline: on <fs> over virtio-pmem, <sync> sends the flush request: the stored bytes survive every crash
      Given the platform is a virtio-pmem guest: its pmem is a host file made durable only by the flush request
      And an <fs> filesystem mounted with dax on pmem0
      And a file /a with 64 KiB written and synced
      And the application stores "flushed" through the mapping of /a at offset 4096 and persists it with clwb and sfence
      When <call>
      And power fails
      Then in every crash state /a holds "flushed" at offset 4096

      # Linux 6.1 (Debian: ext2 mounted by ext4 in no-journal mode) fails the ext2 msync row: ext4_fsync_nojournal
      # returns before it asks for the flush when the inode has no I_DIRTY_DATASYNC (linux/README.md, virtio-pmem)
      Examples:
        | fs   | sync    | call                                                                                   |
        | ext2 | fsync   | the application calls fsync on /a                                                      |
        | ext4 | fsync   | the application calls fsync on /a                                                      |
        | xfs  | fsync   | the application calls fsync on /a                                                      |
        | ext2 | msync   | the application calls msync(MS_SYNC) on 4096 bytes at offset 4096 of the mapping of /a |
        | ext4 | msync   | the application calls msync(MS_SYNC) on 4096 bytes at offset 4096 of the mapping of /a |
        | xfs  | msync   | the application calls msync(MS_SYNC) on 4096 bytes at offset 4096 of the mapping of /a |
        | ext4 | sync(2) | the application calls sync(2)                                                          |

    @rule:MS-14 @beyond @severity:critical @requires:virtio-pmem
    Scenario Outline: on <fs> over virtio-pmem, write(2) with no fsync may be lost
      Given the platform is a virtio-pmem guest: its pmem is a host file made durable only by the flush request
      And an <fs> filesystem mounted with dax on pmem0
      And a file /a with 64 KiB written and synced
      When the application writes "direct" to /a at offset 4000 with write(2)
      And power fails
      Then /a may or may not hold "direct" at offset 4000 after the crash

      Examples:
        | fs   |
        | ext2 |
        | ext4 |
        | xfs  |

    # over bytes already durable, write(2)'s copy changes a line that has a durable past: a crash may keep that past
    @rule:MS-14 @beyond @severity:critical @requires:virtio-pmem
    Scenario Outline: on <fs> over virtio-pmem, write(2) over fsynced bytes with no fsync may be lost
      Given the platform is a virtio-pmem guest: its pmem is a host file made durable only by the flush request
      And an <fs> filesystem mounted with dax on pmem0
      And a file /a with 64 KiB of "old" written and synced
      And the application calls fsync on /a
      When the application writes "direct" to /a at offset 4000 with write(2)
      And power fails
      Then /a may or may not hold "direct" at offset 4000 after the crash

      Examples:
        | fs   |
        | ext2 |
        | ext4 |
        | xfs  |

    @rule:MS-14 @beyond @severity:critical @requires:virtio-pmem
    Scenario Outline: on <fs> over virtio-pmem, write(2) then fsync survives every crash
      Given the platform is a virtio-pmem guest: its pmem is a host file made durable only by the flush request
      And an <fs> filesystem mounted with dax on pmem0
      And a file /a with 64 KiB written and synced
      When the application writes "direct" to /a at offset 4000 with write(2)
      And the application calls fsync on /a
      And power fails
      Then in every crash state /a holds "direct" at offset 4000

      Examples:
        | fs   |
        | ext2 |
        | ext4 |
        | xfs  |

    @rule:MS-14 @beyond @severity:critical @requires:virtio-pmem @requires:schedules
    Scenario: on virtio-pmem an fsync that completes while another is in flight has sent its own flush request
      Given the platform is a virtio-pmem guest: its pmem is a host file made durable only by the flush request
      And an ext4 filesystem mounted with dax on pmem0
      And files /a and /b of 64 KiB, synced, with "a" and "b" stored through their mappings at offset 0
      When fsync A of /a stops after tagging
      And fsync B of /b stops after tagging
      And fsync B resumes and completes
      And power fails
      Then in every crash state /b holds "b" at offset 0

    # A request in flight was served (or is being served) by a host fsync that began before B's
    # writeback reached the host's page cache: only B's own request covers B's lines.
    @rule:MS-14 @beyond @severity:critical @requires:virtio-pmem @requires:schedules
    Scenario Outline: on <fs> over virtio-pmem, an fsync whose writeback follows another fsync's flush request sends its own
      Given the platform is a virtio-pmem guest: its pmem is a host file made durable only by the flush request
      And an <fs> filesystem mounted with dax on pmem0
      And files /a and /b of 64 KiB, synced, with "a" and "b" stored through their mappings at offset 0
      When fsync A of /a stops with its flush request in flight
      And the application calls fsync on /b
      And fsync A resumes and completes
      And power fails
      Then in every crash state /b holds "b" at offset 0

      Examples:
        | fs   |
        | ext2 |
        | ext4 |
        | xfs  |

    # Each virtio-pmem device is its own host file with its own flush: a realtime file's data is on
    # the realtime device, which xfs_file_fsync flushes before it forces the log (4.5 and 6.1 alike).
    @rule:MS-14 @beyond @severity:critical @requires:virtio-pmem @requires:xfs-realtime
    Scenario Outline: on xfs over virtio-pmem, a realtime file's stores survive <call>, whose flush request goes to the realtime device
      Given the platform is a virtio-pmem guest: its pmem is a host file made durable only by the flush request
      And an xfs filesystem with the realtime device pmem1 mounted with dax on pmem0
      And a realtime file /r with 64 KiB written and synced
      And the application stores "rt-flushed" through the mapping of /r at offset 4100 and persists it with clwb and sfence
      When the application calls <call>
      And power fails
      Then in every crash state /r holds "rt-flushed" at offset 4100

      Examples:
        | call                                                             |
        | fsync on /r                                                      |
        | fdatasync on /r                                                  |
        | msync(MS_SYNC) on 4096 bytes at offset 4096 of the mapping of /r |
