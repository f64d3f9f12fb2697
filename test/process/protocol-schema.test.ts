// The protocol's JSON Schema (docs/protocol.schema.json) against the contract and the reference
// server: one entry per Target method and no other, the committed file as generated, and the
// server answering a malformed request EINVAL naming the argument while its real answers fit.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Target } from '../../targets/contract';
import { EXTENSION_OPS, OPS, PROTOCOL_SCHEMA } from '../../targets/process/protocol-schema';
import { check, checkArgs, checkResult } from '../../targets/process/validate';

const ROOT = join(__dirname, '..', '..');

// tsc fails on this literal when a method is added to or removed from Target without it
const METHODS: Record<keyof Target, true> = {
  hello: true, reset: true, close: true, configure: true, createNamespace: true, createPartitions: true, resizeDevice: true,
  bio: true, flushDevice: true, cpuStore: true, cpuFlush: true, cpuFence: true, readDevice: true, writeDevice: true,
  mkfs: true, mount: true, umount: true, freeze: true, thaw: true, fsck: true, create: true, mkdir: true, rename: true,
  unlink: true, readdir: true, setxattr: true, getxattr: true, write: true, read: true, truncate: true, fallocate: true, fsync: true,
  sync: true, statx: true, mmap: true, store: true, load: true, msync: true, munmap: true, powerFail: true,
  checkCrash: true, remount: true, mappingInfo: true, writebackLog: true, backgroundWriteback: true, begin: true, resume: true,
  switchesRead: true, injectPoison: true, setDaxFlag: true, clone: true,
};

test('the schema has an entry for every Target method and no other; extension ops are not contract methods', () => {
  assert.deepEqual(Object.keys(OPS).sort(), Object.keys(METHODS).sort());
  for (const op of Object.keys(EXTENSION_OPS)) assert.ok(!(op in METHODS), `${op} is a contract method: it belongs in ops`);
  for (const [op, entry] of Object.entries(OPS)) {
    assert.ok(entry.args && entry.result, `${op} has args and result schemas`);
    assert.equal((entry.args as { type?: string }).type ?? 'object', 'object', `${op}'s args are an object`);
  }
});

test('docs/protocol.schema.json is the generated schema (regenerate: node -r ts-node/register/transpile-only targets/process/protocol-schema.ts --write)', () => {
  assert.deepEqual(JSON.parse(readFileSync(join(ROOT, 'docs', 'protocol.schema.json'), 'utf8')), JSON.parse(JSON.stringify(PROTOCOL_SCHEMA)));
});

test('the validator names the argument that is missing, mistyped or out of range', () => {
  assert.equal(checkArgs('read', {}), 'argument "path" is missing');
  assert.equal(checkArgs('truncate', { path: '/mnt/a', size: -1 }), 'argument "size" must be at least 0, not -1');
  assert.equal(checkArgs('read', { path: '/mnt/a', offset: 0.5, length: 1 }), 'argument "offset" must be an integer, not 0.5');
  assert.equal(checkArgs('store', { map: 1, offset: -1, data: '00' }), undefined, 'a mapping offset out of range is the target\'s to answer (SIGSEGV)');
  assert.equal(checkArgs('store', { map: 1, offset: '0', data: '00' }), 'argument "offset" must be a number, not "0"');
  assert.equal(checkArgs('write', { path: '/mnt/a', offset: 0, data: 'ABC' }), 'argument "data" must be lowercase hex, two characters a byte, not "ABC"');
  assert.equal(checkArgs('mount', { fs: 'ntfs', dev: 'pmem0', dir: '/mnt', dax: 'always' }), 'argument "fs" must be one of "ext2", "ext4", "xfs", not "ntfs"');
  assert.equal(checkArgs('checkCrash', { check: { kind: 'not', check: { kind: 'exists' } }, mounts: [] }), 'argument "check".check field "path" is missing');
  assert.equal(checkArgs('checkCrash', { check: { kind: 'exists', path: '/mnt/a' }, mounts: [], budget: 'lots' }), 'argument "budget" must be an integer, not "lots"');
  assert.equal(checkArgs('begin', { op: 'fsync', args: {}, stopAt: 'somewhere' }), 'argument "stopAt" must be one of "after-tagging", "before-writeback-one", "flush-in-flight", "pfn_mkwrite", not "somewhere"');
  assert.equal(checkArgs('fsync', { path: '/mnt/a', future: 1 }), undefined, 'unknown fields are ignored');
  assert.equal(checkArgs('noSuchOp', { x: 1 }), undefined, 'an op the schema lacks is not checked (the server answers ENOSYS)');
  assert.equal(checkResult('statx', { size: 1, blocks: 8, isDir: false, attrDax: true }), undefined);
  assert.equal(checkResult('read', 'zz'), 'result must be lowercase hex, two characters a byte, not "zz"');
});

test('the reference server: a malformed request is EINVAL naming the argument; its answers fit the schema', async () => {
  const server = spawn(process.execPath, ['-r', './scripts/register.js', 'targets/process/server.ts'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: server.stdout })[Symbol.asyncIterator]();
  const next = async () => JSON.parse((await lines.next()).value as string) as Record<string, unknown>;
  const defs = PROTOCOL_SCHEMA.$defs as Record<string, Record<string, unknown>>;
  assert.equal(check(defs.HelloLine, await next(), 'hello line'), undefined);
  let id = 0;
  const ask = async (op: string, args: unknown) => {
    server.stdin.write(JSON.stringify({ id: ++id, op, args }) + '\n');
    const a = await next();
    assert.equal(check(defs.Answer, a, 'answer'), undefined);
    if (a.ok) assert.equal(checkResult(op, a.result), undefined, `${op}'s result fits its schema`);
    return a;
  };
  try {
    assert.deepEqual(await ask('read', {}), { id: 1, ok: false, errno: 'EINVAL', message: 'read: argument "path" is missing' });
    await ask('reset', { seed: 0 });
    await ask('createNamespace', { name: 'pmem0', size: 16 << 20 });
    await ask('mkfs', { fs: 'ext4', dev: 'pmem0' });
    const mount = { fs: 'ext4', dev: 'pmem0', dir: '/mnt', dax: 'always' };
    await ask('mount', mount);
    await ask('create', { path: '/mnt/a' });
    await ask('truncate', { path: '/mnt/a', size: 4096 });
    await ask('statx', { path: '/mnt/a' });
    const m = await ask('mmap', { path: '/mnt/a', offset: 0, length: 8192, shared: true });
    const map = (m.result as { map: number }).map;
    assert.equal((await ask('store', { map, offset: -1, data: '00' })).errno, 'SIGSEGV', 'a store at offset -1 is outside the mapping');
    assert.equal((await ask('truncate', { path: '/mnt/a', size: -1 })).errno, 'EINVAL', 'a negative size is EINVAL');
    assert.equal((await ask('store', { map, offset: 4096, data: '00' })).errno, 'SIGBUS', 'inside the mapping, past the end of the file');
    assert.equal((await ask('store', { map, offset: 8190, data: '000000' })).errno, 'SIGSEGV', 'past the end of the mapping');
    // bytes are lowercase hex, two characters a byte: anything else is refused naming the argument, not decoded
    for (const data of ['C0FFEE', 'c0ffe', 'c0ffeg']) {
      assert.deepEqual(await ask('store', { map, offset: 0, data }), { id, ok: false, errno: 'EINVAL', message: `store: argument "data" must be lowercase hex, two characters a byte, not ${JSON.stringify(data)}` });
    }
    await ask('store', { map, offset: 0, data: 'c0ffee' });
    await ask('powerFail', {});
    await ask('checkCrash', { check: { kind: 'file-holds', path: '/mnt/a', offset: 0, data: 'c0ffee' }, mounts: [mount], budget: 16 });
    await ask('remount', { mounts: [mount], state: 'lb' });
    await ask('readdir', { path: '/mnt' });
    await ask('close', {});
  } finally {
    server.kill();
  }
});
