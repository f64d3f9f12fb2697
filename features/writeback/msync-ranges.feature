@epic:dax-mappings @story:writeback
Feature: msync ranges that are empty or end inside a page
  msync(2) rounds its length up to whole pages (mm/msync.c): a range that ends inside a page covers
  that whole page, and an empty range (length 0) returns 0 at once, whatever the address, and writes
  nothing back.

  Background:
    Given an ext4 filesystem mounted with dax on pmem0
    And a file /a with 16 KiB allocated and synced
    And /a is mapped shared with PTE pages

  @since:4.5
  Rule: WB-1 After msync(MS_SYNC) or fsync returns, every byte stored through a shared mapping before it survives every crash

    @rule:WB-1 @beyond @severity:critical
    Scenario Outline: msync of <length> bytes at offset <offset> makes a store at <store> durable: the last page counts whole
      # mm/msync.c rounds len up to PAGE_SIZE before vfs_fsync_range()
      Given the application stores "tail" through the mapping of /a at offset <store>
      When the application calls msync(MS_SYNC) on <length> bytes at offset <offset> of the mapping of /a
      And power fails
      Then in every crash state /a holds "tail" at offset <store>

      Examples:
        | offset | length | store |
        | 4096   | 1      | 8188  |
        | 4096   | 100    | 5000  |
        | 4096   | 4095   | 8188  |
        | 4096   | 4097   | 12284 |
        | 0      | 12289  | 16380 |

    @rule:WB-1 @beyond @severity:normal
    Scenario: msync of zero bytes just past the end of the mapping succeeds
      # mm/msync.c: an empty range returns 0 before any VMA is looked up
      When the application tries to msync the mapping of /a with offset 65536 and length 0
      Then the call succeeds

    @rule:WB-1 @beyond @severity:normal @white-box @requires:white-box
    Scenario: msync of zero bytes writes nothing back and leaves the entry dirty
      # mm/msync.c: end == start returns before vfs_fsync_range()
      Given the application stores "later" through the mapping of /a at offset 0
      And the write-back log is cleared
      When the application tries to msync the mapping of /a with offset 0 and length 0
      Then no DAX lines were written back
      And the mapping of /a has a DIRTY PTE entry at index 0
