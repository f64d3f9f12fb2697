// reports/matrix.html: the conformance matrix as a page. Rules down, implementations across (the
// reference, then each variant); each cell pass / fail / skip; a fail cell links to the failing
// scenario (feature file:line) and shows its message on hover and when expanded.
// A pure function of matrix.json.

import type { MatrixJson } from '../matrix';

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
  /** how a feature path is linked from the page; reports/matrix.html sits one folder below the root */
  featureHref?: (uri: string, line: number) => string;
  generatedAt?: string;
}

export function matrixHtml(m: MatrixJson, o: MatrixHtmlOptions = {}): string {
  const href = o.featureHref ?? ((uri: string) => `../${uri}`);
  const columns = [{ target: 'emulator', title: 'reference', variant: undefined as MatrixJson['variants'][number] | undefined }].concat(
    m.variants.map((v) => ({ target: `emulator:${v.name}`, title: v.name, variant: v })),
  );
  const rules = Object.keys(m.rules).sort(compareRules);
  const head = columns
    .map((c) => {
      const caught = c.variant ? (c.variant.caught ? 'caught' : 'NOT caught') : `${m.reference.passed} passed, ${m.reference.failed} failed, ${m.reference.skipped} skipped`;
      const tip = c.variant ? `${c.variant.description} — ${caught}` : `the reference emulator: ${caught}`;
      const cls = c.variant ? (c.variant.caught ? 'caught' : 'uncaught') : m.reference.failed ? 'uncaught' : 'caught';
      return `<th class="impl ${cls}" title="${esc(tip)}" data-target="${esc(c.target)}"><span>${esc(c.title)}</span></th>`;
    })
    .join('');
  const body = rules
    .map((rule) => {
      const cells = columns
        .map((c) => {
          const st = m.rules[rule]?.[c.target];
          const expected = c.variant?.expectedRules.includes(rule) ? ' expected' : '';
          if (!st) return `<td class="none${expected}" title="not run">–</td>`;
          if (st !== 'fail') return `<td class="${st}${expected}" title="${esc(`${rule} on ${c.title}: ${st}`)}">${st}</td>`;
          const fails = c.variant
            ? c.variant.failed.filter((f) => f.rules.includes(rule)).map((f) => ({ scenario: f.scenario, where: `${f.uri}:${f.line}`, link: href(f.uri, f.line), message: f.message }))
            : m.reference.failedScenarios.filter((f) => f.rules.includes(rule)).map((f) => ({ scenario: f.scenario, where: '', link: '', message: f.message }));
          const tip = fails.map((f) => `${f.where ? f.where + ' ' : ''}${f.scenario}: ${f.message ?? 'failed'}`).join('\n');
          const items = fails
            .map(
              (f) =>
                `<li>${f.link ? `<a class="scenario" href="${esc(f.link)}">${esc(f.where)}</a> ` : ''}<b>${esc(f.scenario)}</b><div class="msg">${esc(f.message ?? 'failed')}</div></li>`,
            )
            .join('');
          return `<td class="fail${expected}" title="${esc(tip)}" data-rule="${esc(rule)}" data-target="${esc(c.target)}"><details><summary>fail${fails.length > 1 ? ` ×${fails.length}` : ''}</summary><ul>${items}</ul></details></td>`;
        })
        .join('');
      return `<tr><th class="rule" scope="row">${esc(rule)}</th>${cells}</tr>`;
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
body{font:14px/1.4 system-ui,sans-serif;margin:16px;color:#222}
table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:3px 6px;text-align:center;vertical-align:top}
th.impl{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;font-weight:normal;padding:6px 3px}
th.impl.uncaught{color:#b00020;font-weight:bold}th.rule{text-align:left;font-family:monospace}
td.pass{background:#e3f4e3;color:#1b5e20}td.skip{background:#f1f1f1;color:#777}td.none{color:#bbb}
td.fail{background:#fbdcdc;color:#8b0000;text-align:left;min-width:3em}td.expected{outline:2px solid #1a4d8f;outline-offset:-2px}
details ul{margin:4px 0;padding-left:16px;min-width:28em;max-width:40em}details .msg{font-family:monospace;font-size:12px;white-space:pre-wrap;word-break:break-all;color:#333}
summary{cursor:pointer;font-weight:bold}.ok{color:#1b5e20}.bad{color:#b00020;font-weight:bold}.legend span{display:inline-block;padding:0 6px;margin-right:6px}
</style></head><body>
<h1>DAX conformance matrix</h1>
${verdict}
<p>Rules down, implementations across: the reference emulator, then each variant (the reference with one historical bug put back; hover a column for the bug).
A <b>fail</b> cell expands to the failing scenarios: their feature file and line, and the message. Run in ${m.seconds.toFixed(1)} s${o.generatedAt ? `, ${esc(o.generatedAt)}` : ''}.</p>
<p class="legend"><span class="pass" style="background:#e3f4e3">pass</span><span style="background:#fbdcdc">fail</span><span style="background:#f1f1f1">skip</span><span>– not run</span><span style="outline:2px solid #1a4d8f">a rule the variant is expected to break</span></p>
<table id="matrix"><thead><tr><th>rule</th>${head}</tr></thead>
<tbody>
${body}
</tbody></table>
</body></html>
`;
}
