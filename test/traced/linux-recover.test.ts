// linux/recover.ts without QEMU: a partition's crash image is cut out of its disk's, with the state's lines in it.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CrashImage, Device } from '../../linux/recover';

test('a check on a partition at an odd sector reads its disk\'s crash state, lines included, from the partition\'s first byte', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linux-recover-'));
  try {
    const backing = path.join(dir, 'pmem0.img');
    const media = Buffer.alloc(2 << 20);
    media.write('upper-bound', 4096 + 2049 * 512 + 100); // the namespace's data starts 4096 bytes into the backing file
    fs.writeFileSync(backing, media);
    const start = 2049 * 512;
    const devices = new Map<string, Device>([
      ['pmem0', { backing, dataOffset: 4096, size: media.length - 4096 }],
      ['pmem0p1', { backing, dataOffset: 4096 + start, size: 64 * 1024, partOf: { dev: 'pmem0', start } }],
    ]);
    // the crash state: the line holding the partition's byte 300 put back to what it held before
    const line = Math.floor((start + 300) / 64) * 64;
    const img = new CrashImage(devices, dir, [{ dev: 'pmem0', off: line, data: Buffer.alloc(64, 0x41).toString('hex') }]);
    try {
      const holds = (offset: number, s: string): Promise<{ ok: boolean }> =>
        img.evaluate({ kind: 'device-holds', dev: 'pmem0p1', offset, data: Buffer.from(s).toString('hex') }, []);
      assert.equal((await holds(100, 'upper-bound')).ok, true, 'the upper bound as the disk holds it');
      assert.equal((await holds(line - start, 'A'.repeat(64))).ok, true, 'the state\'s line, at its place in the partition');
      assert.equal((await holds(0, 'upper-bound')).ok, false);
    } finally {
      img.discard();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
