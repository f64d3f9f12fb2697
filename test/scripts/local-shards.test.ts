// A run split into local shards: the selection is exactly what cucumber would run, the shards are
// disjoint and balanced by the previous run's times, and their JUnit reports and message streams join.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { balance, joinJunit, joinMessages, selectedLocations, splitPaths } from '../../scripts/lib/local-shards';

const ALL = ['features/a/x.feature:3', 'features/a/x.feature:9', 'features/a/y.feature:4', 'features/b/z.feature:5', 'features/b/z.feature:12'];

test('paths select files, folders and known scenario lines; an unknown line leaves the split to cucumber', () => {
  assert.deepEqual(selectedLocations([], ALL), ALL);
  assert.deepEqual(selectedLocations(['features/a'], ALL), ALL.slice(0, 3));
  assert.deepEqual(selectedLocations(['features/a/'], ALL), ALL.slice(0, 3));
  assert.deepEqual(selectedLocations(['features/b/z.feature', 'features/a/x.feature:9'], ALL), [ALL[1], ALL[3], ALL[4]]);
  assert.deepEqual(selectedLocations(['features/a/x.feature:3:9'], ALL), ALL.slice(0, 2));
  assert.equal(selectedLocations(['features/a/x.feature:4'], ALL), undefined, 'line 4 is a step, not a scenario');
  assert.deepEqual(selectedLocations(['features/a/x'], ALL), [], 'a prefix of a file name is not its folder');
});

test("cucumber's arguments split into paths and the rest, option values kept with their option", () => {
  assert.deepEqual(splitPaths(['--tags', '@rule:WB-2', 'features/a', '--fail-fast', '--name', 'x y', 'features/b.feature:3']), {
    paths: ['features/a', 'features/b.feature:3'],
    rest: ['--tags', '@rule:WB-2', '--fail-fast', '--name', 'x y'],
  });
});

test('shards are disjoint, cover the selection, keep definition order and balance the known times', () => {
  const times = new Map([[ALL[0], 100], [ALL[1], 10], [ALL[2], 10], [ALL[3], 90], [ALL[4], 10]]);
  const shards = balance(ALL, 2, times);
  assert.deepEqual(shards.flat().sort(), [...ALL].sort());
  for (const s of shards) assert.deepEqual(s, [...s].sort((a, b) => ALL.indexOf(a) - ALL.indexOf(b)));
  const load = shards.map((s) => s.reduce((n, l) => n + times.get(l)!, 0));
  assert.ok(Math.abs(load[0] - load[1]) <= 20, `loads ${load.join(' and ')}`);
  assert.deepEqual(balance(ALL, 2, times), shards, 'the same times give the same split');
  assert.equal(balance(ALL.slice(0, 1), 4, new Map()).length, 1, 'no empty shard');
  assert.deepEqual(balance(ALL, 2, new Map()).map((s) => s.length), [3, 2], 'without times: by count');
});

test('the JUnit reports of the shards join into one testsuite with summed counts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'junit-'));
  const part = (tests: number, failures: number, time: string, cases: string) =>
    `<?xml version="1.0"?>\n<testsuite name="Cucumber" time="${time}" tests="${tests}" skipped="0" failures="${failures}" errors="0" timestamp="t">\n${cases}\n</testsuite>\n`;
  writeFileSync(join(dir, '1.xml'), part(2, 1, '3.5', '  <testcase name="a"/>\n  <testcase name="b"><failure/></testcase>'));
  writeFileSync(join(dir, '2.xml'), part(1, 0, '4.25', '  <testcase name="c"/>'));
  joinJunit([join(dir, '1.xml'), join(dir, '2.xml'), join(dir, 'absent.xml')], join(dir, 'junit.xml'));
  const xml = readFileSync(join(dir, 'junit.xml'), 'utf8');
  assert.match(xml, /<testsuite name="Cucumber" time="4\.250" tests="3" skipped="0" failures="1" errors="0" timestamp="t">/);
  assert.equal((xml.match(/<testcase /g) ?? []).length, 3);
  assert.throws(() => readFileSync(join(dir, '1.xml')), /ENOENT/, 'the parts are removed');
});

test('the message streams of the shards are concatenated and removed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'msgs-'));
  writeFileSync(join(dir, 'm.1'), '{"a":1}\n');
  writeFileSync(join(dir, 'm.2'), '{"b":2}\n');
  joinMessages([join(dir, 'm.1'), join(dir, 'm.2')], join(dir, 'm'));
  assert.equal(readFileSync(join(dir, 'm'), 'utf8'), '{"a":1}\n{"b":2}\n');
});
