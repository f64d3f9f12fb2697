import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, bytes, text } from './helpers';
import { Vfs } from '../../emulator/fs/vfs';
import { FS_TYPES } from '../../targets/contract';

for (const fs of FS_TYPES) {
  for (const dax of ['always', 'never'] as const) {
    test(`${fs} dax=${dax}: create, write, read, readdir, statx`, () => {
      const { vfs } = setup(fs, dax);
      vfs.mkdir('/mnt/d');
      vfs.create('/mnt/d/a');
      vfs.write('/mnt/d/a', 4090, bytes('hello world'));
      assert.equal(text(vfs.read('/mnt/d/a', 4090, 11)), 'hello world');
      assert.deepEqual(vfs.read('/mnt/d/a', 0, 4), new Uint8Array(4));
      assert.deepEqual(vfs.readdir('/mnt'), ['d']);
      assert.deepEqual(vfs.readdir('/mnt/d'), ['a']);
      const st = vfs.statx('/mnt/d/a');
      assert.equal(st.size, 4101);
      assert.equal(st.attrDax, dax === 'always');
      assert.equal(vfs.statx('/mnt/d').attrDax, false);
      assert.equal(vfs.lookup('/mnt/d/a'), vfs.lookup('/mnt/d/a'));
    });

    test(`${fs} dax=${dax}: fsck clean after umount and mount, data kept`, () => {
      const { machine, vfs, mount } = setup(fs, dax);
      vfs.mkdir('/mnt/d');
      for (let i = 0; i < 40; i++) vfs.create(`/mnt/d/file-with-a-long-name-${i}`);
      vfs.create('/mnt/big');
      vfs.write('/mnt/big', 20 * 4096, bytes('far'));
      vfs.setxattr('/mnt/big', 'user.x', bytes('v'));
      vfs.rename('/mnt/d/file-with-a-long-name-3', '/mnt/moved');
      vfs.unlink('/mnt/d/file-with-a-long-name-4');
      vfs.truncate('/mnt/big', 5);
      vfs.write('/mnt/big', 5000, bytes('x'));
      vfs.umount('/mnt');
      const r = vfs.fsck('pmem0');
      assert.deepEqual(r.messages, []);
      const vfs2 = new Vfs(machine);
      vfs2.mount(mount);
      assert.equal(vfs2.readdir('/mnt/d').length, 38);
      assert.ok(vfs2.readdir('/mnt').includes('moved'));
      assert.equal(vfs2.statx('/mnt/big').size, 5001);
      assert.equal(text(vfs2.read('/mnt/big', 5000, 1)), 'x');
    });
  }
}

test('errors name the bad value', () => {
  const { vfs } = setup('ext2');
  assert.throws(() => vfs.mkfs('btrfs' as never, 'pmem0'), /unknown filesystem type "btrfs"/);
  assert.throws(() => vfs.read('/mnt/nope', 0, 1), (e: Error & { errno?: string }) => e.errno === 'ENOENT');
  vfs.create('/mnt/a');
  assert.throws(() => vfs.create('/mnt/a'), (e: Error & { errno?: string }) => e.errno === 'EEXIST');
  assert.throws(() => vfs.create('/mnt/a/b'), (e: Error & { errno?: string }) => e.errno === 'ENOTDIR');
  assert.throws(() => vfs.write('/mnt/a', -1, bytes('x')), (e: Error & { errno?: string }) => e.errno === 'EINVAL');
  assert.throws(() => vfs.write('/mnt/a', 2 ** 40, bytes('x')), (e: Error & { errno?: string }) => e.errno === 'EFBIG');
  assert.throws(() => vfs.mount({ fs: 'xfs', dev: 'pmem9', dir: '/x', dax: 'always' }), /no block device "pmem9"/);
  vfs.freeze('/mnt');
  assert.throws(() => vfs.write('/mnt/a', 0, bytes('x')), (e: Error & { errno?: string }) => e.errno === 'EBUSY');
  vfs.thaw('/mnt');
  vfs.write('/mnt/a', 0, bytes('x'));
});

test('dax=inode: no inode uses DAX until its flag is set', () => {
  const { vfs } = setup('ext4', 'inode');
  vfs.create('/mnt/a');
  assert.equal(vfs.statx('/mnt/a').attrDax, false);
  assert.equal(vfs.lookup('/mnt').S_DAX, false);
  vfs.setDaxFlag('/mnt/a', true);
  assert.equal(vfs.statx('/mnt/a').attrDax, true);
  vfs.write('/mnt/a', 0, bytes('x'));
  vfs.setDaxFlag('/mnt/a', false);
  assert.equal(vfs.statx('/mnt/a').attrDax, false);
  assert.equal(Buffer.from(vfs.read('/mnt/a', 0, 1)).toString(), 'x');
});

test('dax=inode: a DAX flag change waits for the inode to be evicted; new files inherit the directory\'s flag', () => {
  const { vfs } = setup('xfs', 'inode');
  vfs.create('/mnt/a');
  vfs.write('/mnt/a', 0, bytes('page cache'));
  vfs.setDaxFlag('/mnt/a', true);
  // nothing held it: evicted at once, its dirty page written back first
  assert.equal(vfs.statx('/mnt/a').attrDax, true);
  assert.equal(vfs.lookup('/mnt/a').mapping.nrpages, 0);
  assert.equal(Buffer.from(vfs.read('/mnt/a', 0, 10)).toString(), 'page cache');
  vfs.mkdir('/mnt/d');
  vfs.setDaxFlag('/mnt/d', true);
  vfs.create('/mnt/d/f');
  vfs.mkdir('/mnt/d/e');
  vfs.create('/mnt/d/e/g');
  assert.equal(vfs.statx('/mnt/d/f').attrDax, true);
  assert.equal(vfs.statx('/mnt/d/e/g').attrDax, true);
  assert.equal(vfs.statx('/mnt/d').attrDax, false);
});

test('ext2 refuses dax=inode', () => {
  assert.throws(() => setup('ext2', 'inode'), (e: Error & { errno?: string }) => e.errno === 'EINVAL');
});
