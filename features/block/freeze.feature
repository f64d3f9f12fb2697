@epic:block-devices @story:freeze
Feature: Freezing a filesystem leaves raw-device mappings alone
  A block device special file lives on devtmpfs, not on the filesystem it holds: its DAX fault
  path takes no sb_start_pagefault(), so freezing a filesystem on one partition must not block
  faults or stores through a raw mapping of another partition or of the whole disk. Freezing
  devices is the block layer's business. Source: "Re: [PATCH 5/5] block: enable dax for raw
  block devices".

  Background:
    Given a 256 MiB pmem namespace pmem0 with partitions pmem0p1 at sector 2048 of 64 MiB and pmem0p2 at sector 135168 of 64 MiB
    And an ext4 filesystem mounted with dax on pmem0p1

  @since:4.4 @until:4.6
  Rule: BD-7 Freezing a filesystem does not block faults on a raw-device DAX mapping

    @rule:BD-7 @seed:004_0939b2a0aa78b1f1.txt @severity:critical @requires:raw-block-dax @requires:partitions @requires:freeze @requires:ext4
    Scenario Outline: with the filesystem on pmem0p1 frozen, a store through a <size> mapping of <dev> faults in and survives fsync
      Given /dev/<dev> is mapped shared with <size> pages
      And the filesystem on pmem0p1 is frozen
      When the application stores "not-frozen" through the mapping of /dev/<dev> at offset <offset>
      And the application calls fsync on /dev/<dev>
      And power fails
      Then in every crash state <dev> holds "not-frozen" at offset <offset>

      Examples:
        | dev     | size | offset |
        | pmem0p2 | PTE  | 8192   |
        | pmem0p2 | PMD  | 8192   |
        | pmem0   | PTE  | 4096   |
        | pmem0   | PMD  | 4096   |

    @rule:BD-7 @seed:004_0939b2a0aa78b1f1.txt @severity:normal @requires:raw-block-dax @requires:partitions @requires:freeze @requires:ext4
    Scenario: the frozen filesystem refuses write(2) while stores through a raw mapping of pmem0p2 go through
      Given a file /a
      And the filesystem on pmem0p1 is frozen
      When the application tries write(2) of "blocked" to /a at offset 0
      And the application stores "raw" through the mapping of /dev/pmem0p2 at offset 0
      Then the call fails with EBUSY
      And read(2) of /dev/pmem0p2 at offset 0 returns "raw"
