import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, bytes, everyCrashState } from './helpers';
import { Vfs } from '../../emulator/fs/vfs';
import { Machine } from '../../emulator/machine';
import { FS_TYPES, MountOptions } from '../../targets/contract';

test('ext2 dax: directories keep S_DAX and dirty page-cache pages; metadata sits in the bdev buffer cache', () => {
  const { machine, vfs } = setup('ext2', 'always');
  vfs.mkdir('/mnt/d');
  vfs.create('/mnt/d/f');
  for (const p of ['/mnt', '/mnt/d']) {
    const dir = vfs.lookup(p);
    assert.equal(dir.S_DAX, true, `${p} has S_DAX`);
    assert.ok(dir.mapping.nrpages > 0, `${p} has pages`);
    assert.equal(dir.mapping.nrexceptional, 0);
    assert.ok(dir.mapping.tagGet(0, 'DIRTY'));
    assert.ok(dir.state.has('I_DIRTY_PAGES'));
    assert.ok(dir.sb.dirtyInodes.has(dir));
  }
  assert.equal(vfs.lookup('/mnt').ino, 2);
  assert.equal(vfs.statx('/mnt/d').attrDax, false);
  const bd = machine.bdev('pmem0').bd_inode;
  assert.ok(bd.mapping.tagged_any('DIRTY'));
  assert.ok(bd.state.has('I_DIRTY_PAGES'));
  vfs.sync();
  assert.equal(bd.mapping.tagged_any('DIRTY'), false);
  assert.equal(vfs.lookup('/mnt/d').mapping.tagged_any('DIRTY'), false);
});

test('xfs: directories are not in the page cache', () => {
  const { vfs } = setup('xfs', 'always');
  vfs.mkdir('/mnt/d');
  vfs.create('/mnt/d/f');
  assert.equal(vfs.lookup('/mnt/d').mapping.nrpages, 0);
  assert.equal(vfs.lookup('/mnt').ino, 128);
});

test('ext4: setxattr puts the xattr block in the inode page cache', () => {
  const { vfs } = setup('ext4', 'always');
  vfs.create('/mnt/f');
  vfs.setxattr('/mnt/f', 'user.k', bytes('v'));
  const f = vfs.lookup('/mnt/f');
  assert.equal(f.S_DAX, true);
  assert.equal(f.mapping.nrpages, 1);
  assert.ok(f.state.has('I_DIRTY_PAGES'));
});

for (const fs of FS_TYPES) {
  test(`${fs}: after sync(2) every crash state is fsck-clean and lists every entry`, () => {
    const { machine, vfs, mount } = setup(fs, 'always');
    vfs.mkdir('/mnt/d');
    for (const n of ['a', 'b', 'c']) vfs.create(`/mnt/d/${n}`);
    vfs.write('/mnt/d/a', 0, bytes('data'));
    vfs.setxattr('/mnt/d/b', 'user.k', bytes('v'));
    vfs.sync();
    const r = everyCrashState(machine, [mount], 'pmem0', (v) => v.evaluate({ kind: 'dir-lists', path: '/mnt/d', names: ['a', 'b', 'c'] }).reason);
    assert.equal(r.ok, true, r.failure?.reason);
  });
}

test('dax-only-writepages: a crash after sync leaves ext2 damage in e2fsck words', () => {
  const { machine, vfs, mount } = setup('ext2', 'always', 'dax-only-writepages');
  vfs.mkdir('/mnt/d');
  vfs.create('/mnt/d/x');
  vfs.sync();
  const r = everyCrashState(machine, [mount], 'pmem0');
  assert.equal(r.ok, false);
  assert.match(r.failure!.reason, /Directory inode 12, block #0, offset 0: directory corrupted/);
});

test('dax-only-writepages: ext4 is damaged too, xfs is not (seed 003)', () => {
  const e4 = setup('ext4', 'always', 'dax-only-writepages');
  e4.vfs.mkdir('/mnt/d');
  e4.vfs.sync();
  assert.equal(everyCrashState(e4.machine, [e4.mount], 'pmem0').ok, false);
  const x = setup('xfs', 'always', 'dax-only-writepages');
  x.vfs.mkdir('/mnt/d');
  x.vfs.create('/mnt/d/x');
  x.vfs.sync();
  const r = everyCrashState(x.machine, [x.mount], 'pmem0', (v) => v.evaluate({ kind: 'dir-lists', path: '/mnt/d', names: ['x'] }).reason);
  assert.equal(r.ok, true, r.failure?.reason);
});

test('blkbits-check-first: sync fails on the ext4 quota inode (i_blkbits 10); the reference does not', () => {
  const ref = setup('ext4', 'always');
  ref.vfs.create('/mnt/f');
  const q = [...ref.vfs.lookup('/mnt').sb.dirtyInodes].find((i) => i.kind === 'meta');
  assert.ok(q && q.i_blkbits !== 12 && q.S_DAX);
  ref.vfs.sync();
  for (const fs of ['ext4', 'xfs'] as const) {
    const bad = setup(fs, 'always', 'blkbits-check-first');
    bad.vfs.create('/mnt/f');
    assert.throws(() => bad.vfs.sync(), /i_blkbits 10/);
  }
});

test('ext4: journal replay at mount brings back fsynced metadata', () => {
  const { machine, vfs, mount } = setup('ext4', 'always');
  vfs.create('/mnt/f');
  vfs.write('/mnt/f', 0, bytes('journaled'));
  vfs.fsync('/mnt/f');
  // power fails: the inode table block's home copy was never written, only the journal has it
  const crashed = machine.reboot(machine.mem.image(() => 0));
  const fsckBefore = new Vfs(crashed).fsck('pmem0');
  assert.deepEqual(fsckBefore.messages, [], 'fsck overlays the journal');
  const v = Vfs.boot(crashed, [mount]);
  assert.equal(v.failedMounts.size, 0);
  assert.ok(v.superblockOf('/mnt').replayed > 0);
  assert.equal(Buffer.from(v.read('/mnt/f', 0, 9)).toString(), 'journaled');
  assert.equal(v.evaluate({ kind: 'fsck-clean', dev: 'pmem0' }).ok, true);
});

test('xfs: fsync forces the log; replay finds the new file', () => {
  const { machine, vfs, mount } = setup('xfs', 'always');
  vfs.mkdir('/mnt/d');
  vfs.create('/mnt/d/f');
  vfs.fsync('/mnt/d/f');
  const v = Vfs.boot(machine.reboot(machine.mem.image(() => 0)), [mount]);
  assert.ok(v.superblockOf('/mnt').replayed > 0);
  assert.equal(v.evaluate({ kind: 'exists', path: '/mnt/d/f' }).ok, true);
  assert.equal(v.evaluate({ kind: 'fsck-clean', dev: 'pmem0' }).ok, true);
});

test('ext4 journal ordering: with an unfenced driver the commit REQ_FLUSH still orders the log', () => {
  const { machine, vfs, mount } = setup('ext4', 'always', 'driver-no-fence');
  vfs.mkdir('/mnt/d');
  vfs.create('/mnt/d/f');
  vfs.fsync('/mnt/d/f');
  const r = everyCrashState(machine, [mount], 'pmem0', (v) => v.evaluate({ kind: 'exists', path: '/mnt/d/f' }).reason);
  assert.equal(r.ok, true, r.failure?.reason);
});

test('several mounts: ext4 on pmem0p1 and xfs on pmem0p2', () => {
  const machine = new Machine();
  machine.createNamespace('pmem0', 1 << 30);
  machine.createPartitions('pmem0', [{ start: 1 << 20, size: 256 << 20 }, { start: 512 << 20, size: 256 << 20 }]);
  const vfs = new Vfs(machine);
  vfs.mkfs('ext4', 'pmem0p1');
  vfs.mkfs('xfs', 'pmem0p2');
  const mounts: MountOptions[] = [
    { fs: 'ext4', dev: 'pmem0p1', dir: '/mnt', dax: 'always' },
    { fs: 'xfs', dev: 'pmem0p2', dir: '/mnt/x', dax: 'always' },
  ];
  mounts.forEach((m) => vfs.mount(m));
  vfs.create('/mnt/a');
  vfs.create('/mnt/x/b');
  assert.deepEqual(vfs.readdir('/mnt/x'), ['b']);
  assert.throws(() => vfs.rename('/mnt/a', '/mnt/x/a'), /different filesystems/);
  vfs.sync();
  const v = Vfs.boot(machine.reboot(machine.mem.image(() => 0)), mounts);
  assert.equal(v.evaluate({ kind: 'all', checks: [{ kind: 'exists', path: '/mnt/a' }, { kind: 'exists', path: '/mnt/x/b' }, { kind: 'fsck-clean', dev: 'pmem0p1' }, { kind: 'fsck-clean', dev: 'pmem0p2' }] }).ok, true);
});
