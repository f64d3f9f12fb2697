// Scenario locations (`features/x.feature:12`, one per scenario or Examples row) read straight from
// the feature files, and the deterministic split of them into shards for a CI fleet (--shard i/n).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { AstBuilder, GherkinClassicTokenMatcher, Parser } from '@cucumber/gherkin';
import { IdGenerator } from '@cucumber/messages';

const ROOT = join(__dirname, '..', '..');

export interface Shard {
  index: number; // 1-based
  count: number;
}

/** "2/4" (from --shard or DAX_SHARD); undefined when neither is given */
export function parseShard(argv: string[], env: string | undefined = process.env.DAX_SHARD): Shard | undefined {
  const i = argv.findIndex((a) => a === '--shard' || a.startsWith('--shard='));
  const raw = i < 0 ? env || undefined : argv[i].includes('=') ? argv[i].slice('--shard='.length) : argv[i + 1];
  if (raw === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(raw.trim());
  if (!m || Number(m[2]) < 1 || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) {
    throw new Error(`shard "${raw}" is not of the form i/n with 1 <= i <= n, e.g. --shard 2/4`);
  }
  return { index: Number(m[1]), count: Number(m[2]) };
}

/** argv without --shard and its value */
export function withoutShard(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--shard') i++;
    else if (!argv[i].startsWith('--shard=')) out.push(argv[i]);
  }
  return out;
}

export function featureFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? featureFiles(p) : p.endsWith('.feature') ? [p] : [];
  });
}

/** every scenario's location under features/, in file then line order */
export function scenarioLocations(): string[] {
  const out: string[] = [];
  const parser = new Parser(new AstBuilder(IdGenerator.incrementing()), new GherkinClassicTokenMatcher());
  for (const file of featureFiles(join(ROOT, 'features'))) {
    const uri = relative(ROOT, file);
    const doc = parser.parse(readFileSync(file, 'utf8'));
    const visit = (children: ReadonlyArray<{ scenario?: { location: { line: number }; examples: ReadonlyArray<{ tableBody: ReadonlyArray<{ location: { line: number } }> }> }; rule?: { children: any } }>) => {
      for (const c of children) {
        if (c.scenario) {
          const rows = c.scenario.examples.flatMap((e) => e.tableBody);
          if (rows.length === 0) out.push(`${uri}:${c.scenario.location.line}`);
          for (const r of rows) out.push(`${uri}:${r.location.line}`);
        }
        if (c.rule) visit(c.rule.children);
      }
    };
    visit(doc.feature?.children ?? []);
  }
  return out;
}

/** shard i of n: every n-th scenario starting at the i-th, so each shard gets a share of every file */
export function shardOf<T>(items: T[], s: Shard): T[] {
  return items.filter((_, k) => k % s.count === s.index - 1);
}

/** locations grouped per file as cucumber takes them: features/a.feature:3:9 */
export function locationArgs(locations: string[]): string[] {
  const byFile = new Map<string, string[]>();
  for (const l of locations) {
    const c = l.lastIndexOf(':');
    const f = l.slice(0, c);
    byFile.set(f, [...(byFile.get(f) ?? []), l.slice(c + 1)]);
  }
  return [...byFile].map(([f, lines]) => `${f}:${lines.join(':')}`);
}
