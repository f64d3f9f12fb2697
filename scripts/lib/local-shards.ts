// A run's scenarios split across processes of their own on this machine, balanced by the previous run's
// times. Cucumber's --parallel sends every message of every worker through one coordinator that runs
// the formatters; on two cores that coordinator cost more than the second worker gave (reference run
// 8.0 s with --parallel 2, 7.3 s serial, 6.5 s as two shards). Verdicts do not depend on the split:
// scenarios are independent, and which process runs one changes nothing it can observe.

import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { scenarioLocations } from './shard';

const ROOT = join(__dirname, '..', '..');

/** cucumber options that take a value (the value is not a feature path) */
const WITH_VALUE = new Set(['--tags', '-t', '--name', '--profile', '-p', '--format', '-f', '--format-options', '--order', '--parallel', '--retry', '--require', '-r', '--import', '-i', '--require-module', '--world-parameters', '--language', '--retry-tag-filter']);

/** cucumber's arguments split into feature paths and the rest */
export function splitPaths(args: readonly string[]): { paths: string[]; rest: string[] } {
  const paths: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (WITH_VALUE.has(a)) rest.push(a, args[++i]);
    else if (a.startsWith('-')) rest.push(a);
    else paths.push(a);
  }
  return { paths, rest };
}

/**
 * the scenario locations the paths select (every scenario without paths); `file:12:40` selects those
 * lines when each is a scenario's or an Examples row's; undefined for any other line, which only cucumber resolves
 */
export function selectedLocations(paths: readonly string[], all: readonly string[] = scenarioLocations()): string[] | undefined {
  if (paths.length === 0) return [...all];
  const known = new Set(all);
  const files: string[] = [];
  const lines = new Set<string>();
  for (const p of paths) {
    const m = /^(.*?)((?::\d+)+)$/.exec(p);
    const path = relative(ROOT, resolve(ROOT, m ? m[1] : p));
    if (!m) {
      files.push(path);
      continue;
    }
    for (const n of m[2].slice(1).split(':')) {
      if (!known.has(`${path}:${n}`)) return undefined;
      lines.add(`${path}:${n}`);
    }
  }
  return all.filter((l) => {
    const file = l.slice(0, l.lastIndexOf(':'));
    return lines.has(l) || files.some((p) => file === p || file.startsWith(`${p}/`) || p === '');
  });
}

/** each scenario's time in a previous run's message stream, by location (absent or unreadable: none) */
export function previousTimes(messagesFile: string, parse: (ndjson: string) => Array<{ uri: string; line: number; ms?: number }>): Map<string, number> {
  const out = new Map<string, number>();
  if (!existsSync(messagesFile)) return out;
  try {
    for (const s of parse(readFileSync(messagesFile, 'utf8'))) if (s.ms !== undefined) out.set(`${s.uri}:${s.line}`, s.ms);
  } catch {
    out.clear(); // a truncated stream from an interrupted run: no weights
  }
  return out;
}

/**
 * `locations` in `n` shards of about equal time: heaviest first, each to the lightest shard so far
 * (ties: the lower index). Scenarios without a time weigh the median of the known ones.
 */
export function balance(locations: readonly string[], n: number, times: ReadonlyMap<string, number>): string[][] {
  const known = [...times.values()].sort((a, b) => a - b);
  const fallback = known.length ? known[Math.floor(known.length / 2)] : 1;
  const weighed = locations.map((l, i) => ({ l, i, w: times.get(l) ?? fallback }));
  weighed.sort((a, b) => b.w - a.w || a.i - b.i);
  const shards = Array.from({ length: Math.min(n, locations.length) }, () => ({ load: 0, items: [] as Array<{ l: string; i: number }> }));
  for (const x of weighed) {
    let best = 0;
    for (let k = 1; k < shards.length; k++) if (shards[k].load < shards[best].load) best = k;
    shards[best].load += x.w;
    shards[best].items.push(x);
  }
  // each shard in definition order: its cucumber orders them as its profile says
  return shards.map((s) => s.items.sort((a, b) => a.i - b.i).map((x) => x.l));
}

/** the shards' message streams, one after the other, as one file (each scenario's ids are its shard's own uuids) */
export function joinMessages(parts: readonly string[], into: string): void {
  // a stream cut short (its process killed) still ends its own line, so the next shard's first message stays whole
  writeFileSync(into, parts.filter((p) => existsSync(p)).map((p) => readFileSync(p, 'utf8')).map((t) => (t === '' || t.endsWith('\n') ? t : `${t}\n`)).join(''));
  for (const p of parts) rmSync(p, { force: true });
}

/** the shards' JUnit reports as one testsuite: counts summed, the longest time, every testcase */
export function joinJunit(parts: readonly string[], into: string): void {
  const present = parts.filter((p) => existsSync(p));
  if (present.length === 0) return;
  const sums = { tests: 0, skipped: 0, failures: 0, errors: 0 };
  let time = 0;
  let head = '';
  const bodies: string[] = [];
  for (const p of present) {
    const xml = readFileSync(p, 'utf8');
    const m = /<testsuite\b([^>]*)>([\s\S]*)<\/testsuite>/.exec(xml);
    if (!m) continue;
    head ||= m[1];
    for (const k of Object.keys(sums) as Array<keyof typeof sums>) sums[k] += Number(new RegExp(`\\b${k}="(\\d+)"`).exec(m[1])?.[1] ?? 0);
    time = Math.max(time, Number(/\btime="([\d.]+)"/.exec(m[1])?.[1] ?? 0));
    bodies.push(m[2].replace(/^\n|\n$/g, ''));
  }
  let attrs = head.replace(/\btime="[\d.]+"/, `time="${time.toFixed(3)}"`);
  for (const [k, v] of Object.entries(sums)) attrs = attrs.replace(new RegExp(`\\b${k}="\\d+"`), `${k}="${v}"`);
  writeFileSync(into, `<?xml version="1.0"?>\n<testsuite${attrs}>\n${bodies.filter(Boolean).join('\n')}\n</testsuite>\n`);
  for (const p of present) rmSync(p, { force: true });
}
