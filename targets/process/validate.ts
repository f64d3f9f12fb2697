// Checks a value against the protocol's schema (targets/process/protocol-schema.ts): the subset of
// JSON Schema the protocol uses. The answer is the first problem as one phrase naming the argument
// ("argument \"path\" is missing"), or undefined when the value fits.

import { PROTOCOL_SCHEMA, Schema } from './protocol-schema';
import { isHex } from '../hex';

const DEFS = PROTOCOL_SCHEMA.$defs as Record<string, Schema>;

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

function fitsType(v: unknown, t: string): boolean {
  const actual = typeOf(v);
  return actual === t || (t === 'number' && actual === 'integer');
}

const HEX_PATTERN = '^([0-9a-f]{2})*$';
const compiled = new Map<string, RegExp>();

/** whether `v` matches a schema pattern; hex, the common one, by isHex (the same language, a fifth of a server's time less) */
function matches(pattern: string, v: string): boolean {
  if (pattern === HEX_PATTERN) return isHex(v);
  let re = compiled.get(pattern);
  if (!re) compiled.set(pattern, (re = new RegExp(pattern)));
  return re.test(v);
}

/** the first problem with `v` at `where` ("argument \"offset\""), or undefined */
export function check(schema: Schema, v: unknown, where: string): string | undefined {
  if (typeof schema.$ref === 'string') return check(DEFS[schema.$ref.replace('#/$defs/', '')], v, where);
  if (Array.isArray(schema.oneOf)) return checkOneOf(schema.oneOf as Schema[], v, where);
  if ('const' in schema && v !== schema.const) return `${where} must be ${show(schema.const)}, not ${show(v)}`;
  const types = schema.type === undefined ? [] : ([] as string[]).concat(schema.type as string | string[]);
  if (types.length && !types.some((t) => fitsType(v, t))) return `${where} must be ${types.map((t) => (t === 'integer' ? 'an integer' : `a${/^[aeiou]/.test(t) ? 'n' : ''} ${t}`)).join(' or ')}, not ${show(v)}`;
  if (Array.isArray(schema.enum) && !schema.enum.includes(v)) return `${where} must be one of ${schema.enum.map((e) => show(e)).join(', ')}, not ${show(v)}`;
  if (typeof v === 'number') {
    if (typeof schema.minimum === 'number' && v < schema.minimum) return `${where} must be at least ${schema.minimum}, not ${v}`;
    if (typeof schema.maximum === 'number' && v > schema.maximum) return `${where} must be at most ${schema.maximum}, not ${v}`;
  }
  if (typeof v === 'string') {
    if (typeof schema.minLength === 'number' && v.length < schema.minLength) return `${where} must not be empty`;
    if (typeof schema.pattern === 'string' && !matches(schema.pattern, v)) {
      return schema.pattern === HEX_PATTERN
        ? `${where} must be lowercase hex, two characters a byte, not ${show(v)}`
        : `${where} must match ${schema.pattern}, not ${show(v)}`;
    }
  }
  if (Array.isArray(v) && schema.items) {
    for (let i = 0; i < v.length; i++) {
      const p = check(schema.items as Schema, v[i], `${where}[${i}]`);
      if (p) return p;
    }
  }
  if (typeOf(v) === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of (schema.required as string[] | undefined) ?? []) {
      if (o[k] === undefined) return `${where === 'args' ? 'argument' : `${where} field`} "${k}" is missing`;
    }
    for (const [k, s] of Object.entries((schema.properties as Record<string, Schema> | undefined) ?? {})) {
      if (o[k] === undefined) continue;
      const p = check(s, o[k], where === 'args' ? `argument "${k}"` : `${where}.${k}`);
      if (p) return p;
    }
  }
  return undefined;
}

/** a tagged union: the branch whose `kind` constant matches decides */
function checkOneOf(branches: Schema[], v: unknown, where: string): string | undefined {
  const kinds = branches.map((b) => (b.properties as Record<string, Schema> | undefined)?.kind?.const as unknown);
  if (kinds.every((k) => typeof k === 'string')) {
    const kind = typeOf(v) === 'object' ? (v as Record<string, unknown>).kind : undefined;
    const i = kinds.indexOf(kind as string);
    if (i < 0) return `${where} must have a kind of ${kinds.join(', ')}, not ${show(kind)}`;
    return check(branches[i], v, where);
  }
  const problems = branches.map((b) => check(b, v, where));
  return problems.some((p) => p === undefined) ? undefined : problems[0];
}

/** the first problem with a request's args for `op`, or undefined (ops the schema lacks are not checked) */
export function checkArgs(op: string, args: unknown): string | undefined {
  const ops = { ...(PROTOCOL_SCHEMA.ops as Record<string, Schema>), ...(PROTOCOL_SCHEMA.extensionOps as Record<string, Schema>) };
  const entry = ops[op];
  return entry ? check(entry.args as Schema, args, 'args') : undefined;
}

/** the first problem with a result of `op`, or undefined */
export function checkResult(op: string, result: unknown): string | undefined {
  const entry = (PROTOCOL_SCHEMA.ops as Record<string, Schema>)[op];
  return entry ? check(entry.result as Schema, result, 'result') : undefined;
}
