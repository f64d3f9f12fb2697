@epic:dax-mappings @story:writeback
Feature: fsync finishes while another thread keeps storing
  DAX writeback first tags the range's dirty entries TOWRITE and then walks only those, so stores
  that land while it runs give it no new work: it writes back each entry it tagged once and
  finishes. Walking the DIRTY tag instead chases the other thread forever. Source: the 4.12 fix of
  dax_writeback_mapping_range's livelock (it tags TOWRITE first and walks TOWRITE only).

  @since:4.12
  Rule: MS-10 fsync terminates under concurrent stores and writes back each entry it tagged once

    @rule:MS-10 @beyond @severity:critical @requires:schedules
    Scenario Outline: on <fs>, an fsync racing a thread that dirties one more page per entry still finishes
      Given an <fs> filesystem mounted with dax on pmem0
      And a file /a with 4 MiB written and synced
      And the application stores "before" at offset 0 of each of the first 20 pages through the mapping of /a
      When fsync A of /a runs while the application stores "during" into one more page from page 100 before each entry it writes back
      Then fsync A finished after writing back 20 entries
      And power fails
      And in every crash state /a holds "before" at offset 0 of each of the first 20 pages

      Examples:
        | fs   |
        | ext2 |
        | ext4 |
        | xfs  |
