// npm test: build (the transpile cache), type-check, lint, feature format, unit tests, the features
// against the reference, the matrix (targeted, with a soundness check), the reports in a browser.
// Ends with one line "N passed, N failed" counting unit tests and scenarios (a failed gate such as
// the type-check counts as one failure). A stage whose tool is missing (Chromium, Java) says so in
// one "skip" line and counts neither way. DAX_SKIP_MATRIX=1 and DAX_SKIP_BROWSER=1 leave those out.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { parallelism, runCucumber } from './lib/cucumber-run';
import { warm } from './register';

const ROOT = join(__dirname, '..');
/** runs the .ts sources from the transpile cache (scripts/register.js) */
const REGISTER = join(__dirname, 'register.js');
let passed = 0;
let failed = 0;

function stage(name: string, cmd: string, args: string[], env: Record<string, string> = {}): { ok: boolean; out: string } {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const ok = r.status === 0;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  if (!ok) console.log(out.trim().split('\n').slice(-40).join('\n'));
  return { ok, out };
}

function gate(name: string, cmd: string, args: string[]): void {
  if (!stage(name, cmd, args).ok) failed++;
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

async function main(): Promise<void> {
  const bin = (p: string) => join(ROOT, 'node_modules', '.bin', p);
  // the reference run's random order is reproducible: its seed, printed now and at the end
  const orderSeed = process.env.DAX_ORDER_SEED || String(Math.floor(Math.random() * 1e9));
  const seedLine = `npm test: the features run in random order, seed ${orderSeed}; replay it with: DAX_ORDER_SEED=${orderSeed} npm test (or DAX_ORDER_SEED=${orderSeed} DAX_PROFILE=ci npm run conformance)`;
  console.log(seedLine);
  const t0 = Date.now();
  const built = warm();
  console.log(`ok   build: ${built.built} file(s) transpiled, ${built.current} current (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  // both keep their state in .cache/, so an unchanged tree is checked in a fraction of the time
  gate('type-check (tsc --noEmit)', bin('tsc'), ['--noEmit', '-p', '.', '--incremental', '--tsBuildInfoFile', '.cache/tsc/tsbuildinfo']);
  gate('lint (eslint)', bin('eslint'), ['--max-warnings', '0', '--cache', '--cache-location', '.cache/eslint/', '.']);
  gate('feature format', process.execPath, ['-r', REGISTER, 'scripts/check-features.ts']);
  // the model carries no Stryker comments; each equivalence entry still names exactly the mutants it ignores
  gate('mutation equivalents (stryker/check-equivalents.mjs)', process.execPath, ['stryker/check-equivalents.mjs']);
  // the hand-written semantic mutants still apply to the model as it is now (npm run mutants runs them)
  gate('semantic mutants apply (mutants/run.ts --check)', process.execPath, ['-r', REGISTER, 'mutants/run.ts', '--check']);

  const tests = files(join(ROOT, 'test'), '.test.ts');
  const unit = stage(`unit tests (${tests.length} files)`, process.execPath, ['-r', REGISTER, '--test', `--test-concurrency=${availableParallelism()}`, '--test-reporter=tap', ...tests]);
  const p = Number(/^# pass (\d+)/m.exec(unit.out)?.[1] ?? 0);
  const f = Number(/^# fail (\d+)/m.exec(unit.out)?.[1] ?? (unit.ok ? 0 : 1));
  passed += p;
  failed += f;
  if (!unit.ok && f === 0) failed++;
  console.log(`     unit tests: ${p} passed, ${f} failed`);

  const ref = await runCucumber({ target: 'emulator', profile: 'ci', messagesFile: join(ROOT, 'reports', 'messages.ndjson'), stdio: 'pipe', parallel: parallelism(), env: { DAX_ORDER_SEED: orderSeed } });
  passed += ref.passed;
  failed += ref.failed;
  console.log(`${ref.failed === 0 && !ref.fatal ? 'ok  ' : 'FAIL'} features against the reference (${ref.seconds.toFixed(1)} s): ${ref.passed} passed, ${ref.failed} failed, ${ref.skipped} skipped`);
  for (const s of ref.scenarios.filter((x) => x.status !== 'passed' && x.status !== 'skipped')) console.log(`     ${s.uri}:${s.line} ${s.name}: ${s.sentence ?? s.message ?? s.status}`);
  if (ref.fatal) {
    console.log(`     ${ref.fatal}`);
    failed++;
  }

  if (!process.env.DAX_SKIP_PARITY && !ref.fatal) {
    // the protocol path: every scenario over the protocol (one reference server) has the verdict it just had in process
    const par = stage('parity: the same verdicts over the process protocol', process.execPath, ['-r', REGISTER, 'scripts/parity.ts', '--in-process-from', join(ROOT, 'reports', 'messages.ndjson')]);
    const line = par.out.split('\n').reverse().find((l) => l.startsWith('parity: '));
    if (line) console.log(`     ${line}`);
    if (!par.ok) failed++;
  }

  if (!process.env.DAX_SKIP_MATRIX) {
    // targeted: each variant only where its switch is read; --verify 2 also runs two variants in full
    const m = stage('matrix (reference clean, every variant caught)', process.execPath, ['-r', REGISTER, 'scripts/matrix.ts', '--verify', '2']);
    const line = m.out.split('\n').find((l) => l.startsWith('matrix: reference'));
    if (line) console.log(`     ${line}`);
    const sound = m.out.split('\n').filter((l) => /^matrix: targeted verdicts of /.test(l));
    const unsound = sound.filter((l) => /DISAGREE/.test(l));
    console.log(`${sound.length > 0 && unsound.length === 0 ? 'ok  ' : 'FAIL'} targeted matrix agrees with full runs (${sound.length} variant(s) run both ways)`);
    for (const l of sound) console.log(`     ${l.slice('matrix: '.length)}`);
    if (!m.ok) failed++;
    if (sound.length === 0 || unsound.length > 0) failed++;
  } else console.log('skip matrix: DAX_SKIP_MATRIX is set');
  if (!process.env.DAX_SKIP_BROWSER) {
    // the reports in a real browser: needs Chromium, and Java for the Allure HTML report
    const chromium = process.env.DAX_CHROMIUM || '/usr/bin/chromium';
    const java = spawnSync('java', ['-version'], { encoding: 'utf8' }).status === 0;
    if (!existsSync(chromium)) {
      console.log(`skip reports in headless Chromium: ${chromium} not found (apt-get install chromium, or DAX_CHROMIUM=<path>; DAX_SKIP_BROWSER=1 hides this line)`);
    } else if (!java) {
      console.log('skip reports in headless Chromium: no Java runtime for the Allure HTML report (apt-get install default-jre-headless; DAX_SKIP_BROWSER=1 hides this line)');
    } else {
      const b = stage('reports in headless Chromium (test/browser/report.browser.ts)', process.execPath, ['-r', REGISTER, 'test/browser/report.browser.ts']);
      const line = b.out.split('\n').find((l) => l.startsWith('browser: '));
      if (line) console.log(`     ${line}`);
      if (b.ok) passed++;
      else failed++;
    }
  } else console.log('skip reports in headless Chromium: DAX_SKIP_BROWSER is set');
  console.log(seedLine);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main().catch((e) => {
  console.error(e);
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exitCode = 1;
});
