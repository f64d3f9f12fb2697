// The ACE-style workload space and what each workload's persistence points promise (steps/generate/ace.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateWorkloads, Model, Step } from '../../steps/generate/ace';

const thens = (steps: Step[]) => {
  const m = new Model();
  assert.ok(m.replay(steps), 'the workload applies');
  return m.promises.map((p) => `${p.rule} ${p.then.replace(/^Then in every crash state /, '')}`);
};

test('the space holds every valid workload of up to three operations, each once', () => {
  const all = generateWorkloads(3);
  assert.equal(all.length, 838);
  assert.equal(new Set(all.map((w) => JSON.stringify(w))).size, all.length);
  assert.deepEqual([1, 2, 3].map((n) => all.filter((w) => w.length === n).length), [18, 289, 531]);
  // a workload's last persistence point is never none; a three-operation one keeps its first two none
  assert.ok(all.every((w) => w[w.length - 1].persist !== 'none'));
  assert.ok(all.filter((w) => w.length === 3).every((w) => w[0].persist === 'none' && w[1].persist === 'none'));
});

test('fsync of a written file promises its bytes as runs: zeros, the data, zeros to the end', () => {
  assert.deepEqual(thens([{ op: { kind: 'write', file: 'A' }, persist: 'fsync' }]), [
    'WB-1 /A holds 4040 zero bytes at offset 0',
    'PM-5 /A holds "b1" x 50 at offset 4040',
    'WB-1 /A holds 4052 zero bytes at offset 4140',
  ]);
});

test('a file truncated and written again ends where the write ends, its truncated bytes zero under MS-5', () => {
  const steps: Step[] = [
    { op: { kind: 'truncate', file: 'A' }, persist: 'none' },
    { op: { kind: 'write', file: 'A' }, persist: 'sync' },
  ];
  assert.deepEqual(thens(steps).slice(0, 3), ['SY-3 /A exists and is 4140 bytes long', 'MS-5 /A holds 4040 zero bytes at offset 0', 'SY-1 /A holds "c2" x 50 at offset 4040']);
});

test('a hole punched in a written file zeroes only the bytes it covers; a later operation on the file lapses fsync promises', () => {
  const punched: Step[] = [
    { op: { kind: 'write', file: 'A' }, persist: 'none' },
    { op: { kind: 'punch', file: 'A' }, persist: 'fsync' },
  ];
  assert.deepEqual(thens(punched), ['MS-5 /A holds 4096 zero bytes at offset 0', 'PM-5 /A holds "b1" x 22 at offset 4096', 'MS-5 /A holds 4052 zero bytes at offset 4140']);
  assert.deepEqual(thens([...punched, { op: { kind: 'create', file: 'B' }, persist: 'none' }, { op: { kind: 'write', file: 'A' }, persist: 'fsync' }]).length, 3);
  assert.deepEqual(thens([{ op: { kind: 'write', file: 'A' }, persist: 'fsync' }, { op: { kind: 'punch', file: 'A' }, persist: 'none' }]), []);
});

test('a workload that cannot apply is refused: a store past the end of a truncated file, a second mkdir', () => {
  assert.equal(new Model().replay([{ op: { kind: 'truncate', file: 'A' }, persist: 'none' }, { op: { kind: 'store', file: 'A' }, persist: 'fsync' }]), false);
  assert.equal(new Model().replay([{ op: { kind: 'mkdir' }, persist: 'sync' }, { op: { kind: 'mkdir' }, persist: 'sync' }]), false);
});
