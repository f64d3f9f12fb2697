// npm run parity [-- --variant <name>] [--traced] [cucumber args]: every scenario through the process target
// (--traced: the server streams its persistent-memory trace and the suite decides every crash check)
// (the reference server over the JSON-lines protocol) and in process, compared scenario by scenario.
// The server declares the emulator's capabilities, so every scenario runs on both sides. Over the
// protocol one server serves the whole run (DAX_PROCESS_REUSE=1: `reset` between scenarios).
// --reuse-inprocess-from <messages.ndjson>: take the in-process verdicts from a run that already
// happened (npm test's reference run) instead of running them again.
// Exit codes: 0 same verdicts everywhere, 1 some differ, 2 a run could not be driven.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parallelism, RunResult, runCucumber } from './lib/cucumber-run';
import { parseMessages, ScenarioResult } from './lib/messages';
import { isVariant, VARIANTS } from '../emulator/faults';

const ROOT = join(__dirname, '..');
const OUT = join(ROOT, 'reports', 'parity');
// from source through the transpile cache (scripts/register.js) when there is one, else the built server; one server
// per cucumber process (DAX_PROCESS_REUSE), beside cucumber processes on every core: one V8 background thread is enough (40.9 -> 36.0 s)
const SERVER = existsSync(join(ROOT, 'scripts', 'register.js'))
  ? 'process:node --v8-pool-size=1 -r ./scripts/register.js targets/process/server.ts'
  : 'process:node --v8-pool-size=1 .cache/build/targets/process/server.js';

function key(s: ScenarioResult): string {
  return `${s.uri}:${s.line} ${s.name}`;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let inProcessFrom: string | undefined;
  const j = argv.indexOf('--in-process-from');
  if (j >= 0) {
    inProcessFrom = argv[j + 1];
    argv.splice(j, 2);
    if (!inProcessFrom || !existsSync(inProcessFrom)) {
      console.error(`parity: INPUT: --in-process-from needs a message stream of an in-process run; "${inProcessFrom ?? ''}" does not exist`);
      return 2;
    }
  }
  let variant: string | undefined;
  const i = argv.indexOf('--variant');
  if (i >= 0) {
    variant = argv[i + 1];
    argv.splice(i, 2);
    if (!variant || !isVariant(variant)) {
      console.error(`parity: unknown variant "${variant ?? ''}"; accepted: ${Object.keys(VARIANTS).join(', ')}`);
      return 2;
    }
  }
  const t = argv.indexOf('--traced');
  if (t >= 0) argv.splice(t, 1);
  const inProcess = variant ? `emulator:${variant}` : 'emulator';
  const overProcess = `${SERVER}${variant ? ` --variant ${variant}` : ''}${t >= 0 ? ' --traced' : ''}`;
  const args = ['--format-options', '{"colorsEnabled":false}', ...argv];
  const earlier = (file: string): RunResult => {
    const scenarios = parseMessages(readFileSync(file, 'utf8'));
    const n = (st: string) => scenarios.filter((x) => x.status === st).length;
    return { target: inProcess, passed: n('passed'), failed: scenarios.length - n('passed') - n('skipped'), skipped: n('skipped'), scenarios, exitCode: 0, seconds: 0 };
  };
  const [a, b]: RunResult[] = await Promise.all([
    // the gate profile: verdicts only, no Allure results (which would land beside the reference run's report)
    inProcessFrom ? earlier(inProcessFrom) : runCucumber({ target: inProcess, profile: 'gate', args, messagesFile: join(OUT, 'in-process.ndjson'), env: { DAX_QUIET: '1' } }),
    // one server for the run, `reset` between scenarios: a stricter test of reset, and no start-up per scenario
    // alone (npm test gives the in-process verdicts), it has every core: one server per worker
    runCucumber({ target: overProcess, profile: 'gate', args, parallel: inProcessFrom ? parallelism() : 1, messagesFile: join(OUT, 'process.ndjson'), env: { DAX_QUIET: '1', DAX_PROCESS_REUSE: '1' } }),
  ]);
  for (const r of [a, b]) {
    console.log(`parity: ${r.target}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped in ${r.seconds.toFixed(1)} s`);
  }
  const fatal = [a, b].filter((r) => r.fatal);
  for (const r of fatal) console.error(`parity: ${r.target} could not run: ${r.fatal}`);
  if (fatal.length) return 2;

  const left = new Map(a.scenarios.map((s) => [key(s), s]));
  const right = new Map(b.scenarios.map((s) => [key(s), s]));
  const diffs: string[] = [];
  for (const [k, s] of left) {
    const t = right.get(k);
    if (!t) diffs.push(`${k}: ${s.status} in process, never ran over the protocol`);
    else if (s.status !== t.status) {
      diffs.push(`${k}: ${s.status} in process, ${t.status} over the protocol${t.message ? ` (${t.message})` : s.message ? ` (in process: ${s.message})` : ''}`);
    }
  }
  for (const [k, t] of right) if (!left.has(k)) diffs.push(`${k}: ${t.status} over the protocol, never ran in process`);
  if (a.scenarios.length === 0) diffs.push('no scenario ran');
  for (const d of diffs) console.log(`  DIFFERS ${d}`);
  console.log(diffs.length
    ? `parity: ${diffs.length} of ${left.size} scenarios differ between ${inProcess} and the process target`
    : `parity: all ${left.size} scenarios have the same verdict in process and over the protocol`);
  return diffs.length ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (e) => {
    console.error(`parity: ${(e as Error).message}`);
    process.exitCode = 2;
  },
);
