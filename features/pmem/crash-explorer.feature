@epic:persistence-domain @story:crash-explorer @explorer
Feature: The crash states a check covers, and how it says so
  A crash keeps, per cache line, a prefix of the line's stores since its last durable point; on
  eADR, a prefix of the global store order. A range query is decided per line from each line's
  history; any other check enumerates crash states, varying only the lines it reads, fewest
  deviating lines first, within a budget (DAX_CRASH_BUDGET). Every verdict names its coverage: a
  bounded pass is never a proof. State ids are stable, so DAX_CRASH_STATE reruns exactly one state
  (DESIGN.md section 2). The words of a failure reason or of a refused rerun are the explorer's own,
  not a promise of the platform: the scenarios that check them are @white-box.

  Background:
    Given a pmem namespace pmem0

  @since:4.4
  Rule: PM-2 Each line keeps some prefix of its stores, independently of the other lines

    @rule:PM-2 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @profile:adr
    Scenario: a range query is decided from each line's history, counting one state per kept prefix
      Given the CPU stores "one" to pmem0 at offset 0
      And the CPU stores "two" to pmem0 at offset 0
      And the CPU stores "three" to pmem0 at offset 64
      And the CPU stores "durable" to pmem0 at offset 4096
      And the CPU writes back 7 bytes at offset 4096 of pmem0 with clwb
      And the CPU fences with sfence
      When power fails
      And the crash explorer checks that pmem0 holds "durable" at offset 4096
      Then the crash check passes
      And the crash check covered 4 crash states with coverage per-line

    @rule:PM-2 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @white-box @requires:white-box @profile:adr @profile:virtio-pmem
    Scenario: a store never written back fails in the lower bound, and the report says the line was never written back
      Given the CPU stores "lost" to pmem0 at offset 0
      When power fails
      And the crash explorer checks that pmem0 holds "lost" at offset 0
      Then the crash check fails
      And the first failing crash state is lb
      And the failure reason mentions "/dev/pmem0 at offset 0"
      And the failure report draws the line at offset 0 of pmem0 as never-written-back

    @rule:PM-2 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @profile:adr @profile:virtio-pmem
    Scenario: a line written back but not fenced is reported as such
      Given the CPU stores "in-flight" to pmem0 at offset 64
      And the CPU writes back 9 bytes at offset 64 of pmem0 with clwb
      When power fails
      And the crash explorer checks that pmem0 holds "in-flight" at offset 64
      Then the crash check fails
      And the first failing crash state is lb
      And the failure report draws the line at offset 64 of pmem0 as written-back-not-fenced

    @rule:PM-2 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @profile:adr @profile:virtio-pmem
    Scenario: a line stored again after its write-back was requested is not written back in full
      Given the CPU stores "old" to pmem0 at offset 64
      And the CPU writes back 3 bytes at offset 64 of pmem0 with clwb
      And the CPU stores "new" to pmem0 at offset 64
      When power fails
      And the crash explorer checks that pmem0 holds "new" at offset 64
      Then the crash check fails
      And the failure report draws the line at offset 64 of pmem0 as never-written-back

    @rule:PM-1 @seed:001_b92c2fd6bf0014a8.txt @severity:critical @requires:cache-model @profile:adr
    Scenario: a range across two lines fails on the line that was not written back
      Given the CPU stores "spans-two-lines" to pmem0 at offset 120
      And the CPU writes back 8 bytes at offset 120 of pmem0 with clwb
      And the CPU fences with sfence
      When power fails
      And the crash explorer checks that pmem0 holds "spans-two-lines" at offset 120
      Then the crash check fails
      And the crash check covered 1 crash state with coverage per-line
      And the failure report draws the line at offset 128 of pmem0 as never-written-back

    @rule:PM-1 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @profile:adr @profile:eadr
    Scenario Outline: a range over durable lines from offset <offset> fails on the first durable line that differs
      # lines 0 and 64 are written back and fenced; line 128 was never stored: durable zeros in every state
      Given the CPU stores "d" x 128 to pmem0 at offset 0
      And the CPU writes back 128 bytes at offset 0 of pmem0 with clwb
      And the CPU fences with sfence
      When power fails
      And the crash explorer checks that pmem0 holds "d" x <length> at offset <offset>
      Then the crash check fails
      And the failure report draws the line at offset 128 of pmem0 as durable

      Examples:
        | offset | length |
        | 0      | 192    |
        | 32     | 160    |
        | 96     | 33     |
        | 160    | 64     |

    @rule:PM-1 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @profile:adr @profile:eadr
    Scenario: a range over durable lines across a page boundary fails on the first line of the second page
      # the last two lines of page 0 are written back and fenced; page 1 was never stored: durable zeros
      Given the CPU stores "d" x 128 to pmem0 at offset 3968
      And the CPU writes back 128 bytes at offset 3968 of pmem0 with clwb
      And the CPU fences with sfence
      When power fails
      And the crash explorer checks that pmem0 holds "d" x 128 at offset 4032
      Then the crash check fails
      And the failure report draws the line at offset 4096 of pmem0 as durable

    @rule:PM-1 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @profile:adr @profile:eadr
    Scenario: zeros expected across a page boundary fail on the durable store at the start of the second page
      # page 0 was never stored (durable zeros); the first line of page 1 holds a fenced store
      Given the CPU stores "x" to pmem0 at offset 4096
      And the CPU writes back 1 byte at offset 4096 of pmem0 with clwb
      And the CPU fences with sfence
      When power fails
      And the crash explorer checks that pmem0 holds 128 zero bytes at offset 4032
      Then the crash check fails
      And the failure report draws the line at offset 4096 of pmem0 as durable

    @rule:PM-2 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @profile:adr @profile:virtio-pmem
    Scenario: every combination of kept prefixes is a crash state
      Given the CPU stores "a1" to pmem0 at offset 0
      And the CPU stores "a2" to pmem0 at offset 0
      And the CPU stores "b" to pmem0 at offset 64
      And the CPU stores "c" to pmem0 at offset 128
      And the CPU stores "d" to pmem0 at offset 192
      When power fails
      And the crash explorer checks that pmem0 never holds "z" x 200 at offset 0
      Then the crash check passes
      And the crash check covered exactly 24 crash states exhaustively

    @rule:PM-2 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @profile:adr @profile:virtio-pmem
    Scenario: states with the same content are checked once
      Given the CPU stores "x" to pmem0 at offset 0
      And the CPU stores "x" to pmem0 at offset 0
      And the CPU stores "y" to pmem0 at offset 64
      When power fails
      And the crash explorer checks that pmem0 never holds "z" x 100 at offset 0
      Then the crash check passes
      And the crash check covered exactly 4 crash states exhaustively

    @rule:PM-2 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @profile:adr
    Scenario: a line stored again with the bytes it durably holds adds no crash state
      # every prefix of line 0's history holds "x": whatever it keeps, the image is the lower bound's
      Given the CPU stores "x" to pmem0 at offset 0
      And the CPU writes back 1 byte at offset 0 of pmem0 with clwb
      And the CPU fences with sfence
      And the CPU stores "x" to pmem0 at offset 0
      And the CPU stores "y" to pmem0 at offset 64
      When power fails
      And the crash explorer checks that pmem0 never holds "z" x 100 at offset 0
      Then the crash check passes
      And the crash check covered exactly 2 crash states exhaustively

    @rule:PM-2 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @profile:adr @profile:virtio-pmem
    Scenario: only the lines a check reads are varied, and the first failure is a minimal state
      Given the CPU stores "a" to pmem0 at offset 64
      And the CPU stores "b" to pmem0 at offset 128
      And the CPU stores "c" to pmem0 at offset 192
      When power fails
      And the crash explorer checks that pmem0 never holds "a" at offset 64 together with "b" at offset 128
      Then the crash check fails
      And the first failing crash state is 40:1+80:1
      And the crash check covered 4 crash states with coverage exhaustive

    @rule:PM-2 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @white-box @requires:white-box @profile:adr @profile:virtio-pmem
    Scenario: states are enumerated by line address whatever order the check reads the lines in
      Given the CPU stores "first" to pmem0 at offset 0
      And the CPU stores "second" to pmem0 at offset 64
      When power fails
      And the crash explorer checks that wherever pmem0 holds "second" at offset 64 it also holds "first" at offset 0
      Then the crash check fails
      And the first failing crash state is 40:1
      And the crash check covered 3 crash states with coverage exhaustive
      And the failure reason mentions "/dev/pmem0 at offset 0"

  @since:4.4
  Rule: PM-2 A budget bounds the states: a bounded verdict says how far it looked and is never a proof

    @rule:PM-2 @beyond @severity:normal @requires:cache-model @profile:adr @profile:virtio-pmem
    Scenario Outline: with a budget of <budget> states, three dirty lines are covered <coverage>
      Given the crash explorer may check at most <budget> crash states
      And the CPU stores "a" to pmem0 at offset 0
      And the CPU stores "b" to pmem0 at offset 64
      And the CPU stores "c" to pmem0 at offset 128
      When power fails
      And the crash explorer checks that pmem0 never holds "z" x 150 at offset 0
      Then the crash check passes
      And the crash check covered <states> crash states with coverage <coverage>

      Examples:
        | budget | coverage   | states |
        | 8      | exhaustive | 8      |
        | 7      | bounded(2) | 7      |
        | 4      | bounded(1) | 4      |
        | 3      | bounded(0) | 1      |
        | 0      | bounded(0) | 1      |

    @rule:PM-2 @beyond @severity:normal @requires:cache-model @profile:adr @profile:virtio-pmem
    Scenario: the bound counts the states of a line with two stores twice: ten of twelve states is bounded(2)
      Given the crash explorer may check at most 10 crash states
      And the CPU stores "a1" to pmem0 at offset 0
      And the CPU stores "a2" to pmem0 at offset 0
      And the CPU stores "b" to pmem0 at offset 64
      And the CPU stores "c" to pmem0 at offset 128
      When power fails
      And the crash explorer checks that pmem0 never holds "z" x 150 at offset 0
      Then the crash check passes
      And the crash check covered 10 crash states with coverage bounded(2)

    @rule:PM-2 @beyond @severity:normal @requires:cache-model @profile:adr @profile:virtio-pmem
    Scenario: a failure two lines away from the lower bound passes a bound of one line, which says it is only a bound
      Given the crash explorer may check at most 3 crash states
      And the CPU stores "a" to pmem0 at offset 64
      And the CPU stores "b" to pmem0 at offset 128
      When power fails
      And the crash explorer checks that pmem0 never holds "a" at offset 64 together with "b" at offset 128
      Then the crash check passes
      And the crash check covered 3 crash states with coverage bounded(1)

  @since:4.4
  Rule: PM-2 A state id names the same state in every run: a rerun checks that one state

    @rule:PM-2 @beyond @severity:normal @requires:cache-model @profile:adr @profile:virtio-pmem
    Scenario: rerunning in the failing state checks that one state and fails again
      Given crash checks are rerun in crash state "40:1"
      And the CPU stores "a" to pmem0 at offset 0
      And the CPU stores "b" to pmem0 at offset 64
      When power fails
      And the crash explorer checks that pmem0 never holds "b" at offset 64
      Then the crash check fails
      And the first failing crash state is 40:1
      And the crash check covered 1 crash state with coverage single

    @rule:PM-2 @beyond @severity:normal @requires:cache-model @profile:adr @profile:virtio-pmem
    Scenario Outline: a data check rerun in crash state <state> checks that one state, not every line's history
      Given crash checks are rerun in crash state "<state>"
      And the CPU stores "a" to pmem0 at offset 0
      And the CPU stores "b" to pmem0 at offset 64
      When power fails
      And the crash explorer checks that pmem0 holds "b" at offset 64
      Then the crash check <verdict>
      And the crash check covered 1 crash state with coverage single

      Examples:
        | state | verdict |
        | lb    | fails   |
        | 40:1  | passes  |

    @rule:PM-2 @beyond @severity:normal @requires:cache-model @profile:adr @profile:virtio-pmem
    Scenario Outline: rerunning in crash state <state> checks only that state
      Given crash checks are rerun in crash state "<state>"
      And the CPU stores "a" to pmem0 at offset 64
      And the CPU stores "b" to pmem0 at offset 128
      When power fails
      And the crash explorer checks that pmem0 never holds "a" at offset 64 together with "b" at offset 128
      Then the crash check <verdict>
      And the crash check covered 1 crash state with coverage single

      Examples:
        | state     | verdict |
        | lb        | passes  |
        | 40:1      | passes  |
        | 80:1      | passes  |
        | 40:1+80:1 | fails   |

    @rule:PM-2 @beyond @severity:normal @requires:cache-model @profile:adr @profile:virtio-pmem
    Scenario: a rerun named with its lines out of address order reports the state by its one id, lines in address order
      Given crash checks are rerun in crash state "80:1+40:1"
      And the CPU stores "a" to pmem0 at offset 64
      And the CPU stores "b" to pmem0 at offset 128
      When power fails
      And the crash explorer checks that pmem0 never holds "a" at offset 64 together with "b" at offset 128
      Then the crash check fails
      And the first failing crash state is 40:1+80:1

    @rule:PM-2 @beyond @severity:normal @requires:cache-model @profile:adr @profile:virtio-pmem
    Scenario: a state id names lines by hex address and may keep ten or more stores
      Given stores may tear into 8-byte units
      And crash checks are rerun in crash state "1000:11"
      And the CPU stores "A" x 64 to pmem0 at offset 4096
      And the CPU stores "B" x 24 to pmem0 at offset 4096
      When power fails
      And the crash explorer checks that pmem0 never holds "A" x 24 at offset 4096
      Then the crash check passes
      And the crash check covered 1 crash state with coverage single

    @rule:PM-2 @beyond @severity:normal @requires:cache-model @white-box @requires:white-box @profile:adr @profile:virtio-pmem
    Scenario Outline: a rerun in a state this run does not have is refused: <why>
      Given stores may tear into 8-byte units
      And crash checks are rerun in crash state "<state>"
      And the CPU stores "A" x 64 to pmem0 at offset 4096
      And the CPU stores "B" x 24 to pmem0 at offset 4096
      When power fails
      And the crash explorer checks that pmem0 holds "B" x 24 at offset 4096
      Then the crash check is refused with a message mentioning <message>

      Examples:
        | why                          | state   | message                                                              |
        | too many stores kept         | 1000:12 | 'crash state 1000:12 does not exist in this run: line 0x1000 has 11' |
        | a line with no stores        | 2000:1  | 'line 0x2000 has 0 stores to keep'                                   |
        | trailing junk                | 1000:1x | 'crash state id "1000:1x" is malformed: expected "lb"'               |
        | leading junk                 | x1000:1 | 'crash state id "x1000:1" is malformed'                              |
        | an eADR cut on an ADR system | cut:end | 'crash state id "cut:end" is malformed'                              |

  @since:4.4
  Rule: PM-6 On eADR a crash keeps a prefix of the store order; only unfenced non-temporal stores may be lost

    @rule:PM-6 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @requires:eadr @white-box @requires:white-box
    Scenario: on eADR without non-temporal stores there is one crash state, at the end of the store order
      Given the platform keeps its CPU caches in the persistence domain (eADR)
      And the CPU stores "kept" to pmem0 at offset 0
      And the CPU stores "also-kept" to pmem0 at offset 64
      When power fails
      And the crash explorer checks that pmem0 never holds "kept" at offset 0
      Then the crash check fails
      And the first failing crash state is cut:end
      And the crash check covered 1 crash state with coverage exhaustive
      And the failure reason mentions "expected not"

    @rule:PM-6 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @requires:eadr @white-box @requires:white-box
    Scenario: on eADR an unfenced non-temporal store after a cached one on the same line may or may not land
      # the explorer's own states: on Linux the agent's reply runs LOCK-prefixed instructions, which fence the store (1 state)
      Given the platform keeps its CPU caches in the persistence domain (eADR)
      And the CPU stores "cached" to pmem0 at offset 0
      And the CPU stores "streaming" to pmem0 at offset 32 with a non-temporal store
      And the CPU stores "other-line" to pmem0 at offset 64
      When power fails
      And the crash explorer checks that pmem0 never holds "streaming" at offset 32
      Then the crash check fails
      And the first failing crash state is cut:end+nt
      And the crash check covered 2 crash states with coverage exhaustive

    @rule:PM-6 @seed:001_b92c2fd6bf0014a8.txt @severity:normal @requires:cache-model @requires:eadr
    Scenario: on eADR the cached store survives in both states, whether the non-temporal one landed or not
      Given the platform keeps its CPU caches in the persistence domain (eADR)
      And the CPU stores "cached" to pmem0 at offset 0
      And the CPU stores "streaming" to pmem0 at offset 32 with a non-temporal store
      When power fails
      And the crash explorer checks that wherever pmem0 holds "streaming" at offset 32 it also holds "cached" at offset 0
      Then the crash check passes
      And the crash check covered exactly 2 crash states exhaustively

    @rule:PM-6 @beyond @severity:normal @requires:cache-model @requires:eadr
    Scenario Outline: on eADR a rerun in <state> checks that one cut
      Given the platform keeps its CPU caches in the persistence domain (eADR)
      And crash checks are rerun in crash state "<state>"
      And the CPU stores "streaming" to pmem0 at offset 32 with a non-temporal store
      When power fails
      And the crash explorer checks that pmem0 never holds "streaming" at offset 32
      Then the crash check <verdict>
      And the crash check covered 1 crash state with coverage single

      Examples:
        | state      | verdict |
        | cut:end    | passes  |
        | cut:end+nt | fails   |
