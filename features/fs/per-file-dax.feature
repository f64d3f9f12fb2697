@epic:dax-mappings @story:todays-kernel
Feature: Per-file DAX follows FS_XFLAG_DAX when the inode is next loaded
  Mounted with dax=inode, ext4 and xfs give DAX to the files whose FS_XFLAG_DAX is set. Setting or
  clearing the flag stores it at once but only marks the inode "don't cache": the file's mode
  (STATX_ATTR_DAX) changes when the inode is evicted, after the last close and the last mapping,
  and eviction writes its dirty data back first, so the switch never loses what was written through
  either path. New files and directories inherit the flag of their directory; dax=always and
  dax=never override it. Sources: the 5.8 series "fs: Lift XFS_IDONTCACHE to the VFS layer",
  "fs: Introduce DCACHE_DONTCACHE", "fs/xfs: Update xfs_ioctl_setattr_dax_invalidate()" and
  "fs/ext4: Only change S_DAX on inode load" (Ira Weiny), Documentation/filesystems/dax.rst, and
  xfstests generic/605-608.

  @since:5.8
  Rule: MS-12 Under dax=inode a file's mode follows FS_XFLAG_DAX only from its eviction: never under a mapping, never losing dirty data; new files inherit the directory's flag

    @rule:MS-12 @beyond @severity:critical @requires:per-file-dax
    Scenario Outline: on <fs>, setting the DAX flag of a file with cached writes switches it to DAX and keeps the writes
      Given an <fs> filesystem mounted with dax=inode on pmem0
      And a file /a with 64 KiB written and synced
      And the application has written "cached" to /a at offset 4 KiB with write(2), not synced
      When the application sets the DAX flag of /a
      Then statx of /a reports STATX_ATTR_DAX
      And /a reads "cached" at offset 4 KiB
      And after an fsync of /a and a power failure, every crash state holds "cached" at offset 4 KiB of it

      Examples:
        | fs   |
        | ext4 |
        | xfs  |

    @rule:MS-12 @beyond @severity:critical @requires:per-file-dax
    Scenario Outline: on <fs>, clearing the DAX flag of a mapped file leaves it DAX while the mapping lives
      Given an <fs> filesystem mounted with dax=inode on pmem0
      And a DAX file /a with 64 KiB written and synced
      And the application has stored "mapped" through a shared mapping of /a at offset 4 KiB
      When the application clears the DAX flag of /a
      Then statx of /a reports STATX_ATTR_DAX
      And the mapping of /a reads "mapped" at offset 4 KiB

      Examples:
        | fs   |
        | ext4 |
        | xfs  |

    @rule:MS-12 @beyond @severity:critical @requires:per-file-dax
    Scenario Outline: on <fs>, the last unmap switches a file whose DAX flag was cleared, and its stores are written back
      Given an <fs> filesystem mounted with dax=inode on pmem0
      And a DAX file /a with 64 KiB written and synced
      And the application has stored "kept" through a shared mapping of /a at offset 4 KiB
      And the application clears the DAX flag of /a
      When /a is unmapped
      Then statx of /a reports no-DAX
      And after an fsync of /a and a power failure, every crash state holds "kept" at offset 4 KiB of it

      Examples:
        | fs   |
        | ext4 |
        | xfs  |

    @rule:MS-12 @beyond @severity:normal @requires:per-file-dax
    Scenario Outline: on <fs>, a file created in a directory whose DAX flag is set is DAX
      Given an <fs> filesystem mounted with dax=inode on pmem0
      And a directory /d with the DAX flag set
      When the application creates the files f in /d
      Then statx of /d/f reports STATX_ATTR_DAX
      And statx of /d reports no-DAX

      Examples:
        | fs   |
        | ext4 |
        | xfs  |

    @rule:MS-12 @beyond @severity:normal @requires:per-file-dax
    Scenario Outline: on <fs> mounted with dax=<mode>, a file whose DAX flag the application <changes> reports <attr>
      Given an <fs> filesystem mounted with dax=<mode> on pmem0
      And a file /a with 64 KiB written and synced
      When the application <changes> the DAX flag of /a
      Then statx of /a reports <attr>

      Examples:
        | fs   | mode   | changes | attr           |
        | ext4 | never  | sets    | no-DAX         |
        | xfs  | never  | sets    | no-DAX         |
        | ext4 | always | clears  | STATX_ATTR_DAX |
        | xfs  | always | clears  | STATX_ATTR_DAX |
        | ext4 | inode  | sets    | STATX_ATTR_DAX |
        | xfs  | inode  | sets    | STATX_ATTR_DAX |
