/* global console, process */
// Checks stryker/equivalent.json against the source, with Stryker's own instrumenter:
// - no `Stryker disable`/`restore` comment is left in emulator/ (the model carries no tool annotations);
// - each entry's `within` snippet occurs exactly once in its file and `node` starts `at` characters into it;
// - a `whole` entry ignores exactly one node and the mutants ignored there are exactly the ones it lists;
// - a partial entry (whole: false) lists mutants Stryker makes at exactly that node, each once, but not all
//   of the node's mutants (else it would be whole); those run, and a survivor among them is reported as
//   equivalent by scripts/mutation-summary.ts.
// Usage: node stryker/check-equivalents.mjs [--list]   (exit 1 on any mismatch)
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { Instrumenter } from '@stryker-mutator/instrumenter';
import { DaxIgnorer, ROOT, SWITCH_PREFIX, equivalentReason, loadEquivalents, locate } from './ignorer.mjs';

const errors = [];
const rel = (abs) => relative(ROOT, abs).split(sep).join('/');

function walk(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

for (const f of walk(join(ROOT, 'emulator')).filter((p) => p.endsWith('.ts'))) {
  readFileSync(f, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (/Stryker (disable|restore)/.test(line)) errors.push(`${rel(f)}:${i + 1}: a Stryker comment in the model; put it in stryker/equivalent.json`);
    });
}

// the files Stryker mutates: the `mutate` of stryker.conf.json and of stryker.nvdimm.conf.json (the driver and block layer), each of the form `dir/**/*.ts`
const globs = ['stryker.conf.json', 'stryker.nvdimm.conf.json'].flatMap((c) => JSON.parse(readFileSync(join(ROOT, c), 'utf8')).mutate.map((glob) => [c, glob]));
const files = globs.flatMap(([c, glob]) => {
  const m = /^(.*)\/\*\*\/\*\.ts$/.exec(glob);
  if (!m) throw new Error(`${c} mutate pattern ${glob} is not of the form dir/**/*.ts`);
  return walk(join(ROOT, m[1])).filter((p) => p.endsWith('.ts'));
});

const entries = loadEquivalents();
const ids = new Set();
for (const e of entries) {
  if (ids.has(e.id)) errors.push(`${e.id}: duplicate id`);
  ids.add(e.id);
  if (!files.some((f) => rel(f) === e.file)) errors.push(`${e.id}: ${e.file} is not among the files Stryker mutates`);
  if (!e.reason || !e.mutants?.length) errors.push(`${e.id}: needs a reason and at least one mutant`);
}

const logger = { debug() {}, info() {}, warn: (...a) => console.error(...a), isDebugEnabled: () => false };
const ignorer = new DaxIgnorer(entries);
const content = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));
const { mutants } = await new Instrumenter(logger).instrument(
  files.map((name) => ({ name, mutate: true, content: content.get(name) })),
  { plugins: null, excludedMutations: [], ignorers: [ignorer] },
);

const lineStarts = new Map();
const offset = (file, p) => {
  if (!lineStarts.has(file)) {
    const s = [0];
    const c = content.get(file);
    for (let i = 0; i < c.length; i++) if (c[i] === '\n') s.push(i + 1);
    lineStarts.set(file, s);
  }
  return lineStarts.get(file)[p.line] + p.column;
};
const all = mutants.map((m) => ({ ...m, file: rel(m.fileName), s: offset(m.fileName, m.location.start), e: offset(m.fileName, m.location.end) }));
const sig = (m) => `${m.mutator ?? m.mutatorName} ${m.replacement}`;
const sameBag = (a, b) => JSON.stringify(a.map(sig).sort()) === JSON.stringify(b.map(sig).sort());

let documented = 0;
for (const e of entries) {
  const file = files.find((f) => rel(f) === e.file);
  if (!file) continue;
  const [{ start }] = locate([e], content.get(file));
  if (start === undefined) {
    errors.push(`${e.id}: ${e.file} has no unique ${JSON.stringify(e.within)} with ${JSON.stringify(e.node)} ${e.at} characters in; the code changed: update or drop the entry`);
    continue;
  }
  const end = start + e.node.length;
  const inside = all.filter((m) => m.file === e.file && m.s >= start && m.e <= end);
  if (e.whole) {
    const hits = ignorer.hits.get(e.id) ?? 0;
    const ignored = all.filter((m) => m.statusReason === equivalentReason(e));
    if (hits !== 1) errors.push(`${e.id}: ignored ${hits} nodes, not 1 (inside a variant switch or another entry?)`);
    else if (!sameBag(ignored, e.mutants))
      errors.push(`${e.id}: lists ${e.mutants.map(sig).join(' | ')} but ignores ${ignored.map(sig).join(' | ')}`);
  } else {
    const here = inside.filter((m) => m.s === start && m.e === end && m.status !== 'Ignored');
    for (const want of e.mutants) {
      const n = here.filter((m) => sig(m) === sig(want)).length;
      if (n !== 1) errors.push(`${e.id}: ${sig(want)} occurs ${n} times at ${JSON.stringify(e.node)}, not once`);
    }
    if (sameBag(inside, e.mutants)) errors.push(`${e.id}: lists every mutant of its node, so it should be whole`);
    documented += e.mutants.length;
  }
}

const ignoredBy = (p) => all.filter((m) => m.statusReason?.startsWith(p)).length;
const stray = all.filter((m) => m.status === 'Ignored' && !m.statusReason?.startsWith(SWITCH_PREFIX) && !entries.some((e) => m.statusReason === equivalentReason(e)));
for (const m of stray) errors.push(`${m.file}:${m.location.start.line + 1}: ${sig(m)} ignored for an unknown reason: ${m.statusReason}`);

if (process.argv.includes('--list')) for (const m of all.filter((m) => m.status === 'Ignored')) console.log(`${m.file}:${m.location.start.line + 1} ${sig(m)} :: ${m.statusReason}`);
console.log(
  `${all.length} mutants in ${files.length} files: ${ignoredBy(SWITCH_PREFIX)} in variant switches and ${ignoredBy('equivalent')} equivalent ignored (${entries.filter((e) => e.whole).length} entries); ${documented} equivalent ones that Stryker cannot single out run anyway (${entries.filter((e) => !e.whole).length} entries)`,
);
if (errors.length) {
  console.error(errors.map((x) => `stryker/equivalent.json: ${x}`).join('\n'));
  process.exit(1);
}
