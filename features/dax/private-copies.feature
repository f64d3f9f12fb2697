@epic:dax-mappings @story:page-tables
Feature: MAP_PRIVATE copies under truncate
  A MAP_PRIVATE mapping copies a page on its first store. Truncate unmaps the pages past the new
  end with even_cows set, so their private copies go too: grown back, the file reads as zeros there
  through the mapping. Punching a hole does not drop copies (features/dax/mappings.feature).

  @since:4.5
  Rule: MS-5 Truncate drops the private copies past the new end

    @rule:MS-5 @beyond @severity:normal
    Scenario: truncating below a private copy and growing the file again drops the copy
      # mm/truncate.c truncate_pagecache(): unmap_mapping_range(..., even_cows = 1)
      Given an ext4 filesystem mounted with dax on pmem0
      And a file /a with 16 KiB allocated and synced
      And /a is mapped private
      And the application stores "mine1" through the mapping of /a at offset 4096
      And /a is truncated to 4096
      When the application truncates /a to 16384 bytes
      Then the mapping of /a reads 5 zero bytes at offset 4096

    @rule:MS-5 @beyond @severity:normal
    Scenario Outline: truncating to <size> bytes drops the private copies from the first page past the new end, and only those
      # truncate_pagecache(): unmap_mapping_range(round_up(newsize, PAGE_SIZE), 0, even_cows = 1)
      Given an ext4 filesystem mounted with dax on pmem0
      And a file /a with 16 KiB allocated and synced
      And /a is mapped private
      And the application stores "mine0" through the mapping of /a at offset 0
      And the application stores "mine1" through the mapping of /a at offset 4096
      And the application stores "mine2" through the mapping of /a at offset 8192
      And /a is truncated to <size>
      When the application truncates /a to 16384 bytes
      Then the mapping of /a reads "mine0" at offset 0
      And the mapping of /a reads <page 1> at offset 4096
      And the mapping of /a reads 5 zero bytes at offset 8192

      Examples:
        | size | page 1       |
        | 4096 | 5 zero bytes |
        | 4100 | "mine1"      |

    @rule:MS-5 @beyond @severity:normal
    Scenario: truncating into a PMD that a shared mapping maps keeps a private mapping's copy below the new end
      # unmap_mapping_range() zaps every VMA from the first page past the new end; only the shared PMD straddling it goes whole
      Given an ext4 filesystem mounted with dax on pmem0
      And a file /a with 4 MiB written and synced
      And /a is mapped shared with PMD pages
      And the application loads 8 bytes through the mapping of /a at offset 0
      And /a is also mapped private, with "mine" stored through it at offset 0
      When the application truncates /a to 8192 bytes
      Then the private mapping of /a reads "mine" at offset 0
