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

/** Why the node at `path` is part of a variant switch, or undefined. */
export function variantSwitchReason(path) {
  const node = path.node;
  const parent = path.parent;
  const why = (name, what) => `${SWITCH_PREFIX} ${name}: ${what}; off on the reference, npm run matrix shows the variant caught`;
  // a guard that holds only with the variant on (`faults.has('x') && more`): the whole condition
  if (node.type === 'LogicalExpression' && node.operator === '&&') {
    const name = implies(node, true);
    if (name) return why(name, 'the condition that turns it on');
  }
  const p = polarity(node);
  if (p) return why(p.name, 'the switch');
  if (!parent) return undefined;
  // the branch run only with the variant on (the else of `if (!faults.has('x'))` likewise)
  if ((parent.type === 'IfStatement' || parent.type === 'ConditionalExpression') && path.key !== 'test') {
    const name = implies(parent.test, path.key === 'consequent');
    if (name) return why(name, 'the code it guards');
  }
  // `faults.has('x') && e`, `!faults.has('x') || e`: e is evaluated only with the variant on
  if (parent.type === 'LogicalExpression' && path.key === 'right') {
    const name = parent.operator === '&&' ? implies(parent.left, true) : parent.operator === '||' ? implies(parent.left, false) : undefined;
    if (name) return why(name, 'the code it guards');
  }
  return undefined;
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
    const s = variantSwitchReason(path);
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
