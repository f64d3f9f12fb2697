// The ACE-style generated workloads (steps/generate/ace.ts) as steps: choose a slice of the workload space,
// run it through the target, and fail with the first broken promise printed as a scenario.

import { Given, Then, When } from '@cucumber/cucumber';
import { AssertionError } from 'chai';
import { FsType } from '../targets/contract';
import { AceResult, describeWorkload, generateWorkloads, OPS, Op, runAce, Step, strideSample } from './generate/ace';
import { DaxWorld } from './support/world';
import { WORKLOADS_STEP_TIMEOUT_MS } from './support/workload-timeout';

// --- the steps ---

const generated = new WeakMap<DaxWorld, { fs: FsType; workloads: Step[][]; result?: AceResult }>();

Given('every generated workload of up to {int} operations on the files \\/A and \\/B of an {fs} filesystem', function (this: DaxWorld, n: number, fs: FsType) {
  generated.set(this, { fs, workloads: generateWorkloads(n) });
});

Given('every generated workload of 3 operations starting with a {word} on the files \\/A and \\/B of an {fs} filesystem', function (this: DaxWorld, first: string, fs: FsType) {
  const kinds = [...new Set(OPS.map((o) => o.kind))];
  if (!kinds.includes(first as Op['kind'])) throw new Error(`INPUT: no operation "${first}" in the generated workloads; they start with one of ${kinds.join(', ')}`);
  generated.set(this, { fs, workloads: generateWorkloads(3).filter((w) => w.length === 3 && w[0].op.kind === first) });
});

When('each workload runs on a fresh machine and power fails after its last persistence point', { timeout: WORKLOADS_STEP_TIMEOUT_MS }, async function (this: DaxWorld) {
  const g = generated.get(this)!;
  // one target for every workload, reset between them; the trace keeps only the running workload's calls
  // the machine's seed comes from the run's world parameters (workloadSeed), never the environment
  const seed = Number((this.parameters as { workloadSeed?: unknown }).workloadSeed ?? 0);
  if (!Number.isSafeInteger(seed)) throw new Error(`world parameter workloadSeed must be a whole number, got ${JSON.stringify((this.parameters as { workloadSeed?: unknown }).workloadSeed)}`);
  // aceSample n: every k-th workload, at most n of them, for a target where a workload costs seconds (a sample, said so)
  const sampleParam = (this.parameters as { aceSample?: unknown }).aceSample;
  const sample = sampleParam === undefined ? undefined : Number(sampleParam);
  if (sample !== undefined && !(Number.isSafeInteger(sample) && sample >= 1)) throw new Error(`INPUT: world parameter aceSample must be a whole number of workloads, at least 1, got ${JSON.stringify(sampleParam)}`);
  const chosen = sample === undefined || sample >= g.workloads.length ? g.workloads : strideSample(g.workloads, sample);
  g.result = await runAce(this.target, g.fs, chosen, seed, () => {
    this.trace.length = 0;
  });
  const r = g.result;
  if (chosen !== g.workloads) this.log(`aceSample ${sample}: ${chosen.length} of the ${g.workloads.length} workloads ran (every ${Math.ceil(g.workloads.length / sample!)}th): a sample, not every workload`);
  const cov = Object.entries(r.coverage).map(([k, n]) => `${n} ${k}${k.startsWith('bounded') ? ' (a bound, not a proof)' : ''}`).join(', ');
  const na = r.notApplicable ? `; ${r.notApplicable} not run: they use an operation ${g.fs} lacks (EOPNOTSUPP)` : '';
  const summary = `${r.workloads} workloads on ${g.fs}, ${r.checks} crash checks over ${r.states} crash states (${cov}) in ${r.seconds.toFixed(1)} s; ${r.failures.length} failed${na}`;
  this.log(`${summary}; seed ${seed}`);
});

Then('what every persistence point promised holds in every crash state', function (this: DaxWorld) {
  const r = generated.get(this)!.result!;
  // a selection in which no workload applies would check nothing
  if (r.workloads === 0) throw new Error(`INPUT: none of the ${r.notApplicable ?? 0} generated workloads selected applies to this filesystem; the scenario checks nothing`);
  if (r.failures.length === 0) return;
  const f = r.failures[0];
  if (f.verdict && f.check) this.verdicts.push({ check: f.check, verdict: f.verdict });
  const shown = r.failures.slice(0, 5).map((x) => `[${x.rule}] ${describeWorkload(x.steps)}\n  ${x.reason}`).join('\n');
  this.attach(r.failures.map((x) => `# [${x.rule}] ${x.reason}\n${x.reproducer}\n`).join('\n'), { mediaType: 'text/plain', fileName: 'failing workloads.feature.txt' });
  throw new AssertionError(
    // the rule of the promise that broke, not the feature's list of every rule a workload may touch
    `${f.rule}: ${r.failures.length} of ${r.workloads} generated workloads break a persistence point's promise; the first breaks ${f.rule}, as a scenario:\n\n${f.reproducer}\n\n(${f.reason})\n\nFirst failures:\n${shown}`,
  );
});

// --- step vocabulary the reproducers use that the suite did not have yet ---

When('the application truncates {path} to {size} bytes', async function (this: DaxWorld, path: string, size: number) {
  await this.target.truncate({ path: this.path(path), size });
});

When('the application renames {path} to {path}', async function (this: DaxWorld, from: string, to: string) {
  await this.target.rename({ from: this.path(from), to: this.path(to) });
});
