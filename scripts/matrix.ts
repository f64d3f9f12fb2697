// npm run matrix: the suite against the reference and against every variant (one historical bug
// each). The reference must pass everything; every variant must be caught by some scenario.
// Writes reports/matrix.json, reports/matrix.md and reports/matrix.html (and the per-run message streams).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VARIANTS } from '../emulator/faults';
import { RunResult, runCucumber } from './lib/cucumber-run';
import { matrixHtml } from './lib/matrix-html';

const ROOT = join(__dirname, '..');
const OUT = join(ROOT, 'reports');

export interface MatrixJson {
  reference: { passed: number; failed: number; skipped: number; failedScenarios: Array<{ scenario: string; rules: string[]; message?: string }> };
  variants: Array<{ name: string; description: string; caught: boolean; expectedRules: string[]; failed: Array<{ scenario: string; rules: string[]; uri: string; line: number; message?: string }> }>;
  rules: Record<string, Record<string, 'pass' | 'fail' | 'skip'>>;
  seconds: number;
}

async function pool<T, R>(items: T[], n: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]);
    }
  }));
  return out;
}

/** the rule ids a variant's description names, e.g. "(DT-1, DT-2, WB-1)" */
function expectedRules(desc: string): string[] {
  return [...desc.matchAll(/[A-Z]{2}-\d+/g)].map((m) => m[0]);
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const argv = process.argv.slice(2);
  // --via-process: every implementation runs as the reference server over the process protocol
  const viaProcess = argv.includes('--via-process');
  const extra = argv.filter((a) => a !== '--via-process');
  const names = Object.keys(VARIANTS) as Array<keyof typeof VARIANTS>;
  const server = 'process:node .cache/build/targets/process/server.js';
  // each implementation is named as the in-process target would be, whichever way it runs
  const labels = ['emulator', ...names.map((v) => `emulator:${v}`)];
  const spec = (label: string) => (viaProcess ? `${server}${label.includes(':') ? ` --variant ${label.split(':')[1]}` : ''}` : label);
  const jobs = Number(process.env.DAX_MATRIX_JOBS ?? 2);
  const runs: RunResult[] = await pool(labels, jobs, async (t) => {
    const r = await runCucumber({ target: spec(t), args: ['--format-options', '{"colorsEnabled":false}', ...extra], messagesFile: join(OUT, 'matrix', `${t.replace(':', '-')}.ndjson`), env: { DAX_QUIET: '1', DAX_REPORT_DIR: join(OUT, 'matrix', t.replace(':', '-')) } });
    return { ...r, target: t };
  });
  const [ref, ...vs] = runs;
  const rules: MatrixJson['rules'] = {};
  for (const r of runs) {
    for (const s of r.scenarios) {
      for (const rule of s.rules) {
        rules[rule] ??= {};
        const cur = rules[rule][r.target];
        const st = s.status === 'passed' ? 'pass' : s.status === 'skipped' ? 'skip' : 'fail';
        if (cur !== 'fail') rules[rule][r.target] = st === 'skip' && cur === 'pass' ? 'pass' : st;
      }
    }
  }
  const matrix: MatrixJson = {
    reference: {
      passed: ref.passed,
      failed: ref.failed,
      skipped: ref.skipped,
      failedScenarios: ref.scenarios.filter((s) => s.status !== 'passed' && s.status !== 'skipped').map((s) => ({ scenario: s.name, rules: s.rules, message: s.message })),
    },
    variants: vs.map((r, i) => {
      const failed = r.scenarios.filter((s) => s.status !== 'passed' && s.status !== 'skipped');
      const expected = expectedRules(VARIANTS[names[i]]);
      // Caught means a scenario of one of the rules this bug breaks failed, and said so.
      const caught = !r.fatal && failed.some((s) => s.rules.some((rule) => expected.includes(rule)));
      return {
        name: names[i],
        description: VARIANTS[names[i]],
        caught,
        expectedRules: expected,
        failed: failed.map((s) => ({ scenario: s.name, rules: s.rules, uri: s.uri, line: s.line, message: s.message })),
      };
    }),
    rules,
    seconds: (Date.now() - t0) / 1000,
  };
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'matrix.json'), JSON.stringify(matrix, null, 2));
  writeFileSync(join(OUT, 'matrix.md'), toMarkdown(matrix));
  writeFileSync(join(OUT, 'matrix.html'), matrixHtml(matrix, { generatedAt: new Date().toISOString() }));
  console.log(toMarkdown(matrix));
  const fatal = runs.filter((r) => r.fatal);
  for (const r of fatal) console.error(`matrix: ${r.target} could not run: ${r.fatal}`);
  const uncaught = matrix.variants.filter((v) => !v.caught).map((v) => v.name);
  const ok = ref.failed === 0 && uncaught.length === 0 && fatal.length === 0;
  if (ref.failed) console.error(`matrix: the reference failed ${ref.failed} scenario(s)`);
  if (uncaught.length) console.error(`matrix: variants caught by nothing: ${uncaught.join(', ')}`);
  console.log(`matrix: reference ${ref.passed} passed, ${ref.failed} failed, ${ref.skipped} skipped; ${matrix.variants.length - uncaught.length}/${matrix.variants.length} variants caught in ${matrix.seconds.toFixed(1)} s`);
  process.exitCode = ok ? 0 : 1;
}

function toMarkdown(m: MatrixJson): string {
  const lines = ['# Conformance matrix', '', `Reference: ${m.reference.passed} passed, ${m.reference.failed} failed, ${m.reference.skipped} skipped.`, ''];
  lines.push('| variant | caught | expected rules | failing scenarios (rules) |', '|---|---|---|---|');
  for (const v of m.variants) {
    const f = v.failed.map((s) => `${s.scenario} (${s.rules.join(', ')})`).join('<br>') || '-';
    lines.push(`| ${v.name} | ${v.caught ? 'yes' : '**NO**'} | ${v.expectedRules.join(', ')} | ${f} |`);
  }
  return lines.join('\n') + '\n';
}

main().catch((e) => {
  console.error(`matrix: ${(e as Error).message}`);
  process.exitCode = 2;
});
