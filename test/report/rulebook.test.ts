// docs/RULES.md is generated from the features (scripts/rulebook.ts) and must not be stale; the kernel
// ranges of @since/@until decide which rules a versioned target runs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { collectRules, RULEBOOK, rulebookMarkdown } from '../../scripts/rulebook';
import { notForKernel, parseKernel } from '../../steps/support/kernel-range';
import { rulebookEnvironment, rulebookFor, rulebookForKernelMarkdown } from '../../scripts/lib/kernel-rulebook';

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

test('the report\'s rulebook for a kernel keeps the rules of that kernel and names the others with the reason', () => {
  const rows = collectRules();
  const six = rulebookFor(rows, '6.1.0-57-amd64');
  const raw = six.notHere.find((x) => x.rule.id === 'BD-3');
  assert.ok(raw, 'BD-3 (raw block device DAX, until 4.6) is not a rule of 6.1');
  assert.match(raw.why, /held until Linux 4\.6/);
  assert.ok(six.applies.some((r) => r.id === 'WB-1'));
  assert.equal(six.applies.length + six.notHere.length, rows.length);
  const every = rulebookFor(rows, undefined);
  assert.equal(every.notHere.length, 0);
  assert.match(rulebookEnvironment(six)['rulebook.rules.of.other.kernels'], /BD-3 \(4\.\d+ to 4\.6\)/);
  assert.match(rulebookForKernelMarkdown(six, 'linux'), /\| BD-3 \|.*\| not run: the rule held until Linux 4\.6/);
});
