@epic:writeback-placement @story:sync
Feature: sync(2) and ->writepages flush DAX mappings and still write back page-cache pages
  The DAX writeback moved from filemap_write_and_wait_range() into each filesystem's and the block
  device's ->writepages, so sync(2), which reaches ->writepages and not the former, flushes DAX
  mappings too; ->writepages returns early only on error. Sources: "[PATCH v2 0/2] DAX bdev fixes -
  move flushing calls to FS" and Ross Zwisler's reply to Jan Kara in the same thread.

  @since:4.5
  Rule: SY-1 sync(2) makes every byte stored through any shared DAX mapping durable

    @rule:SY-1 @seed:000_7aa147f050932869.txt @severity:blocker
    Scenario Outline: sync(2) after stores through a <size> mapping on <fs>
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 4 MiB allocated and synced
      And /a is mapped shared with <size> pages
      When the application stores "synced" through the mapping of /a at offset 8192
      And the application calls sync(2)
      And power fails
      Then in every crash state /a holds "synced" at offset 8192

      Examples:
        | fs   | size |
        | ext4 | PTE  |
        | xfs  | PTE  |
        | ext4 | PMD  |
        | xfs  | PMD  |

      @profile:adr @profile:eadr
      Examples: sync(2) sends no flush request here, so only a fence-only platform (ADR, eADR) promises it
        | fs   | size |
        | ext2 | PTE  |
        | ext2 | PMD  |

    @rule:SY-1 @seed:000_7aa147f050932869.txt @severity:critical
    Scenario Outline: sync(2) after stores to <pages> pages of two files on <fs>, more than one writeback batch each
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 128 KiB written and synced
      And a file /b with 128 KiB written and synced
      When the application stores "aa" at offset 0 of each of the first <pages> pages through the mapping of /a
      And the application stores "b" at offset 4095 of each of the first <pages> pages through the mapping of /b
      And the application calls sync(2)
      And power fails
      Then in every crash state /a holds "aa" at offset 0 of each of the first <pages> pages
      And in every crash state /b holds "b" at offset 4095 of each of the first <pages> pages

      Examples:
        | fs   | pages |
        | ext4 | 29    |

      @profile:adr @profile:eadr
      Examples: sync(2) sends no flush request here, so only a fence-only platform (ADR, eADR) promises it
        | fs   | pages |
        | ext2 | 15    |
        | xfs  | 32    |

  @since:4.5
  Rule: SY-2 ->writepages returns early only on error: page-cache pages of the same inode are still written back

    @rule:SY-2 @seed:000_7aa147f050932869.txt @severity:critical
    Scenario: an ext4 file with DAX entries and an xattr page keeps both through sync(2)
      Given an ext4 filesystem mounted with dax on pmem0
      And a file /a with 64 KiB allocated and synced
      And the application stores "data" through the mapping of /a at offset 0
      When the application sets the extended attribute user.tag of /a to "label"
      And the application calls sync(2)
      And power fails
      Then in every crash state /a holds "data" at offset 0
      And in every crash state fsck reports pmem0 clean

  @since:4.5
  Rule: SY-4 filemap_write_and_wait_range still writes back page-cache pages of a DAX mapping that has them

    @rule:SY-4 @seed:000_7aa147f050932869.txt @severity:critical
    Scenario Outline: fsync of an <fs> directory writes back its page-cache pages
      Given an <fs> filesystem mounted with dax on pmem0
      And a directory /d
      And the application calls sync(2)
      When the application creates the files f1,f2 in /d
      And the application calls fsync on /d
      And power fails
      Then in every crash state /d lists f1,f2

      Examples:
        | fs   |
        | ext2 |
        | ext4 |

  @since:4.5
  Rule: SY-5 On xfs the DAX writeback alone is enough for data; metadata reaches media through the log

    @rule:SY-5 @seed:003_73f96a82e16539d0.txt @severity:normal
    Scenario: xfs keeps a new file's data and metadata across a crash after fsync
      Given an xfs filesystem mounted with dax on pmem0
      And a file /a with 64 KiB allocated and synced
      And the application stores "xfs-data" through the mapping of /a at offset 4096
      When the application calls fsync on /a
      And power fails
      Then in every crash state /a holds "xfs-data" at offset 4096
      And in every crash state fsck reports pmem0 clean

  @since:4.5
  Rule: SY-6 Metadata written through the block device's buffer heads reaches media on sync(2)

    @rule:SY-6 @seed:000_7aa147f050932869.txt @severity:critical
    Scenario Outline: after sync(2) a new <fs> file exists with its size in every crash state
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /f
      When the application writes "content" to /f at offset 0 with write(2)
      And the application calls sync(2)
      And power fails
      Then in every crash state /f exists and is 7 bytes long
      And in every crash state fsck reports pmem0 clean

      Examples:
        | fs   |
        | ext4 |
        | xfs  |

      @profile:adr @profile:eadr
      Examples: sync(2) sends no flush request here, so only a fence-only platform (ADR, eADR) promises it
        | fs   |
        | ext2 |

    @rule:SY-6 @seed:000_7aa147f050932869.txt @severity:critical @requires:ext2
    Scenario: fsync of one ext2 file leaves a file it did not write as sync(2) left it, over stale media
      # fs/ext2's rule; Linux 6.1 built without fs/ext2 (Debian: CONFIG_EXT4_USE_FOR_EXT2) mounts ext2
      # with ext4 in no-journal mode, which copies /A's inode into the shared table block at the
      # write, so the fsync of /B carries /A's new block pointer ahead of its indirect block: fails there
      Given the first 8 MiB of /dev/pmem0 held stale bytes beforehand
      And an ext2 filesystem mounted with dax on pmem0
      And a sparse file /A of 4 MiB, synced
      And a file /B with 0 written and synced
      When the application writes "d" x 4095 to /A at offset 4194304 with write(2)
      And /B is truncated to 1
      And the application calls fsync on /B
      And power fails
      Then in every crash state /A holds 64 zero bytes at offset 49152
