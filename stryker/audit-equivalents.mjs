/* global console, process */
// Tests the claims of stryker/equivalent.json: runs Stryker on exactly the nodes its whole entries
// ignore, with those entries switched off (DAX_EQUIVALENTS=off; variant switches stay ignored), and
// reports each entry whose mutants the scenarios kill: such an entry is not equivalent and must go.
// Usage: node stryker/audit-equivalents.mjs [--concurrency N] [--under emulator/dax/]   (reports/mutation-audit/)
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, loadEquivalents, locate } from './ignorer.mjs';

const ui = process.argv.indexOf('--under');
const entries = loadEquivalents().filter((e) => e.whole && (ui < 0 || e.file.startsWith(process.argv[ui + 1])));
// Stryker reads a mutate range's lines from 1 and its columns from 0 (as Babel does)
const pos = (code, off) => {
  const before = code.slice(0, off).split('\n');
  return `${before.length}:${before[before.length - 1].length}`;
};
const ranges = [];
const where = new Map();
for (const e of entries) {
  const code = readFileSync(join(ROOT, e.file), 'utf8');
  const [{ start }] = locate([e], code);
  if (start === undefined) {
    console.error(`${e.id}: does not match the source; run node stryker/check-equivalents.mjs`);
    process.exit(2);
  }
  ranges.push(`${e.file}:${pos(code, start)}-${pos(code, start + e.node.length)}`);
  where.set(e.id, { file: e.file, start, end: start + e.node.length, code });
}

const out = join(ROOT, 'reports', 'mutation-audit');
mkdirSync(out, { recursive: true });
const conf = JSON.parse(readFileSync(join(ROOT, 'stryker.conf.json'), 'utf8'));
Object.assign(conf, {
  mutate: ranges,
  incremental: false,
  reporters: ['json', 'progress-append-only'],
  jsonReporter: { fileName: join(out, 'mutation.json') },
  tempDirName: '.stryker-tmp',
});
delete conf.htmlReporter;
const confFile = join(out, 'stryker.audit.conf.json');
writeFileSync(confFile, JSON.stringify(conf, null, 2));
const ci = process.argv.indexOf('--concurrency');
const args = ['stryker', 'run', confFile, ...(ci > 0 ? ['--concurrency', process.argv[ci + 1]] : [])];
const r = spawnSync('npx', args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, DAX_EQUIVALENTS: 'off' } });
if (r.status !== 0) process.exit(r.status ?? 1);

const report = JSON.parse(readFileSync(join(out, 'mutation.json'), 'utf8'));
const offsetOf = (code, p) => {
  let off = 0;
  for (let l = 1; l < p.line; l++) off = code.indexOf('\n', off) + 1;
  return off + p.column - 1;
};
const lines = [];
let refuted = 0;
for (const e of entries) {
  const w = where.get(e.id);
  const ms = (report.files[w.file]?.mutants ?? []).filter((m) => offsetOf(w.code, m.location.start) >= w.start && offsetOf(w.code, m.location.end) <= w.end);
  const killed = ms.filter((m) => m.status === 'Killed' || m.status === 'Timeout');
  if (killed.length) refuted++;
  lines.push(`${killed.length ? 'NOT EQUIVALENT' : 'ok            '} ${e.id}: ${ms.map((m) => `${m.mutatorName} ${m.replacement} ${m.status}`).join(' | ')}`);
}
writeFileSync(join(out, 'audit.txt'), lines.join('\n') + '\n');
console.log(lines.join('\n'));
console.log(`${refuted} of ${entries.length} whole entries have a mutant the scenarios kill (reports/mutation-audit/audit.txt)`);
