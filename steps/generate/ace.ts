// Generated workloads in the manner of CrashMonkey's ACE: every sequence of up to three operations
// over a small fixed file set, each followed by a persistence point, run through the Target contract
// and checked in every crash state after the last persistence point. What a persistence point promises:
// after fsync/fdatasync/msync of a file, its content at that moment; after sync(2), everything (and a
// clean fsck). A promise lapses when a later operation touches the same name. Every prefix of a
// workload that ends in a persistence point is itself a workload, so every persistence point is checked.
// A failing workload is printed as a scenario in the suite's own step language.

import { CrashCheck, CrashVerdict, FsType, Target, TargetError } from '../../targets/contract';
import { hexFill } from '../../targets/hex';
import { Runs } from './runs';

// --- the workload space ---

type FileName = 'A' | 'B';
export type Op =
  | { kind: 'write'; file: FileName }
  | { kind: 'store'; file: FileName }
  | { kind: 'truncate'; file: FileName }
  | { kind: 'punch'; file: FileName }
  | { kind: 'create'; file: FileName }
  | { kind: 'mkdir' }
  | { kind: 'rename'; from: FileName; to: FileName };
export type Persist = 'fsync' | 'fdatasync' | 'msync' | 'sync' | 'none';
export interface Step {
  op: Op;
  persist: Persist;
}

const DATA_OFF = 4040; // straddles the first page boundary
const DATA_LEN = 100;
const TRUNC_SIZE = 2048;
const PUNCH = { off: 0, len: 4096 };
const INITIAL_SIZE = 8192;
const NS_SIZE = 64 * 1024 ** 2;

export const OPS: Op[] = [
  { kind: 'write', file: 'A' },
  { kind: 'write', file: 'B' },
  { kind: 'store', file: 'A' },
  { kind: 'truncate', file: 'A' },
  { kind: 'punch', file: 'A' },
  { kind: 'create', file: 'B' },
  { kind: 'mkdir' },
  { kind: 'rename', from: 'A', to: 'B' },
];

function fileOf(op: Op): FileName | undefined {
  return op.kind === 'mkdir' ? undefined : op.kind === 'rename' ? op.to : op.file;
}

/** persistence points after an op: file-level calls name the op's file; the last step of a workload is never `none` */
function persistsFor(op: Op, last: boolean): Persist[] {
  const f = fileOf(op);
  const all: Persist[] = f === undefined ? ['sync'] : op.kind === 'store' ? ['fsync', 'fdatasync', 'msync', 'sync'] : op.kind === 'create' || op.kind === 'rename' ? ['fsync', 'sync'] : ['fsync', 'fdatasync', 'sync'];
  // in the middle of a workload: none, fsync of the op's file, or sync(2)
  return last ? all : ['none', ...all.filter((p) => p === 'fsync' || p === 'sync')];
}

/** every valid workload of 1..maxLen steps; length 3 keeps its first two persistence points `none` (ACE's seq-3 bound) */
export function generateWorkloads(maxLen = 3): Step[][] {
  // the space depends on maxLen alone: enumerate it once per process (workloads are never modified)
  let out = workloadSpaces.get(maxLen);
  if (!out) workloadSpaces.set(maxLen, (out = enumerateWorkloads(maxLen)));
  return out.slice();
}

const workloadSpaces = new Map<number, Step[][]>();

function enumerateWorkloads(maxLen: number): Step[][] {
  const out: Step[][] = [];
  const extend = (prefix: Step[], len: number) => {
    if (prefix.length === len) {
      if (new Model().replay(prefix)) out.push(prefix);
      return;
    }
    const last = prefix.length === len - 1;
    for (const op of OPS) {
      const persists = len === 3 && !last ? (['none'] as Persist[]) : persistsFor(op, last);
      for (const persist of persists) {
        const w = [...prefix, { op, persist }];
        if (new Model().replay(w)) extend(w, len);
      }
    }
  };
  for (let len = 1; len <= maxLen; len++) extend([], len);
  return out;
}

// --- the model: file contents by owner, and the promises each persistence point makes ---

interface FileModel {
  /** owner of each byte: 0 is zero, i > 0 is step i's data; zero past the end */
  owner: Runs;
  size: number;
  mapped: boolean;
}

export interface Promise_ {
  /** the rule this promise comes from: what a failure of it breaks */
  rule: string;
  check: CrashCheck;
  /** the Then line a person could paste into a feature */
  then: string;
  /** names whose change lapses the promise ('*' for any namespace or data change) */
  touches: string[];
}

const TAGS = 'abcdefghijklmnopqrstuvwxyz';
/** two printable characters per step: its op's letter and its position */
function tag(i: number): string {
  return `${TAGS[i]}${i}`;
}

export class Model {
  files = new Map<FileName, FileModel>([['A', { owner: new Runs(0), size: INITIAL_SIZE, mapped: false }]]);
  dirs = new Set<string>();
  promises: Promise_[] = [];
  /** names whose directory entry is durable (present at the last sync and untouched since) */
  durableNames = new Set<string>(['A']);
  /** the kind of operation of each step, by its owner number: whose rule a byte's promise is under */
  private kinds: Op['kind'][] = [];
  /** files a punch or truncate zeroed: their zeros are promised under MS-5 */
  private zeroed = new Set<FileName>();

  /** apply a workload; false if some step is not valid here (the generator drops those) */
  replay(steps: Step[]): boolean {
    for (let i = 0; i < steps.length; i++) if (!this.apply(steps[i], i + 1)) return false;
    return true;
  }

  private touch(names: string[]): void {
    this.promises = this.promises.filter((p) => !p.touches.some((t) => t === '*' || names.includes(t)));
  }

  apply(s: Step, i: number): boolean {
    const op = s.op;
    this.kinds[i] = op.kind;
    if (op.kind === 'punch' || op.kind === 'truncate') this.zeroed.add(op.file);
    switch (op.kind) {
      case 'write':
      case 'store': {
        const f = this.files.get(op.file);
        if (!f) return false;
        if (op.kind === 'store') {
          if (f.size < DATA_OFF + DATA_LEN) return false; // beyond EOF: SIGBUS
          f.mapped = true;
        }
        f.size = Math.max(f.size, DATA_OFF + DATA_LEN);
        f.owner.set(DATA_OFF, DATA_OFF + DATA_LEN, i);
        this.touch([op.file]);
        break;
      }
      case 'truncate': {
        const f = this.files.get(op.file);
        if (!f || f.size <= TRUNC_SIZE || f.mapped) return false;
        f.owner.set(TRUNC_SIZE, Infinity, 0);
        f.size = TRUNC_SIZE;
        this.touch([op.file]);
        break;
      }
      case 'punch': {
        const f = this.files.get(op.file);
        if (!f) return false;
        f.owner.set(PUNCH.off, Math.min(f.size, PUNCH.off + PUNCH.len), 0);
        this.touch([op.file]);
        break;
      }
      case 'create':
        if (this.files.has(op.file)) return false;
        this.files.set(op.file, { owner: new Runs(0), size: 0, mapped: false });
        this.touch([op.file, '/']);
        this.durableNames.delete(op.file);
        break;
      case 'mkdir':
        if (this.dirs.has('D')) return false;
        this.dirs.add('D');
        this.touch(['D', '/']);
        this.durableNames.delete('D');
        break;
      case 'rename': {
        const f = this.files.get(op.from);
        if (!f || op.from === op.to) return false;
        this.files.delete(op.from);
        this.files.set(op.to, f);
        f.mapped = false; // the mapping stays with the old name in the steps; no further store through it
        this.touch([op.from, op.to, '/']);
        this.durableNames.delete(op.from);
        this.durableNames.delete(op.to);
        break;
      }
    }
    return this.persist(s);
  }

  private persist(s: Step): boolean {
    const f = fileOf(s.op);
    switch (s.persist) {
      case 'none':
        return true;
      case 'msync':
      case 'fsync':
      case 'fdatasync': {
        // msync of the whole mapping promises what fsync of the file does for its data
        if (!f || !this.files.has(f) || (s.persist === 'msync' && s.op.kind !== 'store')) return false;
        // data of a file whose name may not survive is not promised (ext2 does not sync the directory)
        if (this.durableNames.has(f)) this.promises.push(...this.contentPromises(f, false));
        return true;
      }
      case 'sync': {
        this.promises = [];
        for (const name of this.files.keys()) this.durableNames.add(name);
        for (const d of this.dirs) this.durableNames.add(d);
        for (const name of [...this.files.keys()].sort()) {
          this.promises.push({ rule: 'SY-3', check: { kind: 'exists', path: `/mnt/${name}` }, then: `Then in every crash state /${name} exists and is ${this.files.get(name)!.size} bytes long`, touches: [name] });
          this.promises.push(...this.contentPromises(name, true));
        }
        const names = [...this.files.keys(), ...this.dirs].sort();
        this.promises.push({ rule: 'SY-3', check: { kind: 'dir-lists', path: '/mnt', names }, then: `Then in every crash state / lists ${names.join(',')}`, touches: ['/'] });
        this.promises.push({ rule: 'SY-3', check: { kind: 'fsck-clean', dev: 'pmem0' }, then: 'Then in every crash state fsck reports pmem0 clean', touches: ['*'] });
        return true;
      }
    }
  }

  /** the file's bytes as runs of one owner each: "b2" x 50 at 4040, or N zero bytes */
  private contentPromises(name: FileName, bySync: boolean): Promise_[] {
    const f = this.files.get(name)!;
    const out: Promise_[] = [];
    for (const { start, end, v: o } of f.owner.get(0, f.size)) {
      const len = end - start;
      const data = o === 0 ? hexFill(0, len) : Buffer.from(tag(o).repeat(len / 2)).toString('hex');
      const then = o === 0 ? `Then in every crash state /${name} holds ${len} zero bytes at offset ${start}` : `Then in every crash state /${name} holds "${tag(o)}" x ${len / 2} at offset ${start}`;
      // zeros a punch or truncate left are MS-5's; data is write(2)'s (PM-5) or a store's (WB-1); sync(2) promises all (SY-1)
      const rule = o === 0 ? (this.zeroed.has(name) ? 'MS-5' : bySync ? 'SY-1' : 'WB-1') : bySync ? 'SY-1' : this.kinds[o] === 'write' ? 'PM-5' : 'WB-1';
      out.push({ rule, check: { kind: 'file-holds', path: `/mnt/${name}`, offset: start, data }, then, touches: [name] });
    }
    return out;
  }
}

// --- the steps a workload is, in the suite's own language ---

function opLine(op: Op, i: number): string {
  switch (op.kind) {
    case 'write':
      return `the application writes "${tag(i)}" x ${DATA_LEN / 2} to /${op.file} at offset ${DATA_OFF} with write(2)`;
    case 'store':
      return `the application stores "${tag(i)}" x ${DATA_LEN / 2} through the mapping of /${op.file} at offset ${DATA_OFF}`;
    case 'truncate':
      return `the application truncates /${op.file} to ${TRUNC_SIZE} bytes`;
    case 'punch':
      return `a hole is punched over ${PUNCH.len} bytes at offset ${PUNCH.off} of /${op.file}`;
    case 'create':
      return `a file /${op.file}`;
    case 'mkdir':
      return 'a directory /D';
    case 'rename':
      return `the application renames /${op.from} to /${op.to}`;
  }
}

function persistLine(s: Step): string | undefined {
  const f = fileOf(s.op);
  switch (s.persist) {
    case 'none':
      return undefined;
    case 'fsync':
      return `the application calls fsync on /${f}`;
    case 'fdatasync':
      return `the application calls fdatasync on /${f}`;
    case 'msync':
      return `the application calls msync(MS_SYNC) on ${INITIAL_SIZE} bytes at offset 0 of the mapping of /${f}`;
    case 'sync':
      return 'the application calls sync(2)';
  }
}

export function reproducer(fs: FsType, steps: Step[], failing?: Promise_): string {
  const lines = [
    `Scenario: generated workload on ${fs}: ${describeWorkload(steps)}`,
    `  Given a ${NS_SIZE / 1024 ** 2} MiB pmem namespace pmem0`,
    `  And an ${fs} filesystem mounted with dax on pmem0`,
    `  And a file /A with ${INITIAL_SIZE} allocated and synced`,
    '  And the application calls sync(2)',
  ];
  steps.forEach((s, k) => {
    lines.push(`  ${k === 0 ? 'When' : 'And'} ${opLine(s.op, k + 1)}`);
    const p = persistLine(s);
    if (p) lines.push(`  And ${p}`);
  });
  lines.push('  And power fails');
  if (failing?.then) lines.push(`  ${failing.then}`);
  return lines.join('\n');
}

export function describeWorkload(steps: Step[]): string {
  return steps
    .map((s) => {
      const o = s.op;
      const what = o.kind === 'mkdir' ? 'mkdir D' : o.kind === 'rename' ? `rename ${o.from}->${o.to}` : `${o.kind} ${o.file}`;
      return `${what}; ${s.persist}`;
    })
    .join(', ');
}

// --- running one workload through the contract ---

async function runWorkload(t: Target, fs: FsType, steps: Step[]): Promise<void> {
  const mnt = (f: string) => `/mnt/${f}`;
  const maps = new Map<string, number>();
  await t.createNamespace({ name: 'pmem0', size: NS_SIZE });
  await t.mkfs({ fs, dev: 'pmem0' });
  await t.mount({ fs, dev: 'pmem0', dir: '/mnt', dax: 'always' });
  await t.create({ path: mnt('A') });
  try {
    await t.fallocate({ path: mnt('A'), offset: 0, length: INITIAL_SIZE, mode: 'allocate' });
  } catch (e) {
    // ext2 has no fallocate: write the zeros, as posix_fallocate does
    if (!(e instanceof TargetError) || e.errno !== 'EOPNOTSUPP') throw e;
    await t.write({ path: mnt('A'), offset: 0, data: hexFill(0, INITIAL_SIZE) });
  }
  await t.fsync({ path: mnt('A') });
  await t.sync(); // on ext2 fsync leaves the directory entry unsynced
  for (let k = 0; k < steps.length; k++) {
    const { op, persist } = steps[k];
    const data = Buffer.from(tag(k + 1).repeat(DATA_LEN / 2)).toString('hex');
    switch (op.kind) {
      case 'write':
        await t.write({ path: mnt(op.file), offset: DATA_OFF, data });
        break;
      case 'store': {
        let map = maps.get(op.file);
        if (map === undefined) {
          const st = await t.statx({ path: mnt(op.file) });
          map = (await t.mmap({ path: mnt(op.file), offset: 0, length: Math.max(st.size, 4096), shared: true, size: 'pte' })).map;
          maps.set(op.file, map);
        }
        await t.store({ map, offset: DATA_OFF, data });
        break;
      }
      case 'truncate':
        await t.truncate({ path: mnt(op.file), size: TRUNC_SIZE });
        break;
      case 'punch':
        await t.fallocate({ path: mnt(op.file), offset: PUNCH.off, length: PUNCH.len, mode: 'punch-hole' });
        break;
      case 'create':
        await t.create({ path: mnt(op.file) });
        break;
      case 'mkdir':
        await t.mkdir({ path: mnt('D') });
        break;
      case 'rename':
        await t.rename({ from: mnt(op.from), to: mnt(op.to) });
        break;
    }
    const f = fileOf(op);
    switch (persist) {
      case 'fsync':
      case 'fdatasync':
        await t.fsync({ path: mnt(f!), datasync: persist === 'fdatasync' });
        break;
      case 'msync':
        await t.msync({ map: maps.get(f!)!, offset: 0, length: INITIAL_SIZE, sync: true });
        break;
      case 'sync':
        await t.sync();
        break;
      case 'none':
        break;
    }
  }
}

export interface AceResult {
  workloads: number;
  checks: number;
  states: number;
  coverage: Record<string, number>;
  failures: Array<{ steps: Step[]; rule: string; reason: string; reproducer: string; verdict?: CrashVerdict; check?: CrashCheck }>;
  seconds: number;
  /** workloads using an operation the filesystem lacks (EOPNOTSUPP), not run */
  notApplicable?: number;
}

/** every k-th of `all`, starting at the first, at most n: deterministic, so a run names the same workloads every time */
export function strideSample<T>(all: readonly T[], n: number): T[] {
  const k = Math.ceil(all.length / n);
  return all.filter((_, i) => i % k === 0).slice(0, n);
}

export async function runAce(t: Target, fs: FsType, workloads: Step[][], seed: number, onWorkload?: () => void): Promise<AceResult> {
  const t0 = Date.now();
  const res: AceResult = { workloads: 0, checks: 0, states: 0, coverage: {}, failures: [], seconds: 0 };
  for (const steps of workloads) {
    onWorkload?.();
    await t.reset({ seed });
    res.workloads++;
    const model = new Model();
    model.replay(steps);
    const mounts = [{ fs, dev: 'pmem0', dir: '/mnt', dax: 'always' as const }];
    try {
      await runWorkload(t, fs, steps);
    } catch (e) {
      // an operation the filesystem does not have (hole punch on ext2) makes the workload not apply
      if (e instanceof TargetError && e.errno === 'EOPNOTSUPP') {
        res.workloads--;
        res.notApplicable = (res.notApplicable ?? 0) + 1;
        continue;
      }
      const msg = e instanceof TargetError ? `${e.errno}: ${e.message}` : String(e);
      // an operation every correct implementation runs failed: the rule of that operation's kind
      const last = steps[steps.length - 1].op.kind;
      const rule = last === 'write' ? 'PM-5' : last === 'punch' || last === 'truncate' ? 'MS-5' : last === 'store' ? 'WB-1' : 'SY-3';
      res.failures.push({ steps, rule, reason: `the workload could not run: ${msg}`, reproducer: reproducer(fs, steps) });
      continue;
    }
    await t.powerFail();
    if (model.promises.length === 0) continue;
    const check: CrashCheck = model.promises.length === 1 ? model.promises[0].check : { kind: 'all', checks: model.promises.map((p) => p.check) };
    const v = await t.checkCrash({ check, mounts });
    res.checks++;
    res.states += v.states;
    res.coverage[v.coverage] = (res.coverage[v.coverage] ?? 0) + 1;
    if (!v.ok) {
      // name the first promise that breaks, for the reproducer's Then line
      let failing: Promise_ | undefined;
      for (const p of model.promises) {
        if (!(await t.checkCrash({ check: p.check, mounts })).ok) {
          failing = p;
          break;
        }
      }
      res.failures.push({ steps, rule: failing?.rule ?? model.promises[0].rule, reason: `crash state ${v.counterexample?.stateId ?? '?'}: ${v.counterexample?.reason ?? '?'} [${v.coverage}, ${v.states} states]`, reproducer: reproducer(fs, steps, failing), verdict: v, check });
    }
  }
  res.seconds = (Date.now() - t0) / 1000;
  return res;
}
