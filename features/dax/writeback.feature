@epic:dax-mappings @story:writeback
Feature: Writeback of DAX mappings on fsync and msync
  dax_writeback_mapping_range() turns DIRTY entries into TOWRITE, re-checks each under the tree
  lock, writes back its cache lines and ends with one fence; only data-integrity writeback does
  this. Sources: "[PATCH v4 4/7] dax: add support for fsync/sync", "Re: [RFC 00/11] DAX fsynx/msync
  support" (the big hammer) and "[PATCH v2 0/2] DAX bdev fixes - move flushing calls to FS".
  The model follows the seeds' 4.5 here: the writeback ends with one fence (wmb_pmem()). Since 4.8
  it has none ("pmem: kill wmb_pmem()"): fsync's flush request fences instead (ext2 always, ext4
  unless barrier=0, xfs through its log force or blkdev_issue_flush), and on x86 the tree lock
  taken after each write-back orders it. So WB-3's black-box scenarios that can tell a missing
  fence (ext4 with barrier=0, sync(2) of a raw device) are in overwrite-in-place.feature; WB-4 and WB-5 govern only how often
  lines are written back, which no application can observe, so they stay white-box here.

  Background:
    Given an ext4 filesystem mounted with dax on pmem0
    And a file /a with 4 MiB allocated and synced

  @since:4.5
  Rule: WB-1 After msync(MS_SYNC) or fsync returns, every byte stored through a shared mapping before it survives every crash

    @rule:WB-1 @seed:002_942ec44a608dccaf.txt @severity:blocker
    Scenario Outline: a store through a <size> mapping survives <call>
      Given /a is mapped shared with <size> pages
      When the application stores "durable" through the mapping of /a at offset 5000
      And the application calls <call>
      And power fails
      Then in every crash state /a holds "durable" at offset 5000

      Examples:
        | size | call                                                             |
        | PTE  | fsync on /a                                                      |
        | PTE  | fdatasync on /a                                                  |
        | PTE  | msync(MS_SYNC) on 8192 bytes at offset 4096 of the mapping of /a |
        | PMD  | fsync on /a                                                      |
        | PMD  | msync(MS_SYNC) on 4 MiB bytes at offset 0 of the mapping of /a   |

    @rule:WB-1 @seed:002_942ec44a608dccaf.txt @severity:blocker
    Scenario: a store that starts mid-page and ends mid-way through the next page survives fsync
      Given /a is mapped shared with PTE pages
      When the application stores "ab" x 3000 through the mapping of /a at offset 3000
      And the application calls fsync on /a
      And power fails
      Then in every crash state /a holds "ab" x 3000 at offset 3000

    @rule:WB-1 @seed:002_942ec44a608dccaf.txt @severity:normal
    Scenario: a store through a private mapping never reaches the file
      Given /a is mapped private
      When the application stores "private" through the mapping of /a at offset 0
      And the application calls fsync on /a
      And power fails
      Then in every crash state /a holds 7 zero bytes at offset 0

  @since:4.5
  Rule: WB-2 The range start is rounded down to the PMD when a PMD entry covers it

    @rule:WB-2 @seed:002_942ec44a608dccaf.txt @severity:critical
    Scenario Outline: msync of <length> bytes at offset <start>, inside a 2 MiB mapping, makes the whole entry durable
      Given /a is mapped shared with PMD pages
      When the application stores "head" through the mapping of /a at offset 0
      And the application stores "inside" through the mapping of /a at offset <store>
      And the application calls msync(MS_SYNC) on <length> bytes at offset <start> of the mapping of /a
      And power fails
      Then in every crash state /a holds "inside" at offset <store>
      And in every crash state /a holds "head" at offset 0

      Examples:
        | start   | length | store   |
        | 1 MiB   | 4096   | 1 MiB   |
        | 1056768 | 8192   | 1060000 |

  @since:4.5
  Rule: WB-3 No written-back line is left unfenced when fsync, msync or sync(2) returns, with or without a journal commit or a flush request after it

    @rule:WB-3 @seed:002_942ec44a608dccaf.txt @severity:critical
    Scenario Outline: after fsync of a <size> mapping the written-back lines are fenced
      Given /a is mapped shared with <size> pages
      When the application stores "fenced" through the mapping of /a at offset 64
      And the application calls fsync on /a
      And power fails
      Then in every crash state /a holds "fenced" at offset 64

      Examples:
        | size |
        | PTE  |
        | PMD  |

    @rule:WB-3 @seed:002_942ec44a608dccaf.txt @severity:normal @white-box @requires:white-box
    Scenario: the write-back log ends with a fence after the last written-back line
      Given /a is mapped shared with PTE pages
      And the application stores "x" through the mapping of /a at offset 0
      And the write-back log is cleared
      When the application calls fsync on /a
      Then the write-back log shows 64 lines written back, then a fence

  @since:4.5
  Rule: WB-4 Each TOWRITE entry is re-checked under the tree lock: racing fsyncs write each entry back once

    @rule:WB-4 @seed:002_942ec44a608dccaf.txt @severity:normal @white-box @requires:white-box @requires:schedules
    Scenario: fsync A stops before writing back; fsync B completes; A resumes and writes nothing twice
      Given /a is mapped shared with PTE pages
      And the application stores "one" through the mapping of /a at offset 0
      And the application stores "two" through the mapping of /a at offset 4096
      And the write-back log is cleared
      When fsync A of /a stops before writing back an entry
      And the application calls fsync on /a
      And fsync A resumes and completes
      Then each line was written back exactly once and 128 lines in all

  @since:4.5
  Rule: WB-5 Only WB_SYNC_ALL writeback flushes; background writeback writes back no DAX lines

    @rule:WB-5 @seed:000_7aa147f050932869.txt @severity:normal @white-box @requires:white-box
    Scenario: background writeback leaves dirty DAX entries for fsync, untagged for writeback
      Given /a is mapped shared with PTE pages
      And the application stores "later" through the mapping of /a at offset 0
      And the write-back log is cleared
      When background writeback runs
      Then no DAX lines were written back
      And the mapping of /a has a DIRTY PTE entry at index 0
      And the mapping of /a has no TOWRITE entries

  @since:4.5
  Rule: WB-7 fsync writes back the dirty entries' lines and no others: cost follows what was dirtied

    @rule:WB-7 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @white-box @requires:white-box
    Scenario Outline: fsync after dirtying <what> writes back <lines> lines
      Given /a is mapped shared with <size> pages
      And the application stores "x" through the mapping of /a at offset <offset>
      And the write-back log is cleared
      When the application calls fsync on /a
      Then the write-back log shows <lines> lines written back, then a fence

      Examples:
        | what        | size | offset | lines |
        | one page    | PTE  | 8192   | 64    |
        | one PMD     | PMD  | 8192   | 32768 |

  @since:4.10
  Rule: WB-8 A store after fsync re-dirties the page; a second fsync makes it durable

    @rule:WB-8 @seed:002_942ec44a608dccaf.txt @severity:critical
    Scenario Outline: the second store to a <size> page after fsync survives the second fsync
      Given /a is mapped shared with <size> pages
      And the application stores "first" through the mapping of /a at offset 0
      And the application calls fsync on /a
      When the application stores "again" through the mapping of /a at offset 0
      And the application calls fsync on /a
      And power fails
      Then in every crash state /a holds "again" at offset 0

      Examples:
        | size |
        | PTE  |
        | PMD  |
