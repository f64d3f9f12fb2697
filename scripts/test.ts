// npm test: build (the transpile cache); type-check, lint, feature format and unit tests side by side; the features
// against the reference; then side by side parity over the process protocol and the matrix (caught-only, reusing the reference run,
// with a soundness check); every scenario under the eADR and virtio-pmem profiles from the start, beside all of it; the reports in a browser.
// Ends with one line "N passed, N failed" counting unit tests and scenarios (a failed gate such as
// the type-check counts as one failure). A stage whose tool is missing (Chromium, Java) says so in
// one "skip" line and counts neither way. DAX_SKIP_MATRIX=1 and DAX_SKIP_BROWSER=1 leave those out.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { parallelism, runCucumber } from './lib/cucumber-run';
import { warm } from './register';
import { setAside } from './lib/allure';

const ROOT = join(__dirname, '..');
/** runs the .ts sources from the transpile cache (scripts/register.js) */
const REGISTER = join(__dirname, 'register.js');
let passed = 0;
let failed = 0;

interface Stage {
  name: string;
  ok: boolean;
  out: string;
  seconds: number;
}

/** a stage in its own process; its line is printed by report(), so stages run side by side print in order */
function stage(name: string, cmd: string, args: string[], env: Record<string, string> = {}): Promise<Stage> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    child.on('close', (code) => resolve({ name, ok: code === 0, out, seconds: (Date.now() - t0) / 1000 }));
    child.on('error', (e) => resolve({ name, ok: false, out: e.message, seconds: (Date.now() - t0) / 1000 }));
  });
}

function report(st: Stage): Stage {
  console.log(`${st.ok ? 'ok  ' : 'FAIL'} ${st.name} (${st.seconds.toFixed(1)} s)`);
  if (!st.ok) console.log(st.out.trim().split('\n').slice(-40).join('\n'));
  return st;
}

/** runs the thunks `n` at a time, answering in their order */
async function limited<T>(thunks: Array<() => Promise<T>>, n: number): Promise<T[]> {
  const out: T[] = new Array(thunks.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < thunks.length) {
      const i = next++;
      out[i] = await thunks[i]();
    }
  }));
  return out;
}

function files(dir: string, suffix: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...files(p, suffix));
    else if (p.endsWith(suffix)) out.push(relative(ROOT, p));
  }
  return out.sort();
}

/** the reports in a real browser (needs Chromium, and Java for the Allure HTML report): its stage, or the one line saying why it is skipped */
function browserStage(): Promise<Stage | string> {
  if (process.env.DAX_SKIP_BROWSER) return Promise.resolve('skip reports in headless Chromium: DAX_SKIP_BROWSER is set');
  const chromium = process.env.DAX_CHROMIUM || '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    return Promise.resolve(`skip reports in headless Chromium: ${chromium} not found (apt-get install chromium, or DAX_CHROMIUM=<path>; DAX_SKIP_BROWSER=1 hides this line)`);
  }
  if (spawnSync('java', ['-version'], { encoding: 'utf8' }).status !== 0) {
    return Promise.resolve('skip reports in headless Chromium: no Java runtime for the Allure HTML report (apt-get install default-jre-headless; DAX_SKIP_BROWSER=1 hides this line)');
  }
  return stage('reports in headless Chromium (test/browser/report.browser.ts)', process.execPath, ['-r', REGISTER, 'test/browser/report.browser.ts']);
}

async function main(): Promise<void> {
  // the reference run's random order is reproducible: its seed, printed now and at the end
  const orderSeed = process.env.DAX_ORDER_SEED || String(Math.floor(Math.random() * 1e9));
  const seedLine = `npm test: the features run in random order, seed ${orderSeed}; replay it with: DAX_ORDER_SEED=${orderSeed} npm test (or DAX_ORDER_SEED=${orderSeed} DAX_PROFILE=ci npm run conformance)`;
  console.log(seedLine);
  const bin = (p: string) => join(ROOT, 'node_modules', '.bin', p);
  // the type-check and lint read the sources, not the transpile cache: they start before the build (on a clean clone
  // the build transpiles every file on one core for several seconds); tsc and eslint keep their state in .cache/
  const typecheck = stage('type-check (tsc --noEmit)', bin('tsc'), ['--noEmit', '-p', '.', '--incremental', '--tsBuildInfoFile', '.cache/tsc/tsbuildinfo']);
  const lint = stage('lint (eslint)', bin('eslint'), ['--max-warnings', '0', '--cache', '--cache-location', '.cache/eslint/', '.']);
  const t0 = Date.now();
  const built = warm();
  console.log(`ok   build: ${built.built} file(s) transpiled, ${built.current} current (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  // every scenario under the other persistence profiles: a promise that holds only under ADR must say so in its @profile tags.
  // They need only the build, so they start now and run beside everything else (virtio-pmem's is the longest single run
  // of npm test); one process each, since the cores are busy with the other stages (a worker pool would add start-ups)
  const profiles = (process.env.DAX_SKIP_PROFILES ? [] : ['virtio-pmem', 'eadr']).map((profile) => ({
    profile,
    run: runCucumber({ target: `emulator@${profile}`, profile: 'gate', messagesFile: join(ROOT, 'reports', `messages-${profile}.ndjson`), stdio: 'pipe', parallel: 1, env: { DAX_ORDER_SEED: orderSeed } }),
  }));
  // the other static gates and the unit tests side by side, the cores' worth at a time
  const tests = files(join(ROOT, 'test'), '.test.ts');
  const cores = availableParallelism();
  const gates = await limited([
    () => stage(`unit tests (${tests.length} files)`, process.execPath, ['-r', REGISTER, '--test', `--test-concurrency=${cores}`, '--test-reporter=tap', ...tests]),
    () => typecheck,
    () => lint,
    () => stage('feature format', process.execPath, ['-r', REGISTER, 'scripts/check-features.ts']),
    // the model carries no Stryker comments; each equivalence entry still names exactly the mutants it ignores
    () => stage('mutation equivalents (stryker/check-equivalents.mjs)', process.execPath, ['stryker/check-equivalents.mjs']),
    // the hand-written semantic mutants still apply to the model as it is now (npm run mutants runs them)
    () => stage('semantic mutants apply (mutants/run.ts --check)', process.execPath, ['-r', REGISTER, 'mutants/run.ts', '--check']),
  ], cores);
  const [unit, ...statics] = gates;
  for (const g of statics) if (!report(g).ok) failed++;
  report(unit);
  const p = Number(/^# pass (\d+)/m.exec(unit.out)?.[1] ?? 0);
  const f = Number(/^# fail (\d+)/m.exec(unit.out)?.[1] ?? (unit.ok ? 0 : 1));
  passed += p;
  failed += f;
  if (!unit.ok && f === 0) failed++;
  console.log(`     unit tests: ${p} passed, ${f} failed`);

  // the reference run also records which variant switches each scenario reads: the matrix reuses it.
  // Its Allure results are CI's artifact: this run's alone
  const results = join(ROOT, 'reports', 'allure-results');
  // the previous run's results are deleted at the end, not before this run (scripts/lib/allure.ts setAside)
  const dropPrevious = setAside(results);
  const ref = await runCucumber({ target: 'emulator', profile: 'ci', messagesFile: join(ROOT, 'reports', 'messages.ndjson'), stdio: 'pipe', parallel: parallelism('in-process'), env: { DAX_ORDER_SEED: orderSeed, DAX_RECORD_SWITCHES: '1' } });
  passed += ref.passed;
  failed += ref.failed;
  console.log(`${ref.failed === 0 && !ref.fatal ? 'ok  ' : 'FAIL'} features against the reference (${ref.seconds.toFixed(1)} s): ${ref.passed} passed, ${ref.failed} failed, ${ref.skipped} skipped`);
  for (const s of ref.scenarios.filter((x) => x.status !== 'passed' && x.status !== 'skipped')) console.log(`     ${s.uri}:${s.line} ${s.name}: ${s.sentence ?? s.message ?? s.status}`);
  if (ref.fatal) {
    console.log(`     ${ref.fatal}`);
    failed++;
  }

  const messages = join(ROOT, 'reports', 'messages.ndjson');
  // after the reference, parity and the matrix side by side (the profile runs still going), so no core idles at a stage's tail
  const parity = !process.env.DAX_SKIP_PARITY && !ref.fatal
    ? stage('parity: the same verdicts over the process protocol', process.execPath, ['-r', REGISTER, 'scripts/parity.ts', '--in-process-from', messages])
    : undefined;
  // caught-only: each variant until a scenario of its rules catches it (npm run matrix gives the whole
  // per-rule table); --verify 2 also runs two variants in full against their targeted verdicts
  const matrix = !process.env.DAX_SKIP_MATRIX && !ref.fatal
    ? stage('matrix (reference clean, every variant caught)', process.execPath, ['-r', REGISTER, 'scripts/matrix.ts', '--caught-only', '--verify', '2', '--reference', messages])
    : undefined;
  if (parity) {
    const par = report(await parity);
    const line = par.out.split('\n').reverse().find((l) => l.startsWith('parity: '));
    if (line) console.log(`     ${line}`);
    if (!par.ok) failed++;
  }
  if (matrix) {
    const m = report(await matrix);
    const line = m.out.split('\n').find((l) => l.startsWith('matrix: reference'));
    if (line) console.log(`     ${line}`);
    const sound = m.out.split('\n').filter((l) => /^matrix: targeted verdicts of /.test(l));
    const unsound = sound.filter((l) => /DISAGREE/.test(l));
    console.log(`${sound.length > 0 && unsound.length === 0 ? 'ok  ' : 'FAIL'} targeted matrix agrees with full runs (${sound.length} variant(s) run both ways)`);
    for (const l of sound) console.log(`     ${l.slice('matrix: '.length)}`);
    if (!m.ok) failed++;
    if (sound.length === 0 || unsound.length > 0) failed++;
  } else console.log(`skip matrix: ${process.env.DAX_SKIP_MATRIX ? 'DAX_SKIP_MATRIX is set' : 'the reference run could not run'}`);
  // no other stage writes into the reference's Allure results (parity's runs once did: every scenario twice)
  if (!ref.fatal) {
    const written = existsSync(results) ? readdirSync(results).filter((f) => f.endsWith('-result.json')).length : 0;
    const scenarios = ref.passed + ref.failed + ref.skipped;
    console.log(`${written === scenarios ? 'ok  ' : 'FAIL'} the reference's Allure results: ${written} for ${scenarios} scenarios`);
    if (written === scenarios) passed++;
    else failed++;
  }
  // the browser check after parity and the matrix (its page loads have time limits), beside the profile runs' tails
  const browser = browserStage();
  for (const { profile, run } of profiles) {
    const r = await run;
    const ok = r.failed === 0 && !r.fatal && r.passed > 0;
    console.log(`${ok ? 'ok  ' : 'FAIL'} features under the ${profile} profile (${r.seconds.toFixed(1)} s): ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped (their @profile tags exclude ${profile})`);
    for (const s of r.scenarios.filter((x) => x.status !== 'passed' && x.status !== 'skipped')) console.log(`     ${s.uri}:${s.line} ${s.name}: ${s.sentence ?? s.message ?? s.status}`);
    if (r.fatal) console.log(`     ${r.fatal}`);
    // one count per profile run: its scenarios are the reference's, counted once above
    if (ok) passed++;
    else failed++;
  }
  const b = await browser;
  if (typeof b === 'string') console.log(b);
  else {
    report(b);
    const line = b.out.split('\n').find((l) => l.startsWith('browser: '));
    if (line) console.log(`     ${line}`);
    if (b.ok) passed++;
    else failed++;
  }
  dropPrevious();
  console.log(seedLine);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main().catch((e) => {
  console.error(e);
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exitCode = 1;
});
