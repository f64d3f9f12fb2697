@epic:dax-mappings @story:todays-kernel
Feature: Poisoned persistent memory is never read as data
  An uncorrectable media error under a DAX file stays on the namespace's badblocks list: read(2) over
  it fails with EIO and a load through a mapping raises SIGBUS, never returning stale bytes. Only a
  write(2) of whole pages clears it (the driver's recovery write clears the poison, then copies);
  a write of part of a page copies nothing and fails with EFAULT. The error is in the media, so it
  outlasts an unmount and a power failure. Sources: e10624f8c097 "pmem: fail io-requests to known
  bad blocks" (4.5), and the 5.19 series "dax: introduce DAX_RECOVERY_WRITE dax access mode" /
  f42e8e5088b9 "pmem: implement pmem_recovery_write()" (lore thread "[PATCH v10 7/7] pmem: implement
  pmem_recovery_write()"); before it a write over poison failed with EIO, so DAX could never clear it.

  @since:5.19
  Rule: MS-11 Poisoned pmem is never read as data: read(2) fails with EIO, a load raises SIGBUS; a whole-page write(2) clears it; it outlasts unmount and power loss

    @rule:MS-11 @beyond @severity:critical @requires:poison
    Scenario Outline: on <fs>, read(2) over a poisoned sector fails with EIO
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 64 KiB written and synced
      And the media under 512 B of /a at offset 8 KiB is poisoned
      When the application tries read(2) of 4 KiB of /a at offset 8 KiB
      Then the call fails with EIO
      And /a reads 4096 zero bytes at offset 4 KiB

      Examples:
        | fs   |
        | ext2 |
        | ext4 |
        | xfs  |

    @rule:MS-11 @beyond @severity:critical @requires:poison
    Scenario Outline: on <fs>, a load of poison through a mapping <when> raises SIGBUS
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 64 KiB written and synced
      And <setup>
      When the application tries to load 8 bytes through the mapping of /a at offset 8 KiB
      Then the call fails with SIGBUS
      And the mapping of /a reads 8 zero bytes at offset 4 KiB

      Examples:
        | fs   | when                 | setup                                                                                             |
        | ext2 | made after the error | the media under 512 B of /a at offset 8 KiB is poisoned, then /a is mapped shared                 |
        | ext4 | made after the error | the media under 512 B of /a at offset 8 KiB is poisoned, then /a is mapped shared                 |
        | xfs  | made after the error | the media under 512 B of /a at offset 8 KiB is poisoned, then /a is mapped shared                 |

      # the page table still maps the page: only the CPU's machine check on the load can stop it
      @requires:machine-check
      Examples: a mapping made before the error
        | fs   | when                 | setup                                                                                             |
        | ext2 | already faulted in   | /a is mapped shared with its page at offset 8 KiB faulted in, then the media under it is poisoned |
        | ext4 | already faulted in   | /a is mapped shared with its page at offset 8 KiB faulted in, then the media under it is poisoned |
        | xfs  | already faulted in   | /a is mapped shared with its page at offset 8 KiB faulted in, then the media under it is poisoned |

    @rule:MS-11 @beyond @severity:critical @requires:poison @requires:poison-clear @profile:adr @profile:eadr
    Scenario Outline: on <fs>, a write(2) of the whole poisoned page clears the poison and is durable
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 64 KiB written and synced
      And the media under 512 B of /a at offset 8 KiB is poisoned
      When the application writes "r" x 4096 to /a at offset 8 KiB with write(2)
      Then /a reads "r" x 4096 at offset 8 KiB
      And power fails
      And in every crash state /a holds "r" x 4096 at offset 8 KiB

      Examples:
        | fs   |
        | ext2 |
        | ext4 |
        | xfs  |

    @rule:MS-11 @beyond @severity:normal @requires:poison
    Scenario Outline: on <fs>, a write(2) of part of a poisoned page fails with EFAULT and leaves the poison
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 64 KiB written and synced
      And the media under 512 B of /a at offset 8 KiB is poisoned
      When the application tries write(2) of "w" x 100 to /a at offset 8192
      Then the call fails with EFAULT
      And read(2) of 4 KiB of /a at offset 8 KiB still fails with EIO

      Examples:
        | fs   |
        | ext2 |
        | ext4 |
        | xfs  |

    @rule:MS-11 @beyond @severity:critical @requires:poison
    Scenario Outline: on <fs>, poison outlasts <event>
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 64 KiB written and synced
      And the media under 512 B of /a at offset 8 KiB is poisoned
      And <event step>
      When the application tries read(2) of 4 KiB of /a at offset 8 KiB
      Then the call fails with EIO

      Examples:
        | fs   | event                | event step                                    |
        | ext2 | an unmount and mount | the filesystem is unmounted and mounted again |
        | ext4 | an unmount and mount | the filesystem is unmounted and mounted again |
        | xfs  | an unmount and mount | the filesystem is unmounted and mounted again |
        | ext2 | a power failure      | power fails and the machine comes back        |
        | ext4 | a power failure      | power fails and the machine comes back        |
        | xfs  | a power failure      | power fails and the machine comes back        |

    @rule:MS-11 @beyond @severity:critical @requires:poison @requires:poison-clear @profile:adr @profile:eadr
    Scenario Outline: on <fs>, a write(2) of a whole poisoned page and part of the clean page after it clears the poison and lands
      # the recovery write reaches only the page that holds the bad sector; the rest is an ordinary copy
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 64 KiB of "a" written and synced
      And the media under 512 B of /a at offset 8704 is poisoned
      When the application writes "r" x 6000 to /a at offset 8 KiB with write(2)
      Then /a reads "r" x 6000 at offset 8 KiB
      And /a reads "a" x 4096 at offset 4 KiB
      And power fails
      And in every crash state /a holds "r" x 6000 at offset 8 KiB

      Examples:
        | fs   |
        | ext2 |
        | ext4 |
        | xfs  |

    @rule:MS-11 @beyond @severity:normal @requires:poison
    Scenario Outline: on <fs>, a write(2) from inside a clean page through a whole page poisoned mid-page fails with EFAULT
      # one extent, one recovery write: it reaches the page holding the first bad sector and starts inside a page, so it clears nothing
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 64 KiB written and synced
      And the media under 512 B of /a at offset 8704 is poisoned
      When the application tries write(2) of "w" x 6144 to /a at offset 6144
      Then the call fails with EFAULT
      And read(2) of 4 KiB of /a at offset 8 KiB still fails with EIO

      Examples:
        | fs   |
        | ext2 |
        | ext4 |
        | xfs  |

    @rule:MS-11 @beyond @severity:normal @requires:poison @white-box @requires:white-box
    Scenario: a PMD fault over 2 MiB with known poison in it falls back to PTE pages
      # dax_iomap_pmd_fault(): direct_access of the whole 2 MiB fails, so VM_FAULT_FALLBACK lets the PTE faults decide page by page
      Given an ext4 filesystem mounted with dax on pmem0
      And a file /a with 4 MiB written and synced
      And the media under 512 B of /a at offset 8 KiB is poisoned
      And /a is mapped shared with PMD pages
      When the application stores "x" through the mapping of /a at offset 0
      Then the mapping of /a has exactly one entry: a DIRTY PTE entry at index 0

    @rule:MS-11 @beyond @severity:minor @requires:poison @white-box @requires:white-box
    Scenario Outline: the emulator's <errno> for <what> names <names>
      Given an ext4 filesystem mounted with dax on pmem0
      And a file /a with 64 KiB written and synced
      And the media under 512 B of /a at offset <bad> is poisoned, then /a is mapped shared
      When the application tries <call>
      Then the call fails with <errno>
      And the error message names "<text>"

      Examples:
        | what                                 | names                      | bad  | call                                                      | errno  | text                                     |
        | a load of poison                     | the page and the mapping   | 8192 | to load 8 bytes through the mapping of /a at offset 8 KiB | SIGBUS | fault at page 2 of /mnt/a: direct_access |
        | a write from inside a clean page     | the bytes and where        | 8704 | write(2) of "w" x 6144 to /a at offset 6144               | EFAULT | write of 6144 bytes at byte 6144         |

    @rule:MS-11 @beyond @severity:critical @requires:poison
    Scenario Outline: on <fs>, read(2) of <length> at offset <offset> fails with EIO when only the sector at byte <bad> is poisoned
      # the whole range is checked sector by sector, not only the first sector of each page
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 64 KiB written and synced
      And the media under 512 B of /a at offset <bad> is poisoned
      When the application tries read(2) of <length> of /a at offset <offset>
      Then the call fails with EIO

      Examples:
        | fs   | bad   | offset | length |
        | ext4 | 11776 | 8 KiB  | 4 KiB  |
        | xfs  | 12288 | 8 KiB  | 8 KiB  |
        | ext2 | 15872 | 8 KiB  | 8 KiB  |
        | ext4 | 9728  | 9000   | 10     |

    @rule:MS-11 @beyond @severity:critical @requires:poison
    Scenario Outline: on the raw device, read(2) of <length> at offset <offset> that reaches into the poisoned sector at byte 4608 fails with EIO
      # the read starts in the poisoned sector's page, so no byte comes back before the error
      Given a pmem namespace pmem0
      And the media under 512 B of /dev/pmem0 at offset 4608 is poisoned
      When the application tries read(2) of <length> of /dev/pmem0 at offset <offset>
      Then the call fails with EIO

      Examples:
        | offset | length |
        | 4100   | 510    |
        | 4600   | 9      |
        | 5119   | 1      |

    @rule:MS-11 @beyond @severity:normal @requires:poison
    Scenario: on the raw device, a write(2) of part of a poisoned sector fails with EIO and leaves the poison
      Given a pmem namespace pmem0
      And the media under 512 B of /dev/pmem0 at offset 4608 is poisoned
      When the application tries write(2) of "w" x 100 to /dev/pmem0 at offset 4608
      Then the call fails with EIO
      And read(2) of 512 B of /dev/pmem0 at offset 4608 still fails with EIO

    @rule:MS-11 @beyond @severity:normal @requires:poison
    Scenario: on the raw device, a write(2) of a sector's length that starts inside a poisoned sector fails with EIO
      # 512 bytes from byte 4700 cover parts of two sectors and neither whole, so nothing can be cleared
      Given a pmem namespace pmem0
      And the media under 512 B of /dev/pmem0 at offset 4608 is poisoned
      When the application tries write(2) of "w" x 512 to /dev/pmem0 at offset 4700
      Then the call fails with EIO
      And read(2) of 512 B of /dev/pmem0 at offset 4608 still fails with EIO

    @rule:MS-11 @beyond @severity:critical @requires:poison @requires:poison-clear
    Scenario: on the raw device, a write(2) of the whole poisoned page and fsync clear the poison for good
      # the driver asks the firmware to clear the media, not only the badblocks list: the next scrub finds nothing
      Given a pmem namespace pmem0
      And the media under 512 B of /dev/pmem0 at offset 4608 is poisoned
      And the application writes "c" x 4096 to /dev/pmem0 at offset 4096 with write(2)
      And the application calls fsync on /dev/pmem0
      When power fails and the machine comes back
      Then read(2) of /dev/pmem0 at offset 4096 returns "c" x 4096

    @rule:MS-11 @beyond @severity:critical @requires:poison @requires:poison-clear
    Scenario Outline: on the raw device, a write(2) of a whole poisoned page clears that page's poison only<after>
      # the driver clears the sectors the write covers, in the badblocks list and in the media alike
      Given a pmem namespace pmem0
      And the media under 512 B of /dev/pmem0 at offset 4608 is poisoned
      And the media under 512 B of /dev/pmem0 at offset 8192 is poisoned
      And the application writes "c" x 4096 to /dev/pmem0 at offset 4096 with write(2)
      When <event>
      Then read(2) of 512 B of /dev/pmem0 at offset 8192 still fails with EIO

      Examples:
        | after                        | event                                     |
        |                              | the application calls fsync on /dev/pmem0 |
        | , even after a power failure | power fails and the machine comes back    |

    @rule:MS-11 @beyond @severity:critical @requires:poison @requires:poison-clear
    Scenario Outline: on <fs>, a whole-page write(2) over poison clears that page's poison only<after>
      # the recovery write clears its own page, in the badblocks list and in the media: a later scrub finds only the other page's poison
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 64 KiB written and synced
      And the media under 512 B of /a at offset 8 KiB is poisoned
      And the media under 512 B of /a at offset 32 KiB is poisoned
      And the application writes "r" x 4096 to /a at offset 8 KiB with write(2)
      When <event>
      Then /a reads "r" x 4096 at offset 8 KiB
      And read(2) of 4 KiB of /a at offset 32 KiB still fails with EIO

      Examples:
        | fs   | after                        | event                                  |
        | ext4 |                              | the application calls fsync on /a      |

      # write(2) is durable at return only where a fence is the persistence point (PM-5); on virtio-pmem it needs the flush request
      @profile:adr @profile:eadr
      Examples:
        | fs   | after                        | event                                  |
        | ext2 | , even after a power failure | power fails and the machine comes back |
        | ext4 | , even after a power failure | power fails and the machine comes back |
        | xfs  | , even after a power failure | power fails and the machine comes back |

    @rule:MS-11 @beyond @severity:normal @requires:poison
    Scenario Outline: on <fs>, a write(2) of part of a poisoned page that starts past the bad sector fails with EFAULT
      # the recovery write judges the whole page that holds the write, not only the bytes after its start
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 64 KiB written and synced
      And the media under 512 B of /a at offset 8 KiB is poisoned
      When the application tries write(2) of "w" x 100 to /a at offset 8792
      Then the call fails with EFAULT
      And read(2) of 4 KiB of /a at offset 8 KiB still fails with EIO

      Examples:
        | fs   |
        | ext2 |
        | ext4 |
        | xfs  |

    @rule:MS-11 @beyond @severity:critical @requires:poison @requires:block-driver
    Scenario: a whole-sector rw_bytes write over a poisoned sector clears it and lands
      # nsio_rw_bytes clears poison under a write of whole sectors; only a partial sector fails with EIO
      Given a pmem namespace pmem0
      And the media under 512 B of /dev/pmem0 at offset 4608 is poisoned
      When the pmem driver writes "w" x 512 to pmem0 at offset 4608 through rw_bytes
      Then read(2) of /dev/pmem0 at offset 4608 returns "w" x 512

    @rule:MS-11 @beyond @severity:critical @requires:poison
    Scenario: poison on a second namespace is found again at the same place after a power failure
      # each namespace's badblocks list holds its own sectors, counted from the namespace's start
      Given a pmem namespace pmem0
      And a pmem namespace pmem1
      And the media under 512 B of /dev/pmem1 at offset 4608 is poisoned
      When power fails and the machine comes back
      Then read(2) of 512 B of /dev/pmem1 at offset 4608 still fails with EIO

    @rule:MS-11 @beyond @severity:critical @requires:poison
    Scenario Outline: on ext4, the page right after a poisoned last sector reads normally<after>
      # the error covers its own 512-byte sector: the first sector of the next page is clean
      Given an ext4 filesystem mounted with dax on pmem0
      And a file /a with 64 KiB written and synced
      And the media under 512 B of /a at offset 11776 is poisoned
      When <event>
      Then /a reads 4096 zero bytes at offset 12 KiB
      And read(2) of 4 KiB of /a at offset 8 KiB still fails with EIO

      Examples:
        | after                        | event                                  |
        |                              | the application calls fsync on /a      |

      @profile:adr @profile:eadr
      Examples:
        | after                        | event                                  |
        | , even after a power failure | power fails and the machine comes back |

    @rule:MS-11 @beyond @severity:critical @requires:poison @requires:poison-clear
    Scenario Outline: on ext4, a whole-page write(2) over a poisoned last sector leaves the poison of the next page's first sector<after>
      Given an ext4 filesystem mounted with dax on pmem0
      And a file /a with 64 KiB written and synced
      And the media under 1 KiB of /a at offset 11776 is poisoned
      And the application writes "r" x 4096 to /a at offset 8 KiB with write(2)
      When <event>
      Then /a reads "r" x 4096 at offset 8 KiB
      And read(2) of 4 KiB of /a at offset 12 KiB still fails with EIO

      Examples:
        | after                        | event                                  |
        |                              | the application calls fsync on /a      |

      @profile:adr @profile:eadr
      Examples:
        | after                        | event                                  |
        | , even after a power failure | power fails and the machine comes back |

    @rule:MS-11 @beyond @severity:normal @requires:poison
    Scenario: on ext4, a load of the last bytes before a poisoned sector through a mapping succeeds
      Given an ext4 filesystem mounted with dax on pmem0
      And a file /a with 64 KiB written and synced
      And the media under 512 B of /a at offset 12 KiB is poisoned, then /a is mapped shared
      When the application tries to load 8 bytes through the mapping of /a at offset 12280
      Then the call succeeds
      And the mapping of /a reads 8 zero bytes at offset 12280

    @rule:MS-11 @beyond @severity:minor @requires:poison @white-box @requires:white-box
    Scenario Outline: the emulator's EIO for <what> on the raw device names the bytes and the bad sector
      Given a pmem namespace pmem0
      And the media under 512 B of /dev/pmem0 at offset 4608 is poisoned
      When the application tries <call>
      Then the call fails with EIO
      And the error message names "<text>"

      Examples:
        | what                  | call                                               | text                                                                        |
        | a read of poison      | read(2) of 512 B of /dev/pmem0 at offset 4608      | rw_bytes at byte 4608 length 512 of pmem0 covers a bad block                |
        | a write of part of it | write(2) of "w" x 100 to /dev/pmem0 at offset 4608 | rw_bytes write at byte 4608 length 100 of pmem0 covers part of a bad sector |
