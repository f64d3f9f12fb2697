// Pins which flush requests (REQ_PREFLUSH bios) fsync and sync(2) send per filesystem, as Linux does
// (ext2 generic_file_fsync, ext4_sync_file/ext4_sync_fs, xfs_file_fsync/xfs_fs_sync_fs, ksys_sync).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine } from '../../emulator/machine';
import { Vfs } from '../../emulator/fs/vfs';
import type { Bio } from '../../emulator/nvdimm/pmem-driver';
import type { FsType, MountOptions } from '../../targets/contract';
import { bytes } from './helpers';

/** a mounted filesystem with a synced 8 KiB file /mnt/a, and a counter of flush bios from now on */
function synced(fs: FsType, extra: Partial<MountOptions> = {}): { vfs: Vfs; flushes: () => Array<'empty' | 'with-data'> } {
  const machine = new Machine({});
  machine.createNamespace('pmem0', 1 << 30);
  const vfs = new Vfs(machine);
  vfs.mkfs(fs, 'pmem0');
  vfs.mount({ fs, dev: 'pmem0', dir: '/mnt', dax: 'always', ...extra });
  vfs.create('/mnt/a');
  vfs.write('/mnt/a', 0, new Uint8Array(8192));
  vfs.sync();
  vfs.fsync('/mnt/a');
  const driver = machine.bdev('pmem0').driver;
  const seen: Array<'empty' | 'with-data'> = [];
  const make_request = driver.make_request.bind(driver);
  driver.make_request = (bio: Bio) => {
    if (bio.flags.has('REQ_FLUSH')) seen.push(bio.data.length ? 'with-data' : 'empty');
    make_request(bio);
  };
  return { vfs, flushes: () => seen };
}

test('fdatasync with nothing to commit sends one empty flush on ext2, ext4 and xfs, none on ext4 with barrier=0', () => {
  for (const fs of ['ext2', 'ext4', 'xfs'] as const) {
    const { vfs, flushes } = synced(fs);
    vfs.fsync('/mnt/a', true);
    assert.deepEqual(flushes(), ['empty'], fs);
  }
  const { vfs, flushes } = synced('ext4', { barrier: false });
  vfs.fsync('/mnt/a', true);
  assert.deepEqual(flushes(), []);
});

test('fsync after a size change: the journal or log commit carries the flush, and no second one follows', () => {
  for (const fs of ['ext4', 'xfs'] as const) {
    const { vfs, flushes } = synced(fs);
    vfs.write('/mnt/a', 8192, bytes('grow'));
    vfs.fsync('/mnt/a');
    assert.deepEqual(flushes(), ['with-data'], fs);
  }
  const { vfs, flushes } = synced('ext2');
  vfs.write('/mnt/a', 8192, bytes('grow'));
  vfs.fsync('/mnt/a');
  assert.deepEqual(flushes(), ['empty'], 'ext2: generic_file_fsync flushes after writing the inode');
});

test('sync(2) sends no flush of its own: ext4_sync_fs does, xfs only through a log force that writes, ext2 never', () => {
  const expected: Record<string, string[]> = { ext2: [], ext4: ['empty'], xfs: [] };
  for (const fs of ['ext2', 'ext4', 'xfs'] as const) {
    const { vfs, flushes } = synced(fs);
    vfs.sync();
    assert.deepEqual(flushes(), expected[fs], fs);
  }
  const { vfs, flushes } = synced('ext4', { barrier: false });
  vfs.write('/mnt/a', 8192, bytes('grow'));
  vfs.sync();
  assert.deepEqual(flushes(), [], 'barrier=0: the commit block goes out without REQ_FLUSH');
});

test('barrier=0 is ext4-only: ext2 and xfs refuse it with EINVAL', () => {
  for (const fs of ['ext2', 'xfs'] as const) {
    const machine = new Machine({});
    machine.createNamespace('pmem0', 1 << 30);
    const vfs = new Vfs(machine);
    vfs.mkfs(fs, 'pmem0');
    assert.throws(() => vfs.mount({ fs, dev: 'pmem0', dir: '/mnt', dax: 'always', barrier: false }), /barrier=0 is an ext4 mount option/);
  }
});

test('virtio-pmem: a flush request sent while another is in flight gets its own host fsync; the coalescing variant waits for the first', () => {
  for (const variant of [undefined, 'virtio-flush-coalesced'] as const) {
    const machine = new Machine({ mode: 'virtio-pmem', variant });
    machine.createNamespace('pmem0', 2 << 20);
    const bdev = machine.bdev('pmem0');
    const mem = bdev.driver.ns.mem;
    const first = bdev.driver.preflush();
    mem.store(bdev.driver.ns.base + 4096, bytes('late'));
    mem.flush(bdev.driver.ns.base + 4096, 4, 'clwb');
    bdev.driver.preflush()();
    first();
    assert.equal(mem.pendingLines().length, variant ? 1 : 0, variant ?? 'reference');
  }
});

test('virtio-pmem: each device is its own host file, so a flush request to one leaves the other in the host page cache', () => {
  const machine = new Machine({ mode: 'virtio-pmem' });
  machine.createNamespace('pmem0', 2 << 20);
  machine.createNamespace('pmem1', 2 << 20);
  const [p0, p1] = [machine.bdev('pmem0'), machine.bdev('pmem1')];
  const mem = p0.driver.ns.mem;
  for (const b of [p0, p1]) {
    mem.store(b.driver.ns.base, bytes('data'));
    mem.flush(b.driver.ns.base, 4, 'clwb');
  }
  mem.fence();
  p0.driver.preflush()();
  assert.deepEqual(mem.pendingLines(), [p1.driver.ns.base]);
});
