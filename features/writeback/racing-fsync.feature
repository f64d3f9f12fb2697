@epic:dax-mappings @story:writeback
Feature: Racing fsyncs of one DAX file
  Two fsyncs of the same file may interleave with each other and with faults. Whatever the
  interleaving, the bytes stored before an fsync returns survive every crash. Page-cache writeback
  (write_cache_pages) runs in the same ->writepages after the DAX writeback; it handles pages only
  and leaves the tags of DAX (exceptional) entries to dax_writeback_mapping_range.

  @since:4.5
  Rule: WB-1 After msync(MS_SYNC) or fsync returns, every byte stored through a shared mapping before it survives every crash

    @rule:WB-1 @beyond @severity:critical @requires:schedules
    Scenario Outline: on <fs>, a PMD fault between two interleaved fsyncs loses no store
      # fs/dax.c dax_writeback_mapping_range(); mm/page-writeback.c write_cache_pages() walks pages only
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 2 MiB allocated and synced
      And /a is mapped shared with PTE pages
      And /a is also mapped shared with PMD pages
      And the application stores "pte" through the mapping of /a at offset 0
      When fsync A of /a stops before writing back an entry
      And the application stores "pmd" through the second mapping of /a at offset 8192
      And fsync B of /a stops after tagging
      And fsync A resumes and completes
      And fsync B resumes and completes
      And power fails
      Then in every crash state /a holds "pmd" at offset 8192

      Examples:
        | fs   |
        | ext2 |
        | ext4 |
        | xfs  |
