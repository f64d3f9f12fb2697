@epic:persistence-domain @story:cache-flushes
Feature: The x86 persistence domain: what a crash keeps of CPU stores
  Stores to persistent memory sit in the CPU cache until written back; a fence makes the
  requested write-backs durable. A crash keeps, per cache line, some prefix of the line's stores
  since its last durable point (DESIGN.md section 2). Source: Ross Zwisler's account of the write
  paths into pmem, "Re: [RFC 00/11] DAX fsynx/msync support".

  Background:
    Given a pmem namespace pmem0

  @since:4.4
  Rule: PM-1 A store that was written back and fenced survives every crash

    @rule:PM-1 @seed:001_b92c2fd6bf0014a8.txt @severity:critical @requires:cache-model @profile:adr @profile:eadr
    Scenario Outline: a store written back with <insn> and fenced is durable
      Given the CPU stores "persistent" to pmem0 at offset 4096
      And the CPU writes back 10 bytes at offset 4096 of pmem0 with <insn>
      And the CPU fences with sfence
      When power fails
      Then in every crash state pmem0 holds "persistent" at offset 4096

      Examples:
        | insn       |
        | clwb       |
        | clflushopt |
        | clflush    |

    @rule:PM-1 @seed:001_b92c2fd6bf0014a8.txt @severity:critical @requires:cache-model @profile:adr @profile:eadr
    Scenario: a store that spans two cache lines needs both lines written back
      Given the CPU stores "spans-two-lines" to pmem0 at offset 120
      And the CPU writes back 15 bytes at offset 120 of pmem0 with clwb
      And the CPU fences with sfence
      When power fails
      Then in every crash state pmem0 holds "spans-two-lines" at offset 120

    @rule:PM-1 @seed:001_b92c2fd6bf0014a8.txt @severity:critical @requires:cache-model @profile:adr @profile:eadr
    Scenario: a non-temporal store followed by a fence is durable
      Given the CPU stores "streaming" to pmem0 at offset 4096 with a non-temporal store
      And the CPU fences with sfence
      When power fails
      Then in every crash state pmem0 holds "streaming" at offset 4096

    @rule:PM-1 @seed:001_b92c2fd6bf0014a8.txt @severity:critical @requires:cache-model @profile:adr @profile:eadr
    Scenario: clflush is durable without a fence
      Given the CPU stores "flushed" to pmem0 at offset 8192
      And the CPU writes back 7 bytes at offset 8192 of pmem0 with clflush
      When power fails
      Then in every crash state pmem0 holds "flushed" at offset 8192

  @since:4.4
  Rule: PM-2 Unfenced or unflushed stores may or may not survive: a suite must not assume either way

    @rule:PM-2 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @profile:adr @profile:virtio-pmem
    Scenario Outline: a store written back with <insn> but not fenced may or may not survive
      Given the CPU stores "in-flight" to pmem0 at offset 4096
      And the CPU writes back 9 bytes at offset 4096 of pmem0 with <insn>
      When power fails
      Then pmem0 may or may not hold "in-flight" at offset 4096 after the crash

      Examples:
        | insn       |
        | clwb       |
        | clflushopt |

    @rule:PM-2 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @profile:adr
    Scenario Outline: after a store made durable with <insn>, a later unfenced store to the same line may or may not survive
      Given the CPU stores "durable" to pmem0 at offset 4096
      And the CPU writes back 7 bytes at offset 4096 of pmem0 with <insn>
      And the CPU fences with sfence
      And the CPU stores "later" to pmem0 at offset 4136
      When power fails
      Then in every crash state pmem0 holds "durable" at offset 4096
      And pmem0 may or may not hold "later" at offset 4136 after the crash

      Examples:
        | insn       |
        | clwb       |
        | clflushopt |
        | clflush    |

    @rule:PM-2 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @profile:adr
    Scenario Outline: a durable value overwritten without a <insn> fence comes back old or new, never anything else
      Given the CPU stores "AAAAAAAA" to pmem0 at offset 8192
      And the CPU writes back 8 bytes at offset 8192 of pmem0 with clflush
      And the CPU stores "BBBBBBBB" to pmem0 at offset 8192
      And the CPU writes back 8 bytes at offset 8192 of pmem0 with <insn>
      When power fails
      Then in every crash state pmem0 holds "AAAAAAAA" or "BBBBBBBB" at offset 8192
      And pmem0 may or may not hold "BBBBBBBB" at offset 8192 after the crash

      Examples:
        | insn       |
        | clwb       |
        | clflushopt |

    @rule:PM-2 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @profile:adr
    Scenario Outline: of two lines stored, only the one written back with <insn> and fenced is sure to survive
      Given the CPU stores "flushed" to pmem0 at offset 4096
      And the CPU stores "cached" to pmem0 at offset 4160
      And the CPU writes back 64 bytes at offset 4096 of pmem0 with <insn>
      And the CPU fences with sfence
      When power fails
      Then in every crash state pmem0 holds "flushed" at offset 4096
      And pmem0 may or may not hold "cached" at offset 4160 after the crash

      Examples:
        | insn       |
        | clwb       |
        | clflushopt |
        | clflush    |

    @rule:PM-2 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model
    Scenario: a non-temporal store without a fence may or may not survive
      Given the CPU stores "streaming" to pmem0 at offset 4096 with a non-temporal store
      When power fails
      Then pmem0 may or may not hold "streaming" at offset 4096 after the crash

    @rule:PM-2 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @profile:adr @profile:eadr
    Scenario Outline: a range of <length> bytes ending at byte <end> is judged on its last byte too
      Given the CPU stores "A" x <length> to pmem0 at offset <offset>
      And the CPU writes back <length> bytes at offset <offset> of pmem0 with clwb
      And the CPU fences with sfence
      And the CPU stores "B" to pmem0 at offset <last byte>
      When power fails
      Then pmem0 is not guaranteed to hold "A" x <length> at offset <offset> after the crash
      And in every crash state pmem0 holds "A" x <but one> at offset <offset>

      Examples:
        | length | offset | end  | last byte | but one |
        | 63     | 4096   | 4159 | 4158      | 62      |
        | 64     | 4096   | 4160 | 4159      | 63      |
        | 127    | 4032   | 4159 | 4158      | 126     |
        | 65     | 4095   | 4160 | 4159      | 64      |

    @rule:PM-2 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @profile:adr @profile:virtio-pmem
    Scenario: a store never written back may still survive, because the line may be evicted
      Given the CPU stores "evictable" to pmem0 at offset 4096
      When power fails
      Then pmem0 may or may not hold "evictable" at offset 4096 after the crash

    @rule:PM-2 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @profile:adr @profile:virtio-pmem
    Scenario: lines are independent: a later store may survive while an earlier one on another line does not
      Given the CPU stores "first" to pmem0 at offset 0
      And the CPU stores "second" to pmem0 at offset 64
      When power fails
      Then in some crash state pmem0 holds "second" at offset 64 without "first" at offset 0

    @rule:PM-2 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @profile:adr @profile:virtio-pmem
    Scenario: torn stores: with 8-byte tearing part of one store may survive
      Given stores may tear into 8-byte units
      And the CPU stores "AAAAAAAABBBBBBBB" to pmem0 at offset 0
      When power fails
      Then in some crash state pmem0 holds "AAAAAAAA" at offset 0 without "BBBBBBBB" at offset 8

  @since:4.4
  Rule: PM-6 With eADR the caches are in the persistence domain: stores survive in store order without flushes

    @rule:PM-6 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @requires:eadr
    Scenario: on eADR a cached store survives with no write-back at all
      Given the platform keeps its CPU caches in the persistence domain (eADR)
      And the CPU stores "no-flush-needed" to pmem0 at offset 4096
      When power fails
      Then in every crash state pmem0 holds "no-flush-needed" at offset 4096

    @rule:PM-6 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @requires:eadr
    Scenario: on eADR a later store never survives without the earlier one
      Given the platform keeps its CPU caches in the persistence domain (eADR)
      And the CPU stores "first" to pmem0 at offset 0
      And the CPU stores "second" to pmem0 at offset 64
      When power fails
      Then in every crash state where pmem0 holds "second" at offset 64 it also holds "first" at offset 0

    @rule:PM-6 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @requires:eadr
    Scenario: on eADR a non-temporal store still needs a fence
      Given the platform keeps its CPU caches in the persistence domain (eADR)
      And the CPU stores "streaming" to pmem0 at offset 4096 with a non-temporal store
      When power fails
      Then pmem0 may or may not hold "streaming" at offset 4096 after the crash
