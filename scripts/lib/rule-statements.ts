// Each rule's statement in words, from the features' `Rule: <id> <statement>` lines: the matrix
// page shows it beside the id. A rule stated under several Rule: lines keeps all of them, in file order.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function featureFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? featureFiles(p) : p.endsWith('.feature') ? [p] : [];
  });
}

/** rule id -> its statements (the first is the one shown; the others on hover) */
export function ruleStatements(featuresDir = join(ROOT, 'features')): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const f of featureFiles(featuresDir)) {
    for (const line of readFileSync(f, 'utf8').split('\n')) {
      const m = /^\s*Rule:\s*([A-Z]+-\d+)\s+(.+?)\s*$/.exec(line);
      if (!m) continue;
      const list = (out[m[1]] ??= []);
      if (!list.includes(m[2])) list.push(m[2]);
    }
  }
  return out;
}
