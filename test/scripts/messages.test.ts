// A run's result is the same whether its message stream is read whole after the run or followed while it is
// written, in pieces that cut lines and multi-byte characters anywhere.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageTail, parseMessages, SWITCHES_MEDIA_TYPE } from '../../scripts/lib/messages';

const ts = (s: number) => ({ seconds: s, nanos: 0 });
const doc = { gherkinDocument: { uri: 'features/x.feature', feature: { children: [{ scenario: { id: 's1', location: { line: 3 }, examples: [] } }, { rule: { children: [{ scenario: { id: 's2', location: { line: 9 }, examples: [{ tableBody: [{ id: 'row', location: { line: 12 } }] }] } }] } }] } } };
const pickle = (id: string, ids: string[], name: string) => ({ pickle: { id, uri: 'features/x.feature', name, tags: [{ name: '@rule:PM-1' }], astNodeIds: ids } });
const envelopes = [
  { meta: { protocolVersion: '27' } },
  { source: { uri: 'features/x.feature', data: 'Feature: ünïcödé ✓ '.repeat(200) } },
  doc,
  pickle('p1', ['s1'], 'first ✓'),
  pickle('p2', ['s2', 'row'], 'second — outline row'),
  { testCase: { id: 't1', pickleId: 'p1' } },
  { testCase: { id: 't2', pickleId: 'p2' } },
  { testCaseStarted: { id: 'c1', testCaseId: 't1', timestamp: ts(1) } },
  { testStepStarted: { testCaseStartedId: 'c1', testStepId: 'x' } },
  { testStepFinished: { testCaseStartedId: 'c1', testStepResult: { status: 'PASSED' } } },
  { attachment: { testCaseStartedId: 'c1', mediaType: 'text/plain', body: 'é'.repeat(3000) } },
  { attachment: { testCaseStartedId: 'c1', mediaType: SWITCHES_MEDIA_TYPE, body: '["zero-via-sb-bdev"]' } },
  { testCaseFinished: { testCaseStartedId: 'c1', timestamp: ts(2), willBeRetried: false } },
  { testCaseStarted: { id: 'c2', testCaseId: 't2', timestamp: ts(3) } },
  { testStepFinished: { testCaseStartedId: 'c2', testStepResult: { status: 'FAILED', message: 'PM-1: the data did not survive\nstack' } } },
  { testCaseFinished: { testCaseStartedId: 'c2', timestamp: ts(5), willBeRetried: false } },
];
const ndjson = envelopes.map((e) => JSON.stringify(e)).join('\n') + '\n';

test('the result of a stream read whole: statuses, lines, rules, switches, failure sentence and times', () => {
  const r = parseMessages(ndjson);
  assert.deepEqual(r.map((s) => [s.name, s.line, s.status, s.rules, s.ms]), [['first ✓', 3, 'passed', ['PM-1'], 1000], ['second — outline row', 12, 'failed', ['PM-1'], 2000]]);
  assert.deepEqual(r[0].switches, ['zero-via-sb-bdev']);
  assert.equal(r[1].message, 'PM-1: the data did not survive');
  assert.equal(r[1].verdict, 'rule');
});

test('followed in pieces cut anywhere (lines, multi-byte characters), the result is the one read whole', () => {
  const bytes = Buffer.from(ndjson);
  const dir = mkdtempSync(join(tmpdir(), 'messages-tail-'));
  try {
    for (const step of [1, 7, 64, 333, 4096]) {
      const file = join(dir, `m-${step}.ndjson`);
      const tail = new MessageTail(file);
      tail.poll(); // not written yet
      writeFileSync(file, '');
      for (let at = 0; at < bytes.length; at += step) {
        appendFileSync(file, bytes.subarray(at, at + step));
        if ((at / step) % 3 === 0) tail.poll();
      }
      assert.deepEqual(tail.results(), parseMessages(ndjson), `pieces of ${step} bytes`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a stream cut off mid-line (its process killed) keeps the scenarios that finished', () => {
  const cut = ndjson.slice(0, ndjson.indexOf('{"testCaseFinished":{"testCaseStartedId":"c2"') + 20);
  const dir = mkdtempSync(join(tmpdir(), 'messages-tail-'));
  try {
    const file = join(dir, 'm.ndjson');
    writeFileSync(file, cut);
    const tail = new MessageTail(file);
    assert.deepEqual(tail.results().map((s) => s.name), ['first ✓']);
    assert.deepEqual(parseMessages(cut).map((s) => s.name), ['first ✓']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
