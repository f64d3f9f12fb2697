// What the Allure report shows a reviewer beyond pass/fail:
// - links: each @seed:<file> to its thread (a lore.kernel.org search on the subject), each @beyond
//   rule to the kernel source or document it comes from;
// - on a failed scenario: the operation trace as a table, and for a failed crash check the minimal
//   counterexample drawn as an SVG picture;
// - on a white-box scenario: the remembered mappings' entries and tags;
// - on a passed scenario that explored crash states: how many, and per-line / exhaustive / bounded(k).

import { After, Before, Status } from '@cucumber/cucumber';
import type { GherkinDocument } from '@cucumber/messages';
import { MappingInfo } from '../../targets/contract';
import { seedLink, SEEDS } from '../../scripts/lib/seeds';
import { renderCrashSvg } from './crash-svg';
import { shortTraceValue, TraceEntry } from './tracing';
import { describeCheck } from './describe-check';
import { DaxWorld } from './world';

const ALLURE_MESSAGE = 'application/vnd.allure.message+json';
const KERNEL_TREE = 'https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/tree';

/** where each rule beyond the seeds comes from in today's kernel */
export const BEYOND_SOURCES: Record<string, { path: string; what: string }> = {
  'MS-1': { path: 'Documentation/filesystems/dax.rst', what: 'MAP_SYNC' },
  'MS-2': { path: 'fs/dax.c', what: 'dax_writeback_one: write-protect and clear DIRTY' },
  'MS-3': { path: 'fs/dax.c', what: 'dax_iomap_pte_fault / dax_iomap_pmd_fault: beyond i_size' },
  'MS-4': { path: 'fs/dax.c', what: 'dax_load_hole: the zero page' },
  'MS-5': { path: 'fs/dax.c', what: 'dax_delete_mapping_entry / dax_invalidate_mapping_entry_sync' },
  'MS-6': { path: 'fs/dax.c', what: 'dax_truncate_page / dax_zero_range' },
  'MS-7': { path: 'Documentation/filesystems/dax.rst', what: 'dax=always|never|inode and STATX_ATTR_DAX' },
  'MS-8': { path: 'fs/ext4/file.c', what: 'ext4_dax_huge_fault: a journal handle only for a shared write fault (4.13 "ext4: fix fault handling when mounted with -o dax,ro"; xfstests generic/452)' },
  'MS-9': { path: 'fs/dax.c', what: 'grab_mapping_entry: a PTE fault inside a PMD entry uses it (4.12 "dax: fix race between colliding PMD & PTE entries"; xfstests generic/437)' },
  'MS-10': { path: 'fs/dax.c', what: 'dax_writeback_mapping_range: tag TOWRITE first, then walk TOWRITE only (the 4.12 livelock fix)' },
  'MS-11': { path: 'drivers/nvdimm/pmem.c', what: '__pmem_direct_access: known poison is EIO; pmem_recovery_write: only whole pages clear it (5.19 "pmem: implement pmem_recovery_write()", "dax: introduce DAX_RECOVERY_WRITE dax access mode")' },
  'MS-12': { path: 'Documentation/filesystems/dax.rst', what: 'dax=inode and FS_XFLAG_DAX: the mode changes when the inode is evicted (5.8 "fs: Lift XFS_IDONTCACHE to the VFS layer", "fs/ext4: Only change S_DAX on inode load"; xfstests generic/605-608)' },
  'MS-13': { path: 'fs/dax.c', what: 'dax_iomap_cow_copy / dax_iomap_iter: a shared block is copied whole before the write (6.0 "fsdax: introduce dax_iomap_cow_copy()", "xfs: support CoW in fsdax mode")' },
  'MS-14': { path: 'drivers/nvdimm/nd_virtio.c', what: 'async_pmem_flush / virtio_pmem_flush: an asynchronous region is durable only through the host flush; dax_synchronous() false refuses MAP_SYNC (5.3 "virtio-pmem: Add virtio pmem driver", "ext4: disable map_sync for async flush", "xfs: disable map_sync for async flush")' },
  'MM-1': { path: 'mm/msync.c', what: 'msync: EINVAL for an address inside a page, ENOMEM for an unmapped range; mm/mmap.c do_mmap: EINVAL for an offset inside a page or a length of 0' },
  'MM-2': { path: 'arch/x86/mm/fault.c', what: 'bad_area: an access outside every VMA raises SIGSEGV' },
};

export function beyondLink(rule: string): { url: string; name: string } | undefined {
  const s = BEYOND_SOURCES[rule];
  return s && { url: `${KERNEL_TREE}/${s.path}`, name: `${rule} in Linux ${s.path} (${s.what})` };
}

export interface ReportLink {
  url: string;
  name: string;
  type: string;
}

/** the links a scenario's tags ask for */
export function linksForTags(tags: string[]): ReportLink[] {
  const out: ReportLink[] = [];
  for (const t of tags) {
    if (!t.startsWith('@seed:')) continue;
    const file = t.slice('@seed:'.length);
    const url = seedLink(file);
    const seed = SEEDS.find((s) => s.file === file);
    if (url && seed) out.push({ url, type: 'link', name: `source message ${file}: ${seed.author}, ${seed.date}` });
  }
  if (tags.includes('@beyond')) {
    for (const t of tags.filter((x) => x.startsWith('@rule:'))) {
      const l = beyondLink(t.slice('@rule:'.length));
      if (l) out.push({ ...l, type: 'link' });
    }
  }
  return out;
}

// --- mappings a white-box scenario inspects: remembered per World without a field on it ---

const remembered = new WeakMap<object, string[]>();

/** the mapping steps call this so a white-box scenario's report shows the mapping's entries */
export function rememberMapping(world: object, path: string): void {
  const list = remembered.get(world) ?? [];
  if (!list.includes(path)) list.push(path);
  remembered.set(world, list);
}

export function rememberedMappings(world: object): string[] {
  return remembered.get(world) ?? [];
}

// --- renderers (pure) ---

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

function compact(v: unknown): string {
  if (v === undefined) return '';
  const s = JSON.stringify(shortTraceValue(v));
  return s === '{}' ? '' : s;
}

const STYLE = `<style>body{font:13px/1.4 system-ui,sans-serif;margin:8px}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:2px 6px;vertical-align:top;text-align:left}th{background:#eee}
td.code{font-family:monospace;white-space:pre-wrap;word-break:break-all;max-width:48em}tr.err td{background:#fde4e4}
tr.step td{background:#f4f4f4;font-weight:bold}</style>`;

/** the operation trace: each step's target calls with arguments and results, as an HTML table */
export function traceHtml(trace: TraceEntry[], title = 'Operation trace'): string {
  const rows: string[] = [];
  let step: string | undefined;
  trace.forEach((e, i) => {
    if (e.step !== step) {
      step = e.step;
      rows.push(`<tr class="step"><td colspan="5">${esc(step || '(hook)')}</td></tr>`);
    }
    const res = e.error !== undefined ? `error ${e.error}` : compact(e.result);
    rows.push(`<tr${e.error !== undefined ? ' class="err"' : ''}><td>${i + 1}</td><td>${esc(e.op)}</td><td class="code">${esc(compact(e.args))}</td><td class="code">${esc(res)}</td><td>${e.ms}</td></tr>`);
  });
  if (rows.length === 0) rows.push('<tr><td colspan="5">no calls on the target</td></tr>');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title>${STYLE}</head><body>
<h3>${esc(title)}</h3><table><thead><tr><th>#</th><th>call</th><th>arguments</th><th>result</th><th>ms</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table></body></html>`;
}

/** the same trace as plain text, one call a line */
export function traceText(trace: TraceEntry[]): string {
  return trace.map((e, i) => `${i + 1}. [${e.step || '(hook)'}] ${e.op}(${compact(e.args)}) -> ${e.error !== undefined ? `error ${e.error}` : compact(e.result) || 'ok'} (${e.ms} ms)`).join('\n');
}

export function mappingHtml(path: string, m: MappingInfo): string {
  const rows = [...m.entries]
    .sort((a, b) => a.index - b.index)
    .map((e) => `<tr><td>${e.index}</td><td>${esc(e.type)}</td><td>${esc(e.tags.join(', ') || '-')}</td></tr>`);
  if (rows.length === 0) rows.push('<tr><td colspan="3">no entries</td></tr>');
  return `<!doctype html><html><head><meta charset="utf-8"><title>mapping of ${esc(path)}</title>${STYLE}</head><body>
<h3>address_space of ${esc(path)}</h3>
<p>nrpages ${m.nrpages}, nrexceptional ${m.nrexceptional}, I_DIRTY_PAGES ${m.inodeDirtyPages ? 'set' : 'clear'}</p>
<table><thead><tr><th>index</th><th>entry</th><th>tags</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table></body></html>`;
}


/** for a passed scenario: each crash check, how many states, and how they were covered */
export function crashSummary(world: Pick<DaxWorld, 'verdicts'>): string {
  const lines = world.verdicts.map(
    (v, i) => `${i + 1}. ${describeCheck(v.check)}: ${v.verdict.ok ? 'holds' : 'fails'} in ${v.verdict.states} state${v.verdict.states === 1 ? '' : 's'}, ${v.verdict.coverage}${v.verdict.coverage.startsWith('bounded') ? ' (a bound, not a proof)' : v.verdict.coverage === 'per-line' ? ' (proof from each line\'s history)' : ''}`,
  );
  const total = world.verdicts.reduce((n, v) => n + v.verdict.states, 0);
  return `${world.verdicts.length} crash check${world.verdicts.length === 1 ? '' : 's'}, ${total} crash states in all\n${lines.join('\n')}\n`;
}

// --- hooks ---

/** Suites tab: area folder > feature > Rule, as a reviewer reads the spec */
export function suiteLabels(uri: string, feature: GherkinDocument['feature'], astNodeIds: readonly string[]): Array<{ name: string; value: string }> {
  const parts = uri.split('/');
  const out = [{ name: 'parentSuite', value: parts.length > 2 ? parts.slice(1, -1).join('/') : parts[0] }];
  if (feature) {
    out.push({ name: 'suite', value: feature.name });
    const rule = feature.children.find((c) => c.rule?.children.some((r) => r.scenario && astNodeIds.includes(r.scenario.id)))?.rule;
    if (rule) out.push({ name: 'subSuite', value: `${rule.keyword}: ${rule.name}` });
  }
  return out;
}

/** the Rule: a scenario sits under, split into its id and its statement ("WB-4", "Writeback writes back ...") */
export function ruleOf(feature: GherkinDocument['feature'], astNodeIds: readonly string[]): { id: string; statement: string } | undefined {
  const rule = feature?.children.find((c) => c.rule?.children.some((r) => r.scenario && astNodeIds.includes(r.scenario.id)))?.rule;
  if (!rule) return undefined;
  const m = /^([A-Z]+-\d+)\s+(.*)$/.exec(rule.name.trim());
  return m ? { id: m[1], statement: m[2] } : { id: '', statement: rule.name.trim() };
}

/** the scenario page's description: the rule it checks, in words, then where the scenario is written */
export function scenarioDescriptionHtml(rule: { id: string; statement: string } | undefined, uri: string, line: number | undefined, featureDescription?: string): string {
  const parts: string[] = [];
  if (rule) parts.push(`<p class="dax-rule"><b>Rule ${esc(rule.id)}</b>: ${esc(rule.statement)}</p>`);
  parts.push(`<p class="dax-source">Scenario source: <code>${esc(uri)}${line ? `:${line}` : ''}</code></p>`);
  if (featureDescription?.trim()) parts.push(featureParagraph(featureDescription));
  return parts.join('\n');
}

/** a feature's description as one paragraph: made once per feature, not per scenario */
const paragraphs = new Map<string, string>();
function featureParagraph(description: string): string {
  let p = paragraphs.get(description);
  if (p === undefined) paragraphs.set(description, (p = `<p class="dax-feature">${esc(description.trim().replace(/\s+/g, ' '))}</p>`));
  return p;
}

/** every scenario's (or outline row's) id in file order, per feature: walked once per feature */
const scenarioIds = new WeakMap<object, string[]>();
function idsInOrder(feature: NonNullable<GherkinDocument['feature']>): string[] {
  let ids = scenarioIds.get(feature);
  if (ids) return ids;
  ids = [];
  const visit = (children: NonNullable<GherkinDocument['feature']>['children']) => {
    for (const c of children) {
      if (c.rule) visit(c.rule.children);
      if (!c.scenario) continue;
      const rows = c.scenario.examples.flatMap((e) => e.tableBody.map((r) => r.id));
      ids!.push(...(rows.length ? rows : [c.scenario.id]));
    }
  };
  visit(feature.children);
  scenarioIds.set(feature, ids);
  return ids;
}

/**
 * "#07 name": the scenario's place in its feature file (outline rows counted one by one), zero-padded
 * so Allure's tree, which sorts by name, lists a feature's scenarios as the file does (#02 before #10).
 */
export function orderedName(feature: GherkinDocument['feature'], astNodeIds: readonly string[], name: string): string {
  const ids = feature ? idsInOrder(feature) : [];
  const i = ids.findIndex((id) => astNodeIds.includes(id) && (astNodeIds.length === 1 || id === astNodeIds[astNodeIds.length - 1]));
  if (i < 0) return name;
  return `#${String(i + 1).padStart(Math.max(2, String(ids.length).length), '0')} ${name}`;
}

// Named so the Allure reporter makes no set-up fixture of it: its metadata (a fixture's would stay the
// fixture's) goes to the test itself, and the report has no empty "Set up" entry per scenario.
Before({ name: 'ALLURE_FIXTURE_IGNORE' }, function (this: DaxWorld, { pickle, gherkinDocument }) {
  const tags = pickle.tags.map((t) => t.name);
  const links = linksForTags(tags);
  // the "rule" label (cucumber.js) groups and filters; Allure's test page shows tags, so the rule is one too
  const labels = [...tags.filter((t) => t.startsWith('@rule:')).map((t) => ({ name: 'tag', value: t })), ...suiteLabels(pickle.uri, gherkinDocument.feature, pickle.astNodeIds)];
  // the page shows the rule's statement from its Rule: line, so a reviewer needs no feature file
  const descriptionHtml = scenarioDescriptionHtml(ruleOf(gherkinDocument.feature, pickle.astNodeIds), pickle.uri, pickle.location?.line, gherkinDocument.feature?.description);
  const displayName = orderedName(gherkinDocument.feature, pickle.astNodeIds, pickle.name);
  this.attach(JSON.stringify({ type: 'metadata', data: { links, labels, descriptionHtml, displayName } }), ALLURE_MESSAGE);
});

const NOT_FAILED: string[] = [Status.PASSED, Status.SKIPPED, Status.UNKNOWN];

// Named so the Allure reporter keeps these attachments in the test body instead of a tear-down
// fixture. Defined after hooks.ts's After, so it runs before the target is closed.
After({ name: 'ALLURE_FIXTURE_IGNORE' }, async function (this: DaxWorld, { result, pickle }) {
  const status = result?.status ?? Status.UNKNOWN;
  const tags = pickle.tags.map((t) => t.name);
  const failed = !NOT_FAILED.includes(status);
  if (failed) {
    this.attach(traceHtml(this.trace, `Operation trace of "${pickle.name}"`), { mediaType: 'text/html', fileName: 'operation trace.html' });
    this.attach(traceText(this.trace), { mediaType: 'text/plain', fileName: 'operation trace.txt' });
    const bad = this.verdicts.filter((v) => !v.verdict.ok && v.verdict.counterexample);
    bad.slice(0, 3).forEach((v, i) => {
      const cx = v.verdict.counterexample!;
      const svg = renderCrashSvg({ stateId: cx.stateId, reason: cx.reason, coverage: v.verdict.coverage, states: v.verdict.states, lines: cx.lines, check: describeCheck(v.check), rules: this.rules });
      this.attach(svg, { mediaType: 'image/svg+xml', fileName: `counterexample${bad.length > 1 ? ` ${i + 1}` : ''} (crash state ${cx.stateId}).svg` });
    });
  } else if (status === Status.PASSED && this.verdicts.length > 0) {
    this.attach(crashSummary(this), { mediaType: 'text/plain', fileName: 'crash states explored.txt' });
  }
  if (tags.includes('@white-box') && this.hello?.capabilities.includes('white-box') && this.target?.mappingInfo) {
    for (const path of rememberedMappings(this)) {
      try {
        const info = await this.target.mappingInfo({ path: this.path(path) });
        this.attach(mappingHtml(path, info), { mediaType: 'text/html', fileName: `mapping ${path}.html` });
      } catch (e) {
        this.attach(`mapping of ${path} could not be read: ${(e as Error).message}`, { mediaType: 'text/plain', fileName: `mapping ${path}.txt` });
      }
    }
  }
});
