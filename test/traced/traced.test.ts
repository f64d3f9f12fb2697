// The traced path end to end: the reference server with --traced streams its persistent-memory traffic,
// the process target replays it into emulator/pmem and decides every crash check itself. Each case
// runs the same operations in process (the emulator's own explorer) and through the trace: the
// verdicts must agree, and the two vacuity probes must fail on both.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CrashCheck, CrashVerdict, MountOptions, Target } from '../../targets/contract';
import { toHex } from '../../targets/hex';
import { EmulatorTarget } from '../../targets/emulator/emulator-target';
import { ProcessTarget } from '../../targets/process/process-target';

const ROOT = join(__dirname, '..', '..');
const MNT: MountOptions[] = [{ fs: 'ext4', dev: 'pmem0', dir: '/mnt', dax: 'always' }];
const MiB = 1 << 20;
const hex = (s: string) => toHex(new TextEncoder().encode(s));

function traced(variant?: string): ProcessTarget {
  const args = [join(ROOT, 'targets', 'process', 'server.ts'), '--traced', ...(variant ? ['--variant', variant] : [])];
  return new ProcessTarget([process.execPath, '-r', 'ts-node/register/transpile-only', ...args], { cwd: ROOT, timeoutMs: 60_000, helloTimeoutMs: 60_000 });
}

/** an ext4 filesystem with dax and a file /mnt/a of 4 MiB written (zeros) and synced */
async function setUp(t: Target): Promise<void> {
  await t.reset({ seed: 0 });
  await t.createNamespace({ name: 'pmem0', size: 1 << 30 });
  await t.mkfs({ fs: 'ext4', dev: 'pmem0' });
  await t.mount(MNT[0]);
  await t.create({ path: '/mnt/a' });
  await t.write({ path: '/mnt/a', offset: 0, data: '00'.repeat(4 * MiB) });
  await t.sync();
}

type Case = (t: Target) => Promise<CrashVerdict[]>;

const holds = (offset: number, s: string): CrashCheck => ({ kind: 'file-holds', path: '/mnt/a', offset, data: hex(s) });

const CASES: Record<string, Case> = {
  // probe 1: a store never written back is not durable in every state
  'store through a PTE mapping of written blocks, no msync': async (t) => {
    const { map } = await t.mmap({ path: '/mnt/a', offset: 0, length: 4 * MiB, shared: true, size: 'pte' });
    await t.store({ map, offset: 5000, data: hex('durable') });
    await t.powerFail();
    return [await t.checkCrash({ check: holds(5000, 'durable'), mounts: MNT })];
  },
  'store through a PTE mapping of fallocated (unwritten) blocks, no msync': async (t) => {
    await t.create({ path: '/mnt/u' });
    await t.fallocate({ path: '/mnt/u', offset: 0, length: 64 * 1024, mode: 'allocate' });
    await t.sync();
    const { map } = await t.mmap({ path: '/mnt/u', offset: 0, length: 64 * 1024, shared: true, size: 'pte' });
    await t.store({ map, offset: 100, data: hex('unwritten') });
    await t.powerFail();
    return [await t.checkCrash({ check: { kind: 'file-holds', path: '/mnt/u', offset: 100, data: hex('unwritten') }, mounts: MNT })];
  },
  // probe 2: msync of a page under another PMD writes back nothing of the first
  'PMD store at offset 0, msync of an unrelated page at 3 MiB': async (t) => {
    const { map } = await t.mmap({ path: '/mnt/a', offset: 0, length: 4 * MiB, shared: true, size: 'pmd' });
    await t.store({ map, offset: 0, data: hex('head') });
    await t.msync({ map, offset: 3 * MiB, length: 4096, sync: true });
    await t.powerFail();
    return [await t.checkCrash({ check: holds(0, 'head'), mounts: MNT })];
  },
  'store through a PTE mapping, msync of its page': async (t) => {
    const { map } = await t.mmap({ path: '/mnt/a', offset: 0, length: 4 * MiB, shared: true, size: 'pte' });
    await t.store({ map, offset: 5000, data: hex('durable') });
    await t.msync({ map, offset: 4096, length: 8192, sync: true });
    await t.powerFail();
    return [await t.checkCrash({ check: holds(5000, 'durable'), mounts: MNT })];
  },
  'store through a PTE mapping at offset 64, fsync': async (t) => {
    const { map } = await t.mmap({ path: '/mnt/a', offset: 0, length: 4 * MiB, shared: true, size: 'pte' });
    await t.store({ map, offset: 64, data: hex('fenced') });
    await t.fsync({ path: '/mnt/a' });
    await t.powerFail();
    return [await t.checkCrash({ check: holds(64, 'fenced'), mounts: MNT })];
  },
  'PMD store, fsync': async (t) => {
    const { map } = await t.mmap({ path: '/mnt/a', offset: 0, length: 4 * MiB, shared: true, size: 'pmd' });
    await t.store({ map, offset: 3 * MiB, data: hex('inside') });
    await t.store({ map, offset: 0, data: hex('head') });
    await t.fsync({ path: '/mnt/a' });
    await t.powerFail();
    return [await t.checkCrash({ check: { kind: 'all', checks: [holds(0, 'head'), holds(3 * MiB, 'inside')] }, mounts: MNT })];
  },
  'a new file, fsync of the file and of its directory': async (t) => {
    await t.create({ path: '/mnt/b' });
    await t.write({ path: '/mnt/b', offset: 0, data: hex('bee') });
    await t.fsync({ path: '/mnt/b' });
    await t.fsync({ path: '/mnt' });
    await t.powerFail();
    return [
      await t.checkCrash({ check: { kind: 'dir-lists', path: '/mnt', names: ['a', 'b'] }, mounts: MNT }),
      await t.checkCrash({ check: { kind: 'file-size', path: '/mnt/b', size: 3 }, mounts: MNT }),
      await t.checkCrash({ check: { kind: 'fsck-clean', dev: 'pmem0' }, mounts: MNT }),
      await t.checkCrash({ check: { kind: 'file-holds', path: '/mnt/b', offset: 0, data: hex('bee') }, mounts: MNT }),
    ];
  },
  'a new file, no fsync': async (t) => {
    await t.create({ path: '/mnt/c' });
    await t.write({ path: '/mnt/c', offset: 0, data: hex('sea') });
    await t.powerFail();
    return [
      await t.checkCrash({ check: { kind: 'exists', path: '/mnt/c' }, mounts: MNT }),
      await t.checkCrash({ check: { kind: 'implies', if: { kind: 'exists', path: '/mnt/c' }, then: { kind: 'fsck-clean', dev: 'pmem0' } }, mounts: MNT }),
    ];
  },
  'a CPU store to the device, never written back: both outcomes possible': async (t) => {
    await t.cpuStore!({ dev: 'pmem0', offset: 512 * MiB, data: hex('maybe'), nt: false });
    await t.powerFail();
    const check: CrashCheck = { kind: 'device-holds', dev: 'pmem0', offset: 512 * MiB, data: hex('maybe') };
    return [await t.checkCrash({ check, mounts: [] }), await t.checkCrash({ check: { kind: 'not', check }, mounts: [] })];
  },
};

/** the same operations on the in-process emulator and through the trace */
async function both(name: string, tr: Target, variant?: string): Promise<{ inProcess: CrashVerdict[]; viaTrace: CrashVerdict[] }> {
  const em = new EmulatorTarget(variant as never);
  await setUp(em);
  const inProcess = await CASES[name](em);
  await setUp(tr);
  const viaTrace = await CASES[name](tr);
  return { inProcess, viaTrace };
}

describe('crash checks decided from the trace of the traced reference server', () => {
  let t: ProcessTarget;
  before(async () => {
    t = traced();
    const h = await t.hello();
    assert.ok(h.capabilities.includes('pmem-trace'), 'the traced server declares pmem-trace');
    for (const c of ['cache-model', 'fast-reset'] as const) assert.ok(h.capabilities.includes(c), `the traced server declares ${c}`);
  });
  after(() => t.close());

  for (const name of Object.keys(CASES)) {
    test(`${name}: the same verdicts as in process`, async () => {
      const { inProcess, viaTrace } = await both(name, t);
      assert.deepEqual(viaTrace.map((v) => v.ok), inProcess.map((v) => v.ok));
    });
  }

  test('vacuity probe 1 fails, per line, on a line never written back', async () => {
    await setUp(t);
    const [v] = await CASES['store through a PTE mapping of written blocks, no msync'](t);
    assert.equal(v.ok, false, 'a store without msync must not hold in every crash state: the capture is broken');
    assert.equal(v.coverage, 'per-line');
    assert.equal(v.counterexample?.lines[0]?.state, 'never-written-back');
    assert.equal(v.counterexample?.lines[0]?.dev, 'pmem0');
  });

  test('vacuity probe 2 fails', async () => {
    await setUp(t);
    const [v] = await CASES['PMD store at offset 0, msync of an unrelated page at 3 MiB'](t);
    assert.equal(v.ok, false, 'msync of an unrelated page must not make the store durable: the capture is broken');
  });

  test('a state id of the trace names the same state as the emulator', async () => {
    const { inProcess, viaTrace } = await both('store through a PTE mapping of written blocks, no msync', t);
    assert.equal(viaTrace[0].counterexample?.stateId, inProcess[0].counterexample?.stateId);
    assert.deepEqual(viaTrace[0].counterexample?.lines, inProcess[0].counterexample?.lines);
  });

  test('the machine comes back in the lower bound the suite chose', async () => {
    await setUp(t);
    const { map } = await t.mmap({ path: '/mnt/a', offset: 0, length: 4 * MiB, shared: true, size: 'pte' });
    await t.store({ map, offset: 0, data: hex('kept') });
    await t.msync({ map, offset: 0, length: 4096, sync: true });
    await t.store({ map, offset: 8192, data: hex('lost') });
    await t.powerFail();
    assert.deepEqual(await t.remount({ mounts: MNT }), { stateId: 'lb' });
    assert.equal(await t.read({ path: '/mnt/a', offset: 0, length: 4 }), hex('kept'));
    assert.equal(await t.read({ path: '/mnt/a', offset: 8192, length: 4 }), '00000000');
    // the trace goes on after the remount: a second power failure sees the new store
    const m2 = await t.mmap({ path: '/mnt/a', offset: 0, length: 4 * MiB, shared: true, size: 'pte' });
    await t.store({ map: m2.map, offset: 8192, data: hex('again') });
    await t.powerFail();
    assert.equal((await t.checkCrash({ check: holds(0, 'kept'), mounts: MNT })).ok, true);
    assert.equal((await t.checkCrash({ check: holds(8192, 'again'), mounts: MNT })).ok, false);
  });
});

describe('a variant over the traced path is still caught', () => {
  let t: ProcessTarget;
  before(() => {
    t = traced('no-mmap-flush');
  });
  after(() => t.close());

  test('no-mmap-flush: msync writes back nothing, so the store is not durable (WB-1)', async () => {
    const { inProcess, viaTrace } = await both('store through a PTE mapping, msync of its page', t, 'no-mmap-flush');
    assert.equal(inProcess[0].ok, false);
    assert.equal(viaTrace[0].ok, false, 'the traced path must catch the missing write-back');
    assert.equal(viaTrace[0].counterexample?.lines[0]?.state, 'never-written-back');
  });
});

describe('a trace as another implementation would send it', () => {
  const line = (b: number) => toHex(new Uint8Array(64).fill(b));

  test('base lines, stores, a clwb without a fence, an NT store fenced by a locked instruction', async () => {
    const { TraceReplay } = await import('../../targets/traced/replay');
    const { decideCrashCheck } = await import('../../targets/traced/decide');
    const r = new TraceReplay();
    r.apply([
      { k: 'base', dev: 'pmem0', off: 4096, data: line(0xaa) },
      { k: 'op', seq: 7, op: 'store', phase: 'begin' },
      { k: 'nt', dev: 'pmem0', off: 8192, data: 'beef' },
      { k: 'fe', insn: 'locked' },
      { k: 'st', dev: 'pmem0', off: 4096, data: 'c0ffee' },
      { k: 'fl', dev: 'pmem0', off: 4096, insn: 'clwb' },
      { k: 'st', dev: 'pmem0', off: 12288, zeros: 8 },
      { k: 'op', seq: 7, op: 'store', phase: 'end' },
    ]);
    const recover = async () => assert.fail('byte-range checks on a device are decided per line, without recover');
    const crash = { replay: r, extents: new Map(), recover };
    const dev = (offset: number, data: string): CrashCheck => ({ kind: 'device-holds', dev: 'pmem0', offset, data });
    // the clwb was never fenced: the line keeps its base (0xaa) in some state
    const v = await decideCrashCheck(crash, dev(4096, 'c0ffee'), [], { budget: 4096 });
    assert.equal(v.ok, false);
    assert.equal(v.coverage, 'per-line');
    assert.deepEqual(v.counterexample?.lines.map((l) => [l.dev, l.addr, l.state, l.found.slice(0, 6)]), [['pmem0', 4096, 'written-back-not-fenced', 'aaaaaa']]);
    // the NT store was fenced (a locked instruction orders it), the rest of its line was zero
    assert.equal((await decideCrashCheck(crash, dev(8192, 'beef0000'), [], { budget: 4096 })).ok, true);
    // base lines hold in every state; an untouched line is zero
    assert.equal((await decideCrashCheck(crash, dev(4096 + 3, 'aaaa'), [], { budget: 4096 })).ok, true);
    assert.equal((await decideCrashCheck(crash, dev(1 << 20, '0000'), [], { budget: 4096 })).ok, true);
  });

  test('a malformed event ends the scenario with one sentence', async () => {
    const { parseTraceChunk } = await import('../../targets/traced/events');
    assert.throws(() => parseTraceChunk({ events: [{ k: 'st', dev: 'pmem0', off: -1, data: '00' }] }, 'x'), /bad trace event \("off" is not a non-negative integer\)/);
    assert.throws(() => parseTraceChunk({ events: [{ k: 'fe', insn: 'lfence' }] }, 'x'), /"insn" is not one of sfence, mfence, locked/);
    assert.throws(() => parseTraceChunk({ events: [{ k: 'base', dev: 'pmem0', off: 3, data: line(0) }] }, 'x'), /whole 64-byte line/);
    assert.throws(() => parseTraceChunk({ evts: [] }, 'x'), /without an "events" list/);
  });

  test('a base after a store to its line is refused', async () => {
    const { TraceReplay } = await import('../../targets/traced/replay');
    const r = new TraceReplay();
    assert.throws(() => r.apply([{ k: 'st', dev: 'pmem0', off: 0, data: '01' }, { k: 'base', dev: 'pmem0', off: 0, data: line(1) }]), /base of line 0 of pmem0 after stores to it/);
  });

  test('the recorder hands a long trace out in answers under 1 MiB, in order', async () => {
    const { TracedEmulator } = await import('../../targets/process/traced-emulator');
    const em = new TracedEmulator();
    await em.reset();
    await em.createNamespace({ name: 'pmem0', size: 1 << 30 });
    await em.writeDevice({ dev: 'pmem0', offset: 0, data: 'ab'.repeat(3 << 20) });
    const events: unknown[] = [];
    for (let more = true; more; ) {
      const chunk = await em.trace();
      assert.ok(JSON.stringify(chunk).length < 1 << 20);
      events.push(...chunk.events);
      more = chunk.more ?? false;
    }
    const stores = events.filter((e) => (e as { k: string }).k === 'nt') as Array<{ off: number; data: string }>;
    assert.equal(stores.reduce((n, e) => n + e.data.length / 2, 0), 3 << 20);
    assert.deepEqual(stores.map((e) => e.off), [...stores.map((e) => e.off)].sort((a, b) => a - b));
  });
});
