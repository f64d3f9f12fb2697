// Each way a run can go wrong, driven through `npm run conformance` (scripts/conformance.ts): who
// is blamed (the first word of the one sentence), the exit code, and that it says so once.
//   rule broken          exit 1, the message starts with the rule id
//   cannot be driven     exit 2, "IMPLEMENTATION: ..."
//   suite or input wrong exit 2, "INPUT: ..."

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const FIX = 'test/verdicts/fixtures';
const REFUSING = `process:${process.execPath} ${FIX}/refusing-server.js`;

interface Outcome {
  code: number;
  out: string;
  /** the last line on stderr: the one sentence */
  last: string;
}

function conformance(env: Record<string, string>, args: string[] = []): Promise<Outcome> {
  const reports = mkdtempSync(join(tmpdir(), 'dax-verdicts-'));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', './scripts/register.js', 'scripts/conformance.ts', ...args], {
      cwd: ROOT,
      // one cucumber process per run: these select a scenario or two, so workers would only add their start-ups
      env: { ...process.env, DAX_TARGET: 'emulator', DAX_REPORT_DIR: reports, DAX_SKIP_HTML_REPORT: '1', DAX_PROFILE: 'default', DAX_PARALLEL: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (err += String(d)));
    child.on('close', (code) => {
      rmSync(reports, { recursive: true, force: true });
      resolve({ code: code ?? -1, out: out + err, last: err.trim().split('\n').pop() ?? '' });
    });
  });
}

/** the verdict line: exit code, first word, one line with no stack frame */
function blames(o: Outcome, code: number, re: RegExp): void {
  assert.equal(o.code, code, `exit code ${o.code}, expected ${code}; output:\n${o.out.slice(-2000)}`);
  assert.match(o.last, re);
  assert.doesNotMatch(o.out, /^\s+at .*\(.*:\d+:\d+\)$/m, 'no stack trace');
}

describe('bad input is blamed on the input (exit 2, INPUT:)', { concurrency: 2 }, () => {
  test('an unknown profile (DAX_PROFILE=nope)', async () => {
    blames(await conformance({ DAX_PROFILE: 'nope' }), 2, /^conformance: INPUT: unknown profile "nope" \(DAX_PROFILE or --profile\); accepted: default, ci/);
  });
  test('a stray export of cucumber.js used as a profile (--profile seed)', async () => {
    blames(await conformance({}, ['--profile', 'seed']), 2, /^conformance: INPUT: unknown profile "seed"/);
  });
  test('an unknown target', async () => {
    blames(await conformance({ DAX_TARGET: 'emulater' }), 2, /^conformance: INPUT: unknown DAX_TARGET "emulater"; accepted: /);
  });
  test('the linux target without its image', { skip: existsSync(join(ROOT, '.cache', 'linux', 'image.json')) && 'the image exists here' }, async () => {
    blames(await conformance({ DAX_TARGET: 'linux' }), 2, /^conformance: INPUT: the linux target needs its image .*run npm run linux:image first$/);
  });
  test('a mistyped feature path', async () => {
    blames(await conformance({}, ['features/dax/writebak.feature']), 2, /^conformance: INPUT: no such feature file or folder: features\/dax\/writebak\.feature$/);
  });
  test('a tag that selects no scenario (--tags @rule:NOPE)', async () => {
    blames(await conformance({}, ['--tags', '@rule:NOPE']), 2, /^conformance: INPUT: --tags @rule:NOPE selects no scenario/);
  });
  test('an undefined step', async () => {
    const o = await conformance({}, [`${FIX}/undefined-step.feature`]);
    assert.equal(o.code, 2, o.out.slice(-2000));
    assert.match(o.out, /^ {2}INPUT: a step has no definition \(Cucumber printed a snippet for it\) \(test\/verdicts\/fixtures\/undefined-step\.feature:4\)$/m);
    assert.match(o.out, /0 broke a rule, 0 could not drive the implementation, 1 bad input/);
    assert.match(o.out, /When\('the implementation frobnicates \{dev\}'/, 'the snippet names the {dev} parameter type');
  });
  test('an ambiguous step', async () => {
    const o = await conformance({}, [`${FIX}/ambiguous-step.feature`, '--require', `${FIX}/ambiguous.steps.ts`]);
    assert.equal(o.code, 2, o.out.slice(-2000));
    assert.match(o.out, /^ {2}INPUT: a step matches more than one definition \(test\/verdicts\/fixtures\/ambiguous-step\.feature:4\)$/m);
  });
  test('a crash budget that is not a number (DAX_CRASH_BUDGET=lots)', async () => {
    blames(await conformance({ DAX_CRASH_BUDGET: 'lots' }, ['features/pmem/crash-explorer.feature']), 2, /^conformance: INPUT: DAX_CRASH_BUDGET must be a whole number of crash states, not "lots"$/);
  });
});

/** npm run matrix with these arguments, for the inputs it refuses before running anything */
function matrix(args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', './scripts/register.js', 'scripts/matrix.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (err += String(d)));
    child.on('close', (code) => resolve({ code: code ?? -1, out: out + err, last: err.trim().split('\n').pop() ?? '' }));
  });
}

describe('the matrix refuses bad input before judging any variant (exit 2, INPUT:)', { concurrency: 2 }, () => {
  test('a mistyped feature path', async () => {
    const o = await matrix(['features/nope.feature']);
    blames(o, 2, /^matrix: INPUT: no such feature file or folder: features\/nope\.feature$/);
    assert.doesNotMatch(o.out, /variants caught|\*\*NO\*\*/, 'no matrix is written or printed');
  });
  test('an unknown profile', async () => {
    blames(await matrix(['--profile', 'nope']), 2, /^matrix: INPUT: unknown profile "nope"/);
  });
});

describe('an implementation that cannot be driven is blamed as such (exit 2, IMPLEMENTATION:)', { concurrency: 2 }, () => {
  test('a command that does not exist: one sentence, the rest not run, the command to reproduce', async () => {
    const o = await conformance({ DAX_TARGET: 'process:/nonexistent' }, ['features/dax/beyond.feature']);
    blames(o, 2, /^conformance: IMPLEMENTATION: process "\/nonexistent" could not be started: spawn \/nonexistent ENOENT; stopped after the first scenario\. Reproduce: DAX_TARGET='process:\/nonexistent' npx cucumber-js features\/dax\/beyond\.feature:\d+$/);
    assert.match(o.out, /: 0 passed, 1 failed \(0 broke a rule, 1 could not drive the implementation, 0 bad input\), \d+ skipped/);
    assert.equal(o.out.match(/IMPLEMENTATION: process "\/nonexistent"/g)?.length, 3, 'the progress formatter, the summary and the last line: not once per scenario');
  });
  test('a server that never says hello (process:cat) stops after the first scenario', async () => {
    const o = await conformance({ DAX_TARGET: 'process:cat', DAX_PROCESS_TIMEOUT_MS: '1500' }, ['features/dax/beyond.feature']);
    blames(o, 2, /^conformance: IMPLEMENTATION: process "cat" sent no hello line within 1500 ms of starting; stopped after the first scenario\. Reproduce: /);
  });
  test('a core op answered with ENOSYS', async () => {
    const o = await conformance({ DAX_TARGET: `${REFUSING} fsync ENOSYS` }, [`${FIX}/refused-fsync.feature`]);
    assert.equal(o.code, 2, o.out.slice(-2000));
    assert.match(o.out, /^ {2}IMPLEMENTATION: the implementation answered "fsync" with ENOSYS, a core op every implementation must answer: fsync is not implemented here \(test\/verdicts\/fixtures\/refused-fsync\.feature:4\)$/m);
    assert.doesNotMatch(o.out, /FAILED WB-1/);
  });
  test('an optional op refused with EOPNOTSUPP by a target that does not declare its capability', async () => {
    const o = await conformance({ DAX_TARGET: `${REFUSING} cpuStore EOPNOTSUPP cache-model` }, [`${FIX}/undeclared-capability.feature`]);
    assert.equal(o.code, 2, o.out.slice(-2000));
    assert.match(o.out, /^ {2}IMPLEMENTATION: the implementation refused "cpuStore" with EOPNOTSUPP and does not declare cache-model, the capability it belongs to; a scenario using it needs @requires:cache-model/m);
  });
});

describe('a broken rule is blamed on the rule (exit 1, the rule id first)', () => {
  test('a schedule that never reaches its stop point names the rule (no-mmap-flush)', async () => {
    const feature = 'features/dax/dax-layer.feature';
    const line = readFileSync(join(ROOT, feature), 'utf8').split('\n').findIndex((l) => l.includes('Scenario: fsync stopped after tagging writes back what it tagged')) + 1;
    assert.ok(line > 0, `the WB-4 scenario is no longer in ${feature}`);
    const o = await conformance({ DAX_TARGET: 'emulator:no-mmap-flush' }, [`${feature}:${line}`]);
    assert.equal(o.code, 1, o.out.slice(-2000));
    assert.ok(o.out.includes(`  FAILED WB-4: fsync A did not reach "after tagging": it ended at done (${feature}:${line})\n`), o.out.slice(-2000));
    assert.match(o.out, /1 broke a rule, 0 could not drive the implementation, 0 bad input/);
  });
});
