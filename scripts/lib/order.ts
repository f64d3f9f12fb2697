// The order feature files are handed to cucumber's --parallel workers: the longest first, so the run
// does not end with one worker busy on a long file while the other idles. Weights come from the
// previous run's message stream (per file, the sum of its scenarios' times); without one, the
// generated workloads (features/workloads/, about half of a run) go first. Verdicts do not depend on
// order (scenarios are independent; DAX_PROFILE=ci shuffles them to prove it).

import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { featureFiles } from './shard';
import { parseMessages } from './cucumber-run';

const ROOT = join(__dirname, '..', '..');

/** every feature file under features/, heaviest first (ties keep definition order) */
export function longestFirst(previousMessages?: string): string[] {
  const files = featureFiles(join(ROOT, 'features')).map((f) => relative(ROOT, f));
  const weight = new Map<string, number>();
  if (previousMessages && existsSync(previousMessages)) {
    try {
      for (const s of parseMessages(readFileSync(previousMessages, 'utf8'))) weight.set(s.uri, (weight.get(s.uri) ?? 0) + (s.ms ?? 0));
    } catch {
      weight.clear(); // a truncated stream from an interrupted run: fall back to the fixed order
    }
  }
  const w = (f: string) => weight.get(f) ?? (weight.size === 0 && f.startsWith('features/workloads/') ? 1 : 0);
  return files.map((f, i) => ({ f, i })).sort((a, b) => w(b.f) - w(a.f) || a.i - b.i).map((x) => x.f);
}
