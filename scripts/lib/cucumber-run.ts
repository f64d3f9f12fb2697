// Runs cucumber-js in a child process against one target and reads its message stream back:
// per scenario its status, tags (rule ids) and failure message.

import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { availableParallelism } from 'node:os';
import { warm } from '../register';
import { MessageTail, parseMessages, ScenarioResult } from './messages';
import { balance, joinJunit, joinMessages, previousTimes, selectedLocations, splitPaths } from './local-shards';
import { locationArgs } from './shard';

export interface RunResult {
  target: string;
  passed: number;
  failed: number;
  skipped: number;
  scenarios: ScenarioResult[];
  exitCode: number;
  seconds: number;
  /** set when the run itself could not start or the target could not be driven */
  fatal?: string;
}

/** the profiles cucumber.js exports: anything else is a mistyped --profile / DAX_PROFILE */
export function profiles(): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const config = require(join(ROOT, 'cucumber.js')) as Record<string, unknown>;
  return Object.keys(config).filter((k) => typeof config[k] === 'object' && config[k] !== null);
}

/** the feature paths among cucumber's arguments (not options, not option values) */
export function pathArgs(args: readonly string[]): string[] {
  return splitPaths(args).paths;
}

/** the feature paths among cucumber's arguments that do not exist */
export function missingPaths(args: readonly string[]): string[] {
  return pathArgs(args).filter((a) => !existsSync(join(ROOT, a.replace(/(?::\d+)+$/, ''))));
}

/** the one-sentence INPUT: reason a run with these arguments cannot be what the user meant, if any */
export function badInput(profile: string, args: readonly string[]): string | undefined {
  const known = profiles();
  const given = [profile, ...args.flatMap((a, i) => (a === '--profile' || a === '-p' ? [args[i + 1] ?? ''] : []))];
  const unknown = given.find((p) => !known.includes(p));
  if (unknown !== undefined) return `INPUT: unknown profile "${unknown}" (DAX_PROFILE or --profile); accepted: ${known.join(', ')}`;
  const missing = missingPaths(args);
  if (missing.length) return `INPUT: no such feature file or folder: ${missing.join(', ')}`;
  return undefined;
}

/** the INPUT: sentence for a run that selected no scenario */
export function nothingSelected(args: readonly string[]): string {
  const tags = args.flatMap((a, i) => (a === '--tags' || a === '-t' ? [args[i + 1]] : []));
  return tags.length
    ? `INPUT: --tags ${tags.join(' and ')} selects no scenario; a gate that runs nothing is not green (rule tags look like @rule:WB-2)`
    : `INPUT: no scenario was selected by ${args.join(' ') || 'the default paths'}; a gate that runs nothing is not green`;
}

export interface RunOptions {
  target: string;
  profile?: string;
  args?: string[];
  messagesFile: string;
  /** extra --format entries, e.g. the Allure reporter */
  formats?: string[];
  stdio?: 'inherit' | 'pipe';
  /** processes: the scenarios split among this many cucumber processes (scripts/lib/local-shards.ts); 1 or absent: one */
  parallel?: number;
  env?: Record<string, string>;
}

const ROOT = join(__dirname, '..', '..');
export const MATCH_INDICES = join(ROOT, 'scripts', 'lib', 'match-indices.js');

/**
 * DAX_PARALLEL, else how many processes a whole-suite run uses: one per core for a target in another
 * process (each waits on its target's answers), one fewer than the cores for the in-process emulator
 * (one cucumber process keeps about 1.3 cores busy with its GC and compiler threads: on two cores a
 * serial reference run was 12% faster than two shards, where parity over the protocol was twice as fast with two)
 */
export function parallelism(kind: 'in-process' | 'other process' = 'other process'): number {
  const n = Number(process.env.DAX_PARALLEL);
  if (Number.isInteger(n) && n >= 1) return n;
  return kind === 'in-process' ? Math.max(1, availableParallelism() - 1) : availableParallelism();
}

/**
 * V8's background threads (GC and compiler) per cucumber process, `--v8-pool-size`: the cores left beside the
 * processes' own threads, at least one and at most V8's default four. On two cores V8's four threads took the
 * scenarios' thread off its core while they compiled and marked: with one, the serial gate run took 5.84 instead
 * of 6.30 s (median of 8 interleaved rounds, faster in all 8) and the reference run was faster in 6 of 8.
 */
function v8PoolSize(processes: number): number {
  return Math.max(1, Math.min(4, Math.floor(availableParallelism() / processes) - 1));
}

/**
 * How much bytecode TurboFan inlines into one optimized function (V8's default 920): a run is a few seconds, so
 * compiling is a large part of it (~2.8 CPU-s of TurboFan for 3.4 s of the scenarios' thread, 894 compiles of 445
 * functions), and big inlined graphs cost compile time a short run never earns back. At 100, paired rounds of the
 * reference run through the harness: -0.7 to -1.6 CPU-s (less in every round of three comparisons), wall -0.40 s
 * (faster in 9 of 10), -0.10 s (5 of 8) and +0.1 s (1 of 6, in a bench run): the CPU is saved, the wall time gains
 * only when the cores are short. The serial gate run -0.70 CPU-s (6 of 6); npm test's matrix, two processes on two
 * cores, 16.8 -> 14.6 s wall (3 of 3). V8's --no-turbo-inlining saved less CPU and slowed the scenarios' thread.
 */
const INLINE_BUDGET = 100;

/** the node flags of a cucumber process when `processes` run at once: V8's thread pool and its inlining budget */
export function v8Flags(processes: number): string[] {
  return [`--v8-pool-size=${v8PoolSize(processes)}`, `--max-inlined-bytecode-size-cumulative=${INLINE_BUDGET}`];
}

let warmed = false;
/** fill the transpile cache once, before any worker starts (a no-op when nothing changed) */
export function buildOnce(): void {
  if (warmed) return;
  warmed = true;
  warm();
}


export async function runCucumber(o: RunOptions): Promise<RunResult> {
  const bad = badInput(o.profile ?? 'default', o.args ?? []);
  if (bad) return { target: o.target, passed: 0, failed: 0, skipped: 0, scenarios: [], exitCode: 2, seconds: 0, fatal: bad };
  buildOnce();
  mkdirSync(dirname(o.messagesFile), { recursive: true });
  const n = o.parallel ?? 1;
  const { paths, rest } = splitPaths(o.args ?? []);
  const selected = n > 1 ? selectedLocations(paths) : undefined;
  const shards = selected && selected.length > 1 ? balance(selected, n, previousTimes(o.messagesFile, parseMessages)) : undefined;
  if (existsSync(o.messagesFile)) rmSync(o.messagesFile);
  const t0 = Date.now();
  if (shards) {
    const parts = shards.map((_, i) => `${o.messagesFile}.shard-${i + 1}`);
    const runs = await Promise.all(shards.map((locs, i) => cucumberProcess(o, [...rest, ...locationArgs(locs)], parts[i], i === 0 ? 'live' : 'after', shards.length, i + 1)));
    // the other shards' output after the first one's, whole
    if (o.stdio === 'inherit') for (const r of runs.slice(1)) process.stdout.write(r.output);
    joinMessages(parts, o.messagesFile);
    joinJunit(shards.map((_, i) => join(ROOT, 'reports', `junit.shard-${i + 1}.xml`)), join(ROOT, 'reports', 'junit.xml'));
    // 2 (could not run) outranks 1 (a scenario failed); the stderr that explains the worst exit comes last
    const worst = [...runs].sort((a, b) => rankExit(a.exitCode) - rankExit(b.exitCode)).pop()!;
    return collectRun(o, worst.exitCode, (Date.now() - t0) / 1000, runs.filter((r) => r !== worst).concat(worst).map((r) => r.stderr).join(''));
  }
  // explicit lines (or one scenario): cucumber resolves them, with its own --parallel workers (a coordinator and n workers, which inherit its node flags)
  // its message stream is read while it is written (scripts/lib/messages.ts MessageTail)
  const tail = new MessageTail(o.messagesFile);
  const following = setInterval(() => tail.poll(), FOLLOW_MS);
  const r = await cucumberProcess(o, [...(n > 1 ? ['--parallel', String(n)] : []), ...(o.args ?? [])], o.messagesFile, 'live', n > 1 ? n + 1 : 1).finally(() => clearInterval(following));
  return collectRun(o, r.exitCode, (Date.now() - t0) / 1000, r.stderr, tail.results());
}

/** how often a running cucumber's message stream is read */
const FOLLOW_MS = 250;

function rankExit(code: number): number {
  return code === 0 ? 0 : code === 1 ? 1 : 2;
}

/** one cucumber-js process of `processes` running at once; `shard` names its JUnit file (cucumber.js reads DAX_LOCAL_SHARD) */
function cucumberProcess(o: RunOptions, extra: string[], messagesFile: string, show: 'live' | 'after', processes: number, shard?: number): Promise<{ exitCode: number; stderr: string; output: string }> {
  const args = [
    ...v8Flags(processes),
    // native regexp match indices for step matching (scripts/lib/match-indices.js); --parallel workers inherit it
    '-r', MATCH_INDICES,
    join(ROOT, 'node_modules', '@cucumber', 'cucumber', 'bin', 'cucumber.js'),
    '--profile', o.profile ?? 'default',
    '--format', `message:${messagesFile}`,
    ...(o.formats ?? []).flatMap((f) => ['--format', f]),
    ...extra,
  ];
  const live = o.stdio === 'inherit' && show === 'live';
  let stderr = '';
  let output = '';
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, DAX_TARGET: o.target, DAX_HARNESS: '1', ...(shard ? { DAX_LOCAL_SHARD: String(shard) } : {}), ...o.env },
      stdio: ['ignore', live ? 'inherit' : 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d) => {
      if (o.stdio === 'inherit') output += String(d);
    });
    child.stderr!.on('data', (d) => {
      stderr += String(d);
      if (live) process.stderr.write(d);
      else if (o.stdio === 'inherit') output += String(d);
    });
    child.on('close', (code) => resolve({ exitCode: code ?? 1, stderr, output }));
  });
}

/** a finished run's result, read from its message stream (also for runs inside a matrix worker) */
export function collectRun(o: Pick<RunOptions, 'target' | 'args' | 'messagesFile'>, exitCode: number, seconds: number, stderr: string, read?: ScenarioResult[]): RunResult {
  const result = read ?? (existsSync(o.messagesFile) ? parseMessages(readFileSync(o.messagesFile, 'utf8')) : []);
  const count = (s: ScenarioResult['status']) => result.filter((r) => r.status === s).length;
  const lastLine = (stderr.trim().split('\n').filter((l) => !/^\s+at /.test(l)).pop() ?? `cucumber exited ${exitCode}`).replace(/^\w*Error: (?=(INPUT|IMPLEMENTATION):)/, '').replace(/^\[((?:INPUT|IMPLEMENTATION):.*)\]$/, '$1');
  const fatal = exitCode === 2 || (result.length === 0 && exitCode !== 0)
    ? (/^(INPUT|IMPLEMENTATION):/.test(lastLine) ? lastLine : `INPUT: cucumber-js could not run: ${lastLine.replace(/^Error: /, '')}`)
    : result.length === 0 && !(o.args ?? []).includes('--dry-run') ? nothingSelected(o.args ?? []) : undefined;
  return {
    target: o.target,
    passed: count('passed'),
    failed: result.filter((r) => r.status !== 'passed' && r.status !== 'skipped').length,
    skipped: count('skipped'),
    scenarios: result,
    exitCode,
    seconds,
    fatal,
  };
}

