// Pins each rule of the persistence model (DESIGN.md section 2).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PersistentMemory } from '../../emulator/pmem/memory';
import { explore, holdsInEveryState, planEnumeration, stateId, parseStateId, adrStates } from '../../emulator/pmem/crash';

const bytes = (s: string) => new Uint8Array(Buffer.from(s));
const text = (b: Uint8Array) => Buffer.from(b).toString();

test('a cached store is visible to loads at once', () => {
  const m = new PersistentMemory(1 << 20);
  m.store(100, bytes('hello'));
  assert.equal(text(m.load(100, 5)), 'hello');
});

test('a crash keeps a prefix of each line: never a later store without an earlier one on the same line', () => {
  const m = new PersistentMemory(1 << 20);
  m.store(0, bytes('A'));
  m.store(1, bytes('B'));
  const values = m.possibleLineValues(0).map((v) => text(v.subarray(0, 2)));
  assert.deepEqual(values, ['\0\0', 'A\0', 'AB']);
});

test('eviction may persist unflushed data, and nothing unfenced must persist', () => {
  const m = new PersistentMemory(1 << 20);
  m.store(64, bytes('x'));
  assert.ok(holdsInEveryState(m, 64, bytes('x')), 'an unflushed store must not be guaranteed');
  assert.ok(holdsInEveryState(m, 64, bytes('\0')), 'an unflushed store may survive (eviction)');
});

test('clwb without a fence is not durable; the fence makes requested write-backs durable', () => {
  const m = new PersistentMemory(1 << 20);
  m.store(128, bytes('data'));
  m.flush(128, 4, 'clwb');
  assert.ok(holdsInEveryState(m, 128, bytes('data')));
  m.fence();
  assert.equal(holdsInEveryState(m, 128, bytes('data')), undefined);
  assert.deepEqual(m.pendingLines(), []);
});

test('a fence makes durable only what was written back before it', () => {
  const m = new PersistentMemory(1 << 20);
  m.store(0, bytes('old'));
  m.flush(0, 3, 'clflushopt');
  m.store(0, bytes('new'));
  m.fence();
  assert.deepEqual(m.possibleLineValues(0).map((v) => text(v.subarray(0, 3))), ['old', 'new']);
});

test('clflush is durable at once', () => {
  const m = new PersistentMemory(1 << 20);
  m.store(0, bytes('now'));
  m.flush(0, 3, 'clflush');
  assert.equal(holdsInEveryState(m, 0, bytes('now')), undefined);
});

test('a non-temporal store is durable at the next fence, not before', () => {
  const m = new PersistentMemory(1 << 20);
  m.store(0, bytes('nt'), true);
  assert.ok(holdsInEveryState(m, 0, bytes('nt')));
  m.fence();
  assert.equal(holdsInEveryState(m, 0, bytes('nt')), undefined);
});

test('lines are independent under ADR: a later line may survive without an earlier one', () => {
  const m = new PersistentMemory(1 << 20);
  m.store(0, bytes('1'));
  m.store(64, bytes('2'));
  const r = explore(m, (img) => {
    const a = img.load(0, 1)[0];
    const b = img.load(64, 1)[0];
    return { ok: !(b === 50 && a !== 49) };
  });
  assert.equal(r.ok, false);
  assert.equal(r.coverage, 'exhaustive');
});

test('eADR: cached stores survive without flushes, in store order', () => {
  const m = new PersistentMemory(1 << 20, { mode: 'eadr' });
  m.store(0, bytes('1'));
  m.store(64, bytes('2'));
  assert.equal(holdsInEveryState(m, 0, bytes('1')), undefined);
  const during = explore(m, (img) => ({ ok: !(img.load(64, 1)[0] === 50 && img.load(0, 1)[0] !== 49) }), { during: true });
  assert.equal(during.ok, true, 'a cut of the global store order never keeps the later store alone');
  assert.ok(during.states >= 3);
});

test('eADR: an unfenced non-temporal store may still be lost', () => {
  const m = new PersistentMemory(1 << 20, { mode: 'eadr' });
  m.store(0, bytes('nt'), true);
  assert.ok(holdsInEveryState(m, 0, bytes('nt')));
  m.fence();
  assert.equal(holdsInEveryState(m, 0, bytes('nt')), undefined);
});

test('tearing splits one store into 8-byte units that survive separately', () => {
  const m = new PersistentMemory(1 << 20, { tearing: true });
  m.store(0, bytes('AAAAAAAABBBBBBBB'));
  assert.equal(m.history(0)!.length, 2);
  const whole = new PersistentMemory(1 << 20);
  whole.store(0, bytes('AAAAAAAABBBBBBBB'));
  assert.equal(whole.history(0)!.length, 1);
});

test('memory follows what was touched: a 1 TiB memory with two pages costs two pages', () => {
  const m = new PersistentMemory(2 ** 40);
  m.store(2 ** 39, bytes('far'));
  m.store(0, bytes('near'));
  assert.equal(m.touchedPages, 2);
});

test('out-of-range access names the range and the size', () => {
  const m = new PersistentMemory(4096);
  assert.throws(() => m.store(4090, bytes('too long')), /outside the 4096-byte namespace/);
});

test('state ids are stable and round-trip; enumeration is fewest-deviations first', () => {
  const states = [...adrStates([0, 64], [2, 1], 2)].map((s) => s.id);
  assert.deepEqual(states, ['lb', '0:1', '0:2', '40:1', '0:1+40:1', '0:2+40:1']);
  for (const id of states) assert.equal(stateId(parseStateId(id)), id);
});

test('past the budget the plan is bounded(k) and says so', () => {
  const counts = Array(20).fill(1);
  assert.deepEqual(planEnumeration(counts, 4096).coverage, 'bounded(3)');
  assert.equal(planEnumeration([1, 1], 4096).coverage, 'exhaustive');
});

test('the explorer varies only the lines the predicate reads', () => {
  const m = new PersistentMemory(1 << 20);
  for (let i = 0; i < 30; i++) m.store(i * 64, bytes('z'));
  const r = explore(m, (img) => ({ ok: img.load(0, 1)[0] === 0 || img.load(0, 1)[0] === 122 }));
  assert.equal(r.ok, true);
  assert.deepEqual(r.varied, [0]);
  assert.equal(r.states, 2);
  assert.equal(r.coverage, 'exhaustive');
});

test('the first failure reported is a minimal one', () => {
  const m = new PersistentMemory(1 << 20);
  m.store(0, bytes('a'));
  m.store(64, bytes('b'));
  m.store(128, bytes('c'));
  const r = explore(m, (img) => ({ ok: img.load(128, 1)[0] !== 99 }));
  assert.equal(r.ok, false);
  assert.equal(r.failure!.state.id, '80:1');
});

test('virtio-pmem: a host flush over a range makes durable the lines whose first byte it holds, whether few or many lines are pending', () => {
  // [60, 70) holds the first byte of line 64, not of line 0
  for (const others of [0, 8]) {
    const m = new PersistentMemory(1 << 20, { mode: 'virtio-pmem' });
    m.store(0, bytes('a'), true);
    m.store(64, bytes('b'), true);
    // other pending lines far away: with more of them than the range has lines, the flush visits only the range's lines
    for (let i = 0; i < others; i++) m.store(65536 + i * 64, bytes('o'), true);
    m.fence();
    m.hostFlush({ base: 60, size: 10 });
    assert.deepEqual(m.pendingLines().filter((a) => a < 4096), [0], `${others} other pending lines: line 64 durable, line 0 not`);
  }
});
