@epic:zeroing @story:durable-zeroes
Feature: The zeroes of a new block are durable with the block
  DAX zeroes a newly allocated block itself (clear_pmem, then wmb_pmem) before the block is handed
  out. Once the file's data is made durable, no crash state may show the media's earlier contents in
  the rest of that block: the zeroes must have reached media, not sit in the CPU cache.

  Background:
    Given a pmem namespace pmem0
    And the first 16 MiB of /dev/pmem0 held stale bytes beforehand
    And an ext4 filesystem mounted with dax on pmem0

  @since:4.5
  Rule: BD-1 A newly allocated block reads as zeros, never as the media's earlier contents

    @rule:BD-1 @seed:000_7aa147f050932869.txt @severity:critical
    Scenario: after write(2) and fsync the rest of the new block is zero in every crash state
      Given a file /a
      When the application writes "new" to /a at offset 4093 with write(2)
      And the application calls fsync on /a
      And power fails
      Then in every crash state /a holds 4093 zero bytes at offset 0

    @rule:BD-1 @seed:000_7aa147f050932869.txt @severity:critical
    Scenario: after a store that allocates through a mapping and fsync the rest of the block is zero in every crash state
      Given a sparse file /a of 64 KiB, synced
      And /a is mapped shared with PTE pages
      When the application stores "new" through the mapping of /a at offset 8192
      And the application calls fsync on /a
      And power fails
      Then in every crash state /a holds 4093 zero bytes at offset 8195
