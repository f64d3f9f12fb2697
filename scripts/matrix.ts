// npm run matrix: the suite against the reference and against every variant (one historical bug
// each). The reference must pass everything; every variant must be caught by some scenario.
// Targeted by default: the reference run records which variant switches each scenario reads
// (emulator/faults.ts, via the target's switchesRead op), and each variant runs only on the scenarios
// that read its switch; every other scenario runs exactly as on the reference, so it keeps the
// reference's verdict. --full runs every variant on every scenario; --caught-only (npm test's mode)
// runs each variant only until a scenario of its rules catches it; --verify <n|a,b> also runs some
// variants in full and fails unless their targeted verdicts agree; --shard i/n (or DAX_SHARD) covers
// one share of the scenarios (--merge <matrix.json>... joins the shards); --reference <messages.ndjson>
// takes a reference run already made. Runs DAX_MATRIX_JOBS (default: the cores) long-lived workers
// (scripts/lib/matrix-worker.ts) that load the step definitions once; --process-per-variant is the old way.
// Writes reports/matrix.json, reports/matrix.md and reports/matrix.html (and the per-run message streams).

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { isVariant, VARIANTS } from '../emulator/faults';
import { badInput, RunResult, runCucumber } from './lib/cucumber-run';
import { parseMessages, ScenarioResult } from './lib/messages';
import { locationArgs, parseShard, scenarioLocations, shardOf, withoutShard } from './lib/shard';
import { matrixHtml } from './lib/matrix-html';
import { WorkerPool } from './lib/matrix-pool';
import { setAside } from './lib/allure';

const ROOT = join(__dirname, '..');
const OUT = join(ROOT, 'reports');

export interface MatrixJson {
  reference: { passed: number; failed: number; skipped: number; failedScenarios: Array<{ scenario: string; rules: string[]; message?: string }> };
  variants: Array<{
    name: string;
    description: string;
    caught: boolean;
    expectedRules: string[];
    failed: Array<{ scenario: string; rules: string[]; uri: string; line: number; message?: string }>;
    /** targeted mode: the scenarios run (those that read the variant's switch on the reference) */
    ran?: number;
  }>;
  rules: Record<string, Record<string, 'pass' | 'fail' | 'skip'>>;
  seconds: number;
  /** targeted: each variant only on the scenarios that read its switch; full: every variant on every scenario */
  mode?: 'targeted' | 'full' | 'caught-only';
  /** --shard i/n: this run covered one share of the scenarios */
  shard?: string;
  /** the variants also run in full to check the targeted verdicts (--verify) */
  verified?: Array<{ name: string; verdicts: number; disagreements: string[] }>;
}

async function pool<T, R>(items: T[], n: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]);
    }
  }));
  return out;
}

/** the rule ids a variant's description names, e.g. "(DT-1, DT-2, WB-1)" */
function expectedRules(desc: string): string[] {
  return [...desc.matchAll(/[A-Z]{2}-\d+/g)].map((m) => m[0]);
}

const key = (s: { uri: string; line: number }) => `${s.uri}:${s.line}`;
const verdict = (s: ScenarioResult) => (s.status === 'passed' ? 'pass' : s.status === 'skipped' ? 'skip' : 'fail');

/** the option's value(s) and argv without them */
function takeOption(argv: string[], name: string): { value?: string; rest: string[] } {
  const rest: string[] = [];
  let value: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === name) value = argv[++i];
    else if (argv[i].startsWith(`${name}=`)) value = argv[i].slice(name.length + 1);
    else rest.push(argv[i]);
  }
  return { value, rest };
}

/**
 * A variant's verdicts from a targeted run: the scenarios it ran, and the reference's verdict for
 * every other one (a scenario that never reads the switch runs exactly as on the reference).
 */
function completeRun(ref: RunResult, run: RunResult, ran: Set<string>): RunResult {
  const got = new Map(run.scenarios.map((s) => [key(s), s]));
  const scenarios = ref.scenarios.map((s): ScenarioResult => {
    if (!ran.has(key(s))) return { ...s, switches: undefined };
    return got.get(key(s)) ?? { ...s, status: 'unknown', message: 'the targeted run did not report this scenario', switches: undefined };
  });
  return {
    ...run,
    scenarios,
    passed: scenarios.filter((s) => s.status === 'passed').length,
    failed: scenarios.filter((s) => s.status !== 'passed' && s.status !== 'skipped').length,
    skipped: scenarios.filter((s) => s.status === 'skipped').length,
  };
}

/** the scenarios a variant can change: those that read its switch (or recorded nothing) on the reference */
function readers(ref: RunResult, variant: string): string[] {
  return ref.scenarios.filter((s) => s.status !== 'skipped' && (!s.switches || s.switches.includes(variant))).map(key);
}

/**
 * --caught-only: the scenarios that can catch a variant (an expected rule's, reading its switch),
 * cheapest first on the reference; cucumber keeps the order of the feature paths it is given
 */
function catchers(ref: RunResult, variant: string, rules: string[]): string[] {
  return ref.scenarios
    .filter((s) => s.status !== 'skipped' && (!s.switches || s.switches.includes(variant)) && s.rules.some((r) => rules.includes(r)))
    .sort((a, b) => (a.ms ?? 0) - (b.ms ?? 0))
    .map(key);
}

/** a --caught-only run: only the scenarios it executed (those after the first catch were skipped, not run) */
function executed(run: RunResult): RunResult {
  const scenarios = run.scenarios.filter((s) => s.status !== 'skipped');
  return { ...run, scenarios, skipped: 0 };
}

/** --reference: a finished reference run's verdicts (a scenario it recorded no switches for runs on every variant) */
function reuseReference(file: string, narrowed: boolean): RunResult & { target: string } {
  if (narrowed) throw new Error('--reference takes the whole reference run: it cannot be combined with --shard or cucumber arguments');
  if (!existsSync(file)) throw new Error(`--reference: no message stream at ${file}`);
  const scenarios = parseMessages(readFileSync(file, 'utf8'));
  if (scenarios.length === 0) throw new Error(`--reference: ${file} holds no finished scenario`);
  const count = (st: string) => scenarios.filter((x) => x.status === st).length;
  return { target: 'emulator', scenarios, passed: count('passed'), skipped: count('skipped'), failed: scenarios.length - count('passed') - count('skipped'), exitCode: 0, seconds: 0 };
}

/** --merge a.json b.json ...: the shards' matrices as one (caught if any shard caught it) */
function merge(files: string[]): boolean {
  const ms = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as MatrixJson);
  if (ms.length === 0) throw new Error('--merge needs the matrix.json of every shard');
  const rules: MatrixJson['rules'] = {};
  const rank = { fail: 2, pass: 1, skip: 0 } as const;
  for (const m of ms) {
    for (const [rule, cells] of Object.entries(m.rules)) {
      rules[rule] ??= {};
      for (const [t, v] of Object.entries(cells)) if (!rules[rule][t] || rank[v] > rank[rules[rule][t]]) rules[rule][t] = v;
    }
  }
  const matrix: MatrixJson = {
    reference: {
      passed: ms.reduce((n, m) => n + m.reference.passed, 0),
      failed: ms.reduce((n, m) => n + m.reference.failed, 0),
      skipped: ms.reduce((n, m) => n + m.reference.skipped, 0),
      failedScenarios: ms.flatMap((m) => m.reference.failedScenarios),
    },
    variants: ms[0].variants.map((v) => {
      const all = ms.map((m) => m.variants.find((x) => x.name === v.name));
      return {
        ...v,
        caught: all.some((x) => x?.caught),
        failed: all.flatMap((x) => x?.failed ?? []),
        ...(all.every((x) => x?.ran !== undefined) ? { ran: all.reduce((n, x) => n + (x?.ran ?? 0), 0) } : {}),
      };
    }),
    rules,
    seconds: Math.max(...ms.map((m) => m.seconds)),
    mode: ms[0].mode,
    shard: `merged ${ms.map((m) => m.shard ?? 'whole').join(', ')}`,
    verified: ms.flatMap((m) => m.verified ?? []),
  };
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'matrix.json'), JSON.stringify(matrix, null, 2));
  writeFileSync(join(OUT, 'matrix.md'), toMarkdown(matrix));
  writeFileSync(join(OUT, 'matrix.html'), matrixHtml(matrix, { generatedAt: new Date().toISOString() }));
  console.log(toMarkdown(matrix));
  const uncaught = matrix.variants.filter((v) => !v.caught).map((v) => v.name);
  const unsound = (matrix.verified ?? []).filter((v) => v.disagreements.length > 0);
  if (uncaught.length) console.error(`matrix: variants caught by nothing: ${uncaught.join(', ')}`);
  console.log(`matrix: reference ${matrix.reference.passed} passed, ${matrix.reference.failed} failed, ${matrix.reference.skipped} skipped; ${matrix.variants.length - uncaught.length}/${matrix.variants.length} variants caught (${ms.length} shards merged)`);
  return matrix.reference.failed === 0 && uncaught.length === 0 && unsound.length === 0;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  let argv = process.argv.slice(2);
  if (argv[0] === '--merge') {
    process.exitCode = merge(argv.slice(1)) ? 0 : 1;
    return;
  }
  // --via-process: every implementation runs as the reference server over the process protocol
  const viaProcess = argv.includes('--via-process');
  const full = argv.includes('--full');
  // --process-per-variant: the old way, a cucumber process per variant (for npm run bench's comparison)
  const perProcess = argv.includes('--process-per-variant');
  // --caught-only (CI's fast mode): each variant runs only its expected rules' scenarios among those that read
  // its switch, cheapest first, and stops at the first that catches it; the per-rule table then shows only
  // what ran (npm run matrix without it gives the whole table)
  const caughtOnly = argv.includes('--caught-only');
  if (caughtOnly && full) throw new Error('--caught-only and --full exclude each other: --full runs every variant on every scenario');
  argv = argv.filter((a) => a !== '--via-process' && a !== '--full' && a !== '--process-per-variant' && a !== '--caught-only');
  const verifyOpt = takeOption(argv, '--verify');
  // --reference <messages.ndjson>: the reference run already made (npm test's, recorded with DAX_RECORD_SWITCHES=1)
  const refOpt = takeOption(verifyOpt.rest, '--reference');
  argv = refOpt.rest;
  const shard = parseShard(argv);
  const extra = withoutShard(argv);
  const names = Object.keys(VARIANTS) as Array<keyof typeof VARIANTS>;
  const server = 'process:node .cache/build/targets/process/server.js';
  // each implementation is named as the in-process target would be, whichever way it runs
  const spec = (label: string) => (viaProcess ? `${server}${label.includes(':') ? ` --variant ${label.split(':')[1]}` : ''}` : label);
  const jobs = Math.max(1, Number(process.env.DAX_MATRIX_JOBS ?? availableParallelism()));
  const where = shard ? locationArgs(shardOf(scenarioLocations(), shard)) : [];
  const run = async (label: string, locations: string[], env: Record<string, string> = {}, tag = '', parallel = 1) => {
    const dir = join(OUT, 'matrix', `${label.replace(':', '-')}${tag}`);
    // a run's results replace the last run's (they piled up in the same folder, each scenario once per run)
    const deleteOld = setAside(join(dir, 'allure-results'));
    const r = await runCucumber({
      target: spec(label),
      parallel,
      args: ['--format-options', '{"colorsEnabled":false}', ...extra, ...locations],
      messagesFile: `${dir}.ndjson`,
      env: { DAX_QUIET: '1', DAX_REPORT_DIR: dir, ...env },
    });
    deleteOld();
    return { ...r, target: label };
  };

  const bad = badInput('default', extra);
  if (bad) return stop(bad, undefined);
  // the reference first: in targeted mode it records which scenarios read which switch
  // (alone, so in cucumber's worker processes; the variants then run side by side in long-lived workers,
  // which load the step definitions meanwhile)
  const workers = perProcess ? undefined : new WorkerPool(jobs, extra);
  const ref = refOpt.value !== undefined ? reuseReference(refOpt.value, shard !== undefined || extra.length > 0) : await run('emulator', where, full ? {} : { DAX_RECORD_SWITCHES: '1' }, '', jobs);
  // a reference that ran nothing (cucumber's --help, a tag that selects nothing) leaves no variant to judge
  if (ref.fatal && ref.scenarios.length === 0) return stop(ref.fatal, workers);
  const selection = new Map(names.map((v) => [v, full ? undefined : readers(ref, v)]));
  // --verify <n | a,b>: these variants also run in full, and their targeted verdicts must agree
  const verify = full || verifyOpt.value === undefined ? [] : pickVerified(verifyOpt.value, names, selection, (v) => ref.scenarios.filter((s) => selection.get(v)!.includes(key(s))).reduce((n, s) => n + (s.ms ?? 0), 0), ref.scenarios.length);
  // --caught-only: a verified variant keeps its whole targeted selection (its verdicts are compared in full)
  const fastOnes = new Set(caughtOnly ? names.filter((v) => !verify.includes(v)) : []);
  for (const v of fastOnes) selection.set(v, catchers(ref, v, expectedRules(VARIANTS[v])));

  type Job = { variant: keyof typeof VARIANTS; full: boolean; size: number };
  const work: Job[] = [
    ...names.map((v) => ({ variant: v, full, size: selection.get(v)?.length ?? ref.scenarios.length })),
    ...verify.map((v) => ({ variant: v, full: true, size: ref.scenarios.length })),
  ].filter((j) => j.size > 0);
  // longest first, so the last job to start is a short one
  const order = [...work].sort((a, b) => b.size - a.size);
  const done = new Map<string, RunResult>();
  await pool(order, jobs, async (j) => {
    const label = `emulator:${j.variant}`;
    const locs = j.full ? where : locationArgs(selection.get(j.variant)!);
    const failFast = !j.full && fastOnes.has(j.variant);
    const name = `${label.replace(':', '-')}${j.full && !full ? '-full' : ''}`;
    const r = !workers
      ? await run(label, failFast ? ['--fail-fast', ...locs] : locs, {}, j.full && !full ? '-full' : '')
      : await workers.run({ target: spec(label), paths: locs, failFast, messagesFile: join(OUT, 'matrix', `${name}.ndjson`), reportDir: caughtOnly ? undefined : join(OUT, 'matrix', name) }).then((x) => ({ ...x, target: label }));
    done.set(`${j.variant}${j.full ? ':full' : ''}`, j.full ? r : failFast ? executed(r) : completeRun(ref, r, new Set(selection.get(j.variant)!)));
  });
  workers?.close();
  const vs = names.map((v) => done.get(`${v}${full ? ':full' : ''}`) ?? { ...completeRun(ref, { ...ref, scenarios: [] }, new Set()), target: `emulator:${v}` });
  const runs = [ref, ...vs];

  const rules: MatrixJson['rules'] = {};
  for (const r of runs) {
    for (const s of r.scenarios) {
      for (const rule of s.rules) {
        rules[rule] ??= {};
        const cur = rules[rule][r.target];
        const st = verdict(s);
        if (cur !== 'fail') rules[rule][r.target] = st === 'skip' && cur === 'pass' ? 'pass' : st;
      }
    }
  }
  const verified = verify.map((v) => {
    const targeted = new Map(done.get(v)!.scenarios.map((s) => [key(s), verdict(s)]));
    const fullRun = done.get(`${v}:full`)!;
    const disagreements = fullRun.scenarios.filter((s) => targeted.get(key(s)) !== verdict(s)).map((s) => `${key(s)} full ${verdict(s)}, targeted ${targeted.get(key(s)) ?? 'missing'}`);
    if (targeted.size !== fullRun.scenarios.length) disagreements.push(`full run reported ${fullRun.scenarios.length} scenarios, targeted ${targeted.size}`);
    return { name: v, verdicts: fullRun.scenarios.length, disagreements };
  });
  const matrix: MatrixJson = {
    reference: {
      passed: ref.passed,
      failed: ref.failed,
      skipped: ref.skipped,
      failedScenarios: ref.scenarios.filter((s) => s.status !== 'passed' && s.status !== 'skipped').map((s) => ({ scenario: s.name, rules: s.rules, message: s.message })),
    },
    variants: vs.map((r, i) => {
      const failed = r.scenarios.filter((s) => s.status !== 'passed' && s.status !== 'skipped');
      const expected = expectedRules(VARIANTS[names[i]]);
      // Caught means a scenario of one of the rules this bug breaks failed, and said so.
      const caught = !r.fatal && failed.some((s) => s.rules.some((rule) => expected.includes(rule)));
      return {
        name: names[i],
        description: VARIANTS[names[i]],
        caught,
        expectedRules: expected,
        failed: failed.map((s) => ({ scenario: s.name, rules: s.rules, uri: s.uri, line: s.line, message: s.message })),
        ...(full ? {} : { ran: fastOnes.has(names[i]) ? r.scenarios.length : selection.get(names[i])!.length }),
      };
    }),
    rules,
    seconds: (Date.now() - t0) / 1000,
    mode: full ? 'full' : caughtOnly ? 'caught-only' : 'targeted',
    ...(shard ? { shard: `${shard.index}/${shard.count}` } : {}),
    ...(verified.length ? { verified } : {}),
  };
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'matrix.json'), JSON.stringify(matrix, null, 2));
  writeFileSync(join(OUT, 'matrix.md'), toMarkdown(matrix));
  writeFileSync(join(OUT, 'matrix.html'), matrixHtml(matrix, { generatedAt: new Date().toISOString() }));
  console.log(toMarkdown(matrix));
  const fatal = [ref, ...done.values()].filter((r) => r.fatal);
  for (const r of fatal) console.error(`matrix: ${r.target} could not run: ${r.fatal}`);
  const uncaught = matrix.variants.filter((v) => !v.caught).map((v) => (v.ran === 0 ? `${v.name} (no scenario reads its switch)` : v.name));
  const unsound = verified.filter((v) => v.disagreements.length > 0);
  for (const v of verified) {
    console.log(v.disagreements.length === 0 ? `matrix: targeted verdicts of ${v.name} agree with its full run (${v.verdicts} scenarios)` : `matrix: targeted verdicts of ${v.name} DISAGREE with its full run: ${v.disagreements.join('; ')}`);
  }
  // a shard sees only some scenarios: whether every variant is caught is for --merge to say
  const ok = ref.failed === 0 && (shard !== undefined || uncaught.length === 0) && fatal.length === 0 && unsound.length === 0;
  if (ref.failed) console.error(`matrix: the reference failed ${ref.failed} scenario(s)`);
  if (uncaught.length) console.error(`matrix: variants caught by nothing${shard ? ' in this shard (merge the shards: npm run matrix -- --merge <matrix.json>...)' : ''}: ${uncaught.join(', ')}`);
  const how = full ? 'full' : `${caughtOnly ? 'caught-only' : 'targeted'}: ${order.filter((j) => !j.full).reduce((n, j) => n + j.size, 0)} variant scenario runs instead of ${names.length * ref.scenarios.length}`;
  console.log(`matrix: reference ${ref.passed} passed, ${ref.failed} failed, ${ref.skipped} skipped; ${matrix.variants.length - uncaught.length}/${matrix.variants.length} variants caught in ${matrix.seconds.toFixed(1)} s (${how}${shard ? `; shard ${shard.index}/${shard.count}` : ''})`);
  process.exitCode = ok ? 0 : 1;
}

/** the matrix cannot be made: one sentence, exit 2, and the last matrix's reports left as they were */
function stop(sentence: string, workers: WorkerPool | undefined): void {
  workers?.close();
  console.error(`matrix: ${sentence}`);
  process.exitCode = 2;
}

/**
 * "2" picks two variants: the one fewest scenarios read (the most scenarios whose verdict the shortcut
 * copies from the reference), and among switches read by a tenth of the scenarios or more the one
 * cheapest to run; a third is the most widely read. "a,b" names them.
 */
function pickVerified(spec: string, names: Array<keyof typeof VARIANTS>, selection: Map<string, string[] | undefined>, cost: (v: keyof typeof VARIANTS) => number, total: number): Array<keyof typeof VARIANTS> {
  if (/^\d+$/.test(spec)) {
    const size = (v: string) => selection.get(v)?.length ?? 0;
    const read = names.filter((v) => size(v) > 0).sort((a, b) => size(a) - size(b) || a.localeCompare(b));
    const wide = read.filter((v) => size(v) >= total / 10).sort((a, b) => cost(a) - cost(b) || a.localeCompare(b));
    const picks = [read[0], wide[0], read[read.length - 1]].filter((v, i, a) => v && a.indexOf(v) === i);
    return picks.slice(0, Number(spec));
  }
  const want = spec.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = want.filter((v) => !isVariant(v));
  if (bad.length) throw new Error(`--verify: unknown variant(s) ${bad.join(', ')}`);
  return want as Array<keyof typeof VARIANTS>;
}

function toMarkdown(m: MatrixJson): string {
  const lines = ['# Conformance matrix', '', `Reference: ${m.reference.passed} passed, ${m.reference.failed} failed, ${m.reference.skipped} skipped.`, ''];
  lines.push('| variant | caught | scenarios run | expected rules | failing scenarios (rules) |', '|---|---|---|---|---|');
  for (const v of m.variants) {
    const f = v.failed.map((s) => `${s.scenario} (${s.rules.join(', ')})`).join('<br>') || '-';
    lines.push(`| ${v.name} | ${v.caught ? 'yes' : '**NO**'} | ${v.ran ?? 'all'} | ${v.expectedRules.join(', ')} | ${f} |`);
  }
  return lines.join('\n') + '\n';
}

main().catch((e) => {
  console.error(`matrix: ${(e as Error).message}`);
  process.exitCode = 2;
});
