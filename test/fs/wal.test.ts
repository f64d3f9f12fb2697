import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BlockDevice } from '../../emulator/block/block-device';
import { BLOCK_SIZE, SECTORS_PER_BLOCK } from '../../emulator/fs/format';
import { WriteAheadLog, scanLog } from '../../emulator/fs/wal';

const START = 10;
const LEN = 64;

/** a device that keeps every written block: the log's bios land here in order */
function fakeDevice(): { bdev: BlockDevice; read: (b: number) => Uint8Array } {
  const blocks = new Map<number, Uint8Array>();
  const bdev = {
    submit_bio(bio: { sector: number; write: boolean; data: Uint8Array }) {
      if (bio.write && bio.data.length) blocks.set(bio.sector / SECTORS_PER_BLOCK, bio.data.slice());
    },
  } as unknown as BlockDevice;
  return { bdev, read: (b) => blocks.get(b) ?? new Uint8Array(BLOCK_SIZE) };
}

const image = (v: number): Uint8Array => new Uint8Array(BLOCK_SIZE).fill(v);

function freshLog(): { log: WriteAheadLog; read: (b: number) => Uint8Array } {
  const { bdev, read } = fakeDevice();
  bdev.submit_bio({ sector: START * SECTORS_PER_BLOCK, write: true, data: WriteAheadLog.emptyLog(), flags: new Set(['REQ_FUA']) });
  return { log: new WriteAheadLog(bdev, START, LEN, 1), read };
}

test('an image logged before its block was revoked is not replayed; other images are', () => {
  const { log, read } = freshLog();
  log.commit([[100, image(1)], [101, image(2)]]);
  log.commit([], [100]);
  const rec = scanLog(read, START, LEN);
  assert.equal(rec.transactions, 2);
  assert.equal(rec.revoked, 1);
  assert.deepEqual(rec.writes.map(([b, d]) => [b, d[0]]), [[101, 2]]);
});

test('an image logged after the revoke replays: the block became metadata again', () => {
  const { log, read } = freshLog();
  log.commit([[100, image(1)]]);
  log.commit([], [100]);
  log.commit([[100, image(3)]]);
  const rec = scanLog(read, START, LEN);
  assert.equal(rec.revoked, 1);
  assert.deepEqual(rec.writes.map(([b, d]) => [b, d[0]]), [[100, 3]]);
});

test('a revoke whose commit block never reached media revokes nothing', () => {
  const { log, read } = freshLog();
  log.commit([[100, image(1)]]);
  const torn = fakeDevice();
  // copy everything but the second transaction's commit block
  log.commit([], [100]);
  for (let b = START; b < START + LEN; b++) torn.bdev.submit_bio({ sector: b * SECTORS_PER_BLOCK, write: true, data: read(b), flags: new Set() });
  // superblock, then T1 (descriptor, image, commit), then T2 (descriptor, revoke block, commit)
  const commit2 = START + 6;
  torn.bdev.submit_bio({ sector: commit2 * SECTORS_PER_BLOCK, write: true, data: new Uint8Array(BLOCK_SIZE), flags: new Set() });
  const rec = scanLog(torn.read, START, LEN);
  assert.equal(rec.transactions, 1);
  assert.deepEqual(rec.writes.map(([b]) => b), [100]);
});

test('commitAll carries the revokes with the images of the same transaction', () => {
  const { log, read } = freshLog();
  const none = (): void => assert.fail('no checkpoint needed');
  log.commitAll([1, 2, 3, 4, 5], [], image, none, () => {});
  log.commitAll([6, 7], [1, 2], image, none, () => {});
  const rec = scanLog(read, START, LEN);
  assert.equal(rec.transactions, 2);
  assert.equal(rec.revoked, 2);
  assert.deepEqual(rec.writes.map(([b]) => b), [3, 4, 5, 6, 7]);
});
