// docs/RULES.md is generated from the features (scripts/rulebook.ts) and must not be stale; the kernel
// ranges of @since/@until decide which rules a versioned target runs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { collectRules, RULEBOOK, rulebookMarkdown } from '../../scripts/rulebook';
import { notForKernel, parseKernel } from '../../steps/support/kernel-range';

test('docs/RULES.md lists every rule as the features state it (regenerate: node -r ./scripts/register.js scripts/rulebook.ts --write)', () => {
  assert.equal(readFileSync(RULEBOOK, 'utf8'), rulebookMarkdown(collectRules()));
});

test('every rule names the kernel it holds since', () => {
  for (const r of collectRules()) assert.match(r.since, /^\d+\.\d+$/, `${r.id} has no @since`);
});

test('a kernel release is read up to its patch level', () => {
  assert.deepEqual(parseKernel('6.1.0-28-amd64'), [6, 1, 0]);
  assert.deepEqual(parseKernel('4.15'), [4, 15, 0]);
  assert.equal(parseKernel('linux'), undefined);
});

test('a rule runs on the kernels between its @since and its @until, both included', () => {
  assert.equal(notForKernel(['@since:4.15'], '6.1.0-28-amd64'), undefined);
  assert.match(notForKernel(['@since:4.15'], '4.14.3') ?? '', /holds since Linux 4.15; this target runs 4.14.3/);
  assert.equal(notForKernel(['@since:4.4', '@until:4.6'], '4.6.7'), undefined);
  assert.match(notForKernel(['@since:4.4', '@until:4.6'], '6.1.0') ?? '', /held until Linux 4.6/);
  assert.equal(notForKernel(['@since:4.10'], '4.10.0'), undefined);
  assert.match(notForKernel(['@since:4.10'], '4.9.0') ?? '', /since Linux 4.10/);
});
