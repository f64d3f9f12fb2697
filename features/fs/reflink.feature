@epic:dax-mappings @story:todays-kernel
Feature: A write to a block shared by reflink copies the whole block first
  On xfs, FICLONE makes two files share their blocks. A write(2) or a write fault through a DAX
  mapping on a shared block first gets a new block holding a copy of the whole old block, then the
  new bytes land in the copy and the file's map moves to it: the other file never changes, in any
  crash state, and the written file keeps every byte around the write. Filesystems without reflink
  refuse the clone. Sources: the 5.19/6.0 series "fsdax: introduce dax_iomap_cow_copy()",
  "fsdax: replace mmap entry in case of CoW" and "xfs: support CoW in fsdax mode" (Shiyang Ruan),
  which let xfs mount reflink filesystems with DAX; xfstests generic/605-608's DAX and reflink cases.

  @since:6.0
  Rule: MS-13 A write or write fault on a block shared by reflink copies the whole block before the store lands; the other file never changes

    @rule:MS-13 @beyond @severity:critical @requires:reflink
    Scenario Outline: write(2) into <written>, which shares its blocks with <other>, copies the whole block first
      Given an xfs filesystem mounted with dax on pmem0
      And a file /a with 64 KiB of "a" written and synced
      And /b is a clone of /a, synced
      When the application writes "new" to <written> at offset 4100 with write(2)
      Then <written> reads "aaaanewa" at offset 4096
      And <written> reads "a" x 8 at offset 8184
      And <other> reads "a" x 4096 at offset 4 KiB

      Examples:
        | written | other |
        | /b      | /a    |
        | /a      | /b    |

    @rule:MS-13 @beyond @severity:critical @requires:reflink
    Scenario Outline: a store through a mapping of a clone (<how>) copies the whole block first and leaves the source alone
      Given an xfs filesystem mounted with dax on pmem0
      And a file /a with 64 KiB of "a" written and synced
      And /b is a clone of /a, synced
      And <mapping>
      When the application stores "new" through the mapping of /b at offset 4100
      Then the mapping of /b reads "aaaanewa" at offset 4096
      And /a reads "a" x 4096 at offset 4 KiB
      And /b reads "aaaanewa" at offset 4096

      Examples:
        | how                        | mapping                                                   |
        | a write fault              | /b is mapped shared with PTE pages                        |
        | pfn_mkwrite on a read page | /b is mapped shared with its page at offset 4 KiB read in |

    @rule:MS-13 @beyond @severity:critical @requires:reflink
    Scenario: a store through a PMD mapping of a 2 MiB clone copies the whole block first and leaves the source alone
      # every block of the clone is shared, so the huge-page write fault falls back to a page-sized copy
      Given an xfs filesystem mounted with dax on pmem0
      And a file /a with 2 MiB of "a" written and synced
      And /b is a clone of /a, synced
      And /b is mapped shared with PMD pages
      When the application stores "new" through the mapping of /b at offset 4100
      Then /a reads "a" x 4096 at offset 4 KiB
      And /b reads "aaaanewa" at offset 4096

    @rule:MS-13 @beyond @severity:critical @requires:reflink
    Scenario Outline: after a <how> into a clone, every crash state keeps the source whole and passes fsck
      Given an xfs filesystem mounted with dax on pmem0
      And a file /a with 64 KiB of "a" written and synced
      And /b is a clone of /a, synced
      And /b is mapped shared with PTE pages
      When <change>
      Then power fails
      And in every crash state /a holds "a" x 4096 at offset 4 KiB
      And in every crash state fsck reports pmem0 clean

      Examples:
        | how             | change                                                                                      |
        | write(2)        | the application writes "new" to /b at offset 4100 with write(2)                             |
        | store and fsync | the application stores "new" through the mapping of /b at offset 4100 and calls fsync on /b |

    @rule:MS-13 @beyond @severity:critical @requires:reflink
    Scenario Outline: after its clone is dropped (<how>), the source keeps every block and the filesystem stays clean
      # each shared block loses one reference: the last file that maps it still owns it
      Given an xfs filesystem mounted with dax on pmem0
      And a file /a with 64 KiB of "a" written and synced
      And /b is a clone of /a, synced
      When <how>
      And the application calls sync(2)
      Then /a reads "a" x 4096 at offset 60 KiB
      And fsck reports pmem0 clean

      Examples:
        | how                                          |
        | the application unlinks /b                   |
        | the application truncates /b to 0 bytes      |
        | the application truncates /b to 32 KiB bytes |

    @rule:MS-13 @beyond @severity:normal @requires:reflink
    Scenario Outline: <fs> has no reflink: a clone fails with EOPNOTSUPP
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 64 KiB written and synced
      And a file /b
      When the application tries to clone /a onto /b
      Then the call fails with EOPNOTSUPP

      Examples:
        | fs   |
        | ext2 |
        | ext4 |
