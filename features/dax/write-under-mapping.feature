@epic:dax-mappings @story:page-tables
Feature: write(2) under a shared DAX mapping of allocated blocks
  write(2) into a hole allocates a block and must tear down the zero page mapped there, so the
  mapping sees the new data. Over blocks already allocated it changes no page table: a PTE or PMD
  mapping stays in place, read-only after writeback, and the next store through it takes a
  write-protect fault (pfn_mkwrite) rather than a fresh fault.

  @since:4.0
  Rule: MS-4 write(2) replaces only the zero page of a hole; mappings of allocated blocks stay

    @rule:MS-4 @beyond @severity:minor @white-box @requires:schedules
    Scenario Outline: write(2) over an allocated block leaves the read-only <size> mapping in place
      # fs/dax.c dax_iomap_iter() invalidates the range only for IOMAP_F_NEW (newly allocated) blocks
      Given an ext4 filesystem mounted with dax on pmem0
      And a file /a with 2 MiB written and synced
      And /a is mapped shared with <size> pages
      And the application loads 8 bytes through the mapping of /a at offset 8192
      And the application writes "file" to /a at offset 8192 with write(2)
      When the store S of "mapped" through the mapping of /a at offset 8192 stops in pfn_mkwrite
      And the store S resumes and completes
      Then /a reads "mapped" at offset 8192

      Examples:
        | size |
        | PTE  |
        | PMD  |
