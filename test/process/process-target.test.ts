// The process target against servers that misbehave (test/process/fixtures/misbehaving-server.js)
// and against the reference server. Every fault must end as one ImplementationError sentence.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ImplementationError, TargetError } from '../../targets/contract';
import { ProcessTarget } from '../../targets/process/process-target';

const ROOT = join(__dirname, '..', '..');
const FIXTURE = join(__dirname, 'fixtures', 'misbehaving-server.js');

function misbehaving(mode: string, timeoutMs = 5000, helloTimeoutMs = 5000): ProcessTarget {
  return new ProcessTarget([process.execPath, FIXTURE, mode], { timeoutMs, helloTimeoutMs });
}

/** the call must fail with an ImplementationError whose message matches */
async function failsWith(p: Promise<unknown>, re: RegExp): Promise<ImplementationError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  assert.ok(e instanceof ImplementationError, `expected an ImplementationError, got ${String(e)}`);
  assert.match(e.message, re);
  assert.ok(!e.message.includes('\n'), 'one sentence on one line');
  return e;
}

// each test starts its own process: run them side by side
describe('the process target', { concurrency: true }, () => {
  test('a well-behaved server: hello is cached, answers resolve, error answers become TargetError', async () => {
    const t = misbehaving('good');
    const h = await t.hello();
    assert.equal(h.name, 'misbehaving-good');
    assert.deepEqual(h.capabilities, ['ext4']);
    assert.equal(await t.hello(), h, 'a second hello is the cached one');
    await t.reset({ seed: 0 });
    await t.fsync({ path: '/mnt/a' });
    const e = await t.read({ path: '/mnt/x', offset: 0, length: 1 }).catch((x: unknown) => x);
    assert.ok(e instanceof TargetError);
    assert.equal(e.errno, 'ENOENT');
    assert.equal(e.message, 'no such file /mnt/x');
    await t.close();
    await t.close();
  });

  test('a process that dies mid-request', async () => {
    const t = misbehaving('die');
    await t.reset({ seed: 0 });
    await failsWith(t.fsync({ path: '/mnt/a' }), /^process ".*misbehaving-server\.js die" exited with code 3 during "fsync"; its last stderr line: fsync: the disk is on fire$/);
    // the scenario is over: later calls fail with the same sentence
    await failsWith(t.sync(), /exited with code 3 during "fsync"/);
    await t.close();
  });

  test('a process that hangs past the time-out is killed', async () => {
    const t = misbehaving('hang', 300);
    await t.reset({ seed: 0 });
    const t0 = Date.now();
    await failsWith(t.fsync({ path: '/mnt/a' }), /did not answer "fsync" within 300 ms/);
    assert.ok(Date.now() - t0 < 1500);
    await t.close();
  });

  test('a server with a request still in flight is not kept for the next scenario', async () => {
    const t = misbehaving('hang', 5000);
    await t.reset({ seed: 0 });
    assert.equal(t.reusable(), true);
    // the scenario's step timed out while the server works on fsync: what it answers next belongs to that fsync
    const inFlight = t.fsync({ path: '/mnt/a' }).catch(() => undefined);
    assert.equal(t.reusable(), false);
    await t.close();
    await inFlight;
  });

  test('a hello says why it lacks a capability: kept for known capabilities, a malformed one fails the hello', async () => {
    const t = misbehaving('lacks');
    assert.deepEqual((await t.hello()).lacks, { xfs: 'no xfs driver in this build' });
    await t.close();
    const bad = misbehaving('bad-lacks');
    await failsWith(bad.hello(), /sent a hello whose "lacks" is not an object of capability -> sentence/);
    await bad.close();
  });

  test('a process that never sends hello', async () => {
    const t = misbehaving('silent', 5000, 300);
    await failsWith(t.hello(), /sent no hello line within 300 ms/);
    await t.close();
  });

  test('a process that sends malformed JSON', async () => {
    const t = misbehaving('malformed');
    await t.reset({ seed: 0 });
    await failsWith(t.fsync({ path: '/mnt/a' }), /sent a line that is not JSON during "fsync": \{"id":2,"ok":tru$/);
    await t.close();
  });

  test('a process whose bytes are not lowercase hex, two characters a byte', async () => {
    for (const hex of ['C0FFEE', 'c0ffe', 'c0ffeg']) {
      const t = misbehaving('bad-hex');
      try {
        await t.reset({ seed: 0 });
        // the fixture answers readDevice with the hex it is asked for (an argument the contract does not have)
        await failsWith(t.readDevice({ dev: 'pmem0', offset: 0, length: 3, hex } as never), /answered "readDevice" with a result of the wrong shape: /);
      } finally {
        await t.close().catch(() => undefined);
      }
    }
  });

  test('a process that sends a line longer than 1 MiB', async () => {
    const t = misbehaving('oversized');
    await t.reset({ seed: 0 });
    await failsWith(t.fsync({ path: '/mnt/a' }), /sent a line longer than 1 MiB \(1048576 bytes\) during "fsync"/);
    await t.close();
  });

  test('a process that answers with the wrong id', async () => {
    const t = misbehaving('wrong-id');
    await t.reset({ seed: 0 });
    await failsWith(t.fsync({ path: '/mnt/a' }), /answered id 43, which no outstanding request has, while request 2 \("fsync"\) was due/);
    await t.close();
  });

  test('a process that answers out of order', async () => {
    const t = misbehaving('swap');
    await t.reset({ seed: 0 });
    const [a, b] = await Promise.allSettled([t.fsync({ path: '/mnt/a' }), t.sync()]);
    assert.equal(a.status, 'rejected');
    assert.equal(b.status, 'rejected');
    await failsWith(Promise.reject(a.reason), /answered request 3 \("sync"\) out of order while request 2 \("fsync"\) was due/);
    await t.close();
  });

  test('a process that speaks before its hello', async () => {
    const t = misbehaving('no-hello');
    await failsWith(t.hello(), /spoke before its hello line: its first line was \{"id":1,"ok":true,"result":null\}/);
    await failsWith(t.reset({ seed: 0 }), /spoke before its hello line/);
    await t.close();
  });

  test('an answer with neither ok true nor ok false', async () => {
    const t = misbehaving('bad-shape');
    await t.reset({ seed: 0 });
    await failsWith(t.fsync({ path: '/mnt/a' }), /answered "fsync" with neither "ok":true nor "ok":false/);
    await t.close();
  });

  test('a command that does not exist', async () => {
    const t = new ProcessTarget(['/nonexistent/dax-server'], { timeoutMs: 2000 });
    await failsWith(t.hello(), /could not be started: spawn \/nonexistent\/dax-server ENOENT/);
    await t.close();
  });

  test('the reference server: a round trip through the emulator', async () => {
    const t = new ProcessTarget([process.execPath, '-r', 'ts-node/register/transpile-only', 'targets/process/server.ts'], { cwd: ROOT, timeoutMs: 20_000 });
    const h = await t.hello();
    assert.equal(h.name, 'emulator');
    assert.ok(h.capabilities.includes('cache-model'));
    await t.reset({ seed: 0 });
    await t.createNamespace({ name: 'pmem0', size: 2 << 20 });
    await t.cpuStore({ dev: 'pmem0', offset: 0, data: 'abcd', nt: false });
    await t.cpuFlush({ dev: 'pmem0', offset: 0, length: 2, insn: 'clwb' });
    await t.cpuFence();
    await t.cpuStore({ dev: 'pmem0', offset: 64, data: 'ef', nt: false });
    assert.equal(await t.readDevice({ dev: 'pmem0', offset: 0, length: 2 }), 'abcd');
    await t.powerFail();
    const durable = await t.checkCrash({ check: { kind: 'device-holds', dev: 'pmem0', offset: 0, data: 'abcd' }, mounts: [] });
    assert.equal(durable.ok, true);
    const lost = await t.checkCrash({ check: { kind: 'device-holds', dev: 'pmem0', offset: 64, data: 'ef' }, mounts: [] });
    assert.equal(lost.ok, false);
    assert.ok(lost.counterexample);
    const e = await t.readDevice({ dev: 'pmem0', offset: 0, length: 2 }).catch((x: unknown) => x);
    assert.ok(e instanceof TargetError && e.errno === 'EIO', 'no system calls between power failure and remount');
    const unknown = await (t as unknown as { call(op: string): Promise<unknown> }).call('frob').catch((x: unknown) => x);
    assert.ok(unknown instanceof TargetError && unknown.errno === 'ENOSYS');
    await t.close();
  });
});
