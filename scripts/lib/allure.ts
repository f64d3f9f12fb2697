// allure-commandline (Java) turns allure-results into the HTML report.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export async function generateAllureReport(results: string, out: string, extra: string[] = []): Promise<{ ok: boolean; error?: string }> {
  const bin = join(ROOT, 'node_modules', 'allure-commandline', 'dist', 'bin', 'allure');
  let stderr = '';
  const code = await new Promise<number>((resolve) => {
    const c = spawn(bin, ['generate', results, '-o', out, '--clean', ...extra], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout.resume();
    c.stderr.on('data', (d) => (stderr += String(d)));
    c.on('error', (e) => {
      stderr += e.message;
      resolve(127);
    });
    c.on('close', (x) => resolve(x ?? 1));
  });
  return code === 0 ? { ok: true } : { ok: false, error: stderr.trim().split('\n').pop() || `allure exited ${code}` };
}

/**
 * Empties `dir` for a new run by moving what is there aside (a rename) and returns the function that
 * deletes it, to call once the run is over: deleting the previous run's few thousand result files right
 * before a run slowed that run by half (6.0 -> 10.8 s; on ext4 each new inode is then searched for past the
 * ones just deleted). The run's Allure writer renames the set-aside files to its new ones
 * (scripts/lib/allure-writer.js, which spells the same `.old-` names), so this deletes only what is left.
 * Leftovers of an interrupted run go with it.
 */
export function setAside(dir: string): () => void {
  const parent = dirname(dir);
  const stale = existsSync(parent) ? readdirSync(parent).filter((f) => f.startsWith(`${basename(dir)}.old-`)).map((f) => join(parent, f)) : [];
  const moved = existsSync(dir) ? `${dir}.old-${process.pid}-${Date.now()}` : undefined;
  if (moved) renameSync(dir, moved);
  return () => {
    for (const d of moved ? [...stale, moved] : stale) rmSync(d, { recursive: true, force: true });
  };
}

/**
 * Where a target's results, report and history live: the reference's in reports/, any other
 * target's in reports/targets/<target>/, so a variant run never shows as a regression of the reference.
 */
export function reportDirFor(target: string, explicit?: string): string {
  if (explicit) return resolve(ROOT, explicit);
  if (target === 'emulator') return join(ROOT, 'reports');
  return join(ROOT, 'reports', 'targets', target.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80));
}

// --- what the report says around the results: environment, executor, failure categories ---

export interface AllureCategory {
  name: string;
  matchedStatuses: Array<'failed' | 'broken' | 'passed' | 'skipped' | 'unknown'>;
  messageRegex?: string;
  traceRegex?: string;
}

/**
 * Failure categories, one per verdict class (steps/support/verdict.ts) and, for broken rules, per
 * kind of violation. A rule's message starts with its rule ids ("WB-1: durability violation: ..."),
 * the other classes with IMPLEMENTATION: or INPUT:. Allure takes the first category that matches,
 * so the specific ones come first; Java regexes match the whole message: hence (?s) and the `.*`.
 */
const RULE = '(?:\\w*Error: )?[A-Z]+-\\d+(?:, [A-Z]+-\\d+)*: ';
export const CATEGORIES: AllureCategory[] = [
  { name: 'Implementation could not be driven (exit 2)', matchedStatuses: ['failed', 'broken'], messageRegex: '(?s)(?:\\w*Error: )?(IMPLEMENTATION:|function timed out).*' },
  { name: 'Suite or input wrong (exit 2)', matchedStatuses: ['failed', 'broken'], messageRegex: '(?s)(?:\\w*Error: )?INPUT:.*' },
  { name: 'Suite or input wrong: undefined or ambiguous step (exit 2)', matchedStatuses: ['failed', 'broken', 'skipped', 'unknown'], messageRegex: "(?s).*(doesn't have an implementation|Undefined|undefined step|Multiple step definitions match|ambiguous).*" },
  { name: 'Rule broken: durability violation', matchedStatuses: ['failed', 'broken'], messageRegex: `(?s)${RULE}(durability violation|store order violation):.*` },
  { name: 'Rule broken: stale data exposure', matchedStatuses: ['failed', 'broken'], messageRegex: `(?s)${RULE}stale data exposure:.*` },
  { name: 'Rule broken: metadata damage (fsck)', matchedStatuses: ['failed', 'broken'], messageRegex: `(?s)${RULE}metadata damage:.*` },
  { name: 'Rule broken: performance rule', matchedStatuses: ['failed', 'broken'], messageRegex: `(?s)${RULE}performance rule:.*` },
  { name: 'Rule broken: other checks', matchedStatuses: ['failed', 'broken'], messageRegex: `(?s)${RULE}.*` },
  { name: 'Unclassified (a message that names no rule: a defect of the suite)', matchedStatuses: ['failed', 'broken'] },
];

/** environment.properties: one `key = value` a line; keys must not hold spaces or '=' */
export function environmentProperties(env: Record<string, string>): string {
  const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return Object.entries(env)
    .map(([k, v]) => `${k.replace(/[\s=:]/g, '.')} = ${esc(v)}`)
    .join('\n') + '\n';
}

export interface Executor {
  name: string;
  type: string;
  buildName: string;
  buildOrder?: number;
  reportName?: string;
  reportUrl?: string;
  buildUrl?: string;
}

export function writeAllureMetadata(results: string, env: Record<string, string>, executor: Executor): void {
  mkdirSync(results, { recursive: true });
  writeFileSync(join(results, 'environment.properties'), environmentProperties(env));
  writeFileSync(join(results, 'executor.json'), JSON.stringify(executor, null, 2));
  writeFileSync(join(results, 'categories.json'), JSON.stringify(CATEGORIES, null, 2));
}

/** the next build number for the trend: one more than the last in the previous report's history */
export function nextBuildOrder(previousReport: string): number {
  try {
    const trend = JSON.parse(readFileSync(join(previousReport, 'history', 'history-trend.json'), 'utf8')) as Array<{ buildOrder?: number }>;
    return Math.max(0, ...trend.map((t) => t.buildOrder ?? 0)) + 1;
  } catch {
    return 1;
  }
}

/**
 * The test cases of a generated Allure report by "<feature uri>#<scenario name>", each to its page's
 * address relative to the report folder (index.html#testresult/<uid>): what the matrix page links to.
 */
export function allureCasePages(reportDir: string): Map<string, string> {
  const out = new Map<string, string>();
  const dir = join(reportDir, 'data', 'test-cases');
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)) {
    try {
      const c = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { uid?: string; fullName?: string };
      // fullName is "<package>:<uri>#<name>" (allure-cucumberjs)
      const key = c.fullName?.replace(/^[^:]*:/, '');
      if (c.uid && key && !out.has(key)) out.set(key, `index.html#testresult/${c.uid}`);
    } catch {
      // a half-written file: that case has no link
    }
  }
  return out;
}
