@epic:persistence-domain @story:pmem-driver
Feature: The pmem block driver makes its writes durable before the I/O completes
  The driver writes with non-temporal stores and fences before completing, on all three of its
  paths; REQ_FLUSH and REQ_FUA still carry the journal's ordering. Sources: "Re: [RFC 00/11] DAX
  fsynx/msync support" (the three write paths and Dave Chinner's REQ_FLUSH/REQ_FUA requirement).
  PM-4 holds since 4.8: the 4.5-4.7 driver declared no flush support (Dan Williams turned down
  "[PATCH v2 03/11] pmem: enable REQ_FUA/REQ_FLUSH handling" in Nov 2015), so the block layer ended
  an empty REQ_FLUSH before the driver saw it and a CPU write-back was fenced only by the DAX
  writeback's own wmb_pmem() (WB-3); 4.8 made REQ_FLUSH and REQ_FUA call nvdimm_flush(). The
  emulator follows 4.8 for PM-4 and 4.4-4.7 for PM-3 (a fence after every write).

  Background:
    Given a pmem namespace pmem0

  @since:4.4 @until:4.7
  Rule: PM-3 Writes through the pmem driver are durable when the I/O completes
    A 4.4-4.7 promise: that driver fenced (wmb_pmem) after every write. Since 4.8 ("pmem: kill
    wmb_pmem()") only rw_bytes still flushes before it returns (nsio_rw_bytes calls nvdimm_flush); a
    make_request or rw_page write is durable only with REQ_FUA or once a later REQ_FLUSH completes (PM-4).

    @rule:PM-3 @seed:001_b92c2fd6bf0014a8.txt @severity:critical @requires:block-driver @profile:adr @profile:eadr
    Scenario Outline: a write through <path> is durable on completion
      Given the pmem driver writes <data> to pmem0 at offset <offset> through <path>
      When power fails
      Then in every crash state pmem0 holds <data> at offset <offset>

      Examples:
        | path         | data            | offset |
        | rw_bytes     | "superblock"    | 1024   |
        | rw_page      | "P" x 4096      | 8192   |
        | make_request | "journal block" | 16384  |

  @since:4.8
  Rule: PM-4 REQ_FLUSH makes earlier writes durable; REQ_FUA makes its own bio durable before completion
    Since 4.8 these flags are the driver's only fences: nvdimm_flush() begins with an sfence that drains
    every earlier write, the driver's own and the CPU's write-backs alike. The emulator still fences
    every write as 4.4-4.7 did, so REQ_FLUSH is tested on write-backs no driver write follows.

    @rule:PM-4 @seed:001_b92c2fd6bf0014a8.txt @severity:critical @requires:block-driver @requires:cache-model
    Scenario: REQ_FLUSH is the trailing fence for cache lines written back earlier
      Given the CPU stores "mmap data" to pmem0 at offset 4096
      And the CPU writes back 9 bytes at offset 4096 of pmem0 with clwb
      And an empty REQ_FLUSH bio completes on pmem0
      When power fails
      Then in every crash state pmem0 holds "mmap data" at offset 4096

    @rule:PM-4 @seed:001_b92c2fd6bf0014a8.txt @severity:critical @requires:block-driver
    Scenario: a journal commit block written with REQ_FUA is durable on completion
      Given the pmem driver writes "commit" to pmem0 at offset 65536 through make_request with REQ_FUA
      When power fails
      Then in every crash state pmem0 holds "commit" at offset 65536

    @rule:PM-4 @seed:001_b92c2fd6bf0014a8.txt @severity:critical @requires:block-driver
    Scenario: a commit written with REQ_FLUSH and REQ_FUA is durable with everything before it
      Given the pmem driver writes "log record" to pmem0 at offset 61440 through make_request
      And the pmem driver writes "commit" to pmem0 at offset 65536 through make_request with REQ_FLUSH and REQ_FUA
      When power fails
      Then in every crash state pmem0 holds "log record" at offset 61440
      And in every crash state pmem0 holds "commit" at offset 65536

    @rule:PM-4 @beyond @severity:critical @requires:block-driver @requires:virtio-pmem
    Scenario: on virtio-pmem a REQ_FUA write is durable on completion: the driver sends the flush request itself
      # drivers/nvdimm/pmem.c pmem_submit_bio(): REQ_FUA ends with nvdimm_flush(), which on virtio-pmem asks the host
      Given the platform is a virtio-pmem guest: its pmem is a host file made durable only by the flush request
      And the pmem driver writes "commit" to pmem0 at offset 65536 through make_request with REQ_FUA
      When power fails
      Then in every crash state pmem0 holds "commit" at offset 65536

    @rule:PM-4 @beyond @severity:critical @requires:block-driver @requires:virtio-pmem
    Scenario: on virtio-pmem a write bio carrying REQ_FLUSH makes the writes before it durable
      # a fence after every write (4.4-4.7) hides a driver that flushes only for an empty REQ_FLUSH; the host's flush request does not
      Given the platform is a virtio-pmem guest: its pmem is a host file made durable only by the flush request
      And the pmem driver writes "log record" to pmem0 at offset 61440 through make_request
      And the pmem driver writes "next record" to pmem0 at offset 65536 through make_request with REQ_FLUSH
      When power fails
      Then in every crash state pmem0 holds "log record" at offset 61440

    @rule:PM-4 @beyond @severity:normal @requires:block-driver @requires:virtio-pmem
    Scenario: on virtio-pmem a write with neither REQ_FLUSH nor REQ_FUA may be lost, even after a later write
      # the driver sends the flush request only for those flags: a plain write stays in the host's page cache
      Given the platform is a virtio-pmem guest: its pmem is a host file made durable only by the flush request
      And the pmem driver writes "plain" to pmem0 at offset 61440 through make_request
      And the pmem driver writes "later" to pmem0 at offset 65536 through make_request
      When power fails
      Then pmem0 may or may not hold "plain" at offset 61440 after the crash
