// npm run mutants: the hand-written semantic mutants of mutants/semantic.json (realistic kernel-style
// bugs, none of them a variant) against the reference suite. Each mutant's edits (`find` -> `replace`,
// then any `also` edits) are applied to a scratch copy of the tree; the suite runs there with
// --fail-fast, and a mutant is caught when the run fails (or times out). A `find` that does not
// match exactly once fails the whole command before anything runs, so the set cannot rot silently.
// Usage: npm run mutants [-- --jobs N] [-- --only id1,id2] [-- --timeout SECONDS] [-- --paths f1.feature,f2.feature]
// (--paths runs only those features: for trying a new scenario against a mutant, never for the count)
// Prints caught/total and each survivor; writes reports/mutants.json. A mutant marked "equivalent" (its
// description says why) is applied by --check but neither run nor counted unless named with --only.

import { spawn, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ROOT = join(__dirname, '..');

interface Edit {
  find: string;
  replace: string;
}
interface SemanticMutant extends Edit {
  id: string;
  file: string;
  class: string;
  description: string;
  also?: Edit[];
  /** behaves as Linux does (or no correct implementation can tell it apart): kept, applied by --check, never counted */
  equivalent?: boolean;
}
interface Outcome {
  id: string;
  caught: boolean;
  how: string;
  seconds: number;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function count(haystack: string, needle: string): number {
  let n = 0;
  for (let i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) n++;
  return n;
}

/** the mutated text of the mutant's file, or the reason it no longer applies */
function mutate(m: SemanticMutant, source: string): string | Error {
  let text = source;
  for (const e of [{ find: m.find, replace: m.replace }, ...(m.also ?? [])]) {
    const n = count(text, e.find);
    if (n !== 1) return new Error(`${m.id}: ${m.file} contains ${JSON.stringify(e.find.slice(0, 80))} ${n} times, not once; the model changed: update the mutant`);
    text = text.replace(e.find, () => e.replace);
  }
  return text;
}

const all = (JSON.parse(readFileSync(join(ROOT, 'mutants', 'semantic.json'), 'utf8')) as { mutants: SemanticMutant[] }).mutants;
const only = arg('only')?.split(',');
const chosen = only ? all.filter((m) => only.includes(m.id)) : all.filter((m) => !m.equivalent);
const equivalents = all.filter((m) => m.equivalent && !chosen.includes(m));
if (only && chosen.length !== only.length) {
  console.error(`no such mutant: ${only.filter((id) => !all.some((m) => m.id === id)).join(', ')}`);
  process.exit(2);
}
const ids = new Set<string>();
const problems: string[] = [];
const mutated = new Map<string, string>();
for (const m of all) {
  if (ids.has(m.id)) problems.push(`${m.id}: duplicate id`);
  ids.add(m.id);
  const r = mutate(m, readFileSync(join(ROOT, m.file), 'utf8'));
  if (r instanceof Error) problems.push(r.message);
  else mutated.set(m.id, r);
}
if (problems.length) {
  console.error(`mutants/semantic.json no longer matches the source:\n${problems.join('\n')}`);
  process.exit(2);
}
if (process.argv.includes('--check')) {
  console.log(`${all.length} semantic mutants, each applies exactly once`);
  process.exit(0);
}

/** a scratch copy of the tracked (and new, unignored) files, sharing node_modules */
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dax-mutants-'));
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f && !f.startsWith('node_modules'));
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    try {
      cpSync(join(ROOT, f), join(dir, f));
    } catch {
      // a file deleted in the work tree but still in the index
    }
  }
  symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(dir, 'node_modules'));
  return dir;
}

const timeout = Number(arg('timeout') ?? 600) * 1000;
const paths = arg('paths')?.split(',') ?? [];

function runSuite(dir: string): Promise<{ code: number | null; out: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(dir, 'node_modules', '@cucumber', 'cucumber', 'bin', 'cucumber.js'), '--profile', 'mutation', '--fail-fast', '--format', 'summary', ...paths], {
      cwd: dir,
      env: { ...process.env, DAX_TARGET: '' },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, out, timedOut: signal === 'SIGKILL' });
    });
  });
}

async function worker(queue: SemanticMutant[], results: Outcome[]): Promise<void> {
  const dir = scratch();
  try {
    for (let m = queue.shift(); m; m = queue.shift()) {
      const path = join(dir, m.file);
      const original = readFileSync(path, 'utf8');
      writeFileSync(path, mutated.get(m.id)!);
      const t0 = Date.now();
      const r = await runSuite(dir);
      writeFileSync(path, original);
      const failing = /^\s*\d+ scenarios? \(.*failed/m.test(r.out) || /Failures:/.test(r.out);
      const how = r.timedOut ? 'timed out' : r.code === 0 ? 'survived' : failing ? (/(features\/\S+\.feature:\d+)/.exec(r.out.slice(r.out.indexOf('Failures:')))?.[1] ?? 'a scenario failed') : `suite exited ${r.code}`;
      const o = { id: m.id, caught: r.code !== 0, how, seconds: (Date.now() - t0) / 1000 };
      results.push(o);
      console.log(`${o.caught ? 'caught  ' : 'SURVIVED'} ${m.id} (${o.seconds.toFixed(0)} s${o.caught ? `, ${how}` : ''})`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const jobs = Math.max(1, Number(arg('jobs') ?? 1));
  const queue = [...chosen];
  const results: Outcome[] = [];
  const t0 = Date.now();
  await Promise.all(Array.from({ length: Math.min(jobs, queue.length) }, () => worker(queue, results)));
  const caught = results.filter((r) => r.caught).length;
  const survivors = chosen.filter((m) => !results.find((r) => r.id === m.id)?.caught);
  mkdirSync(join(ROOT, 'reports'), { recursive: true });
  writeFileSync(join(ROOT, 'reports', 'mutants.json'), JSON.stringify({ caught, total: results.length, results }, null, 2));
  console.log(`\nsemantic mutants caught: ${caught}/${results.length} (${((100 * caught) / Math.max(1, results.length)).toFixed(1)}%) in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  for (const m of survivors) console.log(`  survived ${m.id} [${m.class}] ${m.file}: ${m.description}`);
  if (equivalents.length) console.log(`not counted, marked equivalent: ${equivalents.map((m) => m.id).join(', ')}`);
}

void main();
