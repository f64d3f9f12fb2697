// After `npm run mutation`: reports/mutation/summary.md (--overlay <mutation.json>: a later partial run's results win; --report <mutation.json>: another run's
// report, its summary.md written beside it; --by-file: one row per file, not per area) with the score two ways, every surviving
// mutant, and every ignored mutant under its reason. Ignored mutants come from the dax-equivalents
// ignorer (stryker/ignorer.mjs): variant switches, and the equivalent mutants of stryker/equivalent.json.
// A survivor that a partial entry of that file (whole: false) names is an equivalent mutant Stryker
// could not single out; it is listed apart and left out of the second score's denominator.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

interface Mutant {
  mutatorName: string;
  replacement?: string;
  status: string;
  statusReason?: string;
  location: { start: { line: number; column: number }; end: { line: number; column: number } };
}
interface Report {
  files: Record<string, { source: string; mutants: Mutant[] }>;
}
interface Entry {
  id: string;
  file: string;
  within: string;
  at: number;
  node: string;
  whole: boolean;
  mutants: Array<{ mutator: string; replacement: string }>;
  reason: string;
}

const root = join(__dirname, '..');
const reportArg = process.argv.indexOf('--report');
const input = reportArg > 0 ? resolve(process.argv[reportArg + 1]) : join(root, 'reports', 'mutation', 'mutation.json');
const dir = dirname(input);
if (!existsSync(input)) {
  console.error(`no ${input}: run \`npm run mutation\` first`);
  process.exit(2);
}
const report = JSON.parse(readFileSync(input, 'utf8')) as Report;
const entries = (JSON.parse(readFileSync(join(root, 'stryker', 'equivalent.json'), 'utf8')) as { entries: Entry[] }).entries;
// --overlay <mutation.json>: results of a later run over part of the code (e.g. mutate ranges) replace
// the main run's for the same mutants (file, location, mutator, replacement) that the later run tested
// (stryker/audit-equivalents.mjs's report among them): a mutant still ignored by an entry of equivalent.json keeps its status
const stillListed = (m: Mutant): boolean => m.status === 'Ignored' && entries.some((e) => m.statusReason === `equivalent [${e.id}]: ${e.reason}`);
for (const [i, arg] of process.argv.entries()) {
  if (arg !== '--overlay') continue;
  const oi = i;
  const over = JSON.parse(readFileSync(process.argv[oi + 1], 'utf8')) as Report;
  const key = (m: Mutant): string => `${m.location.start.line}:${m.location.start.column}-${m.location.end.line}:${m.location.end.column} ${m.mutatorName} ${m.replacement}`;
  let replaced = 0;
  for (const [file, { mutants }] of Object.entries(over.files)) {
    const base = report.files[file];
    if (!base) continue;
    const tested = new Map(mutants.filter((m) => m.status !== 'Ignored').map((m) => [key(m), m]));
    base.mutants = base.mutants.map((m) => {
      const o = stillListed(m) ? undefined : tested.get(key(m));
      if (o && (o.status !== m.status || o.statusReason !== m.statusReason)) replaced++;
      return o ? { ...m, status: o.status, statusReason: o.statusReason } : m;
    });
  }
  console.log(`${process.argv[oi + 1]}: ${replaced} results replaced the main run's`);
}

const offsetOf = (source: string, p: { line: number; column: number }): number => {
  let off = 0;
  for (let l = 1; l < p.line; l++) off = source.indexOf('\n', off) + 1;
  return off + p.column - 1; // the report counts lines and columns from 1
};

/** the partial entry naming this mutant, if any */
function documented(file: string, source: string, m: Mutant): Entry | undefined {
  const s = offsetOf(source, m.location.start);
  const e = offsetOf(source, m.location.end);
  return entries.find((x) => {
    if (x.whole || !file.endsWith(x.file)) return false;
    const w = source.indexOf(x.within);
    return w >= 0 && w + x.at === s && s + x.node.length === e && x.mutants.some((y) => y.mutator === m.mutatorName && y.replacement === m.replacement);
  });
}

/**
 * A mutant of a variant switch changes the reference only when it can make the switch's condition
 * true with the variant off: a mutant of a node holding the faults.has()/quirk test that replaces it
 * by true (false for a negated test), drops its `!`, or swaps its && / ||. The code a switch guards,
 * the variant's name and optional chaining on an always-present faults object change nothing.
 */
function switchTurnsOn(source: string, m: Mutant): boolean {
  const text = source.slice(offsetOf(source, m.location.start), offsetOf(source, m.location.end));
  if (!/(\bfaults|\bf)\??\.has\(|quirks\./.test(text)) return false;
  if (m.mutatorName === 'StringLiteral' || m.mutatorName === 'OptionalChaining') return false;
  if (m.mutatorName === 'ConditionalExpression') return (m.replacement === 'true') !== text.startsWith('!');
  return true;
}

/**
 * A surviving mutant of a variant switch's own test that only keeps the variant off: `false` for the
 * test or for an && chain that holds only with the variant on, `true` for a negated test. The
 * reference has every variant off, so such a mutant computes what the source does: equivalent.
 */
function switchKeepsOff(source: string, m: Mutant): boolean {
  if (m.mutatorName !== 'ConditionalExpression') return false;
  const text = source.slice(offsetOf(source, m.location.start), offsetOf(source, m.location.end)).trim();
  const sw = String.raw`(?:[\w.?]*\bfaults\??|\bf)\.has\('[\w-]+'\)|[\w.]*\bquirks\.\w+`;
  if (m.replacement === 'true') return new RegExp(`^!(?:${sw})$`).test(text);
  if (m.replacement !== 'false' || text.includes('||')) return false;
  return text.split('&&').some((term) => new RegExp(`^\\(?(?:${sw})\\)?$`).test(term.trim()));
}

/** emulator/<area>/...: pmem, mm, dax */
const byFile = process.argv.includes('--by-file');
const areaOf = (file: string): string => (byFile ? /emulator\/.*$/.exec(file)?.[0] : /emulator\/([^/]+)\//.exec(file)?.[1]) ?? file;
interface Tally {
  detected: number;
  undetected: number;
  equivalent: number;
  switchOn: number;
  ignored: number;
  errors: number;
}
const tallies = new Map<string, Tally>();
const tally = (file: string): Tally => {
  const k = areaOf(file);
  if (!tallies.has(k)) tallies.set(k, { detected: 0, undetected: 0, equivalent: 0, switchOn: 0, ignored: 0, errors: 0 });
  return tallies.get(k)!;
};

const count: Record<string, number> = {};
const survivors: string[] = [];
const equivalentSurvivors: string[] = [];
const switchOn: string[] = [];
const byReason = new Map<string, string[]>();
for (const [file, { source, mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
  const lines = source.split('\n');
  const t = tally(file);
  for (const m of [...mutants].sort((a, b) => a.location.start.line - b.location.start.line)) {
    count[m.status] = (count[m.status] ?? 0) + 1;
    const where = `${file}:${m.location.start.line}:${m.location.start.column}`;
    const what = `${m.mutatorName} \`${(m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 80)}\``;
    if (m.status === 'Killed' || m.status === 'Timeout') t.detected++;
    else if (m.status === 'Survived' || m.status === 'NoCoverage') {
      t.undetected++;
      const doc = documented(file, source, m);
      if (doc || switchKeepsOff(source, m)) t.equivalent++;
      if (doc) equivalentSurvivors.push(`- ${where} ${what} (${m.status}) [${doc.id}]: ${doc.reason}`);
      else if (switchKeepsOff(source, m)) equivalentSurvivors.push(`- ${where} ${what} (${m.status}) [variant switch]: keeps the variant off, as the reference has it`);
      else survivors.push(`- ${where} ${what} (${m.status}) in \`${lines[m.location.start.line - 1].trim().slice(0, 100)}\``);
    } else if (m.status === 'Ignored') {
      t.ignored++;
      const reason = m.statusReason ?? 'no reason given';
      byReason.set(reason, [...(byReason.get(reason) ?? []), `${where} ${what}`]);
      if (reason.startsWith('variant switch') && switchTurnsOn(source, m)) {
        t.switchOn++;
        switchOn.push(`- ${where} ${what}: ${reason.split(':')[0]}`);
      } else if (reason.startsWith('equivalent [') && !stillListed(m)) {
        // ignored by an entry equivalent.json no longer has (the audit refuted it) and not rerun: a survivor
        t.switchOn++;
        switchOn.push(`- ${where} ${what}: ${reason.split(':')[0]}, an entry no longer in stryker/equivalent.json`);
      }
    } else t.errors++;
  }
}

const n = (s: string): number => count[s] ?? 0;
const detected = n('Killed') + n('Timeout');
const undetected = n('Survived') + n('NoCoverage');
const pct = (a: number, b: number): string => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(2)}%`);
const honestDen = detected + undetected - equivalentSurvivors.length + switchOn.length;
const areaRows = [...tallies].map(([area, x]) => {
  const den = x.detected + x.undetected - x.equivalent + x.switchOn;
  return `| ${area} | ${x.detected} | ${x.undetected - x.equivalent} | ${x.equivalent} | ${x.ignored} | ${x.switchOn} | ${x.errors} | ${pct(x.detected, x.detected + x.undetected)} | ${pct(x.detected, den)} |`;
});
const out = [
  '# Mutation testing summary',
  '',
  `Mutants: ${Object.values(count).reduce((s, x) => s + x, 0)} (${Object.entries(count).map(([k, v]) => `${k} ${v}`).join(', ')}).`,
  '',
  `- **Score** (Stryker's: killed + timed out over those plus survived and not covered; ignored mutants left out): ${pct(detected, detected + undetected)} (${detected}/${detected + undetected})`,
  `- **Score counting every ignored mutant that is not equivalent as a survivor**: ${pct(detected, honestDen)} (${detected}/${honestDen}): the ${switchOn.length} variant-switch mutants that turn a variant on with the reference's faults off count as survivors, the ${equivalentSurvivors.length} equivalent survivors (documented in stryker/equivalent.json, or a variant switch's test mutated to keep the variant off) are left out. Counting those switch mutants as killed instead (each turns on a variant that \`npm run matrix\` shows caught): ${pct(detected + switchOn.length, honestDen)}.`,
  '- Runtime and compile errors are mutants that break the program outright; Stryker counts them in neither.',
  '',
  '| area | killed or timed out | surviving | surviving but equivalent | ignored | ignored, not equivalent | errors | Stryker score | counting ignored non-equivalent as survivors |',
  '|---|---|---|---|---|---|---|---|---|',
  ...areaRows,
  '',
  `## Surviving (${survivors.length})`,
  '',
  ...survivors,
  '',
  `## Surviving but equivalent: documented in stryker/equivalent.json, or a switch's test kept off (${equivalentSurvivors.length})`,
  '',
  ...equivalentSurvivors,
  '',
  `## Ignored but not equivalent: switch mutants that turn a variant on, entries the audit refuted (${switchOn.length})`,
  '',
  ...switchOn,
  '',
  `## Ignored (${n('Ignored')}), by reason`,
  '',
  ...[...byReason].sort((a, b) => b[1].length - a[1].length).flatMap(([reason, ms]) => [`### ${reason} (${ms.length})`, '', ...ms.map((m) => `- ${m}`), '']),
];
writeFileSync(join(dir, 'summary.md'), out.join('\n'));
console.log(
  `mutation score ${pct(detected, detected + undetected)} (${detected}/${detected + undetected}); counting ignored mutants that are not equivalent as survivors ${pct(detected, honestDen)}; ${n('Ignored')} ignored (${switchOn.length} of them switch mutants that turn a variant on); ${survivors.length} surviving, ${equivalentSurvivors.length} more surviving but documented equivalent; ${join(dir, 'summary.md')}`,
);
