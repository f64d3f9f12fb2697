@epic:workloads @story:generated-regressions @severity:critical
Feature: Workloads the generator found, kept as they printed
  Each scenario here is a generated workload's smallest failing case, pasted as the generator
  printed it (only the title and tags added), so the bug it found stays caught with any seed.

  @since:4.5
  Rule: MS-5 A hole punched up to the end of the file reads as zeros after fsync, in every crash state

    @rule:MS-5 @beyond @requires:xfs
    Scenario: a punch from a block's start to the end of the file inside that block zeroes it (found on xfs, seed 246153376)
      Given a 8 MiB pmem namespace pmem0
      And an xfs filesystem mounted with dax on pmem0
      And a file /A with 100 written and synced
      And a file /B with 0 written and synced
      When the application writes "b" to /B at offset 0 with write(2)
      And a hole is punched over 64 bytes at offset 0 of /B
      And the application calls fsync on /B
      And power fails
      Then in every crash state /B holds 1 zero bytes at offset 0
