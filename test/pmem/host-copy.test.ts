// virtio-pmem keeps a fenced non-temporal copy into a page without line histories whole (a host copy)
// and builds its lines' histories only when something asks for them. Whatever asks, and whenever, the
// memory must be the one store(nt) builds: random operations against a memory that takes store(nt)'s
// path for every copy, compared on everything a load, a crash, the explorer or a trace can see.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PersistentMemory, type FlushInsn, type ModelQuirks } from '../../emulator/pmem/memory';
import { holdsInEveryState } from '../../emulator/pmem/crash';
import type { LineHistory } from '../../emulator/pmem/line';

const PAGE = 4096;
const LINE = 64;
const SIZE = 4 * PAGE;

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

type Op =
  | { k: 'store' | 'copy' | 'copyAndFence'; addr: number; data: Uint8Array; nt: boolean }
  | { k: 'flush'; addr: number; len: number; insn: FlushInsn }
  | { k: 'fence' }
  | { k: 'hostFlush'; range?: { base: number; size: number } }
  | { k: 'observe' }
  | { k: 'history' | 'read' | 'holds'; addr: number; len: number }
  | { k: 'image'; salt: number };

/** an address and a length inside the memory: page- and line-aligned ones often, so copies cover whole pages and lines */
const span = fc
  .tuple(
    fc.oneof(fc.integer({ min: 0, max: 3 }).map((p) => p * PAGE), fc.integer({ min: 0, max: SIZE / LINE - 1 }).map((l) => l * LINE), fc.integer({ min: 0, max: SIZE - 1 })),
    fc.oneof(fc.constantFrom(PAGE, 2 * PAGE, LINE), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 2 * PAGE })),
  )
  .map(([addr, len]) => ({ addr, len: Math.max(1, Math.min(len, SIZE - addr)) }));

/** bytes of one value (a stale fill, zeros) with a few others poked in: lines equal to what they overwrite are common */
const bytes = fc
  .tuple(span, fc.integer({ min: 0, max: 2 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 3 })), { maxLength: 4 }))
  .map(([{ addr, len }, fill, pokes]) => {
    const data = new Uint8Array(len).fill(fill);
    for (const [at, v] of pokes) data[at % len] = v;
    return { addr, data };
  });

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom('store', 'copy', 'copyAndFence') as fc.Arbitrary<'store' | 'copy' | 'copyAndFence'>, bytes, fc.boolean()).map(([k, { addr, data }, nt]) => ({ k, addr, data, nt })) },
  { weight: 1, arbitrary: fc.tuple(span, fc.constantFrom<FlushInsn>('clwb', 'clflushopt', 'clflush')).map(([{ addr, len }, insn]) => ({ k: 'flush' as const, addr, len, insn })) },
  { weight: 2, arbitrary: fc.constant({ k: 'fence' as const }) },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.constant({ k: 'hostFlush' as const }),
      fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 4 })).map(([p, n]) => ({ k: 'hostFlush' as const, range: { base: p * PAGE, size: Math.min(n, 4 - p) * PAGE } })),
      span.map(({ addr, len }) => ({ k: 'hostFlush' as const, range: { base: addr, size: len } })),
    ),
  },
  { weight: 1, arbitrary: fc.constant({ k: 'observe' as const }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('history', 'read', 'holds') as fc.Arbitrary<'history' | 'read' | 'holds'>, span).map(([k, { addr, len }]) => ({ k, addr, len })) },
  { weight: 1, arbitrary: fc.nat(7).map((salt) => ({ k: 'image' as const, salt })) },
);

/** everything a load, a crash or the explorer can see of the memory (asking builds every history) */
function observe(m: PersistentMemory) {
  const lines = [];
  for (let a = 0; a < SIZE; a += LINE) {
    const h = m.history(a);
    lines.push({
      h: h && { base: hex(h.base), entries: h.entries.map((e) => [e.seq, hex(e.value), e.nt]), fenceMark: h.fenceMark, hostMark: h.hostMark, state: h.describe(), survivable: m.survivable(h) },
      durable: hex(m.durableLine(a)),
      values: m.possibleLineValues(a).map(hex),
    });
  }
  return { pending: m.pendingLines(), lines, bytes: hex(m.load(0, SIZE)), seq: m.storeCount, lastFence: m.lastFenceSeq, pages: m.touchedPages };
}

/** a memory, and the log of its tracepoints and observer calls */
function traced(m: PersistentMemory, log: unknown[]): PersistentMemory {
  m.observer = { onFlush: (addr, lines, insn) => log.push(['onFlush', addr, lines, insn]), onFence: () => log.push(['onFence']) };
  m.tracepoints = {
    store: (addr, data, nt) => log.push(['store', addr, hex(data), nt]),
    flush: (addr, len, insn) => log.push(['flush', addr, len, insn]),
    fence: () => log.push(['fence']),
    hostFlush: (range) => log.push(['hostFlush', range]),
  };
  return m;
}

/** runs `ops` on a memory that keeps host copies (`lazy`) and on one that takes store(nt)'s path (`plain`), comparing as it goes */
function run(ops: Op[], quirks: ModelQuirks, tearing: boolean): void {
  const logs: [unknown[], unknown[]] = [[], []];
  let mems = logs.map((log) => traced(new PersistentMemory(SIZE, { mode: 'virtio-pmem', quirks, tearing }), log));
  const both = <T>(f: (m: PersistentMemory, plain: boolean) => T, what: string): void => {
    const [a, b] = mems.map((m, i) => f(m, i === 1));
    assert.deepEqual(a, b, what);
  };
  ops.forEach((o, i) => {
    const what = `operation ${i} (${o.k})`;
    switch (o.k) {
      case 'store':
        both((m) => m.store(o.addr, o.data, o.nt), what);
        break;
      case 'copy':
        both((m, plain) => (plain ? m.store(o.addr, o.data, true) : m.storeBeforeFence(o.addr, o.data)), what);
        break;
      case 'copyAndFence':
        both((m, plain) => (plain ? (m.store(o.addr, o.data, true), m.fence()) : m.storeAndFence(o.addr, o.data)), what);
        break;
      case 'flush':
        both((m) => m.flush(o.addr, o.len, o.insn), what);
        break;
      case 'fence':
        both((m) => m.fence(), what);
        break;
      case 'hostFlush':
        both((m) => m.hostFlush(o.range), what);
        break;
      case 'observe':
        both(observe, what);
        break;
      case 'history':
        both((m) => {
          const h = m.history(o.addr - (o.addr % LINE));
          return h && [hex(h.base), h.entries.map((e) => [e.seq, hex(e.value), e.nt]), h.fenceMark, h.hostMark];
        }, what);
        break;
      case 'read':
        both((m) => {
          m.readSet = new Set();
          const got = [hex(m.load(o.addr, o.len)), [...m.readSet].sort((x, y) => x - y)];
          m.readSet = undefined;
          return got;
        }, what);
        break;
      case 'holds':
        both((m) => holdsInEveryState(m, o.addr, new Uint8Array(o.len)), what);
        break;
      case 'image': {
        const calls: unknown[][] = [[], []];
        // some lines keep k entries (k = length + 1: all of its history, as a partial image does)
        const choose = (log: unknown[]) => (a: number, h: LineHistory) => {
          log.push([a, h.length, h.fenceMark, h.hostMark]);
          const k = (a / LINE + o.salt) % (h.length + 2);
          return k > h.length ? undefined : k;
        };
        mems = mems.map((m, j) => traced(m.image(choose(calls[j])), logs[j]));
        assert.deepEqual(calls[0], calls[1], `${what}: the lines an image is asked about, in order`);
        break;
      }
    }
    both((m) => hex(m.load(0, SIZE)), `${what}: loads`);
    assert.deepEqual(logs[0], logs[1], `${what}: tracepoints and observer calls`);
  });
  both(observe, 'at the end');
}

test('virtio-pmem: a host copy is, to everything that asks, the histories store(nt) builds', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 40 }), fc.record({ flushIgnored: fc.boolean(), noEviction: fc.boolean() }), (ops, quirks) => run(ops, quirks, false)),
    { numRuns: 400 },
  );
});

test('virtio-pmem: a host flush of a range that cuts a host copy visits the lines it visited before', () => {
  // a range not line-aligned: the lines visited depend on how many are pending, the host copy's among them
  const copy = { k: 'copy' as const, addr: PAGE, data: new Uint8Array(PAGE + 1).fill(1), nt: true };
  run([copy, { k: 'fence' }, { k: 'hostFlush', range: { base: 1, size: PAGE } }], {}, false);
});

test('virtio-pmem: cases the random operations reach seldom', () => {
  const copy = (addr: number, len: number, fill: number): Op => ({ k: 'copyAndFence', addr, data: new Uint8Array(len).fill(fill), nt: true });
  const cases: Op[][] = [
    // two pages of one byte share a fill page: a later store to one is not seen in the other (a byte no other test fills with)
    [copy(0, 2 * PAGE, 9), { k: 'hostFlush' }, copy(PAGE, 2 * PAGE, 9), { k: 'store', addr: PAGE + 5, data: new Uint8Array([7]), nt: false }],
    // a page of one byte over a page with no history left
    [copy(0, PAGE, 1), { k: 'hostFlush' }, copy(0, PAGE, 2), { k: 'observe' }],
    [copy(0, 100, 1), { k: 'hostFlush' }, copy(0, PAGE, 2), { k: 'observe' }],
    // a host flush of a range not line-aligned counts lines unfolded or flushed before it once
    [copy(3 * PAGE, 1, 1), { k: 'history', addr: 3 * PAGE, len: 1 }, copy(PAGE, 63 * LINE, 1), { k: 'hostFlush', range: { base: 1, size: PAGE } }],
    [copy(0, PAGE, 1), { k: 'hostFlush' }, copy(PAGE, 63 * LINE, 1), { k: 'hostFlush', range: { base: 1, size: PAGE } }],
  ];
  for (const ops of cases) run(ops, {}, false);
});

test('virtio-pmem with torn stores: copies keep the per-line path', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 25 }), (ops) => run(ops, {}, true)),
    { numRuns: 60 },
  );
});

test('virtio-pmem: a line copied twice before the host flush keeps the value in between as a crash state', () => {
  const m = new PersistentMemory(SIZE, { mode: 'virtio-pmem' });
  m.storeAndFence(0, new Uint8Array(PAGE).fill(1));
  m.storeAndFence(0, new Uint8Array(LINE).fill(2));
  assert.deepEqual(
    m.possibleLineValues(0).map((v) => v[0]),
    [0, 1, 2],
  );
  assert.deepEqual(m.history(0)!.entries.map((e) => e.seq), [0, 1]);
  m.hostFlush({ base: 0, size: PAGE });
  assert.deepEqual(m.pendingLines(), []);
  assert.equal(m.load(0, 1)[0], 2);
});

test('virtio-pmem: a host flush leaves a copy no fence carried there, and one of another device', () => {
  const m = new PersistentMemory(SIZE, { mode: 'virtio-pmem' });
  m.storeBeforeFence(0, new Uint8Array(PAGE).fill(1));
  m.hostFlush();
  assert.equal(m.pendingLines().length, PAGE / LINE, 'not fenced: only in the CPU\'s write-combining buffers');
  m.fence();
  m.storeAndFence(PAGE, new Uint8Array(PAGE).fill(2));
  m.hostFlush({ base: 0, size: PAGE });
  assert.deepEqual(m.pendingLines(), Array.from({ length: PAGE / LINE }, (_, i) => PAGE + i * LINE));
  assert.equal(m.history(PAGE)!.describe(), 'in-host-page-cache');
});
