// reports/matrix.html: the conformance matrix as a page. Rules down (id and statement),
// implementations across (the reference, then each variant); each cell pass / fail / skip; a fail
// cell links to the failing scenario's page in that target's Allure report (else its feature file
// and line) and shows its message on hover and when expanded. Made to be read on one 1366 px
// screen: compact symbol cells, ids that never wrap, headers that stay in view.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { MatrixJson } from '../matrix';
import { allureCasePages, reportDirFor } from './allure';
import { ruleStatements } from './rule-statements';

const AREAS = ['PM', 'DT', 'WB', 'SY', 'BD', 'MS'];

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** PM-1 < PM-2 < ... < DT-1 ... in the order SCENARIOS.md lists the areas; unknown areas last */
export function compareRules(a: string, b: string): number {
  const [pa, na] = a.split('-');
  const [pb, nb] = b.split('-');
  const ia = AREAS.indexOf(pa) < 0 ? AREAS.length : AREAS.indexOf(pa);
  const ib = AREAS.indexOf(pb) < 0 ? AREAS.length : AREAS.indexOf(pb);
  return ia - ib || pa.localeCompare(pb) || Number(na) - Number(nb) || a.localeCompare(b);
}

export interface MatrixHtmlOptions {
  /** how a feature path is linked from the page when no Allure page is known; reports/matrix.html sits one folder below the root */
  featureHref?: (uri: string, line: number) => string;
  /** the Allure page of a failed scenario on a target, relative to the page (default: the target's own report, when it exists) */
  scenarioHref?: (target: string, uri: string, name: string) => string | undefined;
  /** rule id -> its statements (default: the features' Rule: lines) */
  statements?: Record<string, string[]>;
  generatedAt?: string;
}

const REPORTS = join(__dirname, '..', '..', 'reports');

/** links into each target's Allure report under reports/ (npm run conformance writes them), when there is one */
export function reportScenarioHref(reports = REPORTS): (target: string, uri: string, name: string) => string | undefined {
  const cache = new Map<string, Map<string, string>>();
  return (target, uri, name) => {
    // npm run conformance's report of that target, else one generated from the matrix run's own results
    const dir = [join(reportDirFor(target), 'allure-report'), join(reports, 'matrix', target.replace(':', '-'), 'allure-report')].find((d) => existsSync(d)) ?? '';
    if (!cache.has(target)) cache.set(target, dir ? allureCasePages(dir) : new Map());
    const page = cache.get(target)!.get(`${uri}#${name}`);
    return page && `${join(dir, page).slice(reports.length + 1).split('\\').join('/')}`;
  };
}

export function matrixHtml(m: MatrixJson, o: MatrixHtmlOptions = {}): string {
  const href = o.featureHref ?? ((uri: string) => `../${uri}`);
  const allureHref = o.scenarioHref ?? reportScenarioHref();
  const statements = o.statements ?? ruleStatements();
  const SYMBOL: Record<string, string> = { pass: '✓', skip: '·', fail: '✗' };
  const columns = [{ target: 'emulator', title: 'reference', variant: undefined as MatrixJson['variants'][number] | undefined }].concat(
    m.variants.map((v) => ({ target: `emulator:${v.name}`, title: v.name, variant: v })),
  );
  const rules = Object.keys(m.rules).sort(compareRules);
  const head = columns
    .map((c) => {
      const caught = c.variant ? (c.variant.caught ? 'caught' : 'NOT caught') : `${m.reference.passed} passed, ${m.reference.failed} failed, ${m.reference.skipped} skipped`;
      const tip = c.variant ? `${c.variant.description} — ${caught}` : `the reference emulator: ${caught}`;
      const cls = c.variant ? (c.variant.caught ? 'caught' : 'uncaught') : m.reference.failed ? 'uncaught' : 'caught';
      return `<th class="impl ${cls}" scope="col" title="${esc(tip)}" data-target="${esc(c.target)}"><span>${esc(c.title)}</span></th>`;
    })
    .join('');
  const body = rules
    .map((rule) => {
      const cells = columns
        .map((c) => {
          const st = m.rules[rule]?.[c.target];
          const expected = c.variant?.expectedRules.includes(rule) ? ' expected' : '';
          if (!st) return `<td class="none${expected}" title="not run">–</td>`;
          if (st !== 'fail') return `<td class="${st}${expected}" title="${esc(`${rule} on ${c.title}: ${st}`)}">${SYMBOL[st] ?? esc(st)}</td>`;
          const fails = c.variant
            ? c.variant.failed.filter((f) => f.rules.includes(rule)).map((f) => ({ scenario: f.scenario, where: `${f.uri}:${f.line}`, link: allureHref(c.target, f.uri, f.scenario) ?? href(f.uri, f.line), message: f.message }))
            : m.reference.failedScenarios.filter((f) => f.rules.includes(rule)).map((f) => ({ scenario: f.scenario, where: '', link: '', message: f.message }));
          const tip = fails.map((f) => `${f.where ? f.where + ' ' : ''}${f.scenario}: ${f.message ?? 'failed'}`).join('\n');
          const items = fails
            .map(
              (f) =>
                `<li>${f.link ? `<a class="scenario" href="${esc(f.link)}">${esc(f.where)}</a> ` : ''}<b>${esc(f.scenario)}</b><div class="msg">${esc(f.message ?? 'failed')}</div></li>`,
            )
            .join('');
          return `<td class="fail${expected}" title="${esc(tip)}" data-rule="${esc(rule)}" data-target="${esc(c.target)}"><details><summary>✗${fails.length > 1 ? `<sub>${fails.length}</sub>` : ''}</summary><ul>${items}</ul></details></td>`;
        })
        .join('');
      const said = statements[rule] ?? [];
      return `<tr><th class="rule" scope="row">${esc(rule)}</th><td class="statement" title="${esc(said.join('\n'))}">${esc(said[0] ?? '')}</td>${cells}</tr>`;
    })
    .join('\n');
  const uncaught = m.variants.filter((v) => !v.caught).map((v) => v.name);
  const verdict =
    m.reference.failed === 0 && uncaught.length === 0
      ? `<p class="ok">The reference passes every scenario and every variant is caught (${m.variants.length}/${m.variants.length}).</p>`
      : `<p class="bad">${m.reference.failed ? `The reference failed ${m.reference.failed} scenario(s). ` : ''}${uncaught.length ? `Variants caught by nothing: ${esc(uncaught.join(', '))}.` : ''}</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>DAX conformance matrix</title>
<style>
body{font:13px/1.35 system-ui,sans-serif;margin:12px;color:#222;max-width:1342px}
h1{font-size:20px;margin:4px 0}p{margin:4px 0}
table{border-collapse:separate;border-spacing:0;width:100%;table-layout:auto}
th,td{border:1px solid #ddd;border-width:0 1px 1px 0;padding:2px 3px;text-align:center;vertical-align:middle}
thead th{position:sticky;top:0;z-index:3;background:#fff;border-bottom:2px solid #999;vertical-align:bottom}
th.impl{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;font-weight:normal;font-size:12px;padding:4px 2px;width:24px;max-width:24px}
th.impl.uncaught{color:#b00020;font-weight:bold}
th.rule{text-align:left;font-family:monospace;white-space:nowrap;position:sticky;left:0;z-index:2;background:#fff}
thead th.rule{z-index:4}
td.statement{text-align:left;font-size:12px;min-width:16em;max-width:26em;color:#333}
td.pass{background:#e3f4e3;color:#1b5e20}td.skip{background:#f1f1f1;color:#777}td.none{color:#bbb}
td.fail{background:#fbdcdc;color:#8b0000;position:relative}td.expected{outline:2px solid #1a4d8f;outline-offset:-2px}
details[open] ul{position:absolute;right:0;top:100%;z-index:5;background:#fff;border:1px solid #999;box-shadow:0 2px 8px #0003;text-align:left;margin:0;padding:6px 8px 6px 22px;width:34em;max-width:60vw}
details .msg{font-family:monospace;font-size:12px;white-space:pre-wrap;word-break:break-word;color:#333}
summary{cursor:pointer;font-weight:bold;list-style:none}summary::-webkit-details-marker{display:none}
.ok{color:#1b5e20}.bad{color:#b00020;font-weight:bold}.legend span{display:inline-block;padding:0 6px;margin-right:6px}
</style></head><body>
<h1>DAX conformance matrix</h1>
${verdict}
<p>Rules down, implementations across: the reference emulator, then each variant (the reference with one historical bug put back; hover a column for the bug).
A <b>✗</b> cell expands to the failing scenarios: a link to each in that target's Allure report (or its feature file and line), and the message. Run in ${m.seconds.toFixed(1)} s${o.generatedAt ? `, ${esc(o.generatedAt)}` : ''}.</p>
<p class="legend"><span class="pass" style="background:#e3f4e3">✓ pass</span><span style="background:#fbdcdc">✗ fail</span><span style="background:#f1f1f1">· skip</span><span>– not run</span><span style="outline:2px solid #1a4d8f">a rule the variant is expected to break</span></p>
<table id="matrix"><thead><tr><th class="rule" scope="col">rule</th><th scope="col">statement</th>${head}</tr></thead>
<tbody>
${body}
</tbody></table>
</body></html>
`;
}
