// Bytes cross the contract as lowercase hex. Long one-byte fills take a shortcut both ways (a cached string,
// a cached buffer): the shortcut must give exactly what plain encoding and decoding give.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, fromHexToRead, toHex } from '../../targets/hex';

const plain = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

test('toHex is plain hex encoding for fills, near-fills, views into larger arrays and short arrays', () => {
  const cases: Array<[string, Uint8Array]> = [
    ['a 4 KiB fill', new Uint8Array(4096).fill(0x6a)],
    ['a 2 MiB zero fill', new Uint8Array(2 * 1024 * 1024)],
    ['a fill with one byte changed in the middle', (() => { const b = new Uint8Array(9000).fill(7); b[4500] = 8; return b; })()],
    ['a fill with its second byte changed', (() => { const b = new Uint8Array(9000); b[1] = 1; return b; })()],
    ['a fill shorter than the shortcut', new Uint8Array(4095).fill(3)],
    ['a view into a larger fill', new Uint8Array(10000).fill(0xab).subarray(17, 6017)],
    ['a view whose neighbours differ', (() => { const b = new Uint8Array(6000).fill(5); b[0] = 1; b[5999] = 2; return b.subarray(1, 5999); })()],
    ['no fill at all', Uint8Array.from({ length: 5000 }, (_, i) => i % 251)],
  ];
  for (const [what, b] of cases) {
    const hex = toHex(b);
    assert.equal(hex, plain(b), what);
    assert.equal(plain(fromHex(hex)), plain(b), `${what}: decoded`);
    assert.equal(plain(fromHexToRead(hex)), plain(b), `${what}: decoded to read`);
  }
});

test('bad hex is named, whichever way it is decoded', () => {
  assert.throws(() => fromHex('abc', 'payload'), /payload must be an even-length hex string/);
  assert.throws(() => fromHexToRead('zz'.repeat(5000)), /data must be an even-length hex string/);
});
