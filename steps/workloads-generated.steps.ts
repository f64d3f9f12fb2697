// Property-based generated workloads: thin steps over steps/generate/. The seed and the number of
// workloads per scenario come from cucumber's world parameters (never the environment), e.g.
// --world-parameters '{"workloadRuns":5000,"workloadSeed":42}'; the seed is printed in the report.

import { Given, Then, When } from '@cucumber/cucumber';
import { AssertionError } from 'chai';
import { GeneratedResult, runGenerated } from './generate/run';
import { Slice, TargetKind } from './generate/workload';
import { DaxWorld } from './support/world';
import { WORKLOADS_STEP_TIMEOUT_MS } from './support/workload-timeout';

/** workloads per scenario and the base seed when the run names none: small, so CI stays fast */
export const DEFAULT_RUNS = 6;
export const DEFAULT_SEED = 13;

const KINDS: Record<string, TargetKind> = {
  'an ext2 filesystem': 'ext2',
  'an ext4 filesystem': 'ext4',
  'an xfs filesystem': 'xfs',
  'a raw pmem device': 'raw',
  'a pmem partition at an odd sector': 'partition',
};

interface Generated {
  kind: TargetKind;
  slice: Slice;
  result?: GeneratedResult;
}
const generated = new WeakMap<DaxWorld, Generated>();

/** a whole number from the world parameters, or the default; anything else is refused in one sentence */
function param(world: DaxWorld, name: string, dflt: number): number {
  const v = (world.parameters as Record<string, unknown>)[name];
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new Error(`world parameter ${name} must be a non-negative whole number, got ${JSON.stringify(v)}`);
  return v;
}

/** each scenario draws from its own seed: the base seed mixed with the row, so rows do not repeat each other */
function rowSeed(base: number, kind: TargetKind, slice: Slice): number {
  let h = base >>> 0;
  for (const c of `${kind}/${slice}`) h = (Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0) & 0x7fffffff;
  return h;
}

Given(/^randomly drawn workloads of (mapped|written|mixed) operations on (an ext2 filesystem|an ext4 filesystem|an xfs filesystem|a raw pmem device|a pmem partition at an odd sector)$/, function (this: DaxWorld, slice: Slice, on: string) {
  generated.set(this, { kind: KINDS[on], slice });
});

When('each runs on a fresh machine and power fails after its last operation', { timeout: WORKLOADS_STEP_TIMEOUT_MS }, async function (this: DaxWorld) {
  const g = generated.get(this)!;
  const runs = param(this, 'workloadRuns', DEFAULT_RUNS);
  const base = param(this, 'workloadSeed', DEFAULT_SEED);
  const seed = rowSeed(base, g.kind, g.slice);
  const caps = { mapSync: this.has('map-sync'), cacheModel: this.has('cache-model') };
  // one target for every workload, reset between them; the trace keeps only the running workload's calls
  g.result = await runGenerated(this.target, g.kind, g.slice, runs, seed, caps, () => {
    this.trace.length = 0;
  });
  const r = g.result;
  this.log(`${r.runs} ${g.slice} workloads on ${g.kind} from seed ${seed} (world parameter workloadSeed ${base}) in ${r.seconds.toFixed(1)} s; ${r.failure ? `one failed, shrunk in ${r.shrinks} steps` : 'none failed'}`);
});

Then('every promise of its persistence points holds in every crash state', function (this: DaxWorld) {
  const r = generated.get(this)!.result!;
  const f = r.failure;
  if (!f) return;
  if (f.verdict && f.check) this.verdicts.push({ check: f.check, verdict: f.verdict });
  this.attach(`# [${f.rule}] ${f.reason}\n${f.scenario}\n`, { mediaType: 'text/plain', fileName: 'smallest failing workload.feature.txt' });
  throw new AssertionError(
    `${f.rule}: a generated workload breaks this rule: ${f.reason}\n\nThe smallest such workload (seed ${r.seed}, ${r.shrinks ?? 0} shrinking steps), as a scenario:\n\n${f.scenario}`,
  );
});
