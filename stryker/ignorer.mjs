/* global process */
// Stryker ignorer for the emulator: keeps tool annotations out of the model.
// Two kinds of mutants are ignored here, never by comments in emulator/:
// - variant switches: a historical bug that only `emulator:<variant>` turns on (faults.has('...') or a
//   pmem quirk) and the code it guards; `npm run matrix` shows each variant caught instead;
// - equivalent mutants listed in stryker/equivalent.json: each entry locates one node by an exact
//   snippet and names every mutant Stryker makes inside it (checked by stryker/check-equivalents.mjs).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, relative, sep } from 'node:path';
import { PluginKind, declareClassPlugin } from '@stryker-mutator/api/plugin';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const EQUIVALENT_FILE = join(ROOT, 'stryker', 'equivalent.json');
export const SWITCH_PREFIX = 'variant switch';
export const EQUIVALENT_PREFIX = 'equivalent';

/** `faults.has('x')`, `f.has('x')`, `env.faults?.has('x')`, `this.faults.has('x')`: the variant's name, else undefined. */
function faultName(node) {
  if (!node || (node.type !== 'CallExpression' && node.type !== 'OptionalCallExpression')) return undefined;
  const callee = node.callee;
  if (!callee || (callee.type !== 'MemberExpression' && callee.type !== 'OptionalMemberExpression')) return undefined;
  if (callee.property.type !== 'Identifier' || callee.property.name !== 'has') return undefined;
  const obj = callee.object;
  const isFaults =
    (obj.type === 'Identifier' && (obj.name === 'faults' || obj.name === 'f')) ||
    ((obj.type === 'MemberExpression' || obj.type === 'OptionalMemberExpression') &&
      obj.property.type === 'Identifier' &&
      obj.property.name === 'faults');
  const arg = node.arguments[0];
  return isFaults && node.arguments.length === 1 && arg.type === 'StringLiteral' ? arg.value : undefined;
}

/** `this.quirks.flushIgnored`, `mem.quirks.eadrUnordered`: a pmem platform variant's name, else undefined. */
function quirkName(node) {
  if (!node || node.type !== 'MemberExpression' || node.property.type !== 'Identifier') return undefined;
  const obj = node.object;
  const isQuirks =
    (obj.type === 'Identifier' && obj.name === 'quirks') ||
    (obj.type === 'MemberExpression' && obj.property.type === 'Identifier' && obj.property.name === 'quirks');
  return isQuirks ? node.property.name : undefined;
}

const switchName = (node) => faultName(node) ?? quirkName(node);

/** +name when `node` is true exactly when a variant is on, -name when exactly when it is off, else undefined. */
function polarity(node) {
  const on = switchName(node);
  if (on) return { on: true, name: on };
  if (node?.type === 'UnaryExpression' && node.operator === '!') {
    const off = switchName(node.argument);
    if (off) return { on: false, name: off };
  }
  return undefined;
}

/** The variant whose being on (want = true) or off (want = false) `node` implies when it is true. */
function implies(node, want) {
  const p = polarity(node);
  if (p) return p.on === want ? p.name : undefined;
  if (node?.type === 'LogicalExpression' && node.operator === '&&') return implies(node.left, want) ?? implies(node.right, want);
  return undefined;
}

/**
 * The parts of a variant switch among `node`'s children, each with why it is ignored. Read when Stryker
 * enters `node`, while its subtree is still the source's: leaving a child, Stryker rewrites it into the
 * ternaries that switch its mutants on, after which `if (faults.has('x'))` no longer reads as a switch.
 * The switch's own test is not among them: it runs, so a mutant that turns the variant on must be
 * killed like any other, and one that keeps it off survives as equivalent (scripts/mutation-summary.ts
 * lists those apart).
 */
export function variantSwitchParts(node) {
  const parts = [];
  const why = (name, what) => `${SWITCH_PREFIX} ${name}: ${what}`;
  const guards = (name) => why(name, 'the code it guards, run only with the variant on');
  // the branch run only with the variant on (the else of `if (!faults.has('x'))` likewise): dead on the reference
  if (node.type === 'IfStatement' || node.type === 'ConditionalExpression') {
    const on = implies(node.test, true);
    if (on) parts.push([node.consequent, guards(on)]);
    const off = implies(node.test, false);
    if (off && node.alternate) parts.push([node.alternate, guards(off)]);
  }
  // `faults.has('x') && e`, `!faults.has('x') || e`: e is evaluated only with the variant on
  if (node.type === 'LogicalExpression') {
    const name = node.operator === '&&' ? implies(node.left, true) : node.operator === '||' ? implies(node.left, false) : undefined;
    if (name) parts.push([node.right, guards(name)]);
  }
  // equivalent by construction: the variant's name (has('') is false, as on the reference) and optional
  // chaining on the faults set (every caller passes one)
  const name = faultName(node);
  if (name) {
    parts.push([node.arguments[0], why(name, "the variant's name; has('') is false, as with the variant off")]);
    if (node.callee.type === 'OptionalMemberExpression') parts.push([node.callee, why(name, 'optional chaining on the faults set, which every caller passes')]);
  }
  return parts;
}

/** stryker/equivalent.json: { entries: [{ id, file, within, at, node, whole, mutants: [{ mutator, replacement }], reason }] } */
export function loadEquivalents(file = EQUIVALENT_FILE) {
  return JSON.parse(readFileSync(file, 'utf8')).entries;
}

export const equivalentReason = (e) => `${EQUIVALENT_PREFIX} [${e.id}]: ${e.reason}`;

/** Entries of one file, each with the offset of its node in `code` (undefined when the snippet does not match once). */
export function locate(entries, code) {
  return entries.map((e) => {
    const first = code.indexOf(e.within);
    const unique = first >= 0 && code.indexOf(e.within, first + 1) < 0;
    const start = unique ? first + e.at : undefined;
    return { entry: e, start: start !== undefined && code.startsWith(e.node, start) ? start : undefined };
  });
}

export class DaxIgnorer {
  // DAX_EQUIVALENTS=off (stryker/audit-equivalents.mjs): run the listed mutants too, to test the claims
  constructor(entries = process.env.DAX_EQUIVALENTS === 'off' ? [] : loadEquivalents()) {
    this.entries = entries;
    this.byFile = new Map();
    /** entry id -> number of nodes it ignored (the checker wants exactly 1) */
    this.hits = new Map();
    /** node -> why it is part of a variant switch, noted when Stryker entered its parent */
    this.switchParts = new WeakMap();
  }

  located(path) {
    const file = path.hub?.file;
    const name = file?.opts?.filename;
    if (!name) return [];
    const rel = relative(ROOT, name).split(sep).join('/');
    let list = this.byFile.get(rel);
    if (!list) {
      list = locate(this.entries.filter((e) => e.file === rel && e.whole), file.code);
      this.byFile.set(rel, list);
    }
    return list;
  }

  shouldIgnore(path) {
    for (const [child, reason] of variantSwitchParts(path.node)) this.switchParts.set(child, reason);
    const s = this.switchParts.get(path.node);
    if (s) return s;
    const { start, end } = path.node;
    if (start == null) return undefined;
    for (const { entry, start: at } of this.located(path)) {
      if (at === start && end - start === entry.node.length) {
        this.hits.set(entry.id, (this.hits.get(entry.id) ?? 0) + 1);
        return equivalentReason(entry);
      }
    }
    return undefined;
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.Ignore, 'dax-equivalents', DaxIgnorer)];
