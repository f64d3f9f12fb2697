@epic:dax-mappings @story:writeback
Feature: Write-protection after writeback reaches every mapping of the entry
  After an entry is written back, every page-table entry that maps any part of it becomes read-only
  (dax_entry_mkclean), so the next store through any mapping faults and re-dirties the entry. A file
  mapped with PMD pages by one process and PTE pages by another has PTEs inside a PMD entry; they
  are write-protected with it.

  @since:4.10
  Rule: WB-8 A store after fsync re-dirties the page; a second fsync makes it durable

    @rule:WB-8 @beyond @severity:critical
    Scenario Outline: a second store through a PTE inside a PMD entry survives the second fsync on <fs>
      # fs/dax.c dax_entry_mkclean() walks the whole PMD range of the entry through i_mmap
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 2 MiB allocated and synced
      And /a is mapped shared with PMD pages
      And /a is also mapped shared with PTE pages
      And the application stores "pmd" through the mapping of /a at offset 0
      And the application stores "one" through the second mapping of /a at offset 8192
      And the application calls fsync on /a
      When the application stores "two" through the second mapping of /a at offset 8192
      And the application calls fsync on /a
      And power fails
      Then in every crash state /a holds "two" at offset 8192

      Examples:
        | fs   |
        | ext4 |
        | xfs  |
