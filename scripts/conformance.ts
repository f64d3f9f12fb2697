// npm run conformance: the suite against DAX_TARGET (default: the reference emulator), Allure
// results and the HTML report (history kept across runs), and a short summary.
// Exit codes: 0 every scenario passed, 1 a rule failed (the message starts with the rule id), 2 the
// implementation could not be driven (IMPLEMENTATION: ...) or the suite or its input is wrong (INPUT: ...).
// DAX_REPORT_DIR puts allure-results/, allure-report/ and messages.ndjson elsewhere; by default the
// reference's go to reports/, any other target's to reports/targets/<target>/, so each keeps its own trend.

import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { badInput, parallelism, runCucumber, RunResult } from './lib/cucumber-run';
import { locationArgs, parseShard, scenarioLocations, Shard, shardOf, withoutShard } from './lib/shard';
import { createTarget, LINUX_IMAGE, parseTargetSpec, targetNotReady, TargetSpec } from '../targets/registry';
import { collectRules } from './rulebook';
import { rulebookEnvironment, rulebookFor, rulebookForKernelMarkdown } from './lib/kernel-rulebook';
import { generateAllureReport, nextBuildOrder, reportDirFor, setAside, writeAllureMetadata } from './lib/allure';
import { exitCodeOf, VerdictClass } from '../steps/support/verdict';

const ROOT = join(__dirname, '..');

function version(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** what the target says of itself (name, version, capabilities); the linux target is not booted for this */
async function describeTarget(spec: TargetSpec): Promise<{ env: Record<string, string>; kernel?: string }> {
  if (spec.kind === 'linux') {
    // the image under test names its kernel (the guest's hello says the same release)
    const kernel = (JSON.parse(readFileSync(LINUX_IMAGE, 'utf8')) as { kernelRelease?: string }).kernelRelease;
    return { env: { 'target.version': kernel ? `Linux ${kernel}` : 'see the scenarios (the guest reports its kernel release)' }, kernel };
  }
  try {
    const t = await createTarget(spec);
    try {
      const h = await Promise.race([t.hello(), new Promise<never>((_, rej) => setTimeout(() => rej(new Error('no hello within 20 s')), 20_000).unref())]);
      return {
        env: {
          'target.name': h.name,
          [spec.kind === 'emulator' ? 'emulator.version' : 'target.version']: h.version,
          'target.description': h.description ?? '',
          'target.capabilities': h.capabilities.join(', '),
        },
        kernel: h.kernel,
      };
    } finally {
      await t.close().catch(() => undefined);
    }
  } catch (e) {
    return { env: { 'target.hello': `failed: ${(e as Error).message}` } };
  }
}

/** `f` called now; the returned function gives its result, or throws what it threw, when asked */
function settled<T>(f: () => T): () => T {
  try {
    const v = f();
    return () => v;
  } catch (e) {
    return () => {
      throw e;
    };
  }
}

/** how the scenarios are ordered, and the command that replays this run's order */
function orderLine(profile: string, orderSeed: string, target: string, args: string[], shards = 1): string {
  const replay = `DAX_TARGET='${target}' DAX_PROFILE=${profile} DAX_ORDER_SEED=${orderSeed} npm run conformance${args.length ? ` -- ${args.join(' ')}` : ''}`;
  const split = shards > 1 ? `; ${shards} processes, each its share of the scenarios (balanced by the last run's times)` : '';
  return profile === 'ci'
    ? `conformance: random scenario order, seed ${orderSeed}${split}; replay it with: ${replay}`
    : `conformance: scenarios in definition order (profile ${profile})${split}; DAX_PROFILE=ci randomises it (seed ${orderSeed} would be used)`;
}

/** the failures, one line each for broken rules; the other classes once per distinct sentence */
function printFailures(run: RunResult): void {
  const failed = run.scenarios.filter((x) => x.verdict);
  for (const s of failed.filter((x) => x.verdict === 'rule')) console.log(`  FAILED ${s.sentence} (${s.uri}:${s.line})`);
  const others = new Map<string, { count: number; where: string }>();
  for (const s of failed.filter((x) => x.verdict !== 'rule')) {
    const o = others.get(s.sentence!) ?? { count: 0, where: `${s.uri}:${s.line}` };
    o.count++;
    others.set(s.sentence!, o);
  }
  for (const [sentence, o] of others) console.log(`  ${sentence} (${o.count === 1 ? o.where : `${o.count} scenarios, first ${o.where}`})`);
}

async function main(): Promise<number> {
  const target = process.env.DAX_TARGET || 'emulator';
  let spec: TargetSpec;
  try {
    spec = parseTargetSpec(target);
  } catch (e) {
    console.error(`conformance: INPUT: ${(e as Error).message}`);
    return 2;
  }
  const profile = process.env.DAX_PROFILE ?? 'default';
  let shard: Shard | undefined;
  try {
    shard = parseShard(process.argv.slice(2));
  } catch (e) {
    console.error(`conformance: INPUT: ${(e as Error).message}`);
    return 2;
  }
  // --shard i/n (or DAX_SHARD): this run takes every n-th scenario (scripts/lib/shard.ts)
  const userArgs = withoutShard(process.argv.slice(2));
  const args = shard ? [...userArgs, ...locationArgs(shardOf(scenarioLocations(), shard))] : userArgs;
  const shown = shard ? [...userArgs, '--shard', `${shard.index}/${shard.count}`] : userArgs;
  const bad = targetNotReady(spec) ?? badInput(profile, args);
  if (bad) {
    console.error(`conformance: ${bad.startsWith('INPUT:') ? bad : `INPUT: ${bad}`}`);
    return 2;
  }
  const REPORTS = reportDirFor(target, process.env.DAX_REPORT_DIR);
  const results = join(REPORTS, 'allure-results');
  // the previous results are deleted after this run, not before it (scripts/lib/allure.ts setAside)
  afterRun = setAside(results);
  mkdirSync(results, { recursive: true });
  const orderSeed = process.env.DAX_ORDER_SEED || String(Math.floor(Math.random() * 1e9));
  // the in-process emulator split over the cores (scripts/lib/cucumber-run.ts parallelism); other targets serially, so one that cannot be driven stops the run after its first scenario
  const parallel = spec.kind === 'emulator' ? parallelism('in-process') : 1;
  console.log(orderLine(profile, orderSeed, target, shown, parallel));
  const running = runCucumber({
    target,
    profile,
    args,
    parallel,
    messagesFile: join(REPORTS, 'messages.ndjson'),
    stdio: 'inherit',
    env: { DAX_REPORT_DIR: REPORTS, DAX_ORDER_SEED: orderSeed },
  });
  // the cucumber process has started: the rules the report lists, and what the in-process emulator says of itself,
  // are read while it runs (a target in another process or a guest is asked after the run, once it is known to start)
  const rules = settled(collectRules);
  const earlyDescription = spec.kind === 'emulator' ? describeTarget(spec) : undefined;
  const run = await running;
  if (run.fatal && run.scenarios.length === 0) {
    // nothing ran: no report to write, one sentence to say why
    console.error(`conformance: ${run.fatal}`);
    console.log(orderLine(profile, orderSeed, target, shown, parallel));
    return 2;
  }
  const reportDir = join(REPORTS, 'allure-report');
  // a target that never started has nothing to say about itself: do not wait for its hello again
  const startFailure = run.scenarios.find((x) => x.verdict === 'implementation' && run.skipped === run.scenarios.length - 1);
  const buildOrder = nextBuildOrder(reportDir);
  const described: { env: Record<string, string>; kernel?: string } = startFailure ? { env: { 'target.hello': `failed: ${startFailure.sentence}` } } : await (earlyDescription ?? describeTarget(spec));
  // which rules apply to the kernel tested: in the report's environment, and whole beside the report
  const book = rulebookFor(rules(), described.kernel);
  writeAllureMetadata(
    results,
    {
      target,
      variant: spec.variant ?? (spec.kind === 'emulator' ? 'none (the reference)' : 'n/a'),
      ...described.env,
      ...rulebookEnvironment(book),
      'persistence.mode': 'adr by default; scenarios tagged @requires:eadr switch the platform to eadr',
      'target.seed': process.env.DAX_SEED ?? '0',
      'order.seed': profile === 'ci' ? `${orderSeed} (random scenario order: rerun with DAX_ORDER_SEED=${orderSeed} DAX_PROFILE=ci)` : 'definition order (profile default)',
      'crash.budget': process.env.DAX_CRASH_BUDGET ?? '4096 (default; a scenario may set its own)',
      ...(process.env.DAX_CRASH_STATE ? { 'crash.state': `${process.env.DAX_CRASH_STATE} (passed to the target with every crash check)` } : {}),
      'cucumber.arguments': process.argv.slice(2).join(' ') || '(all features)',
      ...(shard ? { shard: `${shard.index}/${shard.count} (every ${shard.count}th scenario from the ${shard.index}th; merge the shards' allure-results folders into one report)` } : {}),
      node: process.version,
      'cucumber-js': version('@cucumber/cucumber'),
      'allure-cucumberjs': version('allure-cucumberjs'),
      platform: `${process.platform} ${process.arch}`,
    },
    {
      name: process.env.CI ? 'CI (.ci/run)' : 'npm run conformance',
      type: process.env.CI ? 'ci' : 'local',
      buildName: `${target} #${buildOrder}`,
      buildOrder,
      reportName: `DAX conformance: ${target}`,
    },
  );
  // Keep the trend: the previous report's history feeds the next one.
  const history = join(reportDir, 'history');
  if (existsSync(history)) cpSync(history, join(results, 'history'), { recursive: true });
  // DAX_SKIP_HTML_REPORT=1 (test/verdicts): the results are written, the Java report step is left out
  writeFileSync(join(REPORTS, 'RULES-tested.md'), rulebookForKernelMarkdown(book, target));
  const report = process.env.DAX_SKIP_HTML_REPORT ? { ok: false, error: 'skipped (DAX_SKIP_HTML_REPORT)' } : await generateAllureReport(results, reportDir);
  const classes = run.scenarios.flatMap((x) => (x.verdict ? [x.verdict] : []));
  const count = (c: VerdictClass) => classes.filter((x) => x === c).length;
  console.log('');
  console.log(`conformance: target ${target}: ${run.passed} passed, ${run.failed} failed (${count('rule')} broke a rule, ${count('implementation')} could not drive the implementation, ${count('input')} bad input), ${run.skipped} skipped in ${run.seconds.toFixed(1)} s`);
  printFailures(run);
  console.log(`conformance: the rulebook for ${book.kernel ? `Linux ${book.kernel}` : 'every kernel'}: ${book.applies.length} rules apply, ${book.notHere.length} belong to other kernels (${relative(ROOT, join(REPORTS, 'RULES-tested.md'))})`);
  console.log(report.ok ? `conformance: report at ${join(relative(ROOT, reportDir) || '.', 'index.html')} (open it with: npx allure open ${relative(ROOT, reportDir)})` : `conformance: the HTML report could not be generated: ${report.error}`);
  console.log(orderLine(profile, orderSeed, target, shown, parallel));
  if (startFailure) {
    console.error(`conformance: ${startFailure.sentence}; stopped after the first scenario. Reproduce: DAX_TARGET='${target}' npx cucumber-js ${startFailure.uri}:${startFailure.line}`);
    return 2;
  }
  if (run.fatal) {
    console.error(`conformance: ${run.fatal}`);
    return 2;
  }
  return exitCodeOf(classes);
}

/** what is left to do once the run and its report are done */
let afterRun: (() => void) | undefined;

main().then((code) => {
  afterRun?.();
  process.exitCode = code;
});
