// The memory's cost-saving paths give the same memory as the plain ones: crash images share pages
// copy-on-write, zeros onto untouched pages allocate nothing, fenced non-temporal copies keep no
// history, and runs of durable lines are compared in place.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PersistentMemory } from '../../emulator/pmem/memory';
import { holdsInEveryState } from '../../emulator/pmem/crash';

const PAGE = 4096;

/** a deterministic pseudo-random generator (xorshift32): the same seed, the same operations */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** everything a load, a crash or the explorer can see of the first `size` bytes */
function observable(m: PersistentMemory, size: number) {
  return {
    bytes: Buffer.from(m.load(0, size)).toString('hex'),
    pending: m.pendingLines(),
    values: m.pendingLines().map((a) => m.possibleLineValues(a).map((v) => Buffer.from(v).toString('hex'))),
    seq: m.storeCount,
  };
}

test('a fenced non-temporal copy without histories leaves the memory store(nt) and fence leave', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const r = rng(seed);
    const plain = new PersistentMemory(16 * PAGE);
    const fast = new PersistentMemory(16 * PAGE);
    for (let op = 0; op < 30; op++) {
      const len = 1 + Math.floor(r() * 2 * PAGE);
      const addr = Math.floor(r() * (16 * PAGE - len));
      const data = new Uint8Array(len).fill(r() < 0.3 ? 0 : 1 + Math.floor(r() * 255));
      const kind = r();
      if (kind < 0.4) {
        // dax_iomap_rw: copies, then one fence
        plain.store(addr, data, true);
        fast.storeBeforeFence(addr, data);
        plain.fence();
        fast.fence();
      } else if (kind < 0.8) {
        plain.store(addr, data);
        fast.store(addr, data);
      } else if (kind < 0.9) {
        plain.flush(addr, len, 'clwb');
        fast.flush(addr, len, 'clwb');
      } else {
        plain.fence();
        fast.fence();
      }
      assert.deepEqual(observable(fast, 16 * PAGE), observable(plain, 16 * PAGE), `seed ${seed}, operation ${op}`);
    }
  }
});

test('a crash image and the memory it came from do not see each other\'s later writes', () => {
  const m = new PersistentMemory(8 * PAGE);
  m.storeAndFence(0, new Uint8Array(2 * PAGE).fill(7));
  m.store(PAGE + 64, new Uint8Array([9, 9]));
  const image = m.image(() => 0);
  assert.deepEqual([...image.load(PAGE + 64, 2)], [7, 7], 'the image keeps no store of the unflushed line');
  m.storeAndFence(10, new Uint8Array([1, 2, 3]));
  image.storeAndFence(20, new Uint8Array([4, 5]));
  assert.deepEqual([...m.load(10, 3)], [1, 2, 3]);
  assert.deepEqual([...m.load(20, 2)], [7, 7], 'the image\'s write stays in the image');
  assert.deepEqual([...image.load(10, 3)], [7, 7, 7], 'the memory\'s write stays in the memory');
  assert.deepEqual([...image.load(20, 2)], [4, 5]);
  assert.deepEqual([...m.load(PAGE + 64, 2)], [9, 9]);
  const again = m.image((_a, h) => h.length);
  m.store(PAGE + 64, new Uint8Array([8]));
  assert.deepEqual([...again.load(PAGE + 64, 2)], [9, 9], 'an image keeping every store is unchanged by a later one');
});

test('zeros onto a page never touched read back as zeros, durable, and allocate no page', () => {
  const m = new PersistentMemory(64 * PAGE);
  m.storeAndFence(0, new Uint8Array(32 * PAGE));
  assert.equal(m.touchedPages, 0);
  assert.deepEqual(m.pendingLines(), []);
  m.storeAndFence(PAGE, new Uint8Array(PAGE).fill(3));
  m.storeAndFence(PAGE, new Uint8Array(PAGE));
  assert.equal(m.touchedPages, 1);
  assert.deepEqual([...new Set(m.load(0, 64 * PAGE))], [0]);
});

test('a range of durable lines and lines with a history is judged line by line as before', () => {
  const m = new PersistentMemory(8 * PAGE);
  m.storeAndFence(0, new Uint8Array(4 * PAGE).fill(5));
  m.store(2 * PAGE + 128, new Uint8Array([6]));
  const want = new Uint8Array(4 * PAGE).fill(5);
  const f = holdsInEveryState(m, 0, want);
  assert.ok(f, 'the unflushed line may hold the new byte');
  assert.equal(f.lineAddr, 2 * PAGE + 128);
  assert.equal(f.k, 1);
  want[3 * PAGE + 5] = 1;
  want[2 * PAGE + 128] = 6;
  m.flush(2 * PAGE + 128, 1, 'clflush');
  const g = holdsInEveryState(m, 0, want);
  assert.ok(g, 'a durable line holding other bytes fails');
  assert.equal(g.lineAddr, 3 * PAGE);
  assert.equal(g.k, 0);
  want[3 * PAGE + 5] = 5;
  assert.equal(holdsInEveryState(m, 0, want), undefined);
});

test('peek lends the bytes a load sees, and keeps showing them after the memory writes that page again', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const r = rng(seed);
    const m = new PersistentMemory(8 * PAGE);
    const lent: Array<{ view: Uint8Array; was: string }> = [];
    for (let op = 0; op < 40; op++) {
      const len = 1 + Math.floor(r() * 300);
      const addr = Math.floor(r() * (8 * PAGE - len));
      if (r() < 0.5) {
        const view = m.peek(addr, len);
        const was = Buffer.from(m.load(addr, len)).toString('hex');
        assert.equal(Buffer.from(view).toString('hex'), was, `seed ${seed} op ${op}: peek at ${addr} differs from load`);
        lent.push({ view, was });
      } else {
        const data = Uint8Array.from({ length: len }, () => Math.floor(r() * 4));
        const kind = r();
        if (kind < 0.4) m.store(addr, data);
        else if (kind < 0.8) m.storeAndFence(addr, data);
        else {
          m.flush(addr, len, 'clwb');
          m.fence();
        }
      }
    }
    lent.forEach(({ view, was }, i) => assert.equal(Buffer.from(view).toString('hex'), was, `seed ${seed}: lent view ${i} changed under its reader`));
  }
});
