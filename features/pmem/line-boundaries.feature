@epic:persistence-domain @story:cache-model
Feature: Crash checks of ranges that end next to a cache-line boundary
  A crash check of a byte range compares every byte of it, up to the last byte of its last line.
  A range that ends one byte before a line boundary, on it, or one byte past it, is judged by its
  last byte as much as by its first: a store to that byte that was never written back may be lost.
  Source: Ross Zwisler's account of the write paths into pmem, "Re: [RFC 00/11] DAX fsynx/msync
  support".

  Background:
    Given a pmem namespace pmem0
    And the CPU stores "A" x 192 to pmem0 at offset 0
    And the CPU writes back 192 bytes at offset 0 of pmem0 with clwb
    And the CPU fences with sfence

  @since:4.4
  Rule: PM-2 A store never written back may or may not survive; a check must not assume either way

    @rule:PM-2 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @profile:adr @profile:eadr
    Scenario Outline: a lost store in the last byte of a range ending at byte <end> breaks the range
      When the CPU stores "B" to pmem0 at offset <last>
      And power fails
      Then pmem0 is not guaranteed to hold "A" x <length> at offset <start> after the crash
      And in every crash state pmem0 holds "A" x <shorter> at offset <start>

      Examples:
        | start | length | end | last | shorter |
        | 64    | 63     | 127 | 126  | 62      |
        | 65    | 63     | 128 | 127  | 62      |
        | 64    | 64     | 128 | 127  | 63      |
        | 64    | 65     | 129 | 128  | 64      |
        | 1     | 126    | 127 | 126  | 125     |
