// Parameter types: the words the features use for filesystems, devices, sizes and data. Each
// matches only its own values, so Cucumber's snippet for a new step names the right types.

import { defineParameterType } from '@cucumber/cucumber';
import { FS_TYPES, FsType } from '../../targets/contract';

const UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 };

export function parseSize(s: string): number {
  const m = /^(0x[0-9a-fA-F]+|\d+)\s*(B|KiB|MiB|GiB|TiB)?$/.exec(s.trim());
  if (!m) throw new Error(`"${s}" is not a size or offset; write e.g. 4096, 0x1000, 4 KiB or 2 MiB`);
  return Number(m[1]) * UNITS[m[2] ?? 'B'];
}

/** "abc" is its bytes; "ab" x 3 repeats them ("ababab"); an empty string is zero bytes */
export function parseData(s: string): Uint8Array {
  const m = /^"([^"]*)"(?:\s*x\s*(\d+))?$/.exec(s.trim());
  if (!m) throw new Error(`${s} is not data; write it as "text" or "text" x N`);
  // the text's bytes, repeated by doubling copies (no string of the whole length: fills run to megabytes)
  const unit = Buffer.from(m[1], 'utf8');
  const out = new Uint8Array(unit.length * Number(m[2] ?? 1));
  if (out.length === 0) return out;
  out.set(unit);
  for (let filled = unit.length; filled < out.length; filled *= 2) out.copyWithin(filled, 0, Math.min(filled, out.length - filled));
  return out;
}

defineParameterType({
  name: 'fs',
  regexp: new RegExp(FS_TYPES.join('|')),
  transformer: (s: string): FsType => s as FsType,
});

/** a pmem namespace (pmem0) or a partition of one (pmem0p1) */
defineParameterType({ name: 'dev', regexp: /pmem\d+(?:p\d+)?/, transformer: (s: string) => s });

defineParameterType({
  name: 'size',
  regexp: /0x[0-9a-fA-F]+|\d+(?: ?(?:B|KiB|MiB|GiB|TiB))?/,
  transformer: parseSize,
});

defineParameterType({ name: 'data', regexp: /"[^"]*"(?: x \d+)?/, transformer: parseData });

/** an absolute path: a file under the mount point, or /dev/<device> */
defineParameterType({ name: 'path', regexp: /\/[A-Za-z0-9_./-]*/, transformer: (s: string) => s });

defineParameterType({ name: 'mapsize', regexp: /PTE|PMD/, transformer: (s: string) => s.toLowerCase() as 'pte' | 'pmd' });
