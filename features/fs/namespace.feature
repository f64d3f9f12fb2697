@epic:writeback-placement @story:namespace-operations
Feature: Namespace operations keep every entry in every crash state
  Creating, renaming and unlinking change directory blocks, link counts and allocation bitmaps
  together; after sync(2) every crash state must list what the application made and pass fsck.
  These scenarios cross the boundaries a directory has: a second directory block, names of every
  length sharing one block, renames that POSIX makes a no-op or refuses. Sources: POSIX rename()
  ("If the old argument and the new argument resolve to the same existing file, rename() shall
  return successfully and perform no other action"; EINVAL when the new path has the old directory
  as a prefix), NAME_MAX (255), and Ross Zwisler's reply to Jan Kara, "Re: [PATCH v2 0/2] DAX bdev
  fixes - move flushing calls to FS" for the directory pages sync(2) must write.

  @since:4.5
  Rule: SY-3 After creating entries and sync(2), every crash state passes fsck and lists every entry

    @rule:SY-3 @beyond @severity:critical
    Scenario Outline: a directory that grows a second block keeps every entry across sync(2) on <fs>
      # 300 entries of 16 bytes fill more than one 4 KiB block: the directory's size and block map change together
      Given an <fs> filesystem mounted with dax on pmem0
      And a directory /d
      When the application creates the files entry1 to entry300 in /d
      And the application calls sync(2)
      And power fails
      Then in every crash state /d lists entry1,entry256,entry300
      And in every crash state fsck reports pmem0 clean

      Examples:
        | fs   |
        | ext4 |
        | xfs  |

      @profile:adr @profile:eadr
      Examples: sync(2) on ext2 sends no flush request, so only a fence-only platform (ADR, eADR) promises it
        | fs   |
        | ext2 |

    @rule:SY-3 @beyond @severity:critical
    Scenario Outline: names of <shape> share a directory block and all survive sync(2) on <fs>
      # a new record is carved from the slack of a live one: the live record keeps the room its own name needs
      Given an <fs> filesystem mounted with dax on pmem0
      And a directory /d
      When the application creates the files <names> in /d
      And the application calls sync(2)
      And power fails
      Then in every crash state /d lists <names>
      And in every crash state fsck reports pmem0 clean

      Examples:
        | fs   | shape                 | names                                                 |
        | ext4 | a long then short one | a_file_name_of_forty_bytes_or_near_it_x,b,c           |
        | xfs  | a long then short one | a_file_name_of_forty_bytes_or_near_it_x,b,c           |
        | ext4 | growing lengths       | a,bb,ccc,dddd,eeeee,ffffff,ggggggg,hhhhhhhh,iiiiiiiii |
        | ext4 | shrinking lengths     | iiiiiiiii,hhhhhhhh,ggggggg,ffffff,eeeee,dddd,ccc,bb,a |

      @profile:adr @profile:eadr
      Examples: sync(2) on ext2 sends no flush request, so only a fence-only platform (ADR, eADR) promises it
        | fs   | shape                 | names                                                 |
        | ext2 | a long then short one | a_file_name_of_forty_bytes_or_near_it_x,b,c           |

    @rule:SY-3 @beyond @severity:critical
    Scenario Outline: renaming <path> onto itself changes nothing on <fs>
      Given an <fs> filesystem mounted with dax on pmem0
      And a directory /d
      And a file /d/a with 4 KiB written and synced
      When the application renames <path> to <path>
      And the application calls sync(2)
      And power fails
      Then in every crash state /d lists a
      And in every crash state fsck reports pmem0 clean

      Examples:
        | fs   | path |
        | ext2 | /d/a |
        | ext4 | /d/a |
        | xfs  | /d/a |
        | ext4 | /d   |

    @rule:SY-3 @beyond @severity:critical
    Scenario Outline: moving a directory into <into> fails with EINVAL and leaves the tree as it was on <fs>
      Given an <fs> filesystem mounted with dax on pmem0
      And a directory /a
      And a directory /a/c
      When the application tries to rename /a to <into>
      And the application calls sync(2)
      And power fails
      Then the call fails with EINVAL
      And in every crash state / lists a
      And in every crash state fsck reports pmem0 clean

      Examples:
        | fs   | into   |
        | ext4 | /a/b   |
        | xfs  | /a/b   |
        | ext4 | /a/c/b |

      @profile:adr @profile:eadr
      Examples: sync(2) on ext2 sends no flush request, so only a fence-only platform (ADR, eADR) promises it
        | fs   | into   |
        | ext2 | /a/b   |

    @rule:SY-3 @beyond @severity:normal
    Scenario Outline: unlinking a file with data and an extended attribute frees every block it had on <fs>
      # the attribute block is the file's too: fsck counts a block marked in use that no inode claims
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /f with 64 KiB written and synced
      And the application sets the extended attribute user.k of /f to "value"
      When the application unlinks /f
      And the application calls sync(2)
      And power fails
      Then in every crash state fsck reports pmem0 clean

      Examples:
        | fs   |
        | ext4 |
        | xfs  |

      @profile:adr @profile:eadr
      Examples: sync(2) on ext2 sends no flush request, so only a fence-only platform (ADR, eADR) promises it
        | fs   |
        | ext2 |

    @rule:SY-3 @beyond @severity:normal
    Scenario Outline: a file name of NAME_MAX (255) bytes is created and survives sync(2) on <fs>
      Given an <fs> filesystem mounted with dax on pmem0
      And a directory /d
      When the application creates a file in /d whose name is 255 bytes long
      And the application calls sync(2)
      And power fails
      Then in every crash state /d lists the file whose name is 255 bytes long
      And in every crash state fsck reports pmem0 clean

      Examples:
        | fs   |
        | ext4 |
        | xfs  |

      @profile:adr @profile:eadr
      Examples: sync(2) on ext2 sends no flush request, so only a fence-only platform (ADR, eADR) promises it
        | fs   |
        | ext2 |

    @rule:SY-3 @beyond @severity:minor
    Scenario Outline: a file name one byte longer than NAME_MAX fails with ENAMETOOLONG on <fs>
      Given an <fs> filesystem mounted with dax on pmem0
      And a directory /d
      When the application tries to create a file in /d whose name is 256 bytes long
      Then the call fails with ENAMETOOLONG
      And fsck reports pmem0 clean

      Examples:
        | fs   |
        | ext2 |
        | xfs  |

    @rule:SY-3 @beyond @severity:critical
    Scenario Outline: after a crash and log recovery on <fs>, entries created and synced survive a second crash
      # recovery must leave the log empty, its tail where the next transaction starts
      Given an <fs> filesystem mounted with dax on pmem0
      And a directory /d
      And the application creates the files a in /d
      And the application calls sync(2)
      And power fails and the machine comes back
      When the application creates the files b in /d
      And the application calls sync(2)
      And power fails
      Then in every crash state /d lists a,b
      And in every crash state fsck reports pmem0 clean

      Examples:
        | fs   |
        | ext4 |
        | xfs  |

      @profile:adr @profile:eadr
      Examples: sync(2) on ext2 sends no flush request, so only a fence-only platform (ADR, eADR) promises it
        | fs   |
        | ext2 |
