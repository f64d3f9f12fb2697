// The counterexample picture: every line involved, coloured by state with a legend, expected and
// found bytes in hex and printable form, the state id and coverage; well-formed and escaped.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeXml, MAX_LINES, printable, renderCrashSvg, STATE_COLOURS } from '../../steps/support/crash-svg';
import { LineReport } from '../../targets/contract';

const hex = (s: string) => Buffer.from(s).toString('hex');
const line = (addr: number, state: LineReport['state'], found: string, expected?: string, compareOffset?: number): LineReport => ({
  addr,
  dev: 'pmem0',
  state,
  found: hex(found.padEnd(64, '\0')),
  expected: expected === undefined ? undefined : hex(expected),
  compareOffset,
});

/** a small XML well-formedness check: every element closes in order, no bare & or < in text */
function assertWellFormed(svg: string): void {
  const stack: string[] = [];
  const re = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  for (let m = re.exec(svg); m; m = re.exec(svg)) {
    const between = svg.slice(last, m.index);
    assert.doesNotMatch(between, /<|&(?!(amp|lt|gt|quot|apos);)/, `bad text before ${m[0]}`);
    last = re.lastIndex;
    if (m[1]) assert.equal(stack.pop(), m[2], `closing ${m[2]}`);
    else if (!m[4]) stack.push(m[2]);
  }
  assert.doesNotMatch(svg.slice(last), /</);
  assert.deepEqual(stack, []);
}

const picture = {
  stateId: 's1-2a',
  reason: 'pmem0 at 4096 holds "mmap" where "abcd" was expected',
  coverage: 'exhaustive' as const,
  states: 12,
  rules: ['WB-1'],
  check: 'pmem0 holds 4 bytes at offset 4096',
  lines: [
    line(4096, 'never-written-back', 'mmap', 'abcd', 0),
    line(8192, 'written-back-not-fenced', 'xyz', 'xyz', 0),
    line(64, 'durable', 'ok'),
    line(12288, 'in-host-page-cache', 'vp', 'vp', 0),
  ],
};

test('the picture is well-formed SVG with the state id, coverage, rules and check', () => {
  const svg = renderCrashSvg(picture);
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assertWellFormed(svg);
  assert.match(svg, /crash state s1-2a/);
  assert.match(svg, /coverage: exhaustive, 12 states checked/);
  assert.match(svg, /\[WB-1\]/);
  assert.match(svg, /check: pmem0 holds 4 bytes at offset 4096/);
});

test('each line is coloured by its state and the legend names every state', () => {
  const svg = renderCrashSvg(picture);
  for (const [state, c] of Object.entries(STATE_COLOURS)) {
    assert.ok(svg.includes(`fill="${c.fill}" data-state="${state}"`), `legend for ${state}`);
    assert.ok(svg.includes(escapeXml(c.label)), `label for ${state}`);
    assert.match(svg, new RegExp(`<g class="line" data-state="${state}"`));
  }
  assert.match(svg, /pmem0 line at 0x00001000: never written back, 4 of 4 compared bytes differ/);
  assert.match(svg, /pmem0 line at 0x00002000: written back, not fenced, 0 of 3 compared bytes differ/);
  // lowest address first
  assert.ok(svg.indexOf('0x00000040') < svg.indexOf('0x00001000'));
});

test('expected and found bytes appear in hex and printable form; differing bytes are marked', () => {
  const svg = renderCrashSvg(picture);
  const texts = (cls: string) => [...svg.matchAll(new RegExp(`<text [^>]*class="${cls}"[^>]*>([^<]*)</text>`, 'g'))].map((m) => m[1]);
  const foundHex = texts('hex found');
  const expHex = texts('hex expected');
  const expChr = texts('chr expected');
  assert.deepEqual(foundHex.slice(64, 68), ['6d', '6d', '61', '70']); // "mmap" in the second line drawn
  assert.deepEqual(expHex.slice(0, 4), ['61', '62', '63', '64']);
  assert.deepEqual(expChr.slice(0, 4), ['a', 'b', 'c', 'd']);
  assert.ok(texts('chr found').includes('·'), 'zero bytes show as a dot');
  assert.equal((svg.match(/stroke="#c62828" stroke-width="1.5"/g) ?? []).length, 4);
});

test('a compared range at an offset inside the line lines up with the found bytes', () => {
  const l: LineReport = { addr: 0, dev: 'pmem1', state: 'never-written-back', found: '00'.repeat(40) + hex('HELLO') + '00'.repeat(19), expected: hex('HELLO'), compareOffset: 40 };
  const svg = renderCrashSvg({ ...picture, lines: [l] });
  assertWellFormed(svg);
  assert.match(svg, /0 of 5 compared bytes differ/);
});

test('text is escaped and printable() hides control bytes', () => {
  const svg = renderCrashSvg({ ...picture, reason: 'a <b> & "c"', lines: [line(0, 'durable', '<&>', '<&>', 0)] });
  assertWellFormed(svg);
  assert.match(svg, /a &lt;b&gt; &amp; &quot;c&quot;/);
  assert.equal(printable(0x41), 'A');
  assert.equal(printable(0x0a), '·');
  assert.equal(printable(0xff), '·');
});

test('many lines are cut at MAX_LINES with a note; no lines says so', () => {
  const many = Array.from({ length: MAX_LINES + 3 }, (_, i) => line(i * 64, 'never-written-back', 'x'));
  const svg = renderCrashSvg({ ...picture, lines: many });
  assertWellFormed(svg);
  assert.equal((svg.match(/<g class="line"/g) ?? []).length, MAX_LINES);
  assert.match(svg, /… 3 more lines not drawn/);
  assert.match(renderCrashSvg({ ...picture, lines: [] }), /no cache lines reported/);
});
