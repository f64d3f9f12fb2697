@epic:writeback-placement @story:xattrs
Feature: Extended attributes and file bytes in every crash state
  An ext4 xattr block lives in the inode's page cache even on a dax mount, so sync(2) must write
  it back beside the DAX entries; ext2 and xfs keep it in their own metadata. After sync(2) the
  attribute is there in every crash state and no other appears. Source: Ross Zwisler's reply to
  Jan Kara, "Re: [PATCH v2 0/2] DAX bdev fixes - move flushing calls to FS". A store nobody wrote
  back may or may not survive, for a file as for a device (PM-2).

  @since:4.5
  Rule: SY-3 After sync(2) an extended attribute survives every crash, and no other attribute appears

    @rule:SY-3 @seed:003_73f96a82e16539d0.txt @severity:critical
    Scenario Outline: an attribute set before sync(2) is there in every crash state on <fs>
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /f with 4 KiB written and synced
      When the application sets the extended attribute user.k of /f to "value"
      And the application calls sync(2)
      And power fails
      Then in every crash state /f has the extended attribute user.k set to "value"
      And in every crash state /f has no extended attribute user.other

      @requires:ext2 @profile:adr @profile:eadr
      Examples:
        | fs   |
        | ext2 |

      @requires:ext4
      Examples:
        | fs   |
        | ext4 |

      @requires:xfs
      Examples:
        | fs  |
        | xfs |

    @rule:SY-3 @beyond @severity:critical
    Scenario Outline: an attribute changed again after a sync(2), on an inode nothing else dirtied, is there after the next sync(2) on <fs>
      # the second change finds the attribute block already cached: it must still put the inode on the writeback list
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /f with 4 KiB written and synced
      And the application sets the extended attribute user.k of /f to "first"
      And the application calls sync(2)
      When the application sets the extended attribute user.k of /f to "again"
      And the application calls sync(2)
      And power fails
      Then in every crash state /f has the extended attribute user.k set to "again"

      @requires:ext2 @profile:adr @profile:eadr
      Examples:
        | fs   |
        | ext2 |

      @requires:ext4
      Examples:
        | fs   |
        | ext4 |

      @requires:xfs
      Examples:
        | fs  |
        | xfs |

    @rule:SY-3 @beyond @severity:normal
    Scenario Outline: an attribute whose name is XATTR_NAME_MAX (255) bytes long survives sync(2) on <fs>
      # fs/xattr.c copies the name into XATTR_NAME_MAX + 1 bytes: 255 fits, 256 is ERANGE
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /f with 4 KiB written and synced
      When the application sets an extended attribute of /f whose name is 255 bytes long to "long"
      And the application calls sync(2)
      And power fails
      Then in every crash state /f has the extended attribute whose name is 255 bytes long set to "long"

      @requires:ext2 @profile:adr @profile:eadr
      Examples: sync(2) on ext2 sends no flush request, so only a fence-only platform (ADR, eADR) promises it
        | fs   |
        | ext2 |

      @requires:ext4
      Examples:
        | fs   |
        | ext4 |

      @requires:xfs
      Examples:
        | fs  |
        | xfs |

    @rule:SY-3 @beyond @severity:minor @requires:ext4
    Scenario: an attribute name one byte longer than XATTR_NAME_MAX fails with ERANGE
      Given an ext4 filesystem mounted with dax on pmem0
      And a file /f with 4 KiB written and synced
      When the application tries to set an extended attribute of /f whose name is 256 bytes long to "long"
      Then the call fails with ERANGE
      And fsck reports pmem0 clean

  @since:4.4
  Rule: PM-2 A store never written back may or may not survive, in a file as on a device

    @rule:PM-2 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @requires:ext4 @profile:adr @profile:virtio-pmem
    Scenario: a store through a shared mapping with no fsync may or may not reach the file
      Given an ext4 filesystem mounted with dax on pmem0
      And a file /f with 4 KiB written and synced
      When the application stores "maybe" through the mapping of /f at offset 100
      And power fails
      Then /f may or may not hold "maybe" at offset 100 after the crash
