// docs/RULES.md: every rule the features state, with the kernels it holds for (@since/@until on its
// Rule), its sources, its scenarios and the variants that break it. Generated from the features so it
// cannot drift: `node -r ./scripts/register.js scripts/rulebook.ts --write`; test/report/rulebook.test.ts
// fails when the file is stale.

import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { AstBuilder, GherkinClassicTokenMatcher, Parser } from '@cucumber/gherkin';
import { IdGenerator } from '@cucumber/messages';
import { VARIANTS } from '../emulator/faults';
import { SEEDS } from './lib/seeds';

const ROOT = join(__dirname, '..');
const PROFILES = ['adr', 'eadr', 'virtio-pmem'];
export const RULEBOOK = join(ROOT, 'docs', 'RULES.md');

export interface RuleRow {
  id: string;
  statement: string;
  since: string;
  until?: string;
  seeds: Set<string>;
  beyond: boolean;
  scenarios: number;
  /** scenarios that do not hold on a platform (their @profile: tags name the others), by platform */
  notOn: Map<string, number>;
  files: Set<string>;
  /** scenarios under the Rule block whose statement is shown: the rule's main home */
  homeScenarios: number;
}

function walk(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.feature') ? [p] : [];
  });
}

export function collectRules(): RuleRow[] {
  const rows = new Map<string, RuleRow>();
  for (const file of walk(join(ROOT, 'features'))) {
    const doc = new Parser(new AstBuilder(IdGenerator.incrementing()), new GherkinClassicTokenMatcher()).parse(readFileSync(file, 'utf8'));
    for (const child of doc.feature?.children ?? []) {
      if (!child.rule) continue;
      const m = /^([A-Z]{2,3}-\d+)\s+(.*)$/.exec(child.rule.name);
      if (!m) continue;
      const tags = child.rule.tags.map((t) => t.name);
      const row = rows.get(m[1]) ?? { id: m[1], statement: m[2], since: '?', seeds: new Set(), beyond: false, scenarios: 0, notOn: new Map<string, number>(), files: new Set(), homeScenarios: -1 };
      const before = row.scenarios;
      row.since = tags.find((t) => t.startsWith('@since:'))?.slice(7) ?? row.since;
      row.until = tags.find((t) => t.startsWith('@until:'))?.slice(7) ?? row.until;
      row.files.add(relative(ROOT, file));
      for (const c of child.rule.children) {
        if (!c.scenario) continue;
        const st = c.scenario.tags.map((t) => t.name);
        const n = Math.max(1, c.scenario.examples.reduce((k, ex) => k + ex.tableBody.length, 0));
        row.scenarios += n;
        // @profile: tags may sit on the scenario or on one Examples block of it
        const blocks = c.scenario.examples.length ? c.scenario.examples.map((ex) => ({ n: ex.tableBody.length, tags: [...st, ...ex.tags.map((t) => t.name)] })) : [{ n, tags: st }];
        for (const b of blocks) {
          const on = b.tags.filter((t) => t.startsWith('@profile:')).map((t) => t.slice(9));
          for (const p of on.length ? PROFILES.filter((q) => !on.includes(q)) : []) row.notOn.set(p, (row.notOn.get(p) ?? 0) + b.n);
        }
        for (const t of st) if (t.startsWith('@seed:')) row.seeds.add(t.slice(6));
        if (st.includes('@beyond')) row.beyond = true;
      }
      // the statement shown is the one of the Rule block with the most scenarios
      if (row.scenarios - before > row.homeScenarios) [row.statement, row.homeScenarios] = [m[2], row.scenarios - before];
      rows.set(row.id, row);
    }
  }
  const order = ['PM', 'DT', 'WB', 'SY', 'BD', 'MS', 'MM'];
  const group = (id: string) => (order.indexOf(id.slice(0, 2)) + 1 || 99) * 1000 + Number(id.split('-')[1]);
  return [...rows.values()].sort((a, b) => group(a.id) - group(b.id));
}

/** the kernels a rule holds for, as the rulebooks print them */
export function kernelRange(r: RuleRow): string {
  return r.until ? `${r.since} to ${r.until}` : `${r.since} and later`;
}

export function rulebookMarkdown(rows: RuleRow[]): string {
  const variants = (id: string) =>
    Object.entries(VARIANTS)
      .filter(([, d]) => new RegExp(`\\b${id}\\b`).test(d))
      .map(([v]) => `\`${v}\``);
  const sources = (r: RuleRow) =>
    [...[...r.seeds].sort().map((f) => `"${SEEDS.find((s) => s.file === f)?.subject ?? f}" (${f.slice(0, 3)})`), ...(r.beyond ? ['beyond the seeds: today\'s kernel'] : [])].join('; ');
  const lines = [
    '# The rulebook',
    '',
    'Every rule the features state, with the Linux kernels it holds for. A target that names its kernel',
    '(`kernel` in its hello, as the `linux` target does) runs the rules of that kernel and skips the others',
    'with the reason; a target that names none (the emulator) is held to every rule. Generated from the',
    'features by `scripts/rulebook.ts`; do not edit by hand.',
    '',
    'Platforms: a scenario tagged `@profile:` names every platform it holds on (ADR, eADR, virtio-pmem); a',
    'target on another (`profile` in its hello, e.g. `emulator@virtio-pmem`) skips it with the reason. The',
    'column counts the scenarios each platform skips; untagged scenarios hold on every platform.',
    '',
    '| rule | statement | kernels | platforms | sources | scenarios | variants that break it |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const kernels = kernelRange(r);
    const platforms = r.notOn.size === 0 ? 'all' : PROFILES.filter((p) => r.notOn.has(p)).map((p) => `not on ${p}: ${r.notOn.get(p)}`).join('; ');
    lines.push(`| ${r.id} | ${r.statement} | ${kernels} | ${platforms} | ${sources(r)} | ${r.scenarios} | ${variants(r.id).join(', ') || '-'} |`);
  }
  lines.push('', 'Versions: when the promise entered mainline. The seeds\' fsync/msync series and the bdev fixes landed in 4.5;', 'write-protection after writeback (dax_mapping_entry_mkclean) in 4.10; MAP_SYNC in 4.15; virtio-pmem in 5.3; STATX_ATTR_DAX in 5.8.', 'DAX on raw block devices (seed 004) was removed when device-dax replaced it in 4.7, so BD-3, BD-5, BD-6 and', 'BD-7 hold up to 4.6.', '');
  return lines.join('\n');
}

if (require.main === module) {
  const md = rulebookMarkdown(collectRules());
  if (process.argv.includes('--write')) writeFileSync(RULEBOOK, md);
  else process.stdout.write(md);
}
