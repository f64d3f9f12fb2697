// Pins the pmem driver's handling of known poison (drivers/nvdimm/pmem.c): direct_access, recovery write, bio paths.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine } from '../../emulator/machine';
import { PmemError } from '../../emulator/pmem/memory';

function machineWithPoison(): Machine {
  const m = new Machine();
  m.createNamespace('pmem0', 4 << 20);
  m.injectPoison('pmem0', 8192 + 512, 512);
  return m;
}

const errno = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as PmemError).errno;
  }
  return 'none';
};

test('direct_access over a bad sector is EIO; a recovery write maps up to the page that holds it, at least one page', () => {
  const m = machineWithPoison();
  const d = m.bdev('pmem0').driver;
  assert.equal(errno(() => d.direct_access(0, 16384)), 'EIO');
  assert.equal(d.direct_access(0, 8192).available, (4 << 20));
  // PAGE_ALIGN((first_bad - sector) << SECTOR_SHIFT): sector 17 is inside the third page
  assert.equal(d.direct_access(0, 16384, 'DAX_RECOVERY_WRITE').available, 12288);
  assert.equal(d.direct_access(16, 4096, 'DAX_RECOVERY_WRITE').available, 4096);
});

test('a recovery write of part of a poisoned page copies nothing; a whole page clears the media and the list', () => {
  const m = machineWithPoison();
  const d = m.bdev('pmem0').driver;
  assert.equal(d.recovery_write(8192 + 100, new Uint8Array(10).fill(7)), 0);
  assert.ok(m.media.poisoned(8192 + 512, 1));
  assert.equal(d.recovery_write(8192, new Uint8Array(4096).fill(7)), 4096);
  assert.ok(!m.media.poisoned(8192, 4096));
  assert.equal(d.ns.bb.count, 0);
  assert.equal(d.direct_access(16, 4096).available, (4 << 20) - 8192);
});

test('a bio read of a bad sector is EIO; a sector-aligned bio write clears it', () => {
  const m = machineWithPoison();
  const b = m.bdev('pmem0');
  assert.equal(errno(() => b.read(8192, 4096)), 'EIO');
  b.submit_bio({ sector: 17, write: true, data: new Uint8Array(512), flags: new Set() });
  assert.equal(errno(() => b.read(8192, 4096)), 'none');
});

test('poison outlasts a reboot: the new namespace finds it by scrubbing the media', () => {
  const m = machineWithPoison();
  const r = m.reboot(m.mem.image(() => 0));
  assert.equal(errno(() => r.bdev('pmem0').driver.direct_access(16, 4096)), 'EIO');
  assert.equal(r.bdev('pmem0').driver.ns.bb.count, 1);
});

test('injection takes whole sectors inside the device', () => {
  const m = new Machine();
  m.createNamespace('pmem0', 4 << 20);
  assert.equal(errno(() => m.injectPoison('pmem0', 100, 512)), 'EINVAL');
  assert.equal(errno(() => m.injectPoison('pmem0', 4 << 20, 512)), 'EINVAL');
});
