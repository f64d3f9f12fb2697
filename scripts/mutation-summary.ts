// After `npm run mutation`: reports/mutation/summary.md with the score two ways, every surviving
// mutant, and every disabled (equivalent) mutant grouped under the reason its source comment gives.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface Mutant {
  mutatorName: string;
  replacement?: string;
  status: string;
  statusReason?: string;
  location: { start: { line: number; column: number } };
}
interface Report {
  files: Record<string, { source: string; mutants: Mutant[] }>;
}

const dir = join(__dirname, '..', 'reports', 'mutation');
const input = join(dir, 'mutation.json');
if (!existsSync(input)) {
  console.error(`no ${input}: run \`npm run mutation\` first`);
  process.exit(2);
}
const report = JSON.parse(readFileSync(input, 'utf8')) as Report;

const count: Record<string, number> = {};
const survivors: string[] = [];
const byReason = new Map<string, string[]>();
for (const [file, { source, mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
  const lines = source.split('\n');
  for (const m of [...mutants].sort((a, b) => a.location.start.line - b.location.start.line)) {
    count[m.status] = (count[m.status] ?? 0) + 1;
    const where = `${file}:${m.location.start.line}:${m.location.start.column}`;
    const what = `${m.mutatorName} \`${(m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 80)}\``;
    if (m.status === 'Survived' || m.status === 'NoCoverage') {
      survivors.push(`- ${where} ${what} (${m.status}) in \`${lines[m.location.start.line - 1].trim().slice(0, 100)}\``);
    } else if (m.status === 'Ignored') {
      const reason = m.statusReason ?? 'no reason given';
      byReason.set(reason, [...(byReason.get(reason) ?? []), `${where} ${what}`]);
    }
  }
}

const n = (s: string): number => count[s] ?? 0;
const detected = n('Killed') + n('Timeout');
const undetected = n('Survived') + n('NoCoverage');
const pct = (a: number, b: number): string => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(2)}%`);
const out = [
  '# Mutation testing summary',
  '',
  `Mutants: ${Object.values(count).reduce((s, x) => s + x, 0)} (${Object.entries(count).map(([k, v]) => `${k} ${v}`).join(', ')}).`,
  '',
  `- **Score** (Stryker's: killed + timed out over those plus survived and not covered): ${pct(detected, detected + undetected)} (${detected}/${detected + undetected})`,
  `- Score counting every disabled (equivalent) mutant as a survivor: ${pct(detected, detected + undetected + n('Ignored'))}`,
  '- Runtime and compile errors are mutants that break the program outright; Stryker counts them in neither.',
  '',
  `## Surviving (${survivors.length})`,
  '',
  ...survivors,
  '',
  `## Disabled as equivalent (${n('Ignored')}), by the reason in the source`,
  '',
  ...[...byReason].sort((a, b) => b[1].length - a[1].length).flatMap(([reason, ms]) => [`### ${reason} (${ms.length})`, '', ...ms.map((m) => `- ${m}`), '']),
];
writeFileSync(join(dir, 'summary.md'), out.join('\n'));
console.log(`mutation score ${pct(detected, detected + undetected)} (${detected}/${detected + undetected}); ${n('Ignored')} disabled as equivalent; ${survivors.length} surviving; reports/mutation/summary.md`);
