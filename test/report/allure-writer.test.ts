// The Allure results writer writes one file per attachment content and no container that holds only passed,
// empty fixtures; every result still points at a file that holds its attachment's bytes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Attachment { name: string; source: string; type: string }
interface Writer {
  writeAttachment(name: string, content: Buffer): void;
  writeGroup(group: object): void;
  writeResult(result: object): void;
  writeGlobals(name: string, info: object): void;
  close(): Promise<void>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { UnsyncedWriter } = require('../../scripts/lib/allure-writer.js') as { UnsyncedWriter: new (c: { resultsDir: string }) => Writer };

/** `write` hands files to the writer, `check` sees the directory once the writer has closed */
async function withWriter(write: (w: Writer) => void, check: (dir: string) => void): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'allure-writer-'));
  try {
    const w = new UnsyncedWriter({ resultsDir: dir });
    write(w);
    await w.close();
    check(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fixture = (status: string, extra: object = {}) => ({ status, steps: [], attachments: [], parameters: [], ...extra });

test('a container of passed, empty fixtures is not written; one with a failed or a named fixture is', async () => {
  await withWriter((w) => {
    w.writeGroup({ uuid: 'quiet', children: ['t'], befores: [fixture('passed')], afters: [] });
    w.writeGroup({ uuid: 'broke', children: ['t'], befores: [], afters: [fixture('broken')] });
    w.writeGroup({ uuid: 'attached', children: ['t'], befores: [fixture('passed', { attachments: [{ name: 'log', source: 'a.txt', type: 'text/plain' }] })], afters: [] });
    w.writeGroup({ uuid: 'named', name: 'mount the filesystem', children: ['t'], befores: [fixture('passed')], afters: [] });
  }, (dir) => {
    assert.deepEqual(readdirSync(dir).sort(), ['attached-container.json', 'broke-container.json', 'named-container.json']);
  });
});

test('an attachment with the bytes of an earlier one is not written again, and its result points at the earlier file', async () => {
  await withWriter((w) => {
    const table = Buffer.from('fs,\next2,\next4,\n');
    w.writeAttachment('one.csv', table);
    w.writeAttachment('two.csv', Buffer.from(table));
    w.writeAttachment('three.txt', Buffer.from(table));
    w.writeAttachment('four.csv', Buffer.from('fs,\nxfs,\n'));
    const att = (source: string): Attachment => ({ name: 'Examples', source, type: 'text/csv' });
    w.writeResult({ uuid: 'r', attachments: [att('two.csv')], steps: [{ attachments: [att('four.csv')], steps: [{ attachments: [att('two.csv'), att('three.txt')], steps: [] }] }] });
  }, (dir) => {
    assert.deepEqual(readdirSync(dir).sort(), ['four.csv', 'one.csv', 'r-result.json', 'three.txt']);
    const r = JSON.parse(readFileSync(join(dir, 'r-result.json'), 'utf8'));
    assert.equal(r.attachments[0].source, 'one.csv');
    assert.equal(r.steps[0].attachments[0].source, 'four.csv');
    assert.deepEqual(r.steps[0].steps[0].attachments.map((a: Attachment) => a.source), ['one.csv', 'three.txt']);
  });
});

test('a file the writer cannot write fails its close with the directory and the reason', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'allure-writer-')), 'results');
  const w = new UnsyncedWriter({ resultsDir: dir });
  rmSync(dir, { recursive: true });
  w.writeResult({ uuid: 'r', attachments: [], steps: [] });
  await assert.rejects(w.close(), (e: Error) => e.message.startsWith(`the Allure results could not be written to ${dir}: ENOENT`));
});

test('new files take over the files of the results set aside beside the folder, and hold only the new bytes', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'allure-recycle-'));
  try {
    const dir = join(parent, 'allure-results');
    const old = join(parent, 'allure-results.old-1-2');
    mkdirSync(old);
    for (let i = 0; i < 3; i++) writeFileSync(join(old, `stale-${i}-result.json`), 'x'.repeat(5000));
    const inodes = new Set(readdirSync(old).map((f) => statSync(join(old, f)).ino));
    const w = new UnsyncedWriter({ resultsDir: dir });
    w.writeResult({ uuid: 'r1', name: 'one', attachments: [], steps: [] });
    w.writeResult({ uuid: 'r2', name: 'two', attachments: [], steps: [] });
    await w.close();
    assert.deepEqual(readdirSync(dir).sort(), ['r1-result.json', 'r2-result.json']);
    for (const f of readdirSync(dir)) {
      assert.ok(inodes.has(statSync(join(dir, f)).ino), `${f} is one of the set-aside files, renamed`);
      assert.equal((JSON.parse(readFileSync(join(dir, f), 'utf8')) as { uuid: string }).uuid, f.split('-')[0]);
    }
    assert.equal(readdirSync(old).length, 1, 'one set-aside file is left for the harness to delete');
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});
