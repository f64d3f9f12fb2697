@epic:durability @story:journal-wrap
Feature: Durability holds while the journal or log wraps
  ext4's journal and xfs's log are circular: each fsync that changes metadata commits a transaction
  at the head, and when the next one would not fit, committed blocks are written home and the log
  starts over. However many transactions came before, an fsync that returned has made the file's
  data and size durable, and no transaction spills past the log onto blocks it does not own.
  Power fails right after the last fsync; the runs of appends sweep the point where the log fills
  (on the bundled emulator's 1024-block log, 207 block-sized appends on ext4 and 340 small ones on
  xfs end with a transaction that exactly fills it), for small appends (size only) and block-sized
  ones (size and allocation). A metadata block that is freed and then reused for file data carries a
  revoke record (jbd2) or a buffer-cancel record (xfs): neither log replay nor the checkpoint writes
  its old image over the data (ext2 drops the freed buffer with bforget). The small device makes the
  2 MiB write wrap around onto the freed indirect block.

  @since:4.4
  Rule: PM-5 write(2) to a DAX file leaves its data durable at return; the file size and allocation still need fsync

    @rule:PM-5 @beyond @severity:critical
    Scenario Outline: on <fs>, <times> appends of <len> bytes, each followed by fsync, all survive and the filesystem stays clean
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /log
      When the application appends <chunk> to /log <times> times with write(2), each followed by fsync
      And power fails
      Then in every crash state /log exists and is <size> bytes long
      And in every crash state fsck reports pmem0 clean

      Examples:
        | fs   | times | len  | chunk      | size    |
        | ext4 | 206   | 4096 | "j" x 4096 | 843776  |
        | ext4 | 207   | 4096 | "j" x 4096 | 847872  |
        | ext4 | 208   | 4096 | "j" x 4096 | 851968  |
        | ext4 | 700   | 8    | "j" x 8    | 5600    |
        | xfs  | 339   | 8    | "x" x 8    | 2712    |
        | xfs  | 340   | 8    | "x" x 8    | 2720    |
        | xfs  | 341   | 8    | "x" x 8    | 2728    |
        | xfs  | 300   | 4096 | "x" x 4096 | 1228800 |

    @rule:PM-5 @beyond @severity:critical
    Scenario Outline: on <fs>, an indirect block freed by truncate (<freed>) and reused for file data keeps that data after <call>
      Given an <fs> filesystem mounted with dax on a 8 MiB pmem namespace pmem0
      And a file /A with 60 KiB allocated and synced, then truncated to 0, <freed>
      When the application writes "d" x 2097152 to /A at offset 0 with write(2)
      And the application calls <call>
      And power fails
      Then in every crash state /A holds "d" x 2097152 at offset 0

      Examples:
        | fs   | freed      | call        |
        | ext4 | synced     | sync(2)     |
        | ext4 | synced     | fsync on /A |
        | ext4 | not synced | sync(2)     |
        | xfs  | synced     | sync(2)     |
        | xfs  | synced     | fsync on /A |
        | xfs  | not synced | sync(2)     |

      @profile:adr @profile:eadr
      Examples: sync(2) sends no flush request here, so only a fence-only platform (ADR, eADR) promises it
        | fs   | freed      | call        |
        | ext2 | not synced | sync(2)     |

    # allocated and freed before any commit: the block's image and its revoke may share one transaction
    @rule:PM-5 @beyond @severity:critical
    Scenario Outline: on <fs>, an indirect block allocated and freed by truncate with no sync between, then reused for file data, keeps that data after <call>
      Given an <fs> filesystem mounted with dax on a 8 MiB pmem namespace pmem0
      And a file /A with 60 KiB allocated, then truncated to 0, not synced
      When the application writes "d" x 2097152 to /A at offset 0 with write(2)
      And the application calls <call>
      And power fails
      Then in every crash state /A holds "d" x 2097152 at offset 0

      Examples:
        | fs   | call        |
        | ext4 | sync(2)     |
        | ext4 | fsync on /A |
        | xfs  | sync(2)     |
        | xfs  | fsync on /A |

    @rule:PM-5 @beyond @severity:critical
    Scenario Outline: on <fs>, an indirect block freed by truncate and reused for file data keeps that data when unmount writes the log home
      # the freed block's buffer went stale with the free: no checkpoint may write its old image over the data
      Given an <fs> filesystem mounted with dax on a 8 MiB pmem namespace pmem0
      And a file /A with 60 KiB allocated and synced, then truncated to 0, synced
      When the application writes "d" x 2097152 to /A at offset 0 with write(2)
      And the filesystem is unmounted and mounted again
      Then /A reads "d" x 2097152 at offset 0

      Examples:
        | fs   |
        | ext2 |
        | ext4 |
        | xfs  |
