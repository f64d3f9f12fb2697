import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failure, MiB, partitioned, store, text } from './helpers';
import { EmulatorTarget } from '../../targets/emulator/emulator-target';
import { TargetError } from '../../targets/contract';

const layout: Array<[number, number]> = [[4096, 2 * MiB], [8192, 2 * MiB]];

test('a partition shrinks under its mapping; a store past the new end raises SIGBUS and touches nothing (BD-5)', () => {
  const k = partitioned(layout, 16 * MiB);
  const map = k.mmap('/dev/pmem0p1', 0, 4 * MiB, true, false, false);
  store(k, map, 1.5 * MiB, 'mapped');
  k.machine.bdev('pmem0p1').resize(MiB, k.machine.bdevs.values());
  assert.equal(k.machine.bdev('pmem0p1').bd_inode.i_size, MiB);
  const e = failure(() => store(k, map, 1.5 * MiB, 'after'));
  assert.equal(e.errno, 'SIGBUS');
  assert.match(e.message, /\/dev\/pmem0p1 is at or beyond its end \(1048576 bytes\)/);
  assert.equal(text(k.machine.bdev('pmem0').read(3.5 * MiB, 6)), 'mapped');
  k.machine.bdev('pmem0p1').resize(2 * MiB, k.machine.bdevs.values());
  store(k, map, 1.5 * MiB, 'grown!');
  assert.equal(text(k.machine.bdev('pmem0').read(3.5 * MiB, 6)), 'grown!');
});

test('resize errors: overlap (EBUSY), past the namespace (ENOSPC), disk below a partition (EBUSY), bad sizes (EINVAL)', () => {
  const k = partitioned(layout, 16 * MiB);
  const all = () => k.machine.bdevs.values();
  const overlap = failure(() => k.machine.bdev('pmem0p1').resize(3 * MiB, all()));
  assert.equal(overlap.errno, 'EBUSY');
  assert.match(overlap.message, /would overlap \/dev\/pmem0p2/);
  const past = failure(() => k.machine.bdev('pmem0p2').resize(64 * MiB, all()));
  assert.equal(past.errno, 'ENOSPC');
  assert.match(past.message, /cannot grow to 67108864 bytes: 12582912 bytes remain on namespace pmem0/);
  const disk = failure(() => k.machine.bdev('pmem0').resize(5 * MiB, all()));
  assert.equal(disk.errno, 'EBUSY');
  assert.match(disk.message, /partition \/dev\/pmem0p2 ends at byte 6291456/);
  for (const bad of [0, -512, 1000, 1.5]) assert.equal(failure(() => k.machine.bdev('pmem0p1').resize(bad, all())).errno, 'EINVAL');
  // the last partition may grow to the end of the namespace; the disk may shrink to its last partition's end
  k.machine.bdev('pmem0p2').resize(12 * MiB, all());
  k.machine.bdev('pmem0p2').resize(2 * MiB, all());
  k.machine.bdev('pmem0').resize(6 * MiB, all());
  assert.equal(k.machine.bdev('pmem0').size, 6 * MiB);
});

test('the emulator target reports resize errors as TargetErrors with the errno', async () => {
  const t = new EmulatorTarget();
  await t.reset({ seed: 0 });
  await t.createNamespace({ name: 'pmem0', size: 16 * MiB });
  await t.createPartitions!({ disk: 'pmem0', partitions: layout.map(([s, b]) => ({ start: s * 512, size: b })) });
  await assert.rejects(t.resizeDevice!({ dev: 'pmem0p1', size: 3 * MiB }), (e: unknown) => e instanceof TargetError && e.errno === 'EBUSY');
  await assert.rejects(t.resizeDevice!({ dev: 'pmem9', size: MiB }), (e: unknown) => e instanceof TargetError && e.errno === 'ENODEV');
  await t.resizeDevice!({ dev: 'pmem0p1', size: MiB });
});
