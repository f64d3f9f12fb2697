import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytes } from './helpers';
import { Vfs } from '../../emulator/fs/vfs';
import { Machine } from '../../emulator/machine';
import type { VariantName } from '../../emulator/faults';
import { holdsInEveryState } from '../../emulator/pmem/crash';
import type { MountOptions } from '../../targets/contract';

function realtimeMachine(variant?: VariantName) {
  const machine = new Machine({ variant });
  machine.createNamespace('pmem0', 64 << 20);
  machine.createNamespace('pmem1', 64 << 20);
  // stale data all over the realtime device, and a marker on the data device's first blocks
  const rt = machine.bdev('pmem1');
  for (let b = 0; b < 64; b++) rt.write(b * 4096, new Uint8Array(4096).fill(0xee));
  const vfs = new Vfs(machine);
  vfs.mkfs('xfs', 'pmem0', 'pmem1');
  const mount: MountOptions = { fs: 'xfs', dev: 'pmem0', dir: '/mnt', dax: 'always', rtdev: 'pmem1' };
  vfs.mount(mount);
  return { machine, vfs, mount };
}

test('xfs realtime: get_block returns the rt device and new blocks read as zeros (BD-1)', () => {
  const { machine, vfs } = realtimeMachine();
  vfs.create('/mnt/r', { realtime: true });
  vfs.write('/mnt/r', 0, bytes('A'));
  vfs.truncate('/mnt/r', 4096);
  const m = vfs.lookup('/mnt/r').get_block(0, false)!;
  assert.equal(m.bdev, machine.bdev('pmem1'));
  assert.deepEqual(vfs.read('/mnt/r', 1, 4095), new Uint8Array(4095));
  vfs.fallocate('/mnt/r', 4096, 4096, 'allocate');
  assert.deepEqual(vfs.read('/mnt/r', 4096, 4096), new Uint8Array(4096));
});

test('zero-via-sb-bdev: the realtime block keeps stale data and the data device is zeroed instead (BD-1, BD-2)', () => {
  const { machine, vfs } = realtimeMachine('zero-via-sb-bdev');
  vfs.create('/mnt/r', { realtime: true });
  vfs.write('/mnt/r', 0, bytes('A'));
  vfs.truncate('/mnt/r', 4096);
  assert.equal(vfs.read('/mnt/r', 1, 1)[0], 0xee, 'stale data shows');
  const sector2 = vfs.lookup('/mnt/r').get_block(1, true)!.sector;
  assert.deepEqual(machine.bdev('pmem0').read(sector2 * 512, 4096), new Uint8Array(4096), 'the data device got the zeroes');
});

test('truncate drops entries past the end and zeroes the partial tail durably (MS-5, MS-6)', () => {
  const machine = new Machine();
  machine.createNamespace('pmem0', 64 << 20);
  const vfs = new Vfs(machine);
  vfs.mkfs('ext4', 'pmem0');
  vfs.mount({ fs: 'ext4', dev: 'pmem0', dir: '/mnt', dax: 'always' });
  vfs.create('/mnt/f');
  vfs.write('/mnt/f', 0, new Uint8Array(3 * 4096).fill(7));
  const inode = vfs.lookup('/mnt/f');
  const zapped: Array<[number, number]> = [];
  inode.mapping.i_mmap.add({ zap: (a, b) => zapped.push([a, b]), wrprotect: () => undefined });
  const bdev = machine.bdev('pmem0');
  // a dirty DAX entry at page 2, as a write fault would leave it
  const m = inode.get_block(2, false)!;
  inode.mapping.insert(2, { kind: 'dax', type: 'pte', bdev, sector: m.sector, phys: bdev.direct_access(m.sector).addr });
  inode.mapping.tagSet(2, 'DIRTY');
  vfs.truncate('/mnt/f', 4096 + 10);
  assert.equal(inode.mapping.lookup(2), undefined);
  assert.ok(zapped.some(([a, b]) => a <= 2 && b >= 2));
  const [range] = vfs.fileRange('/mnt/f', 4096 + 10, 4086);
  assert.ok(range.phys !== undefined);
  assert.equal(holdsInEveryState(machine.mem, range.phys!, new Uint8Array(4086)), undefined);
  assert.deepEqual(vfs.fileRange('/mnt/f', 2 * 4096, 4096), [{ phys: undefined, len: 4096 }]);
});

test('punch-hole frees whole blocks, keeps the size, and fileRange reports the hole', () => {
  const machine = new Machine();
  machine.createNamespace('pmem0', 64 << 20);
  const vfs = new Vfs(machine);
  vfs.mkfs('xfs', 'pmem0');
  vfs.mount({ fs: 'xfs', dev: 'pmem0', dir: '/mnt', dax: 'always' });
  vfs.create('/mnt/f');
  vfs.write('/mnt/f', 0, new Uint8Array(4 * 4096).fill(1));
  const before = vfs.statx('/mnt/f').blocks;
  vfs.fallocate('/mnt/f', 4096, 2 * 4096, 'punch-hole');
  assert.equal(vfs.statx('/mnt/f').size, 4 * 4096);
  assert.equal(vfs.statx('/mnt/f').blocks, before - 16);
  const r = vfs.fileRange('/mnt/f', 0, 4 * 4096);
  assert.deepEqual(r.map((x) => [x.phys === undefined, x.len]), [[false, 4096], [true, 8192], [false, 4096]]);
  assert.deepEqual(vfs.read('/mnt/f', 4096, 8192), new Uint8Array(8192));
  vfs.umount('/mnt');
  assert.deepEqual(vfs.fsck('pmem0').messages, []);
});

test('Vfs.boot mounts what it can and reports the rest', () => {
  const machine = new Machine();
  machine.createNamespace('pmem0', 64 << 20);
  const v = Vfs.boot(machine, [{ fs: 'ext2', dev: 'pmem0', dir: '/mnt', dax: 'always' }]);
  assert.equal(v.failedMounts.size, 1);
  const r = v.evaluate({ kind: 'exists', path: '/mnt/a' });
  assert.equal(r.ok, false);
  assert.match(r.reason!, /could not be mounted/);
  assert.equal(v.fsck('pmem0').clean, false);
});
