@epic:truncation @story:unaligned-ranges
Feature: Truncate and punch-hole at offsets inside a block
  A hole punched from inside one block to inside another frees only the whole blocks between and
  zeroes the partial ones; truncating to a size inside a block keeps that block and zeroes its tail
  (ext4_punch_hole and ext4_truncate round the freed range inward). Bytes outside the range are
  untouched, live and in every crash state after fsync.

  Background:
    Given an ext4 filesystem mounted with dax on pmem0
    And a file /a with 16 KiB allocated and synced
    And the application writes "k" x 16384 to /a at offset 0 with write(2)

  @since:4.5
  Rule: MS-5 Truncate and punch-hole drop what is in their range and nothing else

    @rule:MS-5 @beyond @severity:critical
    Scenario: a hole punched from inside one block to inside another keeps the bytes around it
      When a hole is punched over 6000 bytes at offset 3000 of /a
      And the application calls fsync on /a
      And power fails
      Then in every crash state /a holds "k" x 3000 at offset 0
      And in every crash state /a holds 6000 zero bytes at offset 3000
      And in every crash state /a holds "k" x 7384 at offset 9000

    @rule:MS-5 @beyond @severity:critical
    Scenario: a hole punched inside one block zeroes every byte of its range and no other
      When a hole is punched over 100 bytes at offset 5000 of /a
      And the application calls fsync on /a
      And power fails
      Then in every crash state /a holds "k" x 5000 at offset 0
      And in every crash state /a holds 100 zero bytes at offset 5000
      And in every crash state /a holds "k" x 11284 at offset 5100

  @since:4.5
  Rule: MS-6 A partial-block truncate keeps the block's head and zeroes its tail, durably

    @rule:MS-6 @beyond @severity:critical
    Scenario: truncating to a size inside a block keeps the bytes before the new end
      When /a is truncated to 5000
      And the application calls fsync on /a
      And power fails
      Then in every crash state /a holds "k" x 5000 at offset 0
      And in every crash state /a exists and is 5000 bytes long

    @rule:MS-6 @beyond @severity:critical
    Scenario: a file truncated to one byte into a block and extended again reads zeros past that byte
      When /a is truncated to 4097
      And /a is truncated to 16384
      And the application calls fsync on /a
      And power fails
      Then in every crash state /a holds "k" x 4097 at offset 0
      And in every crash state /a holds 12287 zero bytes at offset 4097
