// The feature files' format check: valid Gherkin, provenance and Allure tags on every scenario,
// known seeds, tidy whitespace and aligned tables. Prints every problem with file:line.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { AstBuilder, GherkinClassicTokenMatcher, Parser } from '@cucumber/gherkin';
import { IdGenerator } from '@cucumber/messages';
import { SEEDS } from './lib/seeds';
import { PMEM_MODES } from '../targets/contract';

const ROOT = join(__dirname, '..');
const problems: string[] = [];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.feature') ? [p] : [];
  });
}

const RULE_ID = /^@rule:[A-Z]{2,3}-\d+$/;
const VERSION_TAG = /^@(since|until):\d+\.\d+$/;
const versions = new Map<string, { span: string; where: string }>();

for (const file of walk(join(ROOT, 'features'))) {
  const rel = relative(ROOT, file);
  const text = readFileSync(file, 'utf8');
  text.split('\n').forEach((l, i) => {
    if (/\s+$/.test(l)) problems.push(`${rel}:${i + 1}: trailing whitespace`);
    if (/\t/.test(l)) problems.push(`${rel}:${i + 1}: tab character (indent with spaces)`);
    if (/^( *)/.exec(l)![1].length % 2 === 1) problems.push(`${rel}:${i + 1}: odd indentation (use multiples of two spaces)`);
  });
  if (!text.endsWith('\n')) problems.push(`${rel}: no newline at end of file`);
  // tables: every row of one table has its pipes in the same columns
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].trim().startsWith('|')) continue;
    const cols = (s: string) => [...s].flatMap((c, j) => (c === '|' ? [j] : []));
    const first = cols(lines[i]).join(',');
    let j = i + 1;
    for (; j < lines.length && lines[j].trim().startsWith('|'); j++) {
      if (cols(lines[j]).join(',') !== first) problems.push(`${rel}:${j + 1}: table column not aligned with the row at line ${i + 1}`);
    }
    i = j;
  }
  let doc;
  try {
    doc = new Parser(new AstBuilder(IdGenerator.uuid()), new GherkinClassicTokenMatcher()).parse(text);
  } catch (e) {
    problems.push(`${rel}: not valid Gherkin: ${(e as Error).message.split('\n')[0]}`);
    continue;
  }
  const feature = doc.feature;
  if (!feature) continue;
  const ftags = feature.tags.map((t) => t.name);
  const check = (sc: { name: string; tags: readonly { name: string }[]; location: { line: number } }, inherited: string[]) => {
    const tags = [...inherited, ...sc.tags.map((t) => t.name)];
    const where = `${rel}:${sc.location.line} "${sc.name}"`;
    if (!tags.some((t) => RULE_ID.test(t))) problems.push(`${where}: no @rule:<id> tag`);
    const seeds = tags.filter((t) => t.startsWith('@seed:'));
    if (seeds.length === 0 && !tags.includes('@beyond')) problems.push(`${where}: no @seed:<file> or @beyond provenance tag`);
    for (const s of seeds) if (!SEEDS.some((x) => `@seed:${x.file}` === s)) problems.push(`${where}: ${s} names no known seed message`);
    for (const k of ['@epic:', '@story:', '@severity:']) if (!tags.some((t) => t.startsWith(k))) problems.push(`${where}: no ${k} tag`);
    // the kernels a rule holds for: one @since (and at most one @until), the same wherever the rule appears
    const since = tags.filter((t) => t.startsWith('@since:'));
    const until = tags.filter((t) => t.startsWith('@until:'));
    if (since.length !== 1) problems.push(`${where}: needs exactly one @since:<kernel version> (on its Rule), has ${since.length}`);
    for (const t of [...since, ...until]) if (!VERSION_TAG.test(t)) problems.push(`${where}: ${t} is not a kernel version such as @since:4.15`);
    if (until.length > 1) problems.push(`${where}: more than one @until tag`);
    // the platforms a scenario holds on (none named: every one)
    for (const t of tags.filter((x) => x.startsWith('@profile:'))) if (!(PMEM_MODES as readonly string[]).includes(t.slice(9))) problems.push(`${where}: ${t} names no persistence profile (${PMEM_MODES.join(', ')})`);
    const rules = tags.filter((t) => RULE_ID.test(t));
    // a scenario of several rules (generated workloads) holds from the latest of their kernels
    for (const rule of rules.length === 1 ? rules : []) {
      const span = [...since, ...until].join(' ');
      const seen = versions.get(rule);
      if (seen === undefined) versions.set(rule, { span, where });
      else if (seen.span !== span) problems.push(`${where}: ${rule} holds for "${span}" here but "${seen.span}" at ${seen.where}`);
    }
  };
  for (const child of feature.children) {
    if (child.scenario) check(child.scenario, ftags);
    if (child.rule) {
      const rtags = [...ftags, ...child.rule.tags.map((t) => t.name)];
      for (const c of child.rule.children) if (c.scenario) check(c.scenario, rtags);
    }
  }
}

if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`${problems.length} feature format problem(s)`);
  process.exitCode = 1;
} else {
  console.log('feature files: format ok');
}
