// npm run conformance: the suite against DAX_TARGET (default: the reference emulator), Allure
// results and the HTML report (history kept across runs), and a short summary.
// Exit codes: 0 every scenario passed, 1 a rule failed, 2 the target could not be driven or the input was bad.
// DAX_REPORT_DIR (default reports/) puts allure-results/, allure-report/ and messages.ndjson elsewhere.

import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { runCucumber } from './lib/cucumber-run';
import { createTarget, parseTargetSpec, TargetSpec } from '../targets/registry';
import { generateAllureReport, nextBuildOrder, writeAllureMetadata } from './lib/allure';

const ROOT = join(__dirname, '..');
const REPORTS = resolve(ROOT, process.env.DAX_REPORT_DIR || 'reports');

function version(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** what the target says of itself (name, version, capabilities); the linux target is not booted for this */
async function describeTarget(spec: TargetSpec): Promise<Record<string, string>> {
  if (spec.kind === 'linux') return { 'target.version': 'see the scenarios (the guest reports its kernel release)' };
  try {
    const t = await createTarget(spec);
    try {
      const h = await Promise.race([t.hello(), new Promise<never>((_, rej) => setTimeout(() => rej(new Error('no hello within 20 s')), 20_000).unref())]);
      return {
        'target.name': h.name,
        [spec.kind === 'emulator' ? 'emulator.version' : 'target.version']: h.version,
        'target.description': h.description ?? '',
        'target.capabilities': h.capabilities.join(', '),
      };
    } finally {
      await t.close().catch(() => undefined);
    }
  } catch (e) {
    return { 'target.hello': `failed: ${(e as Error).message}` };
  }
}

async function main(): Promise<number> {
  const target = process.env.DAX_TARGET || 'emulator';
  try {
    parseTargetSpec(target);
  } catch (e) {
    console.error(`conformance: ${(e as Error).message}`);
    return 2;
  }
  const spec = parseTargetSpec(target);
  const results = join(REPORTS, 'allure-results');
  rmSync(results, { recursive: true, force: true });
  mkdirSync(results, { recursive: true });
  const profile = process.env.DAX_PROFILE ?? 'default';
  const orderSeed = process.env.DAX_ORDER_SEED || String(Math.floor(Math.random() * 1e9));
  const run = await runCucumber({
    target,
    profile,
    args: process.argv.slice(2),
    messagesFile: join(REPORTS, 'messages.ndjson'),
    stdio: 'inherit',
    env: { DAX_REPORT_DIR: REPORTS, DAX_ORDER_SEED: orderSeed },
  });
  const reportDir = join(REPORTS, 'allure-report');
  const buildOrder = nextBuildOrder(reportDir);
  writeAllureMetadata(
    results,
    {
      target,
      variant: spec.variant ?? (spec.kind === 'emulator' ? 'none (the reference)' : 'n/a'),
      ...(await describeTarget(spec)),
      'persistence.mode': 'adr by default; scenarios tagged @requires:eadr switch the platform to eadr',
      'target.seed': process.env.DAX_SEED ?? '0',
      'order.seed': profile === 'ci' ? `${orderSeed} (random scenario order: rerun with DAX_ORDER_SEED=${orderSeed} DAX_PROFILE=ci)` : 'definition order (profile default)',
      'crash.budget': process.env.DAX_CRASH_BUDGET ?? '4096 (default)',
      ...(process.env.DAX_CRASH_STATE ? { 'crash.state': process.env.DAX_CRASH_STATE } : {}),
      'cucumber.arguments': process.argv.slice(2).join(' ') || '(all features)',
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
  const report = await generateAllureReport(results, reportDir);
  console.log('');
  console.log(`conformance: target ${target}: ${run.passed} passed, ${run.failed} failed, ${run.skipped} skipped in ${run.seconds.toFixed(1)} s`);
  for (const s of run.scenarios.filter((x) => x.status !== 'passed' && x.status !== 'skipped')) {
    console.log(`  FAILED ${s.rules.join(', ') || '-'}: ${s.name} (${s.uri}:${s.line})`);
  }
  console.log(report.ok ? `conformance: report at ${join(relative(ROOT, reportDir) || '.', 'index.html')} (open it with: npx allure open ${relative(ROOT, reportDir)})` : `conformance: the HTML report could not be generated: ${report.error}`);
  if (run.fatal) {
    console.error(`conformance: ${run.fatal}`);
    return 2;
  }
  if (run.scenarios.some((s) => /ImplementationError|timed out/.test(s.message ?? ''))) return 2;
  return run.failed > 0 ? 1 : 0;
}

main().then((code) => (process.exitCode = code));
