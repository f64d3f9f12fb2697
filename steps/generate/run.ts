// Runs generated workloads through the Target contract and checks every standing promise in every
// crash state; fast-check draws them from a seed, and a failing one shrinks to the smallest workload
// that still breaks a promise, printed as a scenario in the suite's words.

import fc from 'fast-check';
import { CrashCheck, CrashVerdict, MountOptions, Target, TargetError } from '../../targets/contract';
import { hexFill } from '../../targets/hex';
import { GenCaps, workloadArb } from './arbitrary';
import { scenarioText } from './gherkin';
import { PromiseModel, Promise_ } from './promises';
import { devName, FileName, isFs, MiB, Op, PAGE, pathOf, Slice, TargetKind, tagOf, Workload } from './workload';

export interface Failure {
  /** the rule of the promise that broke (or of the operation that could not run) */
  rule: string;
  /** what broke, in one paragraph */
  reason: string;
  workload: Workload;
  scenario: string;
  check?: CrashCheck;
  verdict?: CrashVerdict;
}

function hexData(i: number, len: number): string {
  return tagOf(i).charCodeAt(0).toString(16).repeat(len);
}

/** the rule an operation that failed to run breaks: what that operation is specified by */
function ruleOfOp(op: Op, device: boolean): string {
  switch (op.op) {
    case 'write':
      return device ? 'PM-3' : 'PM-5';
    case 'map':
      return op.mode === 'sync' ? 'MS-1' : device ? 'BD-3' : 'WB-1';
    case 'store':
    case 'scatter':
    case 'msync':
    case 'fsync':
      return device ? 'BD-3' : 'WB-1';
    case 'truncate':
    case 'punch':
      return 'MS-5';
    case 'fallocate':
      return 'BD-1';
    case 'sync':
    case 'remount':
      return 'SY-1';
    case 'cpu':
      return 'PM-1';
  }
}

async function setUp(t: Target, w: Workload): Promise<MountOptions[]> {
  const s = w.setup;
  await t.createNamespace({ name: 'pmem0', size: s.nsSize });
  if (s.kind === 'partition') {
    await t.createPartitions!({ disk: 'pmem0', partitions: [{ start: s.startSector * 512, size: s.devSize }] });
    return [];
  }
  if (s.kind === 'raw') return [];
  if (s.stale) {
    // the bytes the step "the first N of /dev/pmem0 held stale bytes beforehand" writes
    for (let off = 0; off < s.nsSize; off += 1 << 20) await t.writeDevice({ dev: 'pmem0', offset: off, data: hexFill(0x5a, Math.min(1 << 20, s.nsSize - off)) });
  }
  const mount: MountOptions = { fs: s.kind as 'ext2', dev: 'pmem0', dir: '/mnt', dax: 'always' };
  await t.mkfs({ fs: mount.fs, dev: 'pmem0' });
  await t.mount(mount);
  for (const [name, size] of [['A', s.sizeA], ['B', s.sizeB]] as const) {
    const p = `/mnt/${name}`;
    await t.create({ path: p });
    if (name === 'A' && s.sparseA) await t.truncate({ path: p, size });
    else for (let off = 0; off < size; off += 1 << 20) await t.write({ path: p, offset: off, data: hexFill(0, Math.min(1 << 20, size - off)) });
    await t.sync();
  }
  return [mount];
}

/** the operations, as the steps their scenario lines name do them */
async function runOps(t: Target, w: Workload, mounts: MountOptions[]): Promise<void> {
  const s = w.setup;
  const maps = new Map<FileName, number>();
  const path = (f: FileName) => pathOf(s, f);
  for (let k = 0; k < w.ops.length; k++) {
    const op = w.ops[k];
    const i = k + 1;
    try {
      switch (op.op) {
        case 'write':
          await t.write({ path: path(op.file), offset: op.off, data: hexData(i, op.len) });
          break;
        case 'map': {
          const length = op.file === 'dev' ? 4 * MiB : Math.max((await t.statx({ path: path(op.file) })).size, PAGE);
          const shared = op.mode !== 'private';
          maps.set(op.file, (await t.mmap({ path: path(op.file), offset: 0, length, shared, sync: op.mode === 'sync', size: op.pmd ? 'pmd' : 'pte' })).map);
          break;
        }
        case 'store':
          await t.store({ map: maps.get(op.file)!, offset: op.off, data: hexData(i, op.len), persist: op.persist });
          break;
        case 'scatter':
          for (let c = 0; c < op.count; c++) await t.store({ map: maps.get(op.file)!, offset: (op.page + c * op.stride) * PAGE, data: hexData(i, op.len) });
          break;
        case 'truncate':
          await t.truncate({ path: path(op.file), size: op.size });
          break;
        case 'punch':
          await t.fallocate({ path: path(op.file), offset: op.off, length: op.len, mode: 'punch-hole' });
          break;
        case 'fallocate':
          await t.fallocate({ path: path(op.file), offset: op.off, length: op.len, mode: 'allocate' });
          break;
        case 'fsync':
          await t.fsync({ path: path(op.file), datasync: op.datasync });
          break;
        case 'msync':
          await t.msync({ map: maps.get(op.file)!, offset: op.off, length: op.len, sync: true });
          break;
        case 'sync':
          await t.sync();
          break;
        case 'remount':
          for (const f of op.unmap ?? []) await t.munmap({ map: maps.get(f)! });
          maps.clear();
          for (const m of mounts) await t.umount({ dir: m.dir });
          for (const m of mounts) await t.mount(m);
          break;
        case 'cpu':
          await t.cpuStore!({ dev: devName(s), offset: op.off, data: hexData(i, op.len), nt: false });
          await t.cpuFlush!({ dev: devName(s), offset: op.flushOff, length: op.flushLen, insn: op.insn });
          if (op.fence) await t.cpuFence!();
          break;
      }
    } catch (e) {
      throw Object.assign(e instanceof Error ? e : new Error(String(e)), { opIndex: k });
    }
  }
}

/** the first promise that fails alone, by halving the list (each half is one crash check) */
async function firstBroken(t: Target, ps: Promise_[], mounts: MountOptions[]): Promise<{ p: Promise_; v: CrashVerdict } | undefined> {
  const all = (xs: Promise_[]): CrashCheck => (xs.length === 1 ? xs[0].check : { kind: 'all', checks: xs.map((x) => x.check) });
  let lo = 0;
  let hi = ps.length;
  let v: CrashVerdict | undefined;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    const left = await t.checkCrash({ check: all(ps.slice(lo, mid)), mounts });
    if (!left.ok) {
      hi = mid;
      v = left;
    } else lo = mid;
  }
  const last = await t.checkCrash({ check: ps[lo].check, mounts });
  if (last.ok) return undefined;
  v = last;
  return { p: ps[lo], v };
}

/** seconds spent in each phase, for the run's summary */
export const phaseSeconds = { setup: 0, ops: 0, checks: 0 };

/** run one workload on a fresh machine; undefined when every promise holds */
export async function runOne(t: Target, w: Workload, seed: number, title: string): Promise<Failure | undefined> {
  const model = PromiseModel.of(w);
  const kept: Workload = { setup: w.setup, ops: model.ops };
  if (kept.ops.length === 0) return undefined;
  let t0 = Date.now();
  await t.reset({ seed });
  const device = !isFs(w.setup.kind);
  let mounts: MountOptions[];
  try {
    mounts = await setUp(t, kept);
  } catch (e) {
    // the set-up ends in sync(2): an implementation that cannot do it breaks SY-1 before any operation
    const what = e instanceof TargetError ? `${e.errno}: ${e.message}` : String((e as Error).message ?? e);
    return { rule: 'SY-1', reason: `the set-up failed where every correct implementation succeeds: ${what}`, workload: kept, scenario: scenarioText({ ...kept, ops: [] }, title, 'Then the call succeeds') };
  }
  phaseSeconds.setup += (Date.now() - t0) / 1000;
  t0 = Date.now();
  try {
    await runOps(t, kept, mounts);
    phaseSeconds.ops += (Date.now() - t0) / 1000;
  } catch (e) {
    const k = (e as { opIndex?: number }).opIndex ?? 0;
    const op = kept.ops[k];
    const what = e instanceof TargetError ? `${e.errno}: ${e.message}` : String((e as Error).message ?? e);
    const rule = ruleOfOp(op, device);
    return { rule, reason: `operation ${k + 1} (${op.op}) failed where every correct implementation succeeds: ${what}`, workload: kept, scenario: scenarioText({ ...kept, ops: kept.ops.slice(0, k + 1) }, title, `Then the call succeeds`) };
  }
  await t.powerFail();
  const ps = model.promises();
  if (ps.length === 0) return undefined;
  const check: CrashCheck = { kind: 'all', checks: ps.map((p) => p.check) };
  t0 = Date.now();
  const v = await t.checkCrash({ check, mounts });
  phaseSeconds.checks += (Date.now() - t0) / 1000;
  if (v.ok) return undefined;
  const broken = (await firstBroken(t, ps, mounts)) ?? { p: ps[0], v };
  const cx = broken.v.counterexample;
  return {
    rule: broken.p.rule,
    reason: `after ${broken.p.by}, ${broken.p.then.replace(/^Then /, '')}; crash state ${cx?.stateId ?? '?'} breaks it: ${cx?.reason ?? '?'}`,
    workload: kept,
    scenario: scenarioText(kept, title, broken.p.then),
    check: broken.p.check,
    verdict: broken.v,
  };
}

export interface GeneratedResult {
  runs: number;
  seed: number;
  seconds: number;
  failure?: Failure;
  /** how many shrinking steps fast-check took to reach the failure shown */
  shrinks?: number;
}

/** draw `runs` workloads of one kind and slice from `seed`; the first failure shrinks to the smallest */
export async function runGenerated(t: Target, kind: TargetKind, slice: Slice, runs: number, seed: number, caps: GenCaps, onRun?: () => void, shrink = true): Promise<GeneratedResult> {
  const t0 = Date.now();
  const title = `generated ${slice} workload on ${kind} (seed ${seed})`;
  let last: Failure | undefined;
  const prop = fc.asyncProperty(workloadArb(kind, slice, caps), async (w) => {
    onRun?.();
    last = await runOne(t, w, seed, title);
    return last === undefined;
  });
  const details = await fc.check(prop, { seed, numRuns: runs, endOnFailure: !shrink, markInterruptAsFailure: false });
  const res: GeneratedResult = { runs: details.numRuns, seed, seconds: 0 };
  if (details.failed) {
    if (details.counterexample) {
      // run the smallest case again: its failure is the one to show
      last = await runOne(t, details.counterexample[0], seed, title);
    }
    res.failure = last;
    res.shrinks = details.numShrinks;
    if (!res.failure && details.errorInstance) {
      res.failure = { rule: 'WB-1', reason: `the workload could not run: ${String(details.errorInstance)}`, workload: details.counterexample![0], scenario: '' };
    }
  }
  res.seconds = (Date.now() - t0) / 1000;
  return res;
}
