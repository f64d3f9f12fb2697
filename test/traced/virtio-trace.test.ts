// virtio-pmem in the traced path without QEMU: the plugin's flush-request records (linux/trace.ts)
// and their replay into emulator/pmem (targets/traced/replay.ts): a flush request covers its own
// device's lines that a fence wrote back, and the lines a trace starts with are durable.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TraceLog } from '../../linux/trace';
import { TraceReplay } from '../../targets/traced/replay';
import { rec } from './trace-record';

const K_ST = 1, K_FL = 3, K_FE = 4, K_MARK = 5, K_HF = 8;
const BEGIN = 1, END = 2, KICK = 6;

const mark = (sub: number, a1: number, a2 = 0, a3 = 0): Buffer => {
  const d = Buffer.alloc(16);
  d.writeBigUInt64LE(BigInt(a2), 0);
  d.writeBigUInt64LE(BigInt(a3), 8);
  return rec(K_MARK, sub, 0, a1, d);
};

/** a trace over two devices of 4 KiB (backing files of zeros) */
function withTrace(f: (t: TraceLog) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'virtio-trace-'));
  const files = [0, 1].map((i) => path.join(dir, `pmem${i}.img`));
  for (const file of files) fs.writeFileSync(file, Buffer.alloc(4096));
  const t = new TraceLog(files, () => undefined);
  try {
    t.preset([[0, { start: 0, size: 4096, region: 0 }], [1, { start: 1 << 20, size: 4096, region: 1 << 20 }]]);
    f(t);
  } finally {
    t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('a kick record is an hf event of its device; the agent\'s KICK marker names the notify area', () => {
  withTrace((t) => {
    t.feed(Buffer.concat([mark(KICK, 0, 0xfebf3000, 4096), rec(K_ST, 0, 0, 8, Buffer.from('x')), rec(K_HF, 0, 1, 0)]));
    assert.deepEqual(t.namespaces.get(0)?.kick, { start: 0xfebf3000, size: 4096 });
    assert.deepEqual(t.take().events.filter((e) => e.k === 'hf'), [{ k: 'hf', dev: 'pmem1' }]);
  });
});

test('on virtio-pmem a written-back and fenced line is durable only after its own device\'s flush request', () => {
  withTrace((t) => {
    t.feed(Buffer.concat([rec(K_ST, 0, 0, 8, Buffer.from('abc')), rec(K_FL, 0, 0, 0), rec(K_FE, 0, 0, 0)]));
    assert.equal(t.undurableLines(), 0, 'ADR: the fence made it durable');
    assert.equal(t.undurableLines(true), 1, 'virtio-pmem: it is in the host\'s page cache');
    t.feed(rec(K_HF, 0, 1, 0));
    assert.equal(t.undurableLines(true), 1, 'another device\'s flush request fsyncs another file');
    t.feed(rec(K_HF, 0, 0, 0));
    assert.equal(t.undurableLines(true), 0);
  });
  withTrace((t) => {
    t.feed(Buffer.concat([rec(K_ST, 0, 0, 8, Buffer.from('abc')), rec(K_HF, 0, 0, 0), rec(K_FL, 0, 0, 0), rec(K_FE, 0, 0, 0)]));
    assert.equal(t.undurableLines(true), 1, 'a flush request before the write-back does not cover it');
  });
});

test('a power failure after the last answer: a flush request kicked after it is not known to be served', () => {
  withTrace((t) => {
    t.feed(Buffer.concat([mark(BEGIN, 1), rec(K_ST, 0, 0, 0, Buffer.from('a')), rec(K_FL, 0, 0, 0), rec(K_FE, 0, 0, 0), mark(END, 1), rec(K_ST, 0, 0, 64, Buffer.from('b')), rec(K_HF, 0, 0, 0)]));
    assert.equal(t.cutAtLastEnd(), 1, 'the tail stays for its store, without the kick');
    assert.deepEqual(t.take().events.map((e) => e.k), ['st', 'fl', 'fe', 'st']);
  });
});

test('replayed on virtio-pmem: hf of a device makes its fenced lines durable, not another device\'s; base lines are durable', () => {
  const r = new TraceReplay({ mode: 'virtio-pmem' });
  r.apply([
    { k: 'base', dev: 'pmem0', off: 128, data: 'ab'.repeat(64) },
    { k: 'st', dev: 'pmem0', off: 0, data: '01' },
    { k: 'st', dev: 'pmem1', off: 0, data: '02' },
    { k: 'fl', dev: 'pmem0', off: 0, insn: 'clwb' },
    { k: 'fl', dev: 'pmem1', off: 0, insn: 'clwb' },
    { k: 'fe', insn: 'sfence' },
  ]);
  const p0 = r.addr('pmem0', 0), p1 = r.addr('pmem1', 0);
  assert.deepEqual(r.mem.pendingLines().sort((a, b) => a - b), [p0, p1], 'the base line is on media; the fenced ones are in the host\'s page cache');
  r.apply([{ k: 'hf', dev: 'pmem1' }]);
  assert.deepEqual(r.mem.pendingLines(), [p0], 'pmem1\'s flush request leaves pmem0\'s line pending');
  r.apply([{ k: 'hf' }]);
  assert.deepEqual(r.mem.pendingLines(), [], 'a flush request with no device covers every device');
});

test('linux@virtio-pmem is the linux target on the virtio-pmem profile; no other profile of linux exists', async () => {
  const { parseTargetSpec, BadTargetSpec } = await import('../../targets/registry');
  assert.deepEqual(parseTargetSpec('linux@virtio-pmem'), { kind: 'linux', profile: 'virtio-pmem', label: 'linux@virtio-pmem' });
  assert.equal(parseTargetSpec('linux').profile, undefined);
  assert.throws(() => parseTargetSpec('linux@eadr'), BadTargetSpec);
});
