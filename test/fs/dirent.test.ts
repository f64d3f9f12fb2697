import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BLOCK_SIZE, findDirent, parseDirBlock, writeDirent } from '../../emulator/fs/format';

const NAMES = ['a', 'b', 'ab', 'é', 'x'.repeat(20), 'lost+found'];

/** what a lookup built on parseDirBlock answers: the first live entry of that name, or where the block is bad, or the error */
function byParse(b: Uint8Array, name: string): { ino?: number; bad?: number; error?: string } {
  try {
    const r = parseDirBlock(b);
    return r.badOffset !== undefined ? { bad: r.badOffset } : { ino: r.entries.find((e) => e.ino && e.name === name)?.ino };
  } catch (e) {
    return { error: String(e) };
  }
}

function byFind(b: Uint8Array, name: string): { ino?: number; bad?: number; error?: string } {
  try {
    const r = findDirent(b, Buffer.from(name, 'utf8'));
    return r.badOffset !== undefined ? { bad: r.badOffset } : { ino: r.ino };
  } catch (e) {
    return { error: String(e) };
  }
}

test('findDirent answers as a lookup over parseDirBlock does, on well-formed and damaged blocks', () => {
  const record = fc.record({ ino: fc.nat(5), name: fc.constantFrom(...NAMES, 'zz'), rec: fc.integer({ min: 0, max: 80 }) });
  const poke = fc.tuple(fc.nat(BLOCK_SIZE - 1), fc.nat(255));
  fc.assert(
    fc.property(fc.array(record, { maxLength: 12 }), fc.constantFrom(...NAMES), fc.array(poke, { maxLength: 4 }), (recs, name, pokes) => {
      const b = new Uint8Array(BLOCK_SIZE);
      let off = 0;
      recs.forEach((r, i) => {
        const len = i === recs.length - 1 ? BLOCK_SIZE - off : (Math.max(8 + Buffer.byteLength(r.name), r.rec) + 3) & ~3;
        if (off + len > BLOCK_SIZE) return;
        writeDirent(b, off, r.ino, len, r.name, 1);
        off += len;
      });
      for (const [at, v] of pokes) b[at] = v;
      assert.deepEqual(byFind(b, name), byParse(b, name));
    }),
    { numRuns: 5000, seed: 15 },
  );
});

test('a record ending 4 bytes short of the block fails findDirent with the same RangeError as parseDirBlock', () => {
  const b = new Uint8Array(BLOCK_SIZE);
  writeDirent(b, 0, 1, BLOCK_SIZE - 4, 'a', 1);
  assert.match(byParse(b, 'a').error ?? '', /RangeError/);
  assert.deepEqual(byFind(b, 'a'), byParse(b, 'a'));
});
