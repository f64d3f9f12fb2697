// The minimal counterexample of a failed crash check drawn as an SVG picture for the report: each
// cache line involved, coloured by what happened to it before the power failed, with the bytes the
// check expected and the bytes the crash state holds (hex and printable), the state id and coverage.
// A pure function of the verdict: no Cucumber, no file system.

import { CrashVerdict, LineReport } from '../../targets/contract';

export interface CrashPicture {
  stateId: string;
  reason: string;
  coverage: CrashVerdict['coverage'];
  states: number;
  lines: LineReport[];
  /** what the check asked, in words, e.g. "pmem0 holds 6 bytes at offset 65536" */
  check?: string;
  /** rule ids, e.g. ["WB-1"] */
  rules?: string[];
}

export const STATE_COLOURS: Record<LineReport['state'], { fill: string; label: string }> = {
  durable: { fill: '#2e7d32', label: 'durable (written back and fenced)' },
  'written-back-not-fenced': { fill: '#ef8f00', label: 'written back, not fenced' },
  'never-written-back': { fill: '#c62828', label: 'never written back' },
  'in-host-page-cache': { fill: '#7b1fa2', label: 'fenced into the host page cache, not flushed (virtio-pmem)' },
};

/** lines drawn at most; the rest are counted in a note */
export const MAX_LINES = 16;

const LINE_BYTES = 64;
const PER_ROW = 32;
const CELL = 19;
const LEFT = 78;
const WIDTH = LEFT + PER_ROW * CELL + 16;

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** one byte as the character a reader sees: printable ASCII, or a middle dot */
export function printable(byte: number): string {
  return byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '·';
}

function bytes(hex: string | undefined): number[] {
  const out: number[] = [];
  if (!hex) return out;
  for (let i = 0; i + 1 < hex.length; i += 2) out.push(parseInt(hex.slice(i, i + 2), 16));
  return out;
}

function hex2(b: number): string {
  return b.toString(16).padStart(2, '0');
}

function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${x}" y="${y}"${attrs ? ' ' + attrs : ''}>${escapeXml(s)}</text>`;
}

/** how one line is drawn: its header, then per 32-byte row the found bytes and the expected ones */
function drawLine(l: LineReport, y0: number): { svg: string; height: number } {
  const found = bytes(l.found);
  const expected = bytes(l.expected);
  const start = l.compareOffset ?? 0;
  const colour = STATE_COLOURS[l.state] ?? { fill: '#555', label: l.state };
  const out: string[] = [];
  const addr = `0x${l.addr.toString(16).padStart(8, '0')}`;
  const mismatches = expected.filter((b, i) => found[start + i] !== b).length;
  out.push(`<g class="line" data-state="${escapeXml(l.state)}" data-addr="${addr}">`);
  out.push(`<rect x="8" y="${y0}" width="${WIDTH - 16}" height="20" rx="3" fill="${colour.fill}"/>`);
  out.push(
    text(14, y0 + 14, `${l.dev} line at ${addr}: ${colour.label}${expected.length ? `, ${mismatches} of ${expected.length} compared bytes differ` : ''}`, 'fill="#fff" font-weight="bold"'),
  );
  let y = y0 + 24;
  for (let row = 0; row < LINE_BYTES / PER_ROW; row++) {
    const base = row * PER_ROW;
    const rowHasExpected = expected.length > 0 && start < base + PER_ROW && start + expected.length > base;
    const labels: Array<[string, number]> = [['found', y + 13], ['', y + 27]];
    if (rowHasExpected) labels.push(['expected', y + 45], ['', y + 59]);
    for (const [s, ly] of labels) if (s) out.push(text(12, ly, s, 'fill="#333"'));
    out.push(text(LEFT - 22, y + 13, `+${base}`, 'fill="#888" font-size="9"'));
    for (let i = 0; i < PER_ROW; i++) {
      const off = base + i;
      const x = LEFT + i * CELL;
      const e = off - start;
      const compared = e >= 0 && e < expected.length;
      const differs = compared && found[off] !== expected[e];
      const b = found[off];
      if (compared) out.push(`<rect x="${x}" y="${y}" width="${CELL - 1}" height="30" fill="${differs ? '#ffd6d6' : '#dff3df'}" stroke="${differs ? '#c62828' : '#2e7d32'}" stroke-width="${differs ? 1.5 : 0.5}"/>`);
      out.push(text(x + 2, y + 13, b === undefined ? '--' : hex2(b), `class="hex found"${differs ? ' fill="#c62828" font-weight="bold"' : ''}`));
      out.push(text(x + 6, y + 27, b === undefined ? ' ' : printable(b), 'class="chr found" fill="#555"'));
      if (compared) {
        out.push(text(x + 2, y + 45, hex2(expected[e]), 'class="hex expected" fill="#1a4d8f"'));
        out.push(text(x + 6, y + 59, printable(expected[e]), 'class="chr expected" fill="#1a4d8f"'));
      }
    }
    y += rowHasExpected ? 66 : 34;
  }
  out.push('</g>');
  return { svg: out.join(''), height: y - y0 + 8 };
}

/** the picture: title, legend, then each line (at most MAX_LINES, lowest address first) */
export function renderCrashSvg(p: CrashPicture): string {
  const body: string[] = [];
  let y = 8;
  const title = `${p.rules?.length ? `[${p.rules.join(', ')}] ` : ''}crash state ${p.stateId}`;
  body.push(text(8, y + 16, title, 'font-size="15" font-weight="bold"'));
  y += 24;
  body.push(text(8, y + 12, `coverage: ${p.coverage}, ${p.states} state${p.states === 1 ? '' : 's'} checked; this is a minimal failing state`, 'fill="#333"'));
  y += 18;
  if (p.check) {
    body.push(text(8, y + 12, `check: ${p.check}`, 'fill="#333"'));
    y += 18;
  }
  // the reason may be long: wrap at about 100 characters
  for (const part of wrap(`why: ${p.reason}`, 100)) {
    body.push(text(8, y + 12, part, 'fill="#333"'));
    y += 16;
  }
  y += 6;
  // legend
  let lx = 8;
  body.push('<g class="legend">');
  const items: Array<[string, string, string]> = Object.entries(STATE_COLOURS).map(([state, c]) => [c.label, `fill="${c.fill}" data-state="${state}"`, '']);
  items.push(['byte differs from expected', 'fill="#ffd6d6" stroke="#c62828"', '']);
  for (const [label, attrs] of items) {
    const w = 26 + label.length * 6.7;
    if (lx > 8 && lx + w > WIDTH - 8) {
      lx = 8;
      y += 20;
    }
    body.push(`<rect x="${lx}" y="${y}" width="14" height="14" ${attrs}/>`);
    body.push(text(lx + 18, y + 11, label));
    lx += w;
  }
  body.push('</g>');
  y += 26;
  const lines = [...p.lines].sort((a, b) => a.dev.localeCompare(b.dev) || a.addr - b.addr);
  if (lines.length === 0) {
    body.push(text(8, y + 14, 'no cache lines reported for this state (a metadata or listing check): see the message', 'fill="#555"'));
    y += 24;
  }
  for (const l of lines.slice(0, MAX_LINES)) {
    const d = drawLine(l, y);
    body.push(d.svg);
    y += d.height;
  }
  if (lines.length > MAX_LINES) {
    body.push(text(8, y + 14, `… ${lines.length - MAX_LINES} more lines not drawn`, 'fill="#555"'));
    y += 24;
  }
  const height = Math.ceil(y + 4);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="11">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    ...body,
    '</svg>',
  ].join('\n');
}

function wrap(s: string, n: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const word of s.split(' ')) {
    // long hex runs are in the picture below: keep their start only
    const w = word.length > 40 ? `${word.slice(0, 32)}…` : word;
    if (cur && cur.length + 1 + w.length > n) {
      out.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) out.push(cur);
  return out.slice(0, 6);
}
