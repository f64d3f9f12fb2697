// Per-rule table of a run from cucumber's JSON reports (--format json:<file>), for linux/README.md:
// pass / fail / skip, the coverage labels of the crash checks, crash states checked, states per
// second of scenario time, and that time.
//
//   node -r ./scripts/register.js linux/rule-table.ts run1.json [run2.json ...]
import * as fs from 'node:fs';
import { ALL_CAPABILITIES } from '../targets/contract';

interface Step { keyword?: string; name?: string; result: { status: string; duration?: number; error_message?: string }; embeddings?: { mime_type: string; data: string }[] }
interface Scenario { name: string; line: number; tags: { name: string }[]; steps: Step[] }
interface Feature { uri: string; elements: Scenario[] }

interface Row { pass: number; fail: number; skip: number; coverage: Set<string>; states: number; seconds: number }

export function ruleTable(features: Feature[]): Map<string, Row> {
  const rows = new Map<string, Row>();
  for (const f of features) {
    for (const s of f.elements) {
      const statuses = s.steps.filter((x) => x.keyword !== 'Before' && x.keyword !== 'After').map((x) => x.result.status);
      const status = statuses.some((x) => x === 'failed' || x === 'undefined' || x === 'ambiguous') ? 'fail' : statuses.every((x) => x === 'passed') ? 'pass' : 'skip';
      const seconds = s.steps.reduce((a, x) => a + (x.result.duration ?? 0), 0) / 1e9;
      let states = 0;
      const coverage = new Set<string>();
      for (const st of s.steps) {
        for (const e of st.embeddings ?? []) {
          if (e.mime_type !== 'text/plain') continue;
          const t = Buffer.from(e.data, 'base64').toString();
          const m = /^(\d+) crash checks?, (\d+) crash states in all/.exec(t);
          if (!m) continue;
          states += Number(m[2]);
          for (const c of t.matchAll(/states?, (exhaustive|bounded\(\d+\)|per-line|single|sampled[^ ]*)/g)) coverage.add(c[1]);
        }
      }
      const rules = s.tags.map((t) => t.name).filter((t) => t.startsWith('@rule:')).map((t) => t.slice(6));
      for (const r of rules) {
        const row = rows.get(r) ?? { pass: 0, fail: 0, skip: 0, coverage: new Set(), states: 0, seconds: 0 };
        row[status]++;
        for (const c of coverage) row.coverage.add(c);
        row.states += states;
        row.seconds += seconds;
        rows.set(r, row);
      }
    }
  }
  return rows;
}

/** "cap: reason" pieces of a skip sentence (steps/support/skip-reason.ts), split at ". <capability>: " */
export function capabilityReasons(sentence: string): Array<[string, string]> {
  if (!sentence.startsWith('Skipped: needs ')) return [];
  const at = new RegExp(`\\. (${ALL_CAPABILITIES.join('|')}): `, 'g');
  const marks = [...sentence.matchAll(at)];
  return marks.map((m, i) => [m[1], sentence.slice(m.index! + m[0].length, marks[i + 1]?.index ?? sentence.length).trim()]);
}

function main(): void {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    console.error('usage: linux/rule-table.ts <cucumber json report> ...');
    process.exit(2);
  }
  const features = files.flatMap((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as Feature[]);
  const rows = [...ruleTable(features)].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
  console.log('| rule | pass | fail | skip | coverage | crash states | states/s | scenario time |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  const total: Row = { pass: 0, fail: 0, skip: 0, coverage: new Set(), states: 0, seconds: 0 };
  for (const [r, x] of rows) {
    const rate = x.seconds > 0 && x.states > 0 ? (x.states / x.seconds).toFixed(1) : '-';
    console.log(`| ${r} | ${x.pass} | ${x.fail} | ${x.skip} | ${[...x.coverage].sort().join(', ') || '-'} | ${x.states} | ${rate} | ${x.seconds.toFixed(0)} s |`);
    for (const k of ['pass', 'fail', 'skip', 'states', 'seconds'] as const) total[k] += x[k];
  }
  // a scenario of two rules counts in both rows; the total counts rows, as the table does
  console.log(`| all rules | ${total.pass} | ${total.fail} | ${total.skip} | | ${total.states} | ${total.seconds > 0 ? (total.states / total.seconds).toFixed(1) : '-'} | ${total.seconds.toFixed(0)} s |`);
  const failed = features.flatMap((f) => f.elements.filter((s) => s.steps.some((x) => x.result.status === 'failed')).map((s) => `${f.uri}:${s.line} ${s.name}`));
  if (failed.length) console.log(`\nFailed:\n${failed.map((x) => `- ${x}`).join('\n')}`);
  // why the skipped scenarios were skipped (the hooks' sentence), counted per reason
  const why = new Map<string, number>();
  const reasons = new Map<string, string>();
  for (const f of features) {
    for (const s of f.elements) {
      for (const e of s.steps.flatMap((x) => x.embeddings ?? [])) {
        const t = e.mime_type.startsWith('text/') ? Buffer.from(e.data, 'base64').toString() : '';
        const m = /^Skipped: (needs .*?), which /.exec(t) ?? /^Skipped: ([^(\n]*)/.exec(t);
        if (m) why.set(m[1].trim(), (why.get(m[1].trim()) ?? 0) + 1);
        for (const [c, r] of capabilityReasons(t)) reasons.set(c, r);
      }
    }
  }
  // the generated workloads, one row each: the outcome and the step's own line (runs, seed, time)
  const generated = features.filter((f) => f.uri.endsWith('workloads/generated.feature')).flatMap((f) => f.elements);
  if (generated.length) {
    console.log('\nGenerated workloads:\n\n| workloads | result | what ran |\n| --- | --- | --- |');
    for (const s of generated) {
      const texts = s.steps.flatMap((x) => x.embeddings ?? []).filter((e) => e.mime_type.startsWith('text/')).map((e) => Buffer.from(e.data, 'base64').toString());
      const ran = texts.find((t) => / workloads on .* from seed /.test(t)) ?? texts.find((t) => t.startsWith('Skipped: '))?.replace(/, which .*/, '') ?? '';
      const failed = s.steps.find((x) => x.result.status === 'failed');
      console.log(`| ${s.name.replace('randomly drawn ', '')} | ${failed ? 'failed' : s.steps.every((x) => x.result.status === 'passed') ? 'passed' : 'skipped'} | ${(ran || failed?.result.error_message || '').split('\n')[0]} |`);
    }
  }
  if (why.size) console.log(`\nSkipped:\n${[...why].sort((a, b) => b[1] - a[1]).map(([k, n]) => `- ${n}: ${k}`).join('\n')}`);
  if (reasons.size) console.log(`\nWhy the target lacks each:\n${[...reasons].sort().map(([c, r]) => `- \`${c}\`: ${r}.`).join('\n')}`);
}

if (require.main === module) main();
