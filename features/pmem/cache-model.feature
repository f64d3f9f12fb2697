@epic:persistence-domain @story:cache-model
Feature: The cache model in detail: lines, pages, ranges and fences
  A store reaches persistent memory one 64-byte cache line at a time. A write-back names a byte
  range and acts on every line the range touches, and no other; a fence makes durable exactly what
  was written back before it. Stores that cross a line or a page boundary are several line stores,
  each of which a crash may keep or lose on its own (DESIGN.md section 2). Source: Ross Zwisler's
  account of the write paths into pmem, "Re: [RFC 00/11] DAX fsynx/msync support".

  Background:
    Given a pmem namespace pmem0

  @since:4.4
  Rule: PM-1 What was written back and fenced survives every crash, line by line

    @rule:PM-1 @seed:001_b92c2fd6bf0014a8.txt @severity:critical @requires:cache-model @profile:adr @profile:eadr
    Scenario: a store across a page boundary reads back whole and is durable once written back
      Given the CPU stores "page-crossing" to pmem0 at offset 4090
      Then reading pmem0 directly at offset 4090 gives "page-crossing"
      When the CPU writes back 13 bytes at offset 4090 of pmem0 with clwb
      And the CPU fences with sfence
      And power fails
      Then in every crash state pmem0 holds "page-crossing" at offset 4090

    # a model (or a library) that skips a store whose bytes look already present must compare all of them
    @rule:PM-1 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @profile:adr @profile:eadr
    Scenario: a store over durable bytes that differs from them only in its last byte takes effect and is durable once written back
      Given the CPU stores "same-prefix-A" to pmem0 at offset 200
      And the CPU writes back 13 bytes at offset 200 of pmem0 with clwb
      And the CPU fences with sfence
      When the CPU stores "same-prefix-B" to pmem0 at offset 200
      Then reading pmem0 directly at offset 200 gives "same-prefix-B"
      When the CPU writes back 13 bytes at offset 200 of pmem0 with clwb
      And the CPU fences with sfence
      And power fails
      Then in every crash state pmem0 holds "same-prefix-B" at offset 200

    @rule:PM-1 @seed:001_b92c2fd6bf0014a8.txt @severity:critical @requires:cache-model @profile:adr
    Scenario: a write-back that covers only the first line of a store makes only that line durable
      Given the CPU stores "AAAAAAAABBBBBBBB" to pmem0 at offset 120
      And the CPU writes back 8 bytes at offset 120 of pmem0 with clwb
      And the CPU fences with sfence
      When power fails
      Then in every crash state pmem0 holds "AAAAAAAA" at offset 120
      And pmem0 may or may not hold "BBBBBBBB" at offset 128 after the crash

    @rule:PM-1 @seed:001_b92c2fd6bf0014a8.txt @severity:critical @requires:cache-model @profile:adr
    Scenario: a store made after the write-back is not covered by the fence that follows
      Given the CPU stores "first" to pmem0 at offset 64
      And the CPU writes back 5 bytes at offset 64 of pmem0 with clwb
      And the CPU stores "second" to pmem0 at offset 80
      And the CPU fences with sfence
      When power fails
      Then in every crash state pmem0 holds "first" at offset 64
      And that check was decided per line over 2 crash states
      And pmem0 may or may not hold "second" at offset 80 after the crash

    @rule:PM-1 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @white-box @requires:white-box @profile:adr @profile:virtio-pmem
    Scenario: the report shows stores after the fenced write-back as never written back
      Given the CPU stores "first" to pmem0 at offset 64
      And the CPU writes back 5 bytes at offset 64 of pmem0 with clwb
      And the CPU stores "second" to pmem0 at offset 80
      And the CPU stores "third" to pmem0 at offset 96
      And the CPU fences with sfence
      When power fails
      Then pmem0 is not guaranteed to hold "third" at offset 96 after the crash
      And the counterexample shows the line at offset 64 of pmem0 as never written back

    @rule:PM-1 @seed:001_b92c2fd6bf0014a8.txt @severity:critical @requires:cache-model @profile:adr
    Scenario: a write-back of a large range makes durable the lines inside it and no others
      Given the CPU stores "below" to pmem0 at offset 64
      And the CPU stores "inside" to pmem0 at offset 4160
      And the CPU stores "above" to pmem0 at offset 8256
      And the CPU writes back 4096 bytes at offset 4096 of pmem0 with clwb
      And the CPU fences with sfence
      When power fails
      Then in every crash state pmem0 holds "inside" at offset 4160
      And pmem0 may or may not hold "below" at offset 64 after the crash
      And pmem0 may or may not hold "above" at offset 8256 after the crash

    @rule:PM-1 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @profile:adr @profile:virtio-pmem
    Scenario: writing back lines that were never stored is harmless
      Given the CPU stores "elsewhere" to pmem0 at offset 0
      And the CPU writes back 64 bytes at offset 8192 of pmem0 with clwb
      And the CPU fences with sfence
      When power fails
      Then pmem0 may or may not hold "elsewhere" at offset 0 after the crash

    @rule:PM-1 @seed:001_b92c2fd6bf0014a8.txt @severity:critical @requires:cache-model @requires:block-driver @profile:adr
    Scenario: a driver write over lines with cached stores is durable and leaves the next line alone
      Given the CPU stores "cached-old" to pmem0 at offset 4160
      And the CPU stores "neighbour" to pmem0 at offset 4288
      And the pmem driver writes "D" x 128 to pmem0 at offset 4160 through rw_bytes
      When power fails
      Then in every crash state pmem0 holds "D" x 128 at offset 4160
      And pmem0 may or may not hold "neighbour" at offset 4288 after the crash

    @rule:PM-1 @seed:001_b92c2fd6bf0014a8.txt @severity:critical @requires:cache-model @requires:block-driver @profile:adr
    Scenario: a driver write across a page boundary reads back whole and is durable
      Given the CPU stores "neighbour" to pmem0 at offset 8256
      And the pmem driver writes "E" x 64 to pmem0 at offset 8160 through rw_bytes
      Then reading pmem0 directly at offset 8160 gives "E" x 64
      When power fails
      Then in every crash state pmem0 holds "E" x 64 at offset 8160
      And pmem0 may or may not hold "neighbour" at offset 8256 after the crash

  @since:4.4
  Rule: PM-2 Without a write-back and a fence a crash may keep or lose each line's stores, in store order per line

    @rule:PM-2 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @profile:adr @profile:virtio-pmem
    Scenario: a fence alone does not write back a cached store
      Given the CPU fences with sfence
      And the CPU stores "cached" to pmem0 at offset 4096
      And the CPU fences with sfence
      When power fails
      Then pmem0 may or may not hold "cached" at offset 4096 after the crash

    @rule:PM-2 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @profile:adr @profile:virtio-pmem
    Scenario: a write-back of zero bytes writes nothing back
      Given the CPU stores "unaligned" to pmem0 at offset 100
      And the CPU writes back 0 bytes at offset 100 of pmem0 with clwb
      And the CPU fences with sfence
      When power fails
      Then pmem0 may or may not hold "unaligned" at offset 100 after the crash

    @rule:PM-2 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @profile:adr @profile:virtio-pmem
    Scenario: a store across a line boundary may survive in either part alone
      Given the CPU stores "AAAAAAAABBBBBBBB" to pmem0 at offset 120
      When power fails
      Then in some crash state pmem0 holds "BBBBBBBB" at offset 128 without "AAAAAAAA" at offset 120
      And in some crash state pmem0 holds "AAAAAAAA" at offset 120 without "BBBBBBBB" at offset 128

    @rule:PM-2 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @profile:adr @profile:virtio-pmem
    Scenario: a second store to the same line does not make the first one durable
      Given the CPU stores "one" to pmem0 at offset 4160
      And the CPU stores "two" to pmem0 at offset 4176
      When power fails
      Then pmem0 may or may not hold "one" at offset 4160 after the crash
      And in some crash state pmem0 holds "one" at offset 4160 without "two" at offset 4176

    @rule:PM-2 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @profile:adr @profile:virtio-pmem
    Scenario: lines of the same page are independent
      Given the CPU stores "first" to pmem0 at offset 4160
      And the CPU stores "second" to pmem0 at offset 4224
      When power fails
      Then in some crash state pmem0 holds "second" at offset 4224 without "first" at offset 4160

    @rule:PM-2 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @profile:adr @profile:virtio-pmem
    Scenario: stores to one line survive in store order
      Given the CPU stores "A" x 64 to pmem0 at offset 4160
      And the CPU stores "B" x 32 to pmem0 at offset 4192
      And the CPU stores "unrelated" to pmem0 at offset 4224
      When power fails
      Then in every crash state where pmem0 holds "B" x 32 at offset 4192 it also holds "A" x 32 at offset 4160

    # The count is the emulator's: one event per store of the step. x86 promises failure atomicity
    # only for an aligned 8-byte store, so a CPU that issues the 64 bytes as 16-byte parts (QEMU's
    # TCG on Linux: 4 + 2 parts, 7 prefixes) has more states, all of which keep the promise above.
    @rule:PM-2 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @white-box @requires:white-box @profile:adr @profile:virtio-pmem
    Scenario: with one event per store, only the line the check reads is varied
      Given the CPU stores "A" x 64 to pmem0 at offset 4160
      And the CPU stores "B" x 32 to pmem0 at offset 4192
      And the CPU stores "unrelated" to pmem0 at offset 4224
      When power fails
      Then in every crash state where pmem0 holds "B" x 32 at offset 4192 it also holds "A" x 32 at offset 4160
      And that check enumerated all 3 crash states

    @rule:PM-2 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @profile:adr
    Scenario: an overwrite of durable data may or may not reach media, and the old data is what comes back at worst
      Given the CPU stores "old" to pmem0 at offset 4160
      And the CPU writes back 3 bytes at offset 4160 of pmem0 with clflush
      And the CPU stores "new" to pmem0 at offset 4160
      When power fails
      Then pmem0 may or may not hold "old" at offset 4160 after the crash
      And pmem0 is not guaranteed to hold "new" at offset 4160 after the crash
      When the machine comes back after the power failure
      Then reading pmem0 directly at offset 4160 gives "old"

    @rule:PM-2 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @profile:adr @profile:eadr
    Scenario: durable data that differs from the expectation is never held
      Given the CPU stores "durable" to pmem0 at offset 4096
      And the CPU writes back 7 bytes at offset 4096 of pmem0 with clflush
      When power fails
      Then pmem0 is not guaranteed to hold "elusive" at offset 4096 after the crash
      And in every crash state pmem0 holds "durable" at offset 4096
      And that check was decided per line over 1 crash states

    @rule:PM-2 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @profile:adr @profile:virtio-pmem
    Scenario: torn stores: every aligned 8-byte unit may be the last one to survive
      Given stores may tear into 8-byte units
      And the CPU stores "AAAAAAAABBBBBBBBCCCCCCCC" to pmem0 at offset 0
      When power fails
      Then in some crash state pmem0 holds "BBBBBBBB" at offset 8 without "CCCCCCCC" at offset 16

    @rule:PM-2 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @profile:adr @profile:virtio-pmem
    Scenario: stores still tear after the machine comes back from a power failure
      Given stores may tear into 8-byte units
      And power fails and the machine comes back
      And the CPU stores "AAAAAAAABBBBBBBB" to pmem0 at offset 0
      When power fails
      Then in some crash state pmem0 holds "AAAAAAAA" at offset 0 without "BBBBBBBB" at offset 8

  @since:4.4
  Rule: PM-6 With eADR a fence makes every cached store durable; the platform is chosen before any store

    @rule:PM-6 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @requires:eadr
    Scenario: on eADR the machine comes back with the cached stores made before a fence
      Given the platform keeps its CPU caches in the persistence domain (eADR)
      And the CPU stores "cached" to pmem0 at offset 4096
      And the CPU fences with sfence
      When power fails and the machine comes back
      Then reading pmem0 directly at offset 4096 gives "cached"

    @rule:PM-6 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @requires:eadr
    Scenario: eADR still holds after the machine comes back from a power failure
      Given the platform keeps its CPU caches in the persistence domain (eADR)
      And power fails and the machine comes back
      And the CPU stores "after-reboot" to pmem0 at offset 4096
      When power fails
      Then in every crash state pmem0 holds "after-reboot" at offset 4096

    @rule:PM-6 @seed:001_b92c2fd6bf0014a8.txt @severity:minor @requires:cache-model @requires:eadr
    Scenario: the platform cannot be switched to eADR once a CPU store was made
      Given the CPU stores "too-early" to pmem0 at offset 4096
      When the application tries to switch the platform to eADR
      Then the call fails with EBUSY

    @rule:PM-6 @seed:001_b92c2fd6bf0014a8.txt @severity:minor @requires:cache-model @requires:eadr @requires:block-driver
    Scenario: the platform cannot be switched to eADR once the driver wrote to persistent memory
      Given the pmem driver writes "too-early" to pmem0 at offset 4096 through rw_bytes
      When the application tries to switch the platform to eADR
      Then the call fails with EBUSY
