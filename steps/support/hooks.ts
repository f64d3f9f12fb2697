// One fresh target per scenario; scenarios whose @requires: capabilities the target lacks are
// skipped with the reason logged.

import { After, Before, BeforeStep, setDefaultTimeout, Status } from '@cucumber/cucumber';
import { createTarget, parseTargetSpec } from '../../targets/registry';
import type { Target } from '../../targets/contract';
import { DaxWorld } from './world';
import { tracing } from './tracing';

setDefaultTimeout(120_000);

const spec = (() => {
  try {
    return parseTargetSpec(process.env.DAX_TARGET);
  } catch (e) {
    // Bad input ends the run with one sentence and exit code 2, not a stack trace.
    console.error(`dax-conformance: ${(e as Error).message}`);
    process.exit(2);
  }
})();

/** DAX_RECORD_SWITCHES=1 (set by the matrix's reference run): each scenario's message stream gets the variant switches it read */
const recordSwitches = process.env.DAX_RECORD_SWITCHES === '1';
export const SWITCHES_MEDIA_TYPE = 'application/vnd.dax.switches-read+json';
/** the untraced target of the running scenario, for the recording */
let untraced: Target | undefined;

Before(async function (this: DaxWorld, { pickle }) {
  this.tags = pickle.tags.map((t) => t.name);
  untraced = undefined;
  const raw = await createTarget(spec);
  this.target = tracing(raw, this.trace, () => this.currentStep, (m) => this.ruleMessage(m), (op, args) => {
    if (op === 'createNamespace') this.namespaces.add(args.name);
  });
  this.hello = await raw.hello();
  const missing = this.tags
    .filter((t) => t.startsWith('@requires:'))
    .map((t) => t.slice('@requires:'.length))
    .filter((c) => !this.has(c));
  if (missing.length > 0) {
    this.log(`Skipped: needs ${missing.join(', ')}, which ${this.hello.name} does not declare (it declares: ${this.hello.capabilities.join(', ') || 'nothing'})`);
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
