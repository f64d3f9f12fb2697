// Failure categories match the steps' messages the way Allure does (first match wins, whole
// message, Java's (?s) as JavaScript's s flag); environment.properties stays one key a line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CATEGORIES, environmentProperties } from '../../scripts/lib/allure';

function categorise(message: string, status: 'failed' | 'broken' | 'unknown' = 'failed'): string | undefined {
  return CATEGORIES.find((c) => {
    if (!c.matchedStatuses.includes(status)) return false;
    if (!c.messageRegex) return true;
    const re = new RegExp(`^(?:${c.messageRegex.replace('(?s)', '')})$`, 's');
    return re.test(message);
  })?.name;
}

const stack = '\n    at mustHoldEverywhere (/work/main/steps/crash.steps.ts:56:11)';

test('each kind of failure message lands in its category: one per verdict class, rules by kind', () => {
  assert.equal(categorise(`WB-1: durability violation: expected in every crash state ...${stack}`), 'Rule broken: durability violation');
  assert.equal(categorise(`RuleAssertionError: PM-6: store order violation: ...${stack}`), 'Rule broken: durability violation');
  assert.equal(categorise(`BD-1: stale data exposure: /a reads old bytes${stack}`), 'Rule broken: stale data exposure');
  assert.equal(categorise(`SY-3: metadata damage: e2fsck: Entry 'x' has deleted/unused inode${stack}`), 'Rule broken: metadata damage (fsck)');
  assert.equal(categorise(`WB-7: performance rule: fsync wrote back 4096 lines${stack}`), 'Rule broken: performance rule');
  assert.equal(categorise('WB-4: fsync A did not reach "after tagging": it ended at done'), 'Rule broken: other checks');
  assert.equal(categorise('WB-1, SY-1: 227 of 838 generated workloads fail'), 'Rule broken: other checks');
  assert.equal(categorise('IMPLEMENTATION: process "cat" sent no hello line within 30000 ms of starting', 'broken'), 'Implementation could not be driven (exit 2)');
  assert.equal(categorise('Error: function timed out, ensure the promise resolves within 120000 milliseconds', 'broken'), 'Implementation could not be driven (exit 2)');
  assert.equal(categorise('INPUT: the linux target needs its image', 'broken'), 'Suite or input wrong (exit 2)');
  assert.equal(categorise("The test doesn't have an implementation.", 'unknown'), 'Suite or input wrong: undefined or ambiguous step (exit 2)');
  assert.equal(categorise('TypeError: x is undefined', 'broken'), 'Unclassified (a message that names no rule: a defect of the suite)');
});

test('environment.properties: one key = value a line, keys without spaces, newlines escaped', () => {
  assert.equal(environmentProperties({ target: 'emulator', 'persistence mode': 'adr\neadr' }), 'target = emulator\npersistence.mode = adr\\neadr\n');
});
