// One fresh target per scenario; scenarios whose @requires: capabilities the target lacks, or whose
// rule another kernel than the target's holds (@since/@until) or another platform (@profile), are skipped with the reason logged. Once the target could not start (no hello), the rest are skipped.

import { After, AfterAll, Before, BeforeAll, BeforeStep, setDefaultTimeout, Status } from '@cucumber/cucumber';
import { ImplementationError, Target } from '../../targets/contract';
import { closeIdleTargets, createTarget, parseTargetSpec, TargetSpec, targetNotReady } from '../../targets/registry';
import { DaxWorld } from './world';
import { notForKernel } from './kernel-range';
import { notForProfile } from './profile';
import { missingCapabilities } from './skip-reason';
import { tracing } from './tracing';
import { failFast } from './blame';
import { INPUT, UndrivableError } from './verdict';

setDefaultTimeout(120_000);

const spec = (() => {
  try {
    const s = parseTargetSpec(process.env.DAX_TARGET);
    const notReady = targetNotReady(s);
    if (notReady) throw new Error(notReady);
    return s;
  } catch (e) {
    // Bad input ends the run with one sentence and exit code 2, not a stack trace.
    console.error(`${INPUT} ${(e as Error).message}`);
    process.exit(2);
  }
})();

/** a harness running many runs in one process (the matrix's workers) names each run's target in its world parameters */
const named = new Map<string, TargetSpec>();
function specOf(parameters: unknown): TargetSpec {
  const target = (parameters as { target?: unknown } | undefined)?.target;
  if (typeof target !== 'string') return spec;
  let s = named.get(target);
  if (!s) {
    s = parseTargetSpec(target);
    const notReady = targetNotReady(s);
    if (notReady) throw new Error(`${INPUT} ${notReady}`);
    named.set(target, s);
  }
  return s;
}

// a run in a process that ran others before starts without their start-up failure
BeforeAll(function () {
  failFast.cause = undefined;
  failFast.where = undefined;
});

/** DAX_RECORD_SWITCHES=1 (set by the matrix's reference run): each scenario's message stream gets the variant switches it read */
const recordSwitches = process.env.DAX_RECORD_SWITCHES === '1';
export const SWITCHES_MEDIA_TYPE = 'application/vnd.dax.switches-read+json';
/** the untraced target of the running scenario, for the recording */
let untraced: Target | undefined;

Before(async function (this: DaxWorld, { pickle }) {
  this.tags = pickle.tags.map((t) => t.name);
  untraced = undefined;
  if (failFast.cause) {
    this.log(`Not run: ${failFast.cause} (in ${failFast.where})`);
    return Status.SKIPPED.toLowerCase() as 'skipped';
  }
  let raw: Target | undefined;
  try {
    raw = await createTarget(specOf(this.parameters));
    this.hello = await raw.hello();
  } catch (e) {
    await raw?.close().catch(() => undefined);
    if (!(e instanceof ImplementationError)) throw e;
    // it never started: every other scenario would wait for the same thing
    failFast.cause = `IMPLEMENTATION: ${e.message}`;
    failFast.where = `${pickle.uri}:${pickle.location?.line ?? ''}`.replace(/:$/, '');
    throw new UndrivableError(failFast.cause, true);
  }
  this.target = tracing(raw, this.trace, () => this.currentStep, (m) => this.ruleMessage(m), (op, args) => {
    if (op === 'createNamespace') this.namespaces.add(args.name);
  }, () => this.hello.capabilities);
  const missing = this.tags
    .filter((t) => t.startsWith('@requires:'))
    .map((t) => t.slice('@requires:'.length))
    .filter((c) => !this.has(c));
  // a missing capability, or a rule of another kernel than the target's: skipped before the reset (on Linux, a boot)
  const why = missing.length > 0
    ? missingCapabilities(missing, this.hello)
    : (this.hello.kernel ? notForKernel(this.tags, this.hello.kernel) : undefined) ?? notForProfile(this.tags, this.hello.profile ?? 'adr');
  if (why) {
    this.log(`Skipped: ${why}`);
    await raw.close();
    return Status.SKIPPED.toLowerCase() as 'skipped';
  }
  await this.target.reset({ seed: Number(process.env.DAX_SEED ?? 0) });
  untraced = raw;
  return undefined;
});

BeforeStep(function (this: DaxWorld, { pickleStep }) {
  this.currentStep = pickleStep.text;
});

After(async function (this: DaxWorld) {
  if (recordSwitches && untraced) {
    // a target without the op (or one that died) records nothing: the matrix then runs every variant on this scenario
    const r = await untraced.switchesRead?.().catch(() => undefined);
    if (r) this.attach(JSON.stringify(r.switches), SWITCHES_MEDIA_TYPE);
  }
  untraced = undefined;
  await this.target?.close().catch(() => undefined);
});

AfterAll(async function () {
  await closeIdleTargets();
});
