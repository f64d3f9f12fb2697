// A crash check too large for one protocol line is sent as conjuncts that each fit, and their verdicts
// join into the verdict of the whole.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CrashCheck, CrashVerdict } from '../../targets/contract';
import { joinVerdicts, splitCheck } from '../../targets/process/split-check';

test('a long byte range splits into consecutive ranges that cover it exactly', () => {
  const data = 'ab'.repeat(5000);
  const parts = splitCheck({ kind: 'file-holds', path: '/mnt/a', offset: 100, data }, 2000);
  assert.ok(parts.length > 1);
  let at = 100;
  let joined = '';
  for (const p of parts.flatMap((c) => (c.kind === 'all' ? c.checks : [c]))) {
    assert.equal(p.kind, 'file-holds');
    if (p.kind !== 'file-holds') continue;
    assert.equal(p.offset, at);
    at += p.data.length / 2;
    joined += p.data;
  }
  assert.equal(joined, data);
  for (const p of parts) assert.ok(JSON.stringify(p).length <= 2000, JSON.stringify(p).length.toString());
});

test('a conjunction is regrouped without losing or repeating a conjunct; other kinds stay whole', () => {
  const checks: CrashCheck[] = Array.from({ length: 50 }, (_, i) => ({ kind: 'device-holds', dev: 'pmem0', offset: i * 64, data: '00'.repeat(64) }));
  const not: CrashCheck = { kind: 'not', check: { kind: 'exists', path: '/mnt/x' } };
  const parts = splitCheck({ kind: 'all', checks: [...checks, not] }, 1500);
  const flat = parts.flatMap((c) => (c.kind === 'all' ? c.checks : [c]));
  assert.deepEqual(flat, [...checks, not]);
});

test('the joined verdict is the first failure, else a pass that claims only the weakest coverage', () => {
  const pass = (coverage: CrashVerdict['coverage'], states: number): CrashVerdict => ({ ok: true, coverage, states });
  assert.deepEqual(joinVerdicts([pass('per-line', 3), pass('bounded(2)', 10), pass('bounded(4)', 5)]), { ok: true, coverage: 'bounded(2)', states: 18 });
  assert.deepEqual(joinVerdicts([pass('per-line', 3), pass('exhaustive', 4)]), { ok: true, coverage: 'exhaustive', states: 7 });
  const fail: CrashVerdict = { ok: false, coverage: 'per-line', states: 2, counterexample: { stateId: 's1', reason: 'lost', lines: [] } };
  assert.equal(joinVerdicts([pass('per-line', 1), fail]), fail);
});
