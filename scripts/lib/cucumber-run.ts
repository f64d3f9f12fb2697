// Runs cucumber-js in a child process against one target and reads its message stream back:
// per scenario its status, tags (rule ids) and failure message.

import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { warm } from '../register';

export interface ScenarioResult {
  name: string;
  uri: string;
  line: number;
  tags: string[];
  rules: string[];
  status: 'passed' | 'failed' | 'skipped' | 'undefined' | 'pending' | 'ambiguous' | 'unknown';
  message?: string;
  /** Cucumber's id of the test case, to link a matrix cell to the scenario */
  id: string;
  /** the variant switches the target read in this scenario (recorded with DAX_RECORD_SWITCHES=1) */
  switches?: string[];
}

/** the media type of the After hook's attachment listing the switches a scenario read (steps/support/hooks.ts) */
export const SWITCHES_MEDIA_TYPE = 'application/vnd.dax.switches-read+json';

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

export interface RunOptions {
  target: string;
  profile?: string;
  args?: string[];
  messagesFile: string;
  /** extra --format entries, e.g. the Allure reporter */
  formats?: string[];
  stdio?: 'inherit' | 'pipe';
  env?: Record<string, string>;
}

const ROOT = join(__dirname, '..', '..');

let warmed = false;
/** fill the transpile cache once, before any worker starts (a no-op when nothing changed) */
export function buildOnce(): void {
  if (warmed) return;
  warmed = true;
  warm();
}


export async function runCucumber(o: RunOptions): Promise<RunResult> {
  buildOnce();
  mkdirSync(dirname(o.messagesFile), { recursive: true });
  if (existsSync(o.messagesFile)) rmSync(o.messagesFile);
  const args = [
    join(ROOT, 'node_modules', '@cucumber', 'cucumber', 'bin', 'cucumber.js'),
    '--profile', o.profile ?? 'default',
    '--format', `message:${o.messagesFile}`,
    ...(o.formats ?? []).flatMap((f) => ['--format', f]),
    ...(o.args ?? []),
  ];
  const t0 = Date.now();
  let stderr = '';
  const exitCode = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, DAX_TARGET: o.target, ...o.env },
      stdio: ['ignore', o.stdio === 'inherit' ? 'inherit' : 'pipe', 'pipe'],
    });
    child.stdout?.resume();
    child.stderr!.on('data', (d) => {
      stderr += String(d);
      if (o.stdio === 'inherit') process.stderr.write(d);
    });
    child.on('close', (code) => resolve(code ?? 1));
  });
  const seconds = (Date.now() - t0) / 1000;
  const result = existsSync(o.messagesFile) ? parseMessages(readFileSync(o.messagesFile, 'utf8')) : [];
  const count = (s: ScenarioResult['status']) => result.filter((r) => r.status === s).length;
  const fatal = exitCode === 2 || (result.length === 0 && exitCode !== 0) ? (stderr.trim().split('\n').pop() ?? `cucumber exited ${exitCode}`) : undefined;
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

const RANK: Record<string, number> = { UNKNOWN: 0, PASSED: 1, SKIPPED: 2, PENDING: 3, UNDEFINED: 4, AMBIGUOUS: 5, FAILED: 6 };

export function parseMessages(ndjson: string): ScenarioResult[] {
  const pickles = new Map<string, { name: string; uri: string; tags: string[]; astNodeIds: string[] }>();
  const lines = new Map<string, number>();
  const testCases = new Map<string, string>(); // testCase id -> pickle id
  const started = new Map<string, string>(); // testCaseStarted id -> testCase id
  const worst = new Map<string, { status: string; message?: string }>();
  const finished = new Set<string>();
  const switches = new Map<string, string[]>(); // testCaseStarted id -> switches read
  for (const line of ndjson.split('\n')) {
    if (!line.trim()) continue;
    const env = JSON.parse(line);
    if (env.gherkinDocument?.feature) {
      const visit = (children: Array<Record<string, any>>) => {
        for (const c of children) {
          if (c.scenario) {
            lines.set(c.scenario.id, c.scenario.location.line);
            for (const ex of c.scenario.examples ?? []) for (const row of ex.tableBody ?? []) lines.set(row.id, row.location.line);
          }
          if (c.rule) visit(c.rule.children);
        }
      };
      visit(env.gherkinDocument.feature.children);
    }
    if (env.pickle) pickles.set(env.pickle.id, { name: env.pickle.name, uri: env.pickle.uri, tags: env.pickle.tags.map((t: { name: string }) => t.name), astNodeIds: env.pickle.astNodeIds });
    if (env.testCase) testCases.set(env.testCase.id, env.testCase.pickleId);
    if (env.testCaseStarted) started.set(env.testCaseStarted.id, env.testCaseStarted.testCaseId);
    if (env.testStepFinished) {
      const id = env.testStepFinished.testCaseStartedId;
      const r = env.testStepFinished.testStepResult;
      const cur = worst.get(id);
      if (!cur || RANK[r.status] > RANK[cur.status]) worst.set(id, { status: r.status, message: r.message ?? r.exception?.message });
    }
    if (env.attachment?.mediaType === SWITCHES_MEDIA_TYPE && env.attachment.testCaseStartedId) switches.set(env.attachment.testCaseStartedId, JSON.parse(env.attachment.body));
    if (env.testCaseFinished && !env.testCaseFinished.willBeRetried) finished.add(env.testCaseFinished.testCaseStartedId);
  }
  const out: ScenarioResult[] = [];
  for (const [startedId, tcId] of started) {
    if (!finished.has(startedId)) continue;
    const p = pickles.get(testCases.get(tcId)!)!;
    const w = worst.get(startedId) ?? { status: 'PASSED' };
    const node = p.astNodeIds[p.astNodeIds.length - 1];
    out.push({
      id: tcId,
      name: p.name,
      uri: p.uri,
      line: lines.get(node) ?? lines.get(p.astNodeIds[0]) ?? 0,
      tags: p.tags,
      rules: p.tags.filter((t) => t.startsWith('@rule:')).map((t) => t.slice(6)),
      status: w.status.toLowerCase() as ScenarioResult['status'],
      message: w.message?.split('\n')[0],
      ...(switches.has(startedId) ? { switches: switches.get(startedId) } : {}),
    });
  }
  return out;
}
