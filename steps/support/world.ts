// The World of one scenario: the target under test (fresh per scenario), what the scenario has set
// up (mounts, mappings), the trace of calls, and the crash verdicts it asked for.

import { IWorldOptions, setWorldConstructor, World } from '@cucumber/cucumber';
import { CrashCheck, CrashExploration, CrashVerdict, Hello, MountOptions, Target, TargetError } from '../../targets/contract';
import { TraceEntry } from './tracing';
import { InputError, withRules } from './verdict';

export interface VerdictRecord {
  check: CrashCheck;
  verdict: CrashVerdict;
}

/**
 * A user's rerun from the command line (DAX_CRASH_STATE=<id>, DAX_CRASH_BUDGET=<n>): read once here
 * and handed to the target with every crash check, never left for the target to find in the environment.
 */
export function crashExplorationFromEnv(env: NodeJS.ProcessEnv): CrashExploration {
  const out: CrashExploration = {};
  const budget = env.DAX_CRASH_BUDGET?.trim();
  if (budget) {
    if (!/^\d+$/.test(budget)) throw new InputError(`DAX_CRASH_BUDGET must be a whole number of crash states, not "${budget}"`);
    out.budget = Number(budget);
  }
  const state = env.DAX_CRASH_STATE?.trim();
  if (state) out.state = state;
  return out;
}

const commandLineCrash = crashExplorationFromEnv(process.env);

export class DaxWorld extends World {
  target!: Target;
  hello!: Hello;
  readonly trace: TraceEntry[] = [];
  currentStep = '';
  /** tags of the running scenario: rule ids for messages, capabilities for skipping */
  tags: string[] = [];
  /** filesystems mounted, in order: remount and crash checks bring them back */
  readonly mounts: MountOptions[] = [];
  /** named mappings: "/a" -> map id */
  readonly maps = new Map<string, number>();
  /** the last error an operation returned, for steps that expect one */
  lastError: TargetError | undefined;
  readonly verdicts: VerdictRecord[] = [];
  /** the default mount point features' paths are relative to */
  mountDir = '/mnt';
  powerFailed = false;
  /** the crash budget and the one state to rerun, passed with every checkCrash and remount */
  crash: CrashExploration = { ...commandLineCrash };
  /** namespaces this scenario created (the tracing wrapper records each successful createNamespace) */
  readonly namespaces = new Set<string>();

  constructor(options: IWorldOptions) {
    super(options);
  }

  get rules(): string[] {
    return this.tags.filter((t) => t.startsWith('@rule:')).map((t) => t.slice(6));
  }

  /** "WB-1: ..." so a failure names the rule it breaks first */
  ruleMessage(msg: string): string {
    return withRules(this.rules, msg);
  }

  /** a path in a feature is relative to the mounted filesystem; /dev/... names a device */
  path(p: string): string {
    if (p.startsWith('/dev/') || p.startsWith(this.mountDir + '/')) return p;
    // a path under another mount point the scenario named stays as it is
    if (this.mounts.some((m) => m.dir !== this.mountDir && (p === m.dir || p.startsWith(m.dir + '/')))) return p;
    return `${this.mountDir}${p === '/' ? '' : p}`;
  }

  /** the namespace a device lives on exists: create it (1 GiB) the first time a step needs it */
  async ensureNamespace(dev: string): Promise<void> {
    const ns = dev.replace(/^\/dev\//, '').replace(/p\d+$/, '');
    if (!this.namespaces.has(ns)) await this.target.createNamespace({ name: ns, size: 1024 ** 3 });
  }

  has(cap: string): boolean {
    return this.hello.capabilities.includes(cap as never);
  }
}

setWorldConstructor(DaxWorld);
