// The suite's side of a server that declares `pmem-trace`: it pulls the trace as the scenario runs and
// replays it into the emulator's persistence model, asks where files live before the power failure,
// decides crash checks over every crash state itself, and names the state the machine comes back in.

import { CrashCheck, CrashExploration, CrashVerdict, MountOptions, PmemMode, TargetError } from '../contract';
import { decideCrashCheck, checkStateExists, normalize, TracedCrash } from './decide';
import { Extent, LineRange, LineRun, parseExtents, parseRecover, parseTraceChunk, RecoverAnswer } from './events';
import { TraceReplay } from './replay';

export type Send = (op: string, args: object) => Promise<unknown>;

/** ops after which the trace is pulled at once: they may store a lot (the rest wait for a few requests) */
const BULK = new Set(['mkfs', 'write', 'writeDevice', 'bio', 'cpuStore', 'store', 'fallocate', 'truncate']);
const PULL_EVERY = 8;
/** the crash image's share of one request line (the protocol's limit is 1 MiB) */
const STAGE_BYTES = 600 * 1024;
/** ops whose `path` names a file (or, under /dev, a block device) whose bytes a crash check may ask about */
const PATH_OPS = new Set(['create', 'write', 'truncate', 'fallocate', 'mmap', 'setxattr', 'fsync', 'statx', 'read']);

export class TracedSession implements TracedCrash {
  replay: TraceReplay;
  extents = new Map<string, Extent[]>();
  private mode: PmemMode = 'adr';
  private tearing = false;
  private readonly paths = new Set<string>();
  private sincePull = 0;
  private crashed = false;
  /** what the suite did with the trace, for the report and the benchmark */
  readonly stats = { events: 0, pulls: 0, recovers: 0 };

  constructor(
    private readonly send: Send,
    private readonly label: string,
    /** the platform the server's hello names: where every reset returns */
    private readonly profile: PmemMode = 'adr',
    /** at most this many states evaluated by `recover` per check (coverage says how far that reached) */
    private readonly recoverBudget?: number,
  ) {
    this.mode = profile;
    this.replay = new TraceReplay({ mode: profile }, `process "${label}"`);
  }

  private fresh(): void {
    this.replay = new TraceReplay({ mode: this.mode, tearing: this.tearing }, `process "${this.label}"`);
    this.extents = new Map();
    this.paths.clear();
    this.sincePull = 0;
    this.crashed = false;
  }

  /** every event the server holds, replayed in order */
  async pull(): Promise<void> {
    this.sincePull = 0;
    for (;;) {
      const chunk = parseTraceChunk(await this.send('trace', {}), this.label);
      this.stats.pulls++;
      this.stats.events += chunk.events.length;
      this.replay.apply(chunk.events);
      if (!chunk.more) return;
    }
  }

  /** after a request the server answered: follow the paths, pull the trace now and then */
  async after(op: string, args: Record<string, unknown>, result: unknown): Promise<void> {
    switch (op) {
      case 'reset':
        // a fresh machine is on the server's profile without tearing until configured, whatever the last scenario set
        this.mode = this.profile;
        this.tearing = false;
        this.fresh();
        break;
      case 'configure':
        this.mode = (args.pmemMode as PmemMode | undefined) ?? this.mode;
        this.tearing = (args.tearing as boolean | undefined) ?? this.tearing;
        this.fresh();
        break;
      case 'createPartitions':
        for (const name of result as string[]) this.paths.add(`/dev/${name}`);
        break;
      case 'rename': {
        const from = normalize(String(args.from));
        const to = normalize(String(args.to));
        for (const p of [...this.paths]) {
          if (p === from || p.startsWith(from + '/')) {
            this.paths.delete(p);
            this.paths.add(to + p.slice(from.length));
          }
        }
        this.paths.add(to);
        break;
      }
      case 'unlink':
        this.paths.delete(normalize(String(args.path)));
        break;
      default:
        if (PATH_OPS.has(op) && typeof args.path === 'string') this.paths.add(normalize(args.path));
    }
    if (BULK.has(op) || ++this.sincePull >= PULL_EVERY) await this.pull();
  }

  /** before the power is cut: the whole trace so far, and where each file lives */
  async beforePowerFail(): Promise<void> {
    await this.pull();
    this.extents = new Map();
    for (const p of [...this.paths].sort()) {
      try {
        this.extents.set(p, parseExtents(await this.send('extents', { path: p }), this.label, p));
      } catch (e) {
        // gone, a directory, never created: a check on it is decided state by state instead
        if (!(e instanceof TargetError)) throw e;
      }
    }
  }

  async afterPowerFail(): Promise<void> {
    await this.pull();
    this.crashed = true;
  }

  async recover(args: { lines: LineRun[]; check: CrashCheck; mounts: MountOptions[]; watch: LineRange[] }): Promise<RecoverAnswer> {
    this.stats.recovers++;
    const lines = await this.stage(args.lines);
    return parseRecover(await this.send('recover', { ...args, lines }), this.label);
  }

  /** an image too big for one request line goes ahead in `partial` recovers; the rest is returned */
  private async stage(lines: LineRun[]): Promise<LineRun[]> {
    let part: LineRun[] = [];
    let size = 0;
    for (const run of lines) {
      const n = 64 + (run.data?.length ?? 0);
      if (size + n > STAGE_BYTES && part.length > 0) {
        await this.send('recover', { lines: part, partial: true, check: { kind: 'all', checks: [] }, mounts: [] });
        part = [];
        size = 0;
      }
      part.push(run);
      size += n;
    }
    return part;
  }

  async checkCrash(args: { check: CrashCheck; mounts: MountOptions[] } & CrashExploration): Promise<CrashVerdict> {
    if (!this.crashed) throw new TargetError('EINVAL', 'crash states exist only after a power failure');
    return decideCrashCheck(this, args.check, args.mounts, { budget: args.budget ?? 4096, recoverBudget: this.recoverBudget, onlyState: args.state || undefined });
  }

  /** the machine comes back in the lower bound (or the state named): the suite sends its lines */
  async remount(args: { mounts: MountOptions[]; state?: string }): Promise<{ stateId: string }> {
    if (!this.crashed) return (await this.send('remount', args)) as { stateId: string };
    const id = args.state || 'lb';
    const choice = checkStateExists(this, id);
    const mem = this.replay.mem;
    const lines = new Map<number, Uint8Array>();
    for (const a of mem.pendingLines()) {
      const h = mem.history(a)!;
      const k = choice.get(a) ?? 0;
      if (k < h.length) lines.set(a, h.prefix(k));
    }
    await this.send('remount', { mounts: args.mounts, lines: await this.stage(this.replay.runs(lines)) });
    this.replay.restart((a) => choice.get(a) ?? 0);
    this.crashed = false;
    await this.pull();
    return { stateId: id };
  }
}
