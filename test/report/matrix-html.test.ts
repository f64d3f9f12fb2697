// reports/matrix.html: rules down in SCENARIOS.md order, the reference then each variant across,
// a fail cell links to the failing scenario's feature file and line with its message.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareRules, matrixHtml } from '../../scripts/lib/matrix-html';
import type { MatrixJson } from '../../scripts/matrix';

const fixture = JSON.parse(readFileSync(join(__dirname, '..', 'browser', 'fixtures', 'matrix.json'), 'utf8')) as MatrixJson;

test('rules sort by area as SCENARIOS.md lists them, then by number', () => {
  assert.deepEqual(['WB-10', 'MS-1', 'PM-2', 'WB-2', 'DT-1', 'PM-10'].sort(compareRules), ['PM-2', 'PM-10', 'DT-1', 'WB-2', 'WB-10', 'MS-1']);
});

test('one row per rule, one column per implementation, reference first', () => {
  const html = matrixHtml(fixture);
  const rows = [...html.matchAll(/<th class="rule" scope="row">([^<]+)<\/th>/g)].map((m) => m[1]);
  assert.deepEqual(rows, ['PM-1', 'PM-3', 'PM-4', 'PM-6']);
  const cols = [...html.matchAll(/<th class="impl [^"]*"[^>]*data-target="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(cols, ['emulator', ...fixture.variants.map((v) => `emulator:${v.name}`)]);
  const cells = (html.match(/<td class="(pass|fail|skip|none)/g) ?? []).length;
  assert.equal(cells, rows.length * cols.length);
});

test('a fail cell links to the scenario and carries its message', () => {
  const html = matrixHtml(fixture);
  const cell = /<td class="fail expected"[^>]*data-rule="PM-3" data-target="emulator:driver-no-fence">.*?<\/td>/s.exec(html)?.[0] ?? '';
  assert.match(cell, /href="\.\.\/features\/pmem\/pmem-driver\.feature"/);
  assert.match(cell, /features\/pmem\/pmem-driver\.feature:20/);
  assert.match(cell, /\[PM-3\] durability violation/);
  assert.match(cell, /title="features\/pmem\/pmem-driver\.feature:20 a write through rw_bytes/);
});

test('an uncaught variant and a failing reference are called out; text is escaped', () => {
  const m: MatrixJson = JSON.parse(JSON.stringify(fixture));
  m.variants[0].caught = false;
  m.variants[0].name = 'x<y>';
  m.reference.failed = 1;
  const html = matrixHtml(m);
  assert.match(html, /Variants caught by nothing: x&lt;y&gt;/);
  assert.match(html, /The reference failed 1 scenario/);
  assert.doesNotMatch(html, /x<y>/);
});
