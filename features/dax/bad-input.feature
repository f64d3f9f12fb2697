@epic:dax-mappings @story:errors
Feature: Mapping operations that the kernel refuses
  The emulator answers bad requests the way the kernel does, and the step says so clearly.
  Source: the fault paths of "[PATCH v4 4/7] dax: add support for fsync/sync"; the msync errnos
  are mm/msync.c's (MM-1) and the signal is the MMU's (MM-2). A PMD mapping at a file offset that
  is not 2 MiB-aligned is a request of the harness (Linux falls back to PTEs), so only the
  emulator is held to refusing it (@white-box).

  Background:
    Given an ext4 filesystem mounted with dax on pmem0
    And a file /a with 16 KiB allocated and synced
    And /a is mapped shared with PTE pages

  @since:4.0
  Rule: MM-1 (beyond) msync addresses only what is mapped

    @rule:MM-1 @beyond @severity:minor
    Scenario: msync of a range beyond the mapping fails with ENOMEM
      When the application tries to msync 8192 bytes at offset 12288 of the mapping of /a
      Then the call fails with ENOMEM

    @rule:MM-1 @beyond @severity:minor
    Scenario: msync at an unaligned address fails with EINVAL
      When the application tries to msync 10 bytes at offset 100 of the mapping of /a
      Then the call fails with EINVAL

  @since:4.0
  Rule: MM-2 (beyond) A store outside the mapping raises SIGSEGV

    @rule:MM-2 @beyond @severity:minor
    Scenario: a store outside the mapping raises SIGSEGV
      When the application tries to store "x" through the mapping of /a at offset 16384
      Then the call fails with SIGSEGV

  @since:4.5
  Rule: DT-3 A PMD mapping starts on a 2 MiB boundary of the file

    @rule:DT-3 @seed:002_942ec44a608dccaf.txt @severity:minor @white-box @requires:white-box
    Scenario: the emulator refuses a PMD mapping at an unaligned file offset with EINVAL
      When the application tries to map /a with PMD pages at offset 4096
      Then the call fails with EINVAL
