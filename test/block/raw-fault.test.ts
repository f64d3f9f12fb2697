import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failure, MiB, partitioned, store, text } from './helpers';
import { holdsInEveryState } from '../../emulator/pmem/crash';
import { Vfs } from '../../emulator/fs/vfs';
import type { Kernel } from '../../emulator/kernel';

const layout: Array<[number, number]> = [[2056, 64 * MiB], [135168, 64 * MiB]];

function entries(k: Kernel, dev: string): string[] {
  const m = k.inodeOf(`/dev/${dev}`).mapping;
  return m.entries().map(([i, e]) => `${e.kind === 'dax' ? e.type : 'page'}@${i}[${m.tagsOf(i).join(',')}]`);
}

test('a PMD mapping of a partition at an unaligned start falls back to PTEs; an aligned one gets a PMD (BD-3)', () => {
  const k = partitioned(layout);
  for (const dev of ['pmem0', 'pmem0p1', 'pmem0p2']) store(k, k.mmap(`/dev/${dev}`, 0, 4 * MiB, true, false, true), 4096, 'x');
  assert.deepEqual(entries(k, 'pmem0'), ['pmd@0[DIRTY]']);
  assert.deepEqual(entries(k, 'pmem0p1'), ['pte@1[DIRTY]']);
  assert.deepEqual(entries(k, 'pmem0p2'), ['pmd@0[DIRTY]']);
});

test('fsync of a raw partition makes a mapped store durable; raw-bdev-no-writepages does not (BD-3)', () => {
  for (const variant of [undefined, 'raw-bdev-no-writepages'] as const) {
    const k = partitioned(layout, 256 * MiB, variant);
    const map = k.mmap('/dev/pmem0p1', 0, 4 * MiB, true, false, false);
    store(k, map, 5000, 'raw-durable');
    k.fsync('/dev/pmem0p1', false);
    const bad = holdsInEveryState(k.machine.mem, k.machine.physRange('pmem0p1', 5000, 11), Buffer.from('raw-durable'));
    assert.equal(bad === undefined, variant === undefined, `variant ${variant ?? 'reference'}`);
  }
});

test('a raw mapping and read(2)/write(2) of the device see the same bytes (BD-6)', () => {
  const k = partitioned(layout);
  const map = k.mmap('/dev/pmem0p2', 0, 4 * MiB, true, false, true);
  store(k, map, 12345, 'mapped');
  assert.equal(text(k.machine.bdev('pmem0p2').read(12345, 6)), 'mapped');
  k.machine.bdev('pmem0p2').write(8200, Buffer.from('written'));
  assert.equal(text(k.load(map, 8200, 7)), 'written');
});

test('a fault at or past the end of a device raises SIGBUS with the device and its size (BD-5)', () => {
  const k = partitioned([[4096, 2 * MiB], [8192, 2 * MiB]], 16 * MiB);
  const map = k.mmap('/dev/pmem0p1', 0, 4 * MiB, true, false, true);
  const e = failure(() => k.load(map, 2 * MiB, 1));
  assert.equal(e.errno, 'SIGBUS');
  assert.match(e.message, /page 512 of \/dev\/pmem0p1 is at or beyond its end \(2097152 bytes\)/);
  assert.equal(failure(() => store(k, map, 2 * MiB - 2, 'edge')).errno, 'SIGBUS');
  assert.deepEqual(k.machine.bdev('pmem0p2').read(0, 4), new Uint8Array(4));
});

test('freezing a filesystem on pmem0p1 refuses its writes but not stores through a raw mapping of pmem0p2 (BD-7)', () => {
  const k = partitioned(layout);
  const vfs = new Vfs(k.machine);
  vfs.mkfs('ext4', 'pmem0p1');
  vfs.mount({ fs: 'ext4', dev: 'pmem0p1', dir: '/mnt', dax: 'always' });
  vfs.create('/mnt/a');
  vfs.freeze('/mnt');
  assert.equal(failure(() => vfs.write('/mnt/a', 0, Buffer.from('blocked'))).errno, 'EBUSY');
  for (const dev of ['pmem0p2', 'pmem0']) {
    const map = k.mmap(`/dev/${dev}`, 0, 4 * MiB, true, false, false);
    store(k, map, 4096, 'raw');
    k.fsync(`/dev/${dev}`, false);
    assert.equal(holdsInEveryState(k.machine.mem, k.machine.physRange(dev, 4096, 3), Buffer.from('raw')), undefined);
  }
  vfs.thaw('/mnt');
  vfs.write('/mnt/a', 0, Buffer.from('thawed'));
});
