// The reports as a reviewer sees them, in a real browser (Debian's Chromium, headless, driven by
// playwright-core). Runs the suite against a variant that breaks PM-3 into reports/browser-check/,
// serves the repository on 127.0.0.1 (Allure's page needs http), and checks that the Allure report
// renders its suites and that a failed scenario shows its rule, its seed link, its operation trace
// and its counterexample picture, and that its page states the rule (from the feature's Rule: line);
// then that reports/matrix.html (or one made from a fixture widened to every variant when the full
// matrix has not run) shows the matrix: at 1366 px no sideways scrolling, rule ids on one line with
// their statements, headers that stay in view, and a fail cell linking to the scenario's Allure page.
// Screenshots: reports/browser-check-report.png, reports/browser-check-matrix.png.
//
// Run: npm run test:browser   (or as a stage of npm test). Exit 0 when every check passed.
// Ends with "browser: N passed, N failed".

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, relative, resolve, sep } from 'node:path';
import { chromium, BrowserContext, Page } from 'playwright-core';
import { matrixHtml } from '../../scripts/lib/matrix-html';
import { allureCasePages } from '../../scripts/lib/allure';
import { ruleStatements } from '../../scripts/lib/rule-statements';
import { VARIANTS } from '../../emulator/faults';
import type { MatrixJson } from '../../scripts/matrix';

const ROOT = resolve(__dirname, '..', '..');
const REPORTS = join(ROOT, 'reports');
const OUT = join(REPORTS, 'browser-check');
const CHROMIUM = process.env.DAX_CHROMIUM || '/usr/bin/chromium';
const VARIANT = 'emulator:driver-no-fence';
const RULE = 'PM-3';
const STEP_TIMEOUT = 30_000;

let passed = 0;
let currentPage: Page | undefined;
let failed = 0;

async function check(name: string, f: () => Promise<void> | void): Promise<boolean> {
  const t0 = Date.now();
  try {
    await f();
    passed++;
    console.log(`ok   ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    return true;
  } catch (e) {
    failed++;
    const shot = join(OUT, `failure-${failed}.png`);
    await currentPage?.screenshot({ path: shot, fullPage: true }).catch(() => undefined);
    console.log(`FAIL ${name}: ${(e as Error).message.split('\n').slice(0, 6).join('\n     ')}${currentPage ? `\n     (screenshot: ${relative(ROOT, shot)})` : ''}`);
    return false;
  }
}

function assert(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(msg);
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.txt': 'text/plain; charset=utf-8', '.csv': 'text/csv', '.feature': 'text/plain; charset=utf-8',
  '.woff': 'font/woff', '.woff2': 'font/woff2', '.ico': 'image/x-icon',
};

/** a tiny static server for the repository, on the loopback only */
function serve(root: string): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? '/').split('?')[0]);
    let file = resolve(root, '.' + url);
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

interface SuiteNode {
  uid: string;
  name: string;
  status?: string;
  children?: SuiteNode[];
}

function leaves(n: SuiteNode): SuiteNode[] {
  return n.children ? n.children.flatMap(leaves) : [n];
}

async function main(): Promise<void> {
  const watchdog = setTimeout(() => {
    console.log('FAIL the browser check did not finish within 8 minutes');
    console.log(`browser: ${passed} passed, ${failed + 1} failed`);
    process.exit(1);
  }, 8 * 60_000);
  watchdog.unref();
  mkdirSync(OUT, { recursive: true });

  // 1. a conformance run against the variant, into its own report folder
  let conformanceOk = await check(`conformance run against ${VARIANT} (--tags @rule:${RULE}) writes an Allure report`, () => {
    const r = spawnSync(process.execPath, ['-r', './scripts/register.js', 'scripts/conformance.ts', '--tags', `@rule:${RULE}`, '--format-options', '{"colorsEnabled":false}'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, DAX_TARGET: VARIANT, DAX_REPORT_DIR: OUT, DAX_PROFILE: 'default' },
      timeout: 5 * 60_000,
    });
    const out = `${r.stdout}${r.stderr}`;
    assert(r.status === 1, `expected exit code 1 (a rule failed), got ${r.status}\n${out.slice(-1500)}`);
    assert(/FAILED PM-3/.test(out), 'the summary names no failed PM-3 scenario');
    assert(existsSync(join(OUT, 'allure-report', 'index.html')), 'no allure-report/index.html');
  });

  // 2. the matrix page: the full one with DAX_BROWSER_FULL_MATRIX=1 after npm run matrix, else the fixture widened to every
  // variant (so the layout is checked at full width), its PM-3 failures linked into the report of step 1
  let matrixPath = join(REPORTS, 'matrix.html');
  if (process.env.DAX_BROWSER_FULL_MATRIX !== '1' || !existsSync(matrixPath)) {
    const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'matrix.json'), 'utf8')) as MatrixJson;
    const names = Object.keys(VARIANTS);
    const byName = new Map(fixture.variants.map((v) => [v.name, v]));
    const filler = fixture.variants[fixture.variants.length - 1];
    fixture.variants = names.map((name) => ({ ...(byName.get(name) ?? filler), name, description: VARIANTS[name as keyof typeof VARIANTS] }));
    for (const rule of Object.keys(fixture.rules)) {
      for (const name of names) fixture.rules[rule][`emulator:${name}`] ??= fixture.rules[rule][`emulator:${filler.name}`];
    }
    matrixPath = join(OUT, 'matrix.html');
    const pages = allureCasePages(join(OUT, 'allure-report'));
    writeFileSync(matrixPath, matrixHtml(fixture, {
      featureHref: (uri) => `../../${uri}`,
      scenarioHref: (target, uri, name) => (target === VARIANT && pages.get(`${uri}#${name}`) ? `allure-report/${pages.get(`${uri}#${name}`)}` : undefined),
    }));
  }

  if (!existsSync(CHROMIUM)) {
    await check('Chromium is installed', () => assert(false, `${CHROMIUM} is missing: apt-get install chromium (or set DAX_CHROMIUM)`));
    return;
  }
  const { server, base } = await serve(ROOT);
  let browser: BrowserContext | undefined;
  // a fresh profile each run (playwright passes it as --user-data-dir)
  const profile = mkdtempSync(join(tmpdir(), 'dax-chromium-'));
  try {
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: 60_000,
      viewport: { width: 1400, height: 1300 },
    });
    const page: Page = await browser.newPage();
    currentPage = page;
    page.setDefaultTimeout(STEP_TIMEOUT);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const report = `${base}/${relative(ROOT, join(OUT, 'allure-report')).split(sep).join('/')}/index.html`;

    if (conformanceOk) {
      conformanceOk = await check('the Allure report renders its suites', async () => {
        await page.goto(`${report}#suites`);
        await page.getByText('pmem', { exact: true }).first().click();
        await page.getByText('The pmem block driver makes its writes durable', { exact: false }).first().click();
        await page.getByText(`Rule: ${RULE}`, { exact: false }).first().click();
        await page.getByText('a write through rw_bytes is durable on completion').first().waitFor();
      });
    }
    if (conformanceOk) {
      const suites = JSON.parse(readFileSync(join(OUT, 'allure-report', 'data', 'suites.json'), 'utf8')) as SuiteNode;
      const failedCase = leaves(suites).find((n) => n.status === 'failed');
      await check('a failed scenario of the variant shows its rule label and its seed link', async () => {
        assert(failedCase, 'no failed test case in data/suites.json');
        await page.goto('about:blank');
        await page.goto(`${report}#testresult/${failedCase.uid}`);
        await page.getByText(`@rule:${RULE}`, { exact: true }).first().waitFor();
        await page.getByText(`${RULE}: durability violation`, { exact: false }).first().waitFor();
        const seed = page.locator('a[href^="https://lore.kernel.org/all/?q="]').first();
        await seed.waitFor();
        assert(/source message 001_/.test(await seed.innerText()), 'the seed link does not name its message');
      });
      await check('its page states the rule in words (the Rule: line) and where the scenario is written', async () => {
        // Allure shows the description's text (it drops the markup's classes)
        const said = ruleStatements()[RULE] ?? [];
        assert(said.length > 0, `no Rule: line states ${RULE}`);
        const rule = page.getByText(`Rule ${RULE}: `, { exact: false }).first();
        await rule.waitFor();
        const text = await rule.innerText();
        assert(said.some((st) => text.includes(`Rule ${RULE}: ${st}`)), `the description says "${text}", not one of: ${said.join(' | ')}`);
        const source = await page.getByText('Scenario source: ', { exact: false }).first().innerText();
        assert(/Scenario source: features\/\S+\.feature:\d+/.test(source), `no scenario source file:line: "${source}"`);
      });
      await check('its counterexample attachment shows the SVG picture', async () => {
        await page.getByText('counterexample (crash state', { exact: false }).first().click();
        const img = page.locator('.attachment-preview_svg img, img[src$=".svg"]').first();
        await img.waitFor();
        const w = await img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth);
        assert(w > 100, `the SVG picture did not load (natural width ${w})`);
      });
      await check('its operation trace attachment opens as a table of target calls', async () => {
        await page.getByText('operation trace.html').first().click();
        // Allure shows an HTML attachment in a sandboxed iframe
        const deadline = Date.now() + STEP_TIMEOUT;
        let found = false;
        while (!found && Date.now() < deadline) {
          for (const f of page.frames()) {
            const text = await f.evaluate(() => (globalThis as unknown as { document: { body?: { innerText: string } } }).document.body?.innerText ?? '').catch(() => '');
            if (text.includes('Operation trace of') && text.includes('checkCrash') && text.includes('powerFail')) found = true;
          }
          if (!found) await page.waitForTimeout(250);
        }
        assert(found, 'no frame shows the operation trace table');
        await page.getByText('counterexample (crash state', { exact: false }).first().scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(REPORTS, 'browser-check-report.png'), fullPage: true });
      });
    }

    const matrixUrl = `${base}/${relative(ROOT, matrixPath).split(sep).join('/')}`;
    await check(`${relative(ROOT, matrixPath)} at 1366 px: one screen wide, ids on one line with their statements, headers in view`, async () => {
      await page.setViewportSize({ width: 1366, height: 768 });
      await page.goto(matrixUrl);
      await page.locator('#matrix th.rule').first().waitFor();
      const layout = await page.evaluate(() => {
        const d = (globalThis as unknown as { document: any; getComputedStyle: (e: unknown) => any; scrollTo: (x: number, y: number) => void }).document;
        const win = globalThis as unknown as { getComputedStyle: (e: unknown) => any };
        const ids = [...d.querySelectorAll('#matrix tbody th.rule')] as any[];
        const statements = [...d.querySelectorAll('#matrix tbody td.statement')] as any[];
        const lineHeight = parseFloat(win.getComputedStyle(ids[0]).lineHeight) || 18;
        return {
          scrollWidth: d.documentElement.scrollWidth as number,
          wrappedIds: ids.filter((e) => e.getBoundingClientRect().height > 2 * lineHeight + 8 && e.getClientRects().length && e.innerText.includes('\n')).map((e) => e.innerText as string),
          idsNoWrap: ids.every((e) => win.getComputedStyle(e).whiteSpace === 'nowrap'),
          rows: ids.length,
          stated: statements.filter((e) => e.innerText.trim().length > 10).length,
          stickyHead: win.getComputedStyle(d.querySelector('#matrix thead th')).position as string,
          columns: d.querySelectorAll('#matrix thead th.impl').length as number,
        };
      });
      assert(layout.columns >= 4, `only ${layout.columns} implementation columns`);
      assert(layout.scrollWidth <= 1366, `the page is ${layout.scrollWidth} px wide at 1366: it scrolls sideways`);
      assert(layout.idsNoWrap && layout.wrappedIds.length === 0, `rule ids wrap: ${layout.wrappedIds.join(', ')}`);
      assert(layout.stated === layout.rows, `${layout.rows - layout.stated} of ${layout.rows} rows show no rule statement`);
      assert(layout.stickyHead === 'sticky', `the header cells are position ${layout.stickyHead}, not sticky`);
      await page.screenshot({ path: join(REPORTS, 'browser-check-matrix-1366.png') });
    });
    await check(`${relative(ROOT, matrixPath)}: a fail cell links to its scenario's page in the Allure report`, async () => {
      await page.goto(matrixUrl);
      await page.locator('#matrix th.rule').first().waitFor();
      const rows = await page.locator('#matrix tbody tr').count();
      const cols = await page.locator('#matrix thead th.impl').count();
      assert(rows > 0 && cols > 1, `a ${rows} x ${cols} matrix`);
      const cell = page.locator('#matrix td.fail').first();
      await cell.locator('summary').click();
      const link = cell.locator('a.scenario').first();
      await link.waitFor();
      assert(/\.feature:\d+$/.test(await link.innerText()), 'the fail cell does not name file:line');
      assert(((await cell.getAttribute('title')) ?? '').length > 10, 'no message on hover');
      const href = await link.evaluate((a) => (a as unknown as { href: string }).href);
      assert(/allure-report\/index\.html#testresult\/\w+/.test(href), `the scenario link ${href} does not open the scenario in the Allure report`);
      const res = await fetch(href.split('#')[0]);
      assert(res.ok, `the scenario link ${href} answers ${res.status}`);
      await link.click();
      await page.getByText(`Rule ${RULE}: `, { exact: false }).first().waitFor();
      await page.screenshot({ path: join(REPORTS, 'browser-check-matrix.png'), fullPage: true });
    });
    await check('no script errors on either page', () => assert(errors.length === 0, errors.join('; ')));
  } finally {
    await browser?.close().catch(() => undefined);
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

main()
  .catch((e) => {
    failed++;
    console.log(`FAIL ${(e as Error).message}`);
  })
  .finally(() => {
    console.log(`browser: ${passed} passed, ${failed} failed`);
    process.exitCode = failed === 0 ? 0 : 1;
  });
