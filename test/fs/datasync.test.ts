import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, bytes, everyCrashState } from './helpers';
import type { FsType, MountOptions } from '../../targets/contract';
import type { Machine } from '../../emulator/machine';
import { Vfs } from '../../emulator/fs/vfs';
import { explore } from '../../emulator/pmem/crash';

/** does `pred` hold in every crash state (no fsck: an xattr block whose page was never written is fsck's business) */
function holdsEverywhere(machine: Machine, mounts: MountOptions[], pred: (v: Vfs) => boolean): boolean {
  return explore(machine.mem, (image) => ({ ok: pred(Vfs.boot(machine.reboot(image), mounts)) })).ok;
}

// I_DIRTY_SYNC vs I_DIRTY_DATASYNC: fdatasync commits size and block-map changes everywhere; on ext4
// (i_datasync_tid) other inode changes wait for fsync, on ext2 and xfs they count for fdatasync too.

function xattrBlockAfterCrash(fs: FsType, datasync: boolean): { everywhere: boolean; somewhereMissing: boolean } {
  const { machine, vfs, mount } = setup(fs, 'always');
  vfs.create('/mnt/f');
  vfs.write('/mnt/f', 0, bytes('data'));
  vfs.sync();
  vfs.setxattr('/mnt/f', 'user.k', bytes('v'));
  const f = vfs.lookup('/mnt/f');
  assert.ok(f.state.has('I_DIRTY_SYNC'));
  assert.equal(f.state.has('I_DIRTY_DATASYNC'), fs !== 'ext4', `${fs}: I_DIRTY_DATASYNC after a setxattr`);
  vfs.fsync('/mnt/f', datasync);
  const everywhere = holdsEverywhere(machine, [mount], (v) => v.lookup('/mnt/f').d.xattr !== 0);
  return { everywhere, somewhereMissing: !everywhere };
}

test('ext4: fdatasync after only a setxattr commits nothing; fsync commits it', () => {
  assert.equal(xattrBlockAfterCrash('ext4', true).somewhereMissing, true);
  assert.equal(xattrBlockAfterCrash('ext4', false).everywhere, true);
});

for (const fs of ['ext2', 'xfs'] as const) {
  test(`${fs}: fdatasync after a setxattr makes the inode's xattr block durable, as fsync does`, () => {
    assert.equal(xattrBlockAfterCrash(fs, true).everywhere, true);
    assert.equal(xattrBlockAfterCrash(fs, false).everywhere, true);
  });
}

for (const fs of ['ext2', 'ext4', 'xfs'] as const) {
  test(`${fs}: a size change marks I_DIRTY_DATASYNC and fdatasync makes it durable`, () => {
    const { machine, vfs, mount } = setup(fs, 'always');
    vfs.create('/mnt/f');
    vfs.sync();
    vfs.write('/mnt/f', 0, bytes('grown'));
    assert.ok(vfs.lookup('/mnt/f').state.has('I_DIRTY_DATASYNC'));
    vfs.fsync('/mnt/f', true);
    assert.equal(vfs.lookup('/mnt/f').state.has('I_DIRTY_DATASYNC'), false);
    assert.equal(holdsEverywhere(machine, [mount], (v) => v.statx('/mnt/f').size === 5), true);
  });
}

test('ext4: fsync of an inode with no changes commits nothing another file left in the journal', () => {
  const { machine, vfs, mount } = setup('ext4', 'always');
  vfs.create('/mnt/a');
  vfs.create('/mnt/b');
  vfs.sync();
  vfs.setxattr('/mnt/b', 'user.k', bytes('v'));
  vfs.fsync('/mnt/a', false);
  assert.equal(holdsEverywhere(machine, [mount], (v) => v.lookup('/mnt/b').d.xattr !== 0), false, "fsync of /mnt/a committed /mnt/b's setxattr");
});

test('ext2: fsync writes the inode and its indirect blocks, not the block bitmap (mark_buffer_dirty, not _inode): e2fsck repairs it after a crash', () => {
  const { machine, vfs, mount } = setup('ext2', 'always');
  vfs.create('/mnt/f');
  vfs.sync();
  vfs.write('/mnt/f', 20 * 4096, bytes('past the direct blocks'));
  vfs.fsync('/mnt/f', false);
  assert.equal(holdsEverywhere(machine, [mount], (v) => v.statx('/mnt/f').size === 20 * 4096 + 22), true, 'the size is durable');
  const r = everyCrashState(machine, [mount], 'pmem0');
  assert.equal(r.ok, false, 'some crash state has a stale block bitmap');
  assert.match(r.failure?.reason ?? '', /bitmap/i);
});
