// The promise model of generated workloads: which bytes each persistence point promises, under which rule.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PromiseModel } from '../../steps/generate/promises';
import { workloadArb } from '../../steps/generate/arbitrary';
import { scenarioText } from '../../steps/generate/gherkin';
import { Setup, Workload } from '../../steps/generate/workload';

const ext4: Setup = { kind: 'ext4', nsSize: 8 << 20, startSector: 0, devSize: 8 << 20, stale: false, sizeA: 8192, sizeB: 0, sparseA: false };
const rules = (w: Workload) => PromiseModel.of(w).promises().map((p) => `${p.rule} ${p.then.replace(/^Then in every crash state /, '')}`);

test('a store is promised only after fsync, under WB-1, and lapses when overwritten', () => {
  const stored: Workload = { setup: ext4, ops: [{ op: 'map', file: 'A', mode: 'shared', pmd: false }, { op: 'store', file: 'A', off: 4090, len: 10, persist: false }] };
  assert.ok(!rules(stored).some((r) => r.includes('"c"')));
  const synced = { ...stored, ops: [...stored.ops, { op: 'fsync' as const, file: 'A' as const, datasync: false }] };
  assert.ok(rules(synced).includes('WB-1 /A holds "c" x 10 at offset 4090'));
  const over = { ...synced, ops: [...synced.ops, { op: 'write' as const, file: 'A' as const, off: 4095, len: 1 }] };
  // write(2) over a block written and synced before is durable at return (PM-5); the rest keeps WB-1
  assert.deepEqual(rules(over).filter((r) => r.includes('"')), ['WB-1 /A holds "c" x 5 at offset 4090', 'PM-5 /A holds "e" at offset 4095', 'WB-1 /A holds "c" x 4 at offset 4096']);
});

test('msync promises the pages its range touches, ending mid-page', () => {
  const w: Workload = {
    setup: ext4,
    ops: [
      { op: 'map', file: 'A', mode: 'shared', pmd: false },
      { op: 'store', file: 'A', off: 0, len: 8192, persist: false },
      { op: 'msync', file: 'A', off: 0, len: 4097 },
    ],
  };
  assert.ok(rules(w).includes('WB-1 /A holds "c" x 8192 at offset 0'));
  const one = { ...w, ops: [...w.ops.slice(0, 2), { op: 'msync' as const, file: 'A' as const, off: 0, len: 4096 }] };
  assert.ok(rules(one).includes('WB-1 /A holds "c" x 4096 at offset 0'));
  assert.ok(!rules(one).some((r) => r.includes('offset 4096')));
});

test('zeros of a grown file are BD-1, the old last block\'s tail MS-6, a punched range MS-5', () => {
  const w: Workload = { setup: { ...ext4, sizeA: 100 }, ops: [{ op: 'write', file: 'A', off: 5000, len: 1 }, { op: 'punch', file: 'A', off: 0, len: 10 }, { op: 'sync' }] };
  const r = rules(w);
  assert.ok(r.includes('MS-5 /A holds 10 zero bytes at offset 0'));
  assert.ok(r.includes('MS-6 /A holds 3996 zero bytes at offset 100'));
  assert.ok(r.includes('BD-1 /A holds 904 zero bytes at offset 4096'));
  assert.ok(r.includes('SY-3 fsck reports pmem0 clean'));
});

test('a partition\'s promises hold at its start sector on the whole disk too (BD-4)', () => {
  const w: Workload = {
    setup: { kind: 'partition', nsSize: 8 << 20, startSector: 7, devSize: 4 << 20, stale: false, sizeA: 0, sizeB: 0, sparseA: false },
    ops: [{ op: 'write', file: 'dev', off: 10, len: 3 }],
  };
  assert.deepEqual(rules(w).filter((x) => x.includes('"')), ['PM-3 pmem0p1 holds "b" x 3 at offset 10', 'BD-4 pmem0 holds "b" x 3 at offset 3594']);
});

test('every drawn workload replays, and its scenario names only operations the model kept', () => {
  fc.assert(
    fc.property(workloadArb('xfs', 'mixed', { mapSync: true, cacheModel: true }), (w) => {
      const m = PromiseModel.of(w);
      const text = scenarioText({ setup: w.setup, ops: m.ops }, 't');
      assert.ok(text.split('\n').length >= 5 + m.ops.length);
      for (const p of m.promises()) assert.match(p.rule, /^[A-Z]{2}-\d$/);
    }),
    { seed: 1, numRuns: 200 },
  );
});

test('an unmount and mount unmaps first, then promises every byte and the size as sync(2) does; a store needs a new mapping', () => {
  const w: Workload = {
    setup: ext4,
    ops: [
      { op: 'map', file: 'A', mode: 'shared', pmd: false },
      { op: 'store', file: 'A', off: 100, len: 3, persist: false },
      { op: 'remount' },
      { op: 'store', file: 'A', off: 200, len: 3, persist: false },
    ],
  };
  const m = PromiseModel.of(w);
  assert.deepEqual(m.ops.map((o) => o.op), ['map', 'store', 'remount']);
  assert.deepEqual(m.ops[2], { op: 'remount', unmap: ['A'] });
  assert.ok(rules(w).includes('SY-1 /A holds "c" x 3 at offset 100'));
  assert.ok(rules(w).includes('SY-1 /A exists and is 8192 bytes long'));
  assert.match(scenarioText({ setup: ext4, ops: m.ops }, 't'), /And \/A is unmapped\n {2}And the filesystem is unmounted and mounted again/);
  // a raw device has no filesystem to unmount
  assert.equal(PromiseModel.of({ setup: { ...ext4, kind: 'raw' }, ops: [{ op: 'remount' }] }).ops.length, 0);
});
