// The Allure formatter runs allure-cucumberjs' reporter on a thread of its own: a real cucumber run through it leaves
// one result per scenario with the scenario's status, and a failed test-run hook's global error, written before the
// hook returned: a failed BeforeAll ends the process at once, before any formatter finishes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const CUCUMBER = join(ROOT, 'node_modules', '@cucumber', 'cucumber');

/** a cucumber project in a temporary folder whose `hook` fails, run through the formatter; `check` sees its results */
function withRun(hook: 'BeforeAll' | 'AfterAll', check: (results: string, status: number | null, stderr: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'allure-formatter-'));
  try {
    mkdirSync(join(dir, 'features'));
    writeFileSync(join(dir, 'features', 'a.feature'), ['Feature: two scenarios', '  Scenario: one passes', '    Given a step that passes', '  Scenario: one fails', '    Given a step that fails', ''].join('\n'));
    writeFileSync(
      join(dir, 'support.js'),
      [
        `const { Given, ${hook} } = require(${JSON.stringify(CUCUMBER)});`,
        "Given('a step that passes', function () {});",
        "Given('a step that fails', function () { require('node:assert').fail('the step saw the wrong bytes'); });",
        `${hook}(function () { throw new Error('the disk ran out'); });`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'cucumber.js'),
      `module.exports = { default: { paths: ['features/*.feature'], require: ['support.js'], format: [[${JSON.stringify(join(ROOT, 'scripts', 'lib', 'allure-formatter.js'))}, 'results/.written']], formatOptions: { resultsDir: 'results' } } };\n`,
    );
    const r = spawnSync(process.execPath, [join(CUCUMBER, 'bin', 'cucumber.js')], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    check(join(dir, 'results'), r.status, r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a run through the reporter thread leaves each scenario with its status and the failed AfterAll as a global error', () => {
  withRun('AfterAll', (results, status, stderr) => {
    assert.equal(status, 1, `cucumber exits 1 for a failed scenario and hook: ${stderr}`);
    const files = readdirSync(results);
    const read = (f: string) => JSON.parse(readFileSync(join(results, f), 'utf8'));
    const byName = Object.fromEntries(files.filter((f) => f.endsWith('-result.json')).map((f) => [read(f).name, read(f)]));
    assert.deepEqual(Object.keys(byName).sort(), ['one fails', 'one passes']);
    assert.equal(byName['one passes'].status, 'passed');
    assert.equal(byName['one fails'].status, 'failed');
    assert.match(byName['one fails'].statusDetails.message, /the step saw the wrong bytes/);
    const globals = files.filter((f) => f.endsWith('-globals.json')).map(read);
    assert.equal(globals.length, 1, `one global error file: ${files.join(', ')}`);
    assert.match(globals[0].errors[0].message, /^AfterAll hook failed: the disk ran out/);
  });
});

test('a failed BeforeAll, which ends the process, still leaves its global error', () => {
  withRun('BeforeAll', (results, status, stderr) => {
    assert.equal(status, 1, stderr);
    const globals = readdirSync(results).filter((f) => f.endsWith('-globals.json'));
    assert.equal(globals.length, 1, `one global error file: ${readdirSync(results).join(', ')}`);
    assert.match(JSON.parse(readFileSync(join(results, globals[0]), 'utf8')).errors[0].message, /^BeforeAll hook failed: the disk ran out/);
  });
});
