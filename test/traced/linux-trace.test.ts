// linux/trace.ts without QEMU: the plugin's records fed by hand, for what a saved machine relies on
// (which lines a trace leaves short of durable; the base events a restored trace starts with).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TraceLog } from '../../linux/trace';
import { rec } from './trace-record';

const K_ST = 1, K_NT = 2, K_FL = 3, K_FE = 4;

/** a trace over one NVDIMM whose backing file is `base` (data at offset 0) */
function withTrace(base: Buffer, f: (t: TraceLog) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linux-trace-'));
  const file = path.join(dir, 'pmem0.img');
  fs.writeFileSync(file, base);
  const t = new TraceLog([file], () => undefined);
  try {
    t.preset([[0, { start: 0, size: base.length, region: 0 }]]);
    f(t);
  } finally {
    t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('a cached store is durable only after a write-back and then a fence', () => {
  withTrace(Buffer.alloc(4096), (t) => {
    t.feed(rec(K_ST, 0, 0, 8, Buffer.from('abcdefgh')));
    assert.equal(t.undurableLines(), 1);
    t.feed(rec(K_FE, 0, 0, 0));
    assert.equal(t.undurableLines(), 1, 'a fence alone does not write a cached line back');
    t.feed(rec(K_FL, 0, 0, 0));
    assert.equal(t.undurableLines(), 1, 'a write-back without a fence after it is not yet durable');
    t.feed(rec(K_FE, 0, 0, 0));
    assert.equal(t.undurableLines(), 0);
  });
});

test('a non-temporal store is durable after a fence; a store spanning two lines counts both', () => {
  withTrace(Buffer.alloc(4096), (t) => {
    t.feed(rec(K_NT, 0, 0, 60, Buffer.from('12345678')));
    assert.equal(t.undurableLines(), 2);
    t.feed(rec(K_FE, 0, 0, 0));
    assert.equal(t.undurableLines(), 0);
    t.feed(rec(K_ST, 0, 0, 128, Buffer.from('x')));
    t.feed(rec(K_FL, 0, 0, 192));
    t.feed(rec(K_FE, 0, 0, 0));
    assert.equal(t.undurableLines(), 1, 'the write-back of another line leaves the stored one cached');
  });
});

test('a restored trace starts with the base of every listed line that is not zero, and nothing else', () => {
  const base = Buffer.alloc(4096);
  base.write('superblock', 1024);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linux-trace-'));
  const file = path.join(dir, 'pmem0.img');
  fs.writeFileSync(file, base);
  const r = new TraceLog([file], () => undefined);
  try {
    r.preset([[0, { start: 0, size: base.length, region: 0 }]], [[0, 1024], [0, 2048]]);
    const { events } = r.take();
    assert.deepEqual(events, [{ k: 'base', dev: 'pmem0', off: 1024, data: Buffer.concat([Buffer.from('superblock'), Buffer.alloc(54)]).toString('hex') }]);
    assert.deepEqual(r.touched().sort(), [[0, 1024], [0, 2048]], 'both lines are known: a later store on either sends no base');
    r.feed(rec(K_ST, 0, 0, 2048, Buffer.from('z')));
    assert.deepEqual(r.take().events.map((e) => e.k), ['st']);
  } finally {
    r.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a power failure is taken at the last request\'s end: later fences go, later stores stay', () => {
  const K_MARK = 5, BEGIN = 1, END = 2;
  const mark = (sub: number, id: number): Buffer => rec(K_MARK, sub, 0, id, Buffer.alloc(16));
  withTrace(Buffer.alloc(4096), (t) => {
    t.feed(Buffer.concat([mark(BEGIN, 1), rec(K_ST, 0, 0, 0, Buffer.from('a')), rec(K_FL, 0, 0, 0), mark(END, 1), rec(K_FE, 2, 0, 0)]));
    assert.equal(t.cutAtLastEnd(), 1, 'the locked instruction after the end is dropped');
    assert.equal(t.undurableLines(), 1, 'so the written-back line is not fenced');
  });
  withTrace(Buffer.alloc(4096), (t) => {
    t.feed(Buffer.concat([mark(BEGIN, 1), mark(END, 1), rec(K_ST, 0, 0, 64, Buffer.from('b')), rec(K_FE, 2, 0, 0)]));
    assert.equal(t.cutAtLastEnd(), 0, 'a store after the end reached the backing file: the tail stays');
    assert.deepEqual(t.take().events.map((e) => e.k), ['st', 'fe']);
  });
  withTrace(Buffer.alloc(4096), (t) => {
    t.feed(Buffer.concat([mark(BEGIN, 1), mark(END, 1), rec(K_FE, 0, 0, 0), mark(BEGIN, 2), rec(K_NT, 0, 0, 0, Buffer.from('12345678')), mark(END, 2)]));
    assert.equal(t.cutAtLastEnd(), 0);
    assert.deepEqual(t.take().events.map((e) => e.k), ['fe', 'nt'], 'what ran between two requests stays, in order');
  });
});

test('a run of non-temporal stores is one event holding every byte, split at 128 KiB', () => {
  withTrace(Buffer.alloc(1 << 20), (t) => {
    let want = '';
    for (let i = 0; i < 20000; i++) {
      const d = Buffer.alloc(8, (i % 250) + 1);
      t.feed(rec(K_NT, 0, 0, 4096 + i * 8, d));
      want += d.toString('hex');
    }
    const nts = t.take().events.filter((e) => e.k === 'nt') as { off: number; data?: string }[];
    assert.deepEqual(nts.map((e) => e.off), [4096, 4096 + 128 * 1024]);
    assert.equal(nts.map((e) => e.data).join(''), want);
  });
});

test('a reads=on record names the line loaded from, and is no event', () => {
  withTrace(Buffer.alloc(4096), (t) => {
    t.feed(rec(7, 0, 0, 128));
    t.feed(rec(7, 0, 0, 192));
    assert.deepEqual([...t.reads].sort(), ['pmem0:128', 'pmem0:192']);
    assert.equal(t.take().events.length, 0);
  });
});

/** a trace over a backing file that held an old superblock at 1024, once a store there has been traced */
function afterAStoreOverOldBytes(f: (t: TraceLog) => void): void {
  const base = Buffer.alloc(4096);
  base.write('old-superblock', 1024);
  withTrace(base, (t) => {
    t.feed(rec(K_ST, 0, 0, 1024, Buffer.from('x')));
    assert.ok(t.held > 0);
    f(t);
  });
}

test('a wiped machine\'s trace starts over: no event before the wipe, and no base from the old backing file', () => {
  afterAStoreOverOldBytes((t) => {
    t.restart();
    assert.equal(t.held, 0, 'the events before the wipe are gone');
    t.feed(rec(K_ST, 0, 0, 1024, Buffer.from('y')));
    const ev = t.take().events;
    assert.deepEqual(ev.map((e) => e.k), ['st'], 'the wiped line is zero: no base event before the new store');
  });
});

test('a re-made namespace starts the trace over: no event before it, and each line\'s base from the NVDIMM as it is now', () => {
  afterAStoreOverOldBytes((t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linux-trace-'));
    const now = path.join(dir, 'pmem0-now.img');
    const media = Buffer.alloc(4096);
    media.write('info-block', 2048);
    fs.writeFileSync(now, media);
    try {
      t.rebase([now]);
      assert.equal(t.held, 0, 'the set-up before the rebase is gone');
      assert.deepEqual(t.touched(), [], 'no line is known yet');
      t.feed(rec(K_ST, 0, 0, 1024, Buffer.from('y')));
      t.feed(rec(K_ST, 0, 0, 2048, Buffer.from('z')));
      const ev = t.take().events;
      assert.deepEqual(ev.map((e) => e.k), ['st', 'base', 'st'], 'line 1024 is zero now (the old superblock is not its base); line 2048 holds the new bytes');
      assert.equal((ev[1] as { data: string }).data, Buffer.concat([Buffer.from('info-block'), Buffer.alloc(54)]).toString('hex'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
