// The crash-state explorer at full strength (DESIGN.md section 2): each property pinned by a test.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PersistentMemory } from '../../emulator/pmem/memory';
import { adrStates, CrashState, eadrStates, explore, holdsInEveryState, isProof, parseStateId, planEnumeration, stateId } from '../../emulator/pmem/crash';
import { EmulatorTarget } from '../../targets/emulator/emulator-target';

const bytes = (s: string) => new Uint8Array(Buffer.from(s));

/** n unflushed lines, each with `stores` cached stores of distinct values */
function dirtyLines(n: number, stores = 1): PersistentMemory {
  const m = new PersistentMemory(1 << 20);
  for (let s = 0; s < stores; s++) for (let i = 0; i < n; i++) m.store(i * 64, bytes(`v${s}`));
  return m;
}

const readLines = (lines: number[]) => (img: PersistentMemory) => {
  for (const a of lines) img.load(a, 1);
  return { ok: true };
};

test('only the lines a predicate reads are varied', () => {
  const m = dirtyLines(10);
  const r = explore(m, readLines([64, 320]));
  assert.deepEqual(r.varied, [64, 320]);
  assert.equal(r.states, 4);
  assert.equal(r.coverage, 'exhaustive');
});

test('without pruning every pending line is varied', () => {
  const m = dirtyLines(6);
  const r = explore(m, readLines([0]), { noPruning: true });
  assert.equal(r.varied.length, 6);
  assert.equal(r.states, 2 ** 6);
});

test('states come fewest deviations first, so the first failure is a minimal one', () => {
  const m = dirtyLines(8);
  const seen: string[] = [];
  const r = explore(m, (img, st) => {
    seen.push(st.id);
    const v = [0, 64, 128, 448].map((a) => img.load(a, 2)[0]);
    // fails when line 448 kept its store, whatever the others did
    return { ok: v[3] !== 'v'.charCodeAt(0), reason: 'line 448 survived' };
  });
  assert.equal(r.ok, false);
  assert.equal(r.failure!.state.id, '1c0:1');
  const deviations = seen.map((id) => (id === 'lb' ? 0 : id.split('+').length));
  assert.deepEqual([...deviations].sort((a, b) => a - b), deviations, 'deviation counts never decrease');
});

test('past the budget the enumeration is bounded(k), says so, and is never called a proof', () => {
  const m = dirtyLines(16);
  const all = Array.from({ length: 16 }, (_, i) => i * 64);
  const r = explore(m, readLines(all), { budget: 200 });
  assert.match(r.coverage, /^bounded\(\d+\)$/);
  assert.equal(isProof(r.coverage), false);
  assert.ok(r.states <= 200);
  // 1 + 16 + 120 states lie within two lines of the lower bound; 560 more with three
  assert.equal(r.coverage, 'bounded(2)');
  assert.equal(r.states, 1 + 16 + 120);
  assert.equal(isProof(explore(dirtyLines(3), readLines([0, 64, 128])).coverage), true);
  assert.deepEqual(planEnumeration([1, 1, 1], 8), { coverage: 'exhaustive', total: 8, maxDeviation: 3 });
  assert.equal(planEnumeration([1, 1, 1], 7).coverage, 'bounded(2)');
});

test('state ids are stable: the same trace gives the same ids in the same order', () => {
  const ids = (m: PersistentMemory) => {
    const out: string[] = [];
    explore(m, (img, st) => {
      readLines([0, 64, 128])(img);
      out.push(st.id);
      return { ok: true };
    });
    return out;
  };
  const a = ids(dirtyLines(3, 2));
  assert.deepEqual(ids(dirtyLines(3, 2)), a);
  assert.equal(a[0], 'lb');
  for (const id of a) assert.equal(stateId(parseStateId(id)), id);
  const st = [...adrStates([0x40, 0x80], [2, 1], 2)].map((s) => s.id);
  assert.deepEqual(st, ['lb', '40:1', '40:2', '80:1', '40:1+80:1', '40:2+80:1']);
});

test('states with the same content are checked once', () => {
  const m = new PersistentMemory(1 << 20);
  m.store(0, bytes('x'));
  m.store(0, bytes('x')); // same value again: prefixes 1 and 2 have the same content
  m.store(64, bytes('y'));
  const seen: CrashState[] = [];
  const r = explore(m, (img, st) => {
    readLines([0, 64])(img);
    seen.push(st);
    return { ok: true };
  });
  // 3 x 2 choices, of which 2 repeat content
  assert.equal(r.states, 4);
  assert.equal(new Set(seen.map((s) => Buffer.from(JSON.stringify([...s.choice]))).values()).size, seen.length);
});

test('onlyState (DAX_CRASH_STATE) checks exactly the named state and reports it as single, not a proof', () => {
  const m = dirtyLines(4);
  const got: string[] = [];
  const r = explore(
    m,
    (img, st) => {
      got.push(`${st.id}=${[0, 64, 128, 192].map((a) => String.fromCharCode(img.load(a, 1)[0] || 48)).join('')}`);
      return { ok: true };
    },
    { onlyState: '40:1+c0:1' },
  );
  assert.deepEqual(got, ['40:1+c0:1=0v0v']);
  assert.equal(r.states, 1);
  assert.equal(r.coverage, 'single');
  assert.equal(isProof(r.coverage), false);
  assert.throws(() => explore(m, () => ({ ok: true }), { onlyState: '40:5' }), /does not exist in this run/);
  assert.throws(() => parseStateId('zz'), /malformed/);
});

test('a range query is decided per line with no enumeration, and names the breaking prefix', () => {
  const m = new PersistentMemory(1 << 20);
  m.store(60, bytes('abcdefgh')); // spans lines 0 and 64
  m.flush(0, 64, 'clwb');
  m.fence();
  assert.equal(holdsInEveryState(m, 60, bytes('abcd')), undefined);
  const f = holdsInEveryState(m, 60, bytes('abcdefgh'));
  assert.equal(f?.lineAddr, 64);
  assert.equal(f?.k, 0);
});

test('eADR: cuts of the global store order, with and without unfenced non-temporal stores', () => {
  const m = new PersistentMemory(1 << 20, { mode: 'eadr' });
  m.store(0, bytes('a'));
  m.store(64, bytes('b'), true);
  const after = [...eadrStates(m, false)].map((s) => s.id);
  assert.deepEqual(after, ['cut:end', 'cut:end+nt']);
  const during = [...eadrStates(m, true)].map((s) => s.id);
  assert.ok(during.length > after.length);
  assert.equal(explore(m, () => ({ ok: true }), { onlyState: 'cut:end+nt' }).states, 1);
});

test('through the contract: a negated or implication check enumerates states; a range check is per-line', async () => {
  const t = new EmulatorTarget();
  await t.reset({ seed: 0 });
  await t.createNamespace({ name: 'pmem0', size: 2 * 1024 ** 2 });
  await t.cpuStore!({ dev: 'pmem0', offset: 0, data: Buffer.from('first').toString('hex'), nt: false });
  await t.cpuStore!({ dev: 'pmem0', offset: 4096, data: Buffer.from('later').toString('hex'), nt: false });
  await t.powerFail();
  const first = { kind: 'device-holds' as const, dev: 'pmem0', offset: 0, data: Buffer.from('first').toString('hex') };
  const later = { kind: 'device-holds' as const, dev: 'pmem0', offset: 4096, data: Buffer.from('later').toString('hex') };
  const holds = await t.checkCrash({ check: first, mounts: [] });
  assert.equal(holds.ok, false);
  assert.equal(holds.coverage, 'per-line');
  const not = await t.checkCrash({ check: { kind: 'not', check: first }, mounts: [] });
  assert.equal(not.ok, false);
  assert.equal(not.coverage, 'exhaustive');
  assert.ok(not.states >= 2, `a negation must enumerate, checked ${not.states}`);
  const imp = await t.checkCrash({ check: { kind: 'implies', if: later, then: first }, mounts: [] });
  assert.equal(imp.ok, false, 'the later line may survive without the earlier one');
  assert.equal(imp.coverage, 'exhaustive');
  assert.equal(imp.counterexample?.stateId, '1000:1');
});
