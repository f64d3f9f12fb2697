@epic:dax-mappings @story:overwrite-in-place
Feature: Overwrites in place: DAX writeback with no metadata to commit
  When an application overwrites blocks that are already allocated and synced, fsync, fdatasync
  and msync have only the DAX writeback to do: on ext2 nothing else fences, and on ext4 and xfs a
  journal or log commit may or may not follow. So the data must be durable from the DAX writeback
  alone, for every filesystem and mapping size; these are the black-box consequences of rules that
  the write-back log otherwise shows only to a white-box target.
  Where a rule has no black-box consequence it says so here. WB-4 (each TOWRITE entry re-checked
  under the tree lock) and WB-5 (background writeback flushes nothing) are about how often lines
  are written back, and writing back more never breaks a promise an application can see; the
  contract starts background writeback only as a white-box operation. DT-4 (pfn_mkwrite losing
  the race with hole punch) needs a schedule that stops a fault half-way. Their scenarios stay
  white-box. WB-7 (no big hammer) shows to a black-box target that explores crash states: a
  file nobody synced must not become durable. DT-3 (a PMD entry replaces the PTE entries in its
  range) shows as data lost when fsync writes back only the old 4 KiB entry. DT-1, DT-2 and DT-5
  show through WB-1 and SY-1 (a dirtied page, or inode, that writeback never finds). Sources: "[PATCH v4 4/7] dax: add support for
  fsync/sync" and "Re: [RFC 00/11] DAX fsynx/msync support" (the big hammer).

  @since:4.5
  Rule: WB-3 No written-back line is left unfenced when fsync, msync or sync(2) returns, with or without a journal commit or a flush request after it

    @rule:WB-3 @seed:002_942ec44a608dccaf.txt @severity:critical
    Scenario Outline: an overwrite through a <size> mapping of an <fs> file survives <call>
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 2 MiB written and synced
      And /a is mapped shared with <size> pages
      When the application stores "overwritten" through the mapping of /a at offset 4160
      And the application calls <call>
      And power fails
      Then in every crash state /a holds "overwritten" at offset 4160

      Examples:
        | fs   | size | call                                                             |
        | ext2 | PTE  | fsync on /a                                                      |
        | ext2 | PMD  | fsync on /a                                                      |
        | ext2 | PTE  | fdatasync on /a                                                  |
        | ext2 | PMD  | fdatasync on /a                                                  |
        | ext2 | PTE  | msync(MS_SYNC) on 4096 bytes at offset 4096 of the mapping of /a |
        | ext2 | PMD  | msync(MS_SYNC) on 4096 bytes at offset 4096 of the mapping of /a |
        | ext4 | PTE  | fsync on /a                                                      |
        | ext4 | PMD  | fsync on /a                                                      |
        | ext4 | PTE  | fdatasync on /a                                                  |
        | ext4 | PMD  | fdatasync on /a                                                  |
        | ext4 | PTE  | msync(MS_SYNC) on 4096 bytes at offset 4096 of the mapping of /a |
        | ext4 | PMD  | msync(MS_SYNC) on 4096 bytes at offset 4096 of the mapping of /a |
        | xfs  | PTE  | fsync on /a                                                      |
        | xfs  | PMD  | fsync on /a                                                      |
        | xfs  | PTE  | fdatasync on /a                                                  |
        | xfs  | PMD  | fdatasync on /a                                                  |
        | xfs  | PTE  | msync(MS_SYNC) on 4096 bytes at offset 4096 of the mapping of /a |
        | xfs  | PMD  | msync(MS_SYNC) on 4096 bytes at offset 4096 of the mapping of /a |

    @rule:WB-3 @seed:002_942ec44a608dccaf.txt @severity:critical
    Scenario Outline: an overwrite of the last line of a page through a <size> mapping of an <fs> file survives fdatasync
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 2 MiB written and synced
      And /a is mapped shared with <size> pages
      When the application stores "end-of-page" through the mapping of /a at offset 8181
      And the application calls fdatasync on /a
      And power fails
      Then in every crash state /a holds "end-of-page" at offset 8181

      Examples:
        | fs   | size |
        | ext2 | PTE  |
        | ext2 | PMD  |
        | ext4 | PTE  |
        | ext4 | PMD  |
        | xfs  | PTE  |
        | xfs  | PMD  |

    # Since 4.8 fsync's flush request fences too (pmem handles REQ_FLUSH with nvdimm_flush(), and
    # "pmem: kill wmb_pmem()" dropped the writeback's own fence), so the rows above cannot tell a
    # missing writeback fence apart. These paths send no flush request: there the writeback's fence
    # (4.5-4.7 wmb_pmem(); on x86 since 4.8 the LOCK-prefixed tree lock taken after each write-back)
    # is all that makes the lines durable.
    @rule:WB-3 @seed:002_942ec44a608dccaf.txt @severity:critical @profile:adr @profile:eadr
    Scenario Outline: on ext4 mounted with barrier=0, an overwrite through a <size> mapping survives <call>, which sends no flush request
      Given an ext4 filesystem mounted with dax and barrier=0 on pmem0
      And a file /a with 2 MiB written and synced
      And /a is mapped shared with <size> pages
      When the application stores "no-barrier" through the mapping of /a at offset 4160
      And the application calls <call>
      And power fails
      Then in every crash state /a holds "no-barrier" at offset 4160

      Examples:
        | size | call                                                             |
        | PTE  | fdatasync on /a                                                  |
        | PMD  | fdatasync on /a                                                  |
        | PTE  | msync(MS_SYNC) on 4096 bytes at offset 4096 of the mapping of /a |
        | PMD  | msync(MS_SYNC) on 4096 bytes at offset 4096 of the mapping of /a |

    # raw-device DAX mappings existed from 4.4 to 4.6 (BD-3); a target without them skips this by its capability
    @rule:WB-3 @seed:002_942ec44a608dccaf.txt @severity:critical @profile:adr @profile:eadr @requires:raw-block-dax
    Scenario Outline: a store through a <size> mapping of a raw pmem device survives sync(2), which sends it no flush request
      Given a 256 MiB pmem namespace pmem0
      And /dev/pmem0 is mapped shared with <size> pages
      When the application stores "raw-fenced" through the mapping of /dev/pmem0 at offset 8256
      And the application calls sync(2)
      And power fails
      Then in every crash state pmem0 holds "raw-fenced" at offset 8256

      Examples:
        | size |
        | PTE  |
        | PMD  |

  @since:4.5
  Rule: WB-7 fsync writes back the dirty entries' lines and no others: another file's stores stay where the cache left them

    @rule:WB-7 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @profile:adr @profile:virtio-pmem
    Scenario Outline: fsync of /a on <fs> leaves a store through a <size> mapping of /b unsynced
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 64 KiB written and synced
      And a file /b with 2 MiB written and synced
      And /a is mapped shared with PTE pages
      And /b is mapped shared with <size> pages
      When the application stores "not-synced" through the mapping of /b at offset 4096
      And the application stores "synced" through the mapping of /a at offset 0
      And the application calls fsync on /a
      And power fails
      Then in every crash state /a holds "synced" at offset 0
      And /b may or may not hold "not-synced" at offset 4096 after the crash

      Examples:
        | fs   | size |
        | ext2 | PTE  |
        | ext4 | PMD  |
        | xfs  | PTE  |

  @since:4.5
  Rule: DT-3 A PMD write fault replaces the PTE entries in its range, so fsync writes back all 2 MiB

    @rule:DT-3 @seed:002_942ec44a608dccaf.txt @severity:critical
    Scenario Outline: on <fs>, a store through a PMD mapping survives fsync after a PTE mapping <how> page 0
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 2 MiB written and synced
      And /a is mapped shared with PTE pages
      And <access>
      And /a is also mapped shared with PMD pages
      When the application stores "huge" through the second mapping of /a at offset 1 MiB
      And the application calls fsync on /a
      And power fails
      Then in every crash state /a holds "huge" at offset 1 MiB

      Examples:
        | fs   | how        | access                                                                |
        | ext2 | read       | the application loads 1 bytes through the mapping of /a at offset 0   |
        | ext2 | stored to  | the application stores "pte" through the mapping of /a at offset 0    |
        | ext4 | read       | the application loads 1 bytes through the mapping of /a at offset 0   |
        | ext4 | stored to  | the application stores "pte" through the mapping of /a at offset 0    |
        | xfs  | read       | the application loads 1 bytes through the mapping of /a at offset 0   |
        | xfs  | stored to  | the application stores "pte" through the mapping of /a at offset 0    |

  @since:4.10
  Rule: WB-8 A store after fsync re-dirties the page; a second fsync makes it durable

    @rule:WB-8 @seed:002_942ec44a608dccaf.txt @severity:critical
    Scenario Outline: on <fs>, a second overwrite through a <size> mapping survives the second <call>
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 2 MiB written and synced
      And /a is mapped shared with <size> pages
      And the application stores "first" through the mapping of /a at offset 8192
      And the application calls <call>
      When the application stores "again" through the mapping of /a at offset 8192
      And the application calls <call>
      And power fails
      Then in every crash state /a holds "again" at offset 8192

      Examples:
        | fs   | size | call            |
        | ext2 | PTE  | fsync on /a     |
        | ext2 | PMD  | fdatasync on /a |
        | ext4 | PMD  | fdatasync on /a |
        | xfs  | PTE  | fdatasync on /a |
        | xfs  | PMD  | fsync on /a     |
