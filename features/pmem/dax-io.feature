@epic:persistence-domain @story:dax-io
Feature: write(2) to a DAX file is durable when it returns
  The DAX I/O path copies with non-temporal stores and fences before returning, so it needs no
  REQ_FLUSH for the data; a new size or new blocks are metadata and still need fsync. So are the
  unwritten extents fallocate leaves on ext4 and xfs: the first write converts them, a metadata
  change, which is why the scenario writes its blocks before it overwrites them. Source:
  Ross Zwisler's three write paths, "Re: [RFC 00/11] DAX fsynx/msync support".

  @since:4.4
  Rule: PM-5 write(2) to a DAX file leaves its data durable at return; size and allocation need fsync

    @rule:PM-5 @seed:001_b92c2fd6bf0014a8.txt @severity:critical @profile:adr @profile:eadr
    Scenario Outline: write(2) over written blocks of an <fs> file survives a crash with no fsync
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 64 KiB written and synced
      When the application writes "direct" to /a at offset 4000 with write(2)
      And power fails
      Then in every crash state /a holds "direct" at offset 4000

      Examples:
        | fs   |
        | ext2 |
        | ext4 |
        | xfs  |

    @rule:PM-5 @seed:001_b92c2fd6bf0014a8.txt @severity:critical @profile:adr @profile:eadr
    Scenario Outline: write(2) of 6000 bytes across a page boundary over written blocks of an <fs> file survives a crash with no fsync
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 64 KiB written and synced
      When the application writes "0123456789" x 600 to /a at offset 100 with write(2)
      And power fails
      Then in every crash state /a holds "0123456789" x 600 at offset 100

      Examples:
        | fs   |
        | ext2 |
        | ext4 |
        | xfs  |

    @rule:PM-5 @seed:001_b92c2fd6bf0014a8.txt @severity:critical
    Scenario Outline: write(2) that extends an <fs> file survives with its size once fsync returns
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /grow
      When the application writes "appended" to /grow at offset 0 with write(2)
      And the application calls fsync on /grow
      And power fails
      Then in every crash state /grow exists and is 8 bytes long
      And in every crash state /grow holds "appended" at offset 0

      Examples:
        | fs   |
        | ext4 |
        | xfs  |
