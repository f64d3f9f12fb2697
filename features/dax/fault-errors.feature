@epic:dax-mappings @story:page-tables
Feature: A DAX fault that cannot be served raises SIGBUS
  A store through a mapping has no return value to carry an errno: when the fault behind it fails,
  the kernel's dax_fault_return() turns the error into VM_FAULT_SIGBUS (only ENOMEM becomes an
  out-of-memory fault), and a PMD fault that cannot map its 2 MiB falls back to PTE faults, which
  then decide. A write fault into a hole of a full filesystem is the common case: the block
  allocation fails with ENOSPC, and the application sees SIGBUS. Source: fs/dax.c
  (4.0's __dax_fault, later dax_fault_return and dax_iomap_pmd_fault's fallback), Linux 4.0 to 6.1.
  The filesystem is filled by write(2) until it answers ENOSPC (a kernel's write may be short).

  @since:4.0
  Rule: MS-4 A read of a hole maps the zero page read-only; a later write allocates a real block

    @rule:MS-4 @beyond @severity:normal @requires:namespace-size
    Scenario Outline: on a full <fs>, a store through a <size> mapping into a hole raises SIGBUS
      Given a 16 MiB pmem namespace pmem0
      And an <fs> filesystem mounted with dax on pmem0
      And a sparse file /a of 4 MiB, synced
      And a file /b
      And /b is written until the filesystem answers ENOSPC
      And /a is mapped shared with <size> pages
      When the application tries to store "x" through the mapping of /a at offset 0
      Then the call fails with SIGBUS

      Examples:
        | fs   | size |
        | ext2 | PTE  |
        | ext4 | PTE  |
        | xfs  | PTE  |
        | ext4 | PMD  |
        | xfs  | PMD  |
