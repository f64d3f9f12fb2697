// npm run report [-- --single-file]: regenerate the Allure HTML report from the last run's
// reports/allure-results (DAX_REPORT_DIR moves both), keeping the trend history.
// --single-file also writes reports/allure-report.html: one self-contained file that opens from disk.
// Exit codes: 0 written, 2 no results to read or the report could not be generated.

import { copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { generateAllureReport } from './lib/allure';

const ROOT = join(__dirname, '..');
const REPORTS = resolve(ROOT, process.env.DAX_REPORT_DIR || 'reports');

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--single-file');
  if (unknown.length) {
    console.error(`report: unknown argument ${unknown.join(' ')}; accepted: --single-file`);
    return 2;
  }
  const single = args.includes('--single-file');
  const results = join(REPORTS, 'allure-results');
  if (!existsSync(results) || !readdirSync(results).some((f) => f.endsWith('-result.json'))) {
    console.error(`report: no results in ${relative(ROOT, results)}: run npm run conformance first`);
    return 2;
  }
  const out = join(REPORTS, 'allure-report');
  // The trend: npm run conformance copied the previous report's history into the results, so a
  // regeneration reproduces the same trend (no point is added twice); without it, take the report's.
  const history = join(out, 'history');
  if (!existsSync(join(results, 'history')) && existsSync(history)) cpSync(history, join(results, 'history'), { recursive: true });
  const t0 = Date.now();
  const r = await generateAllureReport(results, out);
  if (!r.ok) {
    console.error(`report: the HTML report could not be generated: ${r.error}`);
    return 2;
  }
  console.log(`report: ${relative(ROOT, join(out, 'index.html'))} in ${((Date.now() - t0) / 1000).toFixed(1)} s (serve it: npx allure open ${relative(ROOT, out)})`);
  if (single) {
    // a single-file report keeps no history folder, so it is written beside the served one
    const t1 = Date.now();
    const tmp = mkdtempSync(join(tmpdir(), 'dax-allure-single-'));
    try {
      const s = await generateAllureReport(results, tmp, ['--single-file']);
      if (!s.ok) {
        console.error(`report: the single-file report could not be generated: ${s.error}`);
        return 2;
      }
      const file = join(REPORTS, 'allure-report.html');
      copyFileSync(join(tmp, 'index.html'), file);
      console.log(`report: ${relative(ROOT, file)} in ${((Date.now() - t1) / 1000).toFixed(1)} s: one self-contained file, open it in a browser directly`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  return 0;
}

main().then((code) => (process.exitCode = code));
