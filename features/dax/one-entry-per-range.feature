@epic:dax-mappings @story:todays-kernel
Feature: One index entry per 2 MiB range
  A file's DAX index holds, for each 2 MiB range, either one PMD entry or PTE entries, never both,
  whatever mix of PMD and PTE faults built it; so every store through either size of mapping is
  found by fsync. Source: the 4.12 fix "dax: fix race between colliding PMD & PTE entries" and
  xfstests generic/437.

  @since:4.12
  Rule: MS-9 A range's index entry is a PMD or PTEs, never both; stores through either mapping survive fsync

    @rule:MS-9 @beyond @severity:critical
    Scenario Outline: stores through a PMD mapping and a PTE mapping of one <fs> file survive fsync, <order>
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 4 MiB written and synced
      And /a is mapped shared with <first> pages
      And /a is also mapped shared with <second> pages
      When the application stores "first" through the mapping of /a at offset 1 MiB
      And the application stores "second" through the second mapping of /a at offset 8 KiB
      And the application stores "third" through the mapping of /a at offset 1536 KiB
      And the application calls fsync on /a
      And power fails
      Then in every crash state /a holds "first" at offset 1 MiB
      And in every crash state /a holds "second" at offset 8 KiB
      And in every crash state /a holds "third" at offset 1536 KiB

      Examples:
        | fs   | first | second | order           |
        | ext2 | PMD   | PTE    | PMD fault first |
        | ext2 | PTE   | PMD    | PTE fault first |
        | ext4 | PMD   | PTE    | PMD fault first |
        | ext4 | PTE   | PMD    | PTE fault first |
        | xfs  | PMD   | PTE    | PMD fault first |
        | xfs  | PTE   | PMD    | PTE fault first |

    @rule:MS-9 @beyond @severity:normal @white-box @requires:white-box
    Scenario Outline: after PMD and PTE faults in one range the index holds one PMD entry, <order>
      Given an ext4 filesystem mounted with dax on pmem0
      And a file /a with 4 MiB written and synced
      And /a is mapped shared with <first> pages
      And /a is also mapped shared with <second> pages
      When the application stores "first" through the mapping of /a at offset 1 MiB
      And the application stores "second" through the second mapping of /a at offset 8 KiB
      Then the mapping of /a has exactly one entry: a DIRTY PMD entry at index 0

      Examples:
        | first | second | order           |
        | PMD   | PTE    | PMD fault first |
        | PTE   | PMD    | PTE fault first |
