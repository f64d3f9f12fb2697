// npm run conformance: the suite against DAX_TARGET (default: the reference emulator), Allure
// results and the HTML report (history kept across runs), and a short summary.
// Exit codes: 0 every scenario passed, 1 a rule failed, 2 the target could not be driven or the input was bad.

import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runCucumber } from './lib/cucumber-run';
import { parseTargetSpec } from '../targets/registry';
import { generateAllureReport } from './lib/allure';

const ROOT = join(__dirname, '..');
const REPORTS = join(ROOT, 'reports');

async function main(): Promise<number> {
  const target = process.env.DAX_TARGET || 'emulator';
  try {
    parseTargetSpec(target);
  } catch (e) {
    console.error(`conformance: ${(e as Error).message}`);
    return 2;
  }
  const results = join(REPORTS, 'allure-results');
  rmSync(results, { recursive: true, force: true });
  mkdirSync(results, { recursive: true });
  const run = await runCucumber({
    target,
    profile: process.env.DAX_PROFILE ?? 'default',
    args: process.argv.slice(2),
    messagesFile: join(REPORTS, 'messages.ndjson'),
    stdio: 'inherit',
  });
  // Keep the trend: the previous report's history feeds the next one.
  const history = join(REPORTS, 'allure-report', 'history');
  if (existsSync(history)) cpSync(history, join(results, 'history'), { recursive: true });
  const report = await generateAllureReport(results, join(REPORTS, 'allure-report'));
  console.log('');
  console.log(`conformance: target ${target}: ${run.passed} passed, ${run.failed} failed, ${run.skipped} skipped in ${run.seconds.toFixed(1)} s`);
  for (const s of run.scenarios.filter((x) => x.status !== 'passed' && x.status !== 'skipped')) {
    console.log(`  FAILED ${s.rules.join(', ') || '-'}: ${s.name} (${s.uri}:${s.line})`);
  }
  console.log(report.ok ? `conformance: report at ${join('reports', 'allure-report', 'index.html')}` : `conformance: the HTML report could not be generated: ${report.error}`);
  if (run.fatal) {
    console.error(`conformance: ${run.fatal}`);
    return 2;
  }
  if (run.scenarios.some((s) => /ImplementationError|timed out/.test(s.message ?? ''))) return 2;
  return run.failed > 0 ? 1 : 0;
}

main().then((code) => (process.exitCode = code));
