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

test('each kind of failure message lands in its category', () => {
  assert.equal(categorise(`AssertionError: [WB-1] durability violation: expected in every crash state ...${stack}`), 'Durability violation');
  assert.equal(categorise(`AssertionError: [PM-6] store order violation: ...${stack}`), 'Durability violation');
  assert.equal(categorise(`AssertionError: [BD-1] stale data exposure: /a reads old bytes${stack}`), 'Stale data exposure');
  assert.equal(categorise(`AssertionError: [SY-3] metadata damage: e2fsck: Entry 'x' has deleted/unused inode${stack}`), 'Metadata damage (fsck)');
  assert.equal(categorise(`AssertionError: [WB-7] performance rule: fsync wrote back 4096 lines${stack}`), 'Performance rule');
  assert.equal(categorise('ImplementationError: implementation error: the process exited with code 1', 'broken'), 'Implementation error or time-out');
  assert.equal(categorise('Error: function timed out, ensure the promise resolves within 120000 milliseconds', 'broken'), 'Implementation error or time-out');
  assert.equal(categorise("The test doesn't have an implementation.", 'unknown'), 'Undefined step');
  assert.equal(categorise('AssertionError: expected 1 to equal 2'), 'Other rule failures');
  assert.equal(categorise('TypeError: x is undefined', 'broken'), 'Broken (not an assertion)');
});

test('environment.properties: one key = value a line, keys without spaces, newlines escaped', () => {
  assert.equal(environmentProperties({ target: 'emulator', 'persistence mode': 'adr\neadr' }), 'target = emulator\npersistence.mode = adr\\neadr\n');
});
