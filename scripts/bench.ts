// npm run bench: the suite's speed and the emulator's costs, each figure measured in this one run,
// beside the old way where there is one (ts-node start-up, a serial run, Allure's fsync per result,
// the matrix's process per variant, the full matrix, the explorer's table of states). Writes
// reports/bench.json and prints a table. `--skip-matrix` leaves the matrices out, `--old-matrix` also
// times the targeted matrix the old way (a cucumber process per variant: minutes), `--full-matrix`
// also times `npm run matrix -- --full`, `--caught-only-matrix` times only npm test's matrix, `--quick` skips the matrices and the 2^20-state exploration.
// `--baseline <dir>` times the reference run (`npm run conformance` without the Java HTML step) in an
// older checkout and in this one, alternately, `--rounds n` times each (default 2): wall and CPU
// seconds back to back under the same load. `--profiles` times npm test's eADR and virtio-pmem runs (serial; with
// --baseline, the baseline's virtio-pmem run too). Figures a run skips keep their previous values from
// reports/bench.json, marked with the date they were measured. A speed probe (a fixed workload, speedProbe) runs
// before each reference round and each conformance_s figure, so a reader can tell a slow minute from a slower suite.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MATCH_INDICES, parallelism, runCucumber, v8Flags } from './lib/cucumber-run';
import { setAside } from './lib/allure';
import { Kernel, run } from '../emulator/kernel';
import { PersistentMemory } from '../emulator/pmem/memory';
import { explore, holdsInEveryState } from '../emulator/pmem/crash';
import { VariantName } from '../emulator/faults';
import { naiveExplore } from '../bench/naive';
import type { MatrixJson } from './matrix';

const ROOT = join(__dirname, '..');
const REGISTER = join(__dirname, 'register.js');
const OUT = join(ROOT, 'reports');

function timeIt<T>(f: () => T): { s: number; v: T } {
  const t0 = performance.now();
  const v = f();
  return { s: (performance.now() - t0) / 1000, v };
}

/** a trace with `lines` unflushed lines of `stores` stores each */
function trace(lines: number, stores: number): PersistentMemory {
  const m = new PersistentMemory(64 << 20);
  for (let s = 0; s < stores; s++) for (let i = 0; i < lines; i++) m.store(i * 4096 + (i % 64) * 64, new Uint8Array([s + 1, i & 255]));
  return m;
}
const lineAddr = (i: number) => i * 4096 + (i % 64) * 64;

function durabilityQueries(): number {
  const m = trace(512, 3);
  const want = new Uint8Array([3, 0]);
  const n = 200_000;
  const { s } = timeIt(() => {
    for (let q = 0; q < n; q++) holdsInEveryState(m, lineAddr(q % 512), want);
  });
  return n / s;
}

/** the question: "the 4 lines the predicate reads never all hold their last store" over 10 pending lines */
function crashStates(): { pruned: number; unpruned: number; naiveRatio: number; naiveStates: number; ourStates: number } {
  const m = trace(10, 2);
  const read = [0, 3, 7, 9].map(lineAddr);
  const pred = (img: PersistentMemory) => read.some((a) => img.load(a, 1)[0] !== 2);
  const ours = timeIt(() => explore(m, (img) => ({ ok: pred(img) }), { budget: 1 << 20 }));
  const unpruned = timeIt(() => explore(m, (img) => ({ ok: pred(img) }), { budget: 1 << 20, noPruning: true }));
  const naive = timeIt(() => naiveExplore(m, pred));
  // all three answer the same question (it fails in the state where all four lines kept both stores)
  if (ours.v.ok !== naive.v.ok || unpruned.v.ok !== naive.v.ok) throw new Error('the enumerators disagree');
  // a passing predicate makes every enumerator go to the end: the throughput figure
  const okPred = (img: PersistentMemory) => (read.forEach((a) => img.load(a, 1)), true);
  const pAll = timeIt(() => explore(m, (img) => ({ ok: okPred(img) }), { budget: 1 << 20 }));
  const u = timeIt(() => explore(m, (img) => ({ ok: okPred(img) }), { budget: 1 << 20, noPruning: true }));
  const nv = timeIt(() => naiveExplore(m, okPred));
  return {
    pruned: pAll.v.states / pAll.s,
    unpruned: u.v.states / u.s,
    naiveRatio: nv.s / pAll.s,
    naiveStates: nv.v.states,
    ourStates: pAll.v.states,
  };
}

function daxKernel(variant?: VariantName): { k: Kernel; map: number } {
  const k = new Kernel({ variant });
  k.machine.createNamespace('pmem0', 256 * 1024 ** 2);
  k.fs.mkfs('ext4', 'pmem0');
  k.fs.mount({ fs: 'ext4', dev: 'pmem0', dir: '/mnt', dax: 'always' });
  k.fs.create('/mnt/f');
  k.fs.fallocate('/mnt/f', 0, 64 * 1024 ** 2, 'allocate');
  k.fsync('/mnt/f', false);
  return { k, map: k.mmap('/mnt/f', 0, 64 * 1024 ** 2, true, false, false) };
}

function storeThroughput(): { mbps: number; vsMemcpy: number } {
  const { k, map } = daxKernel();
  const total = 32 * 1024 ** 2;
  const chunk = new Uint8Array(4096).fill(7);
  const { s } = timeIt(() => {
    for (let off = 0; off < total; off += chunk.length) run(k.storeSteps(map, off, chunk));
  });
  const dst = Buffer.alloc(total);
  const src = Buffer.from(chunk);
  const mc = timeIt(() => {
    for (let off = 0; off < total; off += src.length) src.copy(dst, off);
  });
  const mbps = total / 2 ** 20 / s;
  return { mbps, vsMemcpy: mbps / (total / 2 ** 20 / mc.s) };
}

function rss1TiB(): { rss_mb: number; baseline_mb: number } {
  const r = spawnSync(process.execPath, ['--expose-gc', '-r', REGISTER, join(ROOT, 'bench', 'rss-child.ts')], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`rss child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim());
}

type Amp = Record<'1 page' | '1 PMD' | '100 pages', number>;

function flushAmplification(variant?: VariantName): Amp {
  const out = {} as Amp;
  for (const [name, pmd, pages] of [['1 page', false, 1], ['1 PMD', true, 1], ['100 pages', false, 100]] as const) {
    const { k } = daxKernel(variant);
    const m = k.mmap('/mnt/f', 0, 64 * 1024 ** 2, true, false, pmd);
    for (let p = 0; p < pages; p++) run(k.storeSteps(m, p * 37 * 4096 + 128, new Uint8Array(8).fill(1)));
    const mark = k.machine.writebackLog.length;
    k.fsync('/mnt/f', false);
    const lines = k.machine.writebackLog.slice(mark).reduce((n, r) => n + (r.kind === 'writeback-line' ? (r.lines ?? 1) : 0), 0);
    out[name] = lines / pages; // each store dirtied one line
  }
  return out;
}

async function spawnWall(cmd: string, args: string[]): Promise<number> {
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const c = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'ignore'] });
    c.on('close', () => resolve());
  });
  return (performance.now() - t0) / 1000;
}

// a fixed single-threaded workload (integer arithmetic, typed-array stores, small objects in a Map): what the
// scenarios' thread does, without the suite
const PROBE = `const t0 = performance.now(); const a = new Uint32Array(1 << 16); let x = 2463534242;
for (let i = 0; i < 6e7; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; a[i & 0xffff] += x; }
const m = new Map(); for (let i = 0; i < 1.2e6; i++) m.set('k' + (i % 5000), { i, x: a[i & 0xffff] });
console.log((performance.now() - t0).toFixed(1));`;

/**
 * the machine's speed now: milliseconds of PROBE in a fresh node. This two-vCPU machine's speed drifts by half from
 * one minute to the next; the probe taken beside each timed run tells a slow minute from a slower suite.
 */
function speedProbe(): number {
  const r = spawnSync(process.execPath, ['-e', PROBE], { encoding: 'utf8' });
  const ms = Number(r.stdout.trim());
  if (r.status !== 0 || !Number.isFinite(ms)) throw new Error(`the speed probe failed: ${r.stderr}`);
  return ms;
}

/** the explorer over 2^lines states in a child process of its own, so its peak RSS is its own */
function exploreChild(lines: number, how: 'explorer' | 'table'): { states: number; seconds: number; states_per_s: number; peak_rss_mb: number } {
  const r = spawnSync(process.execPath, ['-r', REGISTER, join(ROOT, 'bench', 'explore-child.ts'), String(lines), how], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`explore child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim());
}

const CUCUMBER = join(ROOT, 'node_modules', '@cucumber', 'cucumber', 'bin', 'cucumber.js');

interface ReferenceRun {
  /** the cucumber run's wall seconds, as conformance prints them */
  wall_s: number;
  /** user + system CPU seconds of the whole command and its children (undefined without /usr/bin/time) */
  cpu_s?: number;
  passed: number;
  failed: number;
}

/** `npm run conformance` in `dir` (the HTML report left out), timed by /usr/bin/time when there is one */
function referenceRun(dir: string, reportDir: string): ReferenceRun {
  const timed = existsSync('/usr/bin/time');
  const cmd = [process.execPath, '-r', './scripts/register.js', 'scripts/conformance.ts'];
  const r = spawnSync(timed ? '/usr/bin/time' : cmd[0], timed ? ['-f', 'CPU %U %S', ...cmd] : cmd.slice(1), {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, DAX_SKIP_HTML_REPORT: '1', DAX_REPORT_DIR: reportDir, DAX_TARGET: 'emulator' },
    maxBuffer: 64 << 20,
  });
  const m = /: (\d+) passed, (\d+) failed .* in ([\d.]+) s/.exec(r.stdout);
  if (!m) throw new Error(`the reference run in ${dir} printed no summary: ${(r.stderr || r.stdout).slice(-400)}`);
  const cpu = /^CPU ([\d.]+) ([\d.]+)$/m.exec(r.stderr);
  return { wall_s: Number(m[3]), cpu_s: cpu ? Number(cpu[1]) + Number(cpu[2]) : undefined, passed: Number(m[1]), failed: Number(m[2]) };
}

interface ProfileRun {
  wall_s: number;
  cpu_s?: number;
  peak_rss_mb?: number;
  passed: number;
  skipped: number;
}

/** npm test's run of every scenario under a persistence profile (one cucumber process, profile gate) in `dir`, timed by /usr/bin/time when there is one */
function profileRun(dir: string, profile: string): ProfileRun {
  const timed = existsSync('/usr/bin/time');
  // as npm test runs it: this tree's harness's node flags (scripts/lib/cucumber-run.ts v8Flags)
  const pool = dir === ROOT ? v8Flags(1) : [];
  const cmd = [process.execPath, ...pool, '-r', join(dir, 'scripts', 'lib', 'match-indices.js'), join(dir, 'node_modules', '@cucumber', 'cucumber', 'bin', 'cucumber.js'), '--profile', 'gate', '--format', 'summary'];
  const t0 = performance.now();
  const r = spawnSync(timed ? '/usr/bin/time' : cmd[0], timed ? ['-f', 'CPU %U %S %M', ...cmd] : cmd.slice(1), {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, DAX_TARGET: `emulator@${profile}` },
    maxBuffer: 64 << 20,
  });
  const wall = (performance.now() - t0) / 1000;
  const m = /^(\d+) scenarios \((?:(\d+) skipped, )?(\d+) passed\)$/m.exec(r.stdout);
  if (!m) throw new Error(`the ${profile} run in ${dir} did not pass: ${(r.stdout + r.stderr).slice(-400)}`);
  const cpu = /^CPU ([\d.]+) ([\d.]+) (\d+)$/m.exec(r.stderr);
  return { wall_s: wall, cpu_s: cpu ? Number(cpu[1]) + Number(cpu[2]) : undefined, peak_rss_mb: cpu ? Number(cpu[3]) / 1024 : undefined, passed: Number(m[3]), skipped: Number(m[2] ?? 0) };
}

/**
 * the reference run of an older checkout and of this one, alternately, `rounds` times each; every other round
 * runs this one first (a run's deleting the previous results slows whatever runs next, whichever it is)
 */
function referenceAB(baseline: string, rounds: number) {
  const out: Array<{ load: number; probe_ms: number; baseline: ReferenceRun; now: ReferenceRun }> = [];
  for (let i = 0; i < rounds; i++) {
    const load = Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
    const probe_ms = speedProbe();
    const runB = () => referenceRun(baseline, join(OUT, 'bench', 'ab-baseline'));
    const runN = () => referenceRun(ROOT, join(OUT, 'bench', 'ab-now'));
    if (i % 2 === 0) {
      const b = runB();
      out.push({ load, probe_ms, baseline: b, now: runN() });
    } else {
      const n = runN();
      out.push({ load, probe_ms, baseline: runB(), now: n });
    }
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  const cpus = (k: 'baseline' | 'now') => out.flatMap((r) => (r[k].cpu_s === undefined ? [] : [r[k].cpu_s!]));
  // the machine's speed drifts between rounds: each round's difference compares runs made under the same load, and
  // the fastest round of each is what it costs when nothing else slows it
  const diffs = out.map((r) => r.now.wall_s - r.baseline.wall_s);
  // each round's wall time as it would be at the fastest probe of these rounds (time scaled by the probe's ratio)
  const fastestProbe = Math.min(...out.map((r) => r.probe_ms));
  const scaled = (k: 'baseline' | 'now') => Number(med(out.map((r) => (r[k].wall_s * fastestProbe) / r.probe_ms)).toFixed(2));
  return {
    baseline,
    rounds: out,
    median: {
      baseline: { wall_s: med(out.map((r) => r.baseline.wall_s)), cpu_s: cpus('baseline').length ? med(cpus('baseline')) : null },
      now: { wall_s: med(out.map((r) => r.now.wall_s)), cpu_s: cpus('now').length ? med(cpus('now')) : null },
    },
    fastest: { baseline_wall_s: Math.min(...out.map((r) => r.baseline.wall_s)), now_wall_s: Math.min(...out.map((r) => r.now.wall_s)) },
    paired: { wall_diff_median_s: Number(med(diffs).toFixed(2)), now_faster_in: diffs.filter((d) => d < 0).length, of: diffs.length },
    probe: { fastest_ms: fastestProbe, median_ms: med(out.map((r) => r.probe_ms)), slowest_ms: Math.max(...out.map((r) => r.probe_ms)) },
    at_fastest_probe: { baseline_wall_s: scaled('baseline'), now_wall_s: scaled('now') },
  };
}

/** a cucumber-js run that selects no scenario: loading cucumber and the step definitions, nothing else */
function startup(config: string[], preload: string[] = []): Promise<number> {
  return spawnWall(process.execPath, [...preload, CUCUMBER, ...config, '--tags', '@start-up-only and not @start-up-only', '--format', 'summary']);
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const skipMatrix = quick || process.argv.includes('--skip-matrix');
  const oldConfig = ['--config', 'bench/cucumber-ts-node.js'];
  // each run writes into an empty results folder, as npm run conformance does (results left from earlier bench
  // runs piled up to 29,000 files); the old ones are deleted once every run is timed (deleting slows the next run)
  const deleteOld: Array<() => void> = [];
  const reference = (args: string[], parallel: number, tag: string, env: Record<string, string> = {}) => {
    deleteOld.push(setAside(join(OUT, 'bench', tag, 'allure-results')));
    return runCucumber({ target: 'emulator', messagesFile: join(OUT, 'bench', `${tag}.ndjson`), args, parallel, env: { DAX_REPORT_DIR: join(OUT, 'bench', tag), ...env } });
  };
  const b = process.argv.indexOf('--baseline');
  const baseline = b >= 0 ? process.argv[b + 1] : undefined;
  const r = process.argv.indexOf('--rounds');
  const rounds = r >= 0 ? Number(process.argv[r + 1]) : 2;
  const ab = baseline ? referenceAB(baseline, rounds) : null;
  // --profiles: npm test's eADR and virtio-pmem runs (serial), the baseline's virtio-pmem run first when --baseline is given
  const profileRuns = process.argv.includes('--profiles')
    ? {
        load: Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]),
        ...(baseline ? { baseline_virtio_pmem: profileRun(baseline, 'virtio-pmem'), baseline_dir: baseline } : {}),
        virtio_pmem: profileRun(ROOT, 'virtio-pmem'),
        eadr: profileRun(ROOT, 'eadr'),
      }
    : null;
  const startNew = await startup([], ['-r', MATCH_INDICES]);
  const startOld = await startup(oldConfig);
  const cores = parallelism('in-process');
  const confProbe = speedProbe();
  const conf = await reference([], cores, 'parallel');
  const serialProbe = speedProbe();
  const serial = await reference([], 1, 'serial');
  const old = await reference(oldConfig, 1, 'ts-node');
  // the reference run as it was: allure-cucumberjs' writer fsyncs each result, container and attachment
  const fsynced = await reference([], cores, 'allure-fsync', { DAX_ALLURE_FSYNC: '1' });
  // npm test's matrix (caught-only, two variants verified in full), the whole per-rule table, and the old way
  const matrixRun = async (args: string[]) => {
    if (skipMatrix) return null;
    const s = await spawnWall('npm', ['run', '--silent', 'matrix', '--', ...args]);
    const m = JSON.parse(readFileSync(join(OUT, 'matrix.json'), 'utf8')) as MatrixJson;
    return { s, variants: m.variants.length, caught: m.variants.filter((v) => v.caught).length, reference_failed: m.reference.failed, verified_agree: (m.verified ?? []).filter((v) => v.disagreements.length === 0).map((v) => v.name) };
  };
  const matrixCaughtOnly = await matrixRun(['--caught-only', '--verify', '2']);
  // --caught-only-matrix: npm test's matrix alone (the whole table is minutes)
  const matrixTable = process.argv.includes('--caught-only-matrix') ? null : await matrixRun([]);
  const matrixOld = process.argv.includes('--old-matrix') ? await matrixRun(['--process-per-variant']) : null;
  const matrix_s = matrixTable?.s ?? null;
  const matrix_full_s = !skipMatrix && process.argv.includes('--full-matrix') ? await spawnWall('npm', ['run', '--silent', 'matrix', '--', '--full']) : null;
  const ex16 = exploreChild(16, 'explorer');
  const table16 = exploreChild(16, 'table');
  const ex20 = quick ? null : exploreChild(20, 'explorer');
  const cs = crashStates();
  const st = storeThroughput();
  const rss = rss1TiB();
  const fig = {
    startup_s: { cached_js: startNew, ts_node: startOld },
    conformance_s: conf.seconds,
    conformance_parallel: cores,
    conformance_serial_s: serial.seconds,
    /** the speed probe's milliseconds just before conformance_s and conformance_serial_s (speedProbe) */
    conformance_probe_ms: { conformance: confProbe, serial: serialProbe },
    conformance_ts_node_serial_s: old.seconds,
    conformance_allure_fsync_s: fsynced.seconds,
    conformance_scenarios: { passed: conf.passed, failed: conf.failed, skipped: conf.skipped },
    reference_run_ab: ab,
    profile_runs: profileRuns,
    matrix_caught_only: matrixCaughtOnly,
    matrix_s,
    matrix_process_per_variant: matrixOld,
    matrix_full_s,
    explorer: {
      '2^16': { ...ex16, table_states_per_s: table16.states_per_s, table_peak_rss_mb: table16.peak_rss_mb },
      '2^20': ex20,
    },
    durability_queries_per_s: durabilityQueries(),
    crash_states_per_s: { pruned: cs.pruned, unpruned: cs.unpruned },
    naive_ratio: cs.naiveRatio,
    naive_states: cs.naiveStates,
    our_states: cs.ourStates,
    store_mb_per_s: st.mbps,
    store_vs_memcpy: st.vsMemcpy,
    rss_mb_1tib: rss.rss_mb,
    rss_mb_baseline: rss.baseline_mb,
    flush_amplification: {
      reference: flushAmplification(),
      'big-hammer': flushAmplification('big-hammer'),
      ideal: { '1 page': 1, '1 PMD': 1, '100 pages': 1 },
    },
    node: process.version,
    when: new Date().toISOString(),
  };
  mkdirSync(OUT, { recursive: true });
  // what this run skipped keeps its last measured value, marked with when that was
  const file = join(OUT, 'bench.json');
  const prev = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  const figures = fig as Record<string, unknown>;
  for (const [k, v] of Object.entries(prev)) {
    if (k === 'carried' || k === 'when' || k === 'node') continue;
    if (figures[k] === null || figures[k] === undefined) {
      figures[k] = v;
      if (v !== null) figures.carried = { ...((figures.carried as Record<string, string>) ?? {}), [k]: (prev.carried as Record<string, string> | undefined)?.[k] ?? String(prev.when) };
    }
  }
  writeFileSync(file, JSON.stringify(figures, null, 2) + '\n');
  const n = (x: number | null, d = 1) => (x === null ? 'skipped' : x >= 1e4 ? Math.round(x).toLocaleString('en') : x.toFixed(d));
  const rows: Array<[string, string]> = [
    ...(ab
      ? ([
          ['reference run wall s; CPU s (baseline -> now, median)', `${n(ab.median.baseline.wall_s)}; ${n(ab.median.baseline.cpu_s)} -> ${n(ab.median.now.wall_s)}; ${n(ab.median.now.cpu_s)}  (${rounds} rounds, load ${ab.rounds.map((x) => x.load).join(', ')}; baseline ${ab.baseline})`],
          ['reference run: fastest round; per-round difference', `${n(ab.fastest.baseline_wall_s)} -> ${n(ab.fastest.now_wall_s)} s; median ${ab.paired.wall_diff_median_s >= 0 ? '+' : ''}${ab.paired.wall_diff_median_s} s, faster in ${ab.paired.now_faster_in} of ${ab.paired.of}`],
          ['speed probe ms (fastest; median; slowest round)', `${n(ab.probe.fastest_ms, 0)}; ${n(ab.probe.median_ms, 0)}; ${n(ab.probe.slowest_ms, 0)}`],
          ['reference run wall s at the fastest probe, median', `${n(ab.at_fastest_probe.baseline_wall_s, 2)} -> ${n(ab.at_fastest_probe.now_wall_s, 2)}  (each round scaled by its probe's ratio to the fastest)`],
        ] as Array<[string, string]>)
      : []),
    ...(profileRuns
      ? ([
          ['virtio-pmem gate, serial: wall s; CPU s; peak RSS MB', `${profileRuns.baseline_virtio_pmem ? `${n(profileRuns.baseline_virtio_pmem.wall_s)}; ${n(profileRuns.baseline_virtio_pmem.cpu_s ?? null)}; ${n(profileRuns.baseline_virtio_pmem.peak_rss_mb ?? null)} -> ` : ''}${n(profileRuns.virtio_pmem.wall_s)}; ${n(profileRuns.virtio_pmem.cpu_s ?? null)}; ${n(profileRuns.virtio_pmem.peak_rss_mb ?? null)}  (load ${profileRuns.load})`],
          ['eADR gate, serial: wall s; CPU s; peak RSS MB', `${n(profileRuns.eadr.wall_s)}; ${n(profileRuns.eadr.cpu_s ?? null)}; ${n(profileRuns.eadr.peak_rss_mb ?? null)}`],
        ] as Array<[string, string]>)
      : []),
    ['startup_s (cached JS; ts-node)', `${n(startNew, 2)}; ${n(startOld, 2)}`],
    ['conformance_s', `${n(fig.conformance_s)}  (${cores} process${cores === 1 ? '' : 'es'}; ${conf.passed} passed, ${conf.failed} failed, ${conf.skipped} skipped)`],
    ['conformance_s serial; ts-node serial', `${n(serial.seconds)}; ${n(old.seconds)}  (speed probe before conformance_s ${n(confProbe, 0)} ms, before serial ${n(serialProbe, 0)} ms)`],
    ['conformance_s with Allure fsync (old)', `${n(fsynced.seconds)}  (${cores} process${cores === 1 ? '' : 'es'})`],
    ['matrix caught-only --verify 2 (npm test)', matrixCaughtOnly ? `${n(matrixCaughtOnly.s)} s, ${matrixCaughtOnly.caught}/${matrixCaughtOnly.variants} caught, verified ${matrixCaughtOnly.verified_agree.join(', ')}` : 'skipped'],
    ['matrix_s (targeted table; full)', `${n(fig.matrix_s)}; ${n(matrix_full_s)}${matrix_s === null && fig.matrix_s !== null ? `  (targeted table carried from ${(figures.carried as Record<string, string> | undefined)?.matrix_s ?? 'an earlier run'})` : ''}`],
    ['matrix targeted, process per variant (old)', matrixOld ? `${n(matrixOld.s)} s, ${matrixOld.caught}/${matrixOld.variants} caught` : 'skipped (--old-matrix)'],
    ['explorer 2^16 states/s; peak RSS MB', `${n(ex16.states_per_s)}; ${n(ex16.peak_rss_mb)}  (old table of states: ${n(table16.states_per_s)}; ${n(table16.peak_rss_mb)})`],
    ['explorer 2^20 states/s; peak RSS MB', ex20 ? `${n(ex20.states_per_s)}; ${n(ex20.peak_rss_mb)}` : 'skipped (--quick)'],
    ['durability_queries_per_s', n(fig.durability_queries_per_s)],
    ['crash_states_per_s (pruned)', n(cs.pruned)],
    ['crash_states_per_s (no pruning)', n(cs.unpruned)],
    ['naive_ratio (naive time / ours)', `${n(cs.naiveRatio)}  (${cs.naiveStates} vs ${cs.ourStates} states)`],
    ['store_mb_per_s', n(st.mbps)],
    ['store_vs_memcpy', n(st.vsMemcpy, 4)],
    ['rss_mb_1tib', `${n(fig.rss_mb_1tib)}  (${n(rss.baseline_mb)} before the namespace)`],
    ...(['reference', 'big-hammer', 'ideal'] as const).map((v): [string, string] => {
      const a = fig.flush_amplification[v];
      return [`flush_amplification ${v}`, `1 page ${n(a['1 page'])}, 1 PMD ${n(a['1 PMD'])}, 100 pages ${n(a['100 pages'])}`];
    }),
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  console.log(rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n'));
  console.log('wrote reports/bench.json');
  for (const d of deleteOld) d();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
