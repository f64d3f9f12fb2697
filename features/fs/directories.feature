@epic:writeback-placement @story:page-cache-metadata
Feature: Directories live in the page cache even on a dax mount
  ext2 and ext4 directory inodes carry S_DAX yet keep their blocks in dirty page-cache pages;
  skipping their page writeback corrupts them (e2fsck: "directory corrupted"). Either known fix
  conforms: write the pages back, or never set S_DAX on non-regular inodes. Source: Ross
  Zwisler's reply to Jan Kara, "Re: [PATCH v2 0/2] DAX bdev fixes - move flushing calls to FS".

  @since:4.5
  Rule: SY-3 After creating entries and sync(2), every crash state passes fsck and lists every entry

    @rule:SY-3 @seed:003_73f96a82e16539d0.txt @severity:blocker
    Scenario Outline: new entries in a new <fs> directory survive sync(2)
      Given an <fs> filesystem mounted with dax on pmem0
      And a directory /d
      When the application creates the files a,b,c in /d
      And the application calls sync(2)
      And power fails
      Then in every crash state fsck reports pmem0 clean
      And in every crash state /d lists a,b,c

      Examples:
        | fs   |
        | ext4 |
        | xfs  |

      @profile:adr @profile:eadr
      Examples: sync(2) sends no flush request here, so only a fence-only platform (ADR, eADR) promises it
        | fs   |
        | ext2 |

    @rule:SY-3 @seed:003_73f96a82e16539d0.txt @severity:critical
    Scenario Outline: entries in the root directory (inode 2 on ext2) survive sync(2) on <fs>
      Given an <fs> filesystem mounted with dax on pmem0
      When the application creates the files x,y in /
      And the application calls sync(2)
      And power fails
      Then in every crash state / lists x,y
      And in every crash state fsck reports pmem0 clean

      Examples:
        | fs   |
        | ext4 |

      @profile:adr @profile:eadr
      Examples: sync(2) sends no flush request here, so only a fence-only platform (ADR, eADR) promises it
        | fs   |
        | ext2 |

    @rule:SY-3 @beyond @severity:critical
    Scenario Outline: a directory made inside a new directory survives sync(2) on <fs>, link counts included
      # mkdir raises the parent's link count: that inode change must reach media with the new entry
      Given an <fs> filesystem mounted with dax on pmem0
      And a directory /p
      And a directory /p/q
      When the application calls sync(2)
      And power fails
      Then in every crash state fsck reports pmem0 clean
      And in every crash state /p lists q

      Examples:
        | fs   |
        | ext4 |
        | xfs  |

      @profile:adr @profile:eadr
      Examples: sync(2) sends no flush request here, so only a fence-only platform (ADR, eADR) promises it
        | fs   |
        | ext2 |

    @rule:SY-3 @beyond @severity:critical
    Scenario Outline: a directory moved to another parent survives sync(2) on <fs>, its ".." included
      # the moved directory's ".." and both parents' link counts change together
      Given an <fs> filesystem mounted with dax on pmem0
      And a directory /a
      And a directory /b
      And a directory /a/d
      And the application calls sync(2)
      When the application renames /a/d to /b/d
      And the application calls sync(2)
      And power fails
      Then in every crash state fsck reports pmem0 clean
      And in every crash state /b lists d

      Examples:
        | fs   |
        | ext4 |
        | xfs  |

      @profile:adr @profile:eadr
      Examples: sync(2) sends no flush request here, so only a fence-only platform (ADR, eADR) promises it
        | fs   |
        | ext2 |

    @rule:SY-3 @beyond @severity:normal
    Scenario Outline: unlink of a directory on <fs> fails with EISDIR and leaves its entry in every crash state after sync(2)
      # a failed call changes nothing: the type check comes before the entry is touched
      Given an <fs> filesystem mounted with dax on pmem0
      And a directory /d
      When the application tries to unlink /d
      And the application calls sync(2)
      And power fails
      Then the call fails with EISDIR
      And in every crash state / lists d
      And in every crash state fsck reports pmem0 clean

      Examples:
        | fs   |
        | ext4 |
        | xfs  |

      @profile:adr @profile:eadr
      Examples: sync(2) sends no flush request here, so only a fence-only platform (ADR, eADR) promises it
        | fs   |
        | ext2 |

  @since:5.8
  Rule: MS-7 statx reports STATX_ATTR_DAX on regular files that use DAX, never on directories

    @rule:MS-7 @beyond @severity:minor
    Scenario Outline: on a dax=always <fs> mount a file reports DAX and a directory does not
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a
      And a directory /d
      Then statx of /a reports STATX_ATTR_DAX
      And statx of /d reports no-DAX

      Examples:
        | fs   |
        | ext2 |
        | ext4 |
        | xfs  |
