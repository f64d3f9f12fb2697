// The `process` target: any executable speaking the JSON-lines protocol of docs/protocol.md on
// stdin/stdout. One fresh process per scenario: started by the first call (hello), killed by close().
// A process that dies, hangs, or speaks nonsense fails the scenario with one ImplementationError
// sentence; an error answer becomes a TargetError.

import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import {
  ALL_CAPABILITIES, BioFlag, CrashCheck, CrashExploration, CrashVerdict, DriverPath, FsckResult, FsType, Hello, Hex, ImplementationError, MappingInfo,
  MapKind, MountOptions, PMEM_MODES, PmemMode, ScheduledTask, Stat, Target, TargetError, WritebackEvent,
} from '../contract';
import { TRACE_CAPABILITY } from '../traced/events';
import { joinVerdicts, splitCheck } from './split-check';
import { TracedSession } from '../traced/session';
import { isHex } from '../hex';

export const PROTOCOL_VERSION = 1;
/** the longest line either side may send, newline excluded */
export const MAX_LINE = 1 << 20;
export const DEFAULT_TIMEOUT_MS = 30_000;
/** bytes moved by one request: larger writes, stores and reads go as consecutive requests, so no line nears 1 MiB */
export const CHUNK = 32 * 1024;

export interface ProcessTargetOptions {
  /** per-request time-out; default DAX_PROCESS_TIMEOUT_MS or 30 s */
  timeoutMs?: number;
  /** from start to the hello line; default the per-request time-out */
  helloTimeoutMs?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** traced servers: at most this many crash states evaluated by `recover` per check (each costs the server seconds) */
  recoverBudget?: number;
}

/** a request awaiting its answer (linux/qemu.ts keeps the same books for the guest agent) */
export interface Pending {
  id: number;
  op: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

const MAX_ARGS_SHOWN = 120;

function excerpt(s: string, n = MAX_ARGS_SHOWN): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n)}… (${s.length} characters)` : one;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** a light check of result shapes, so a wrong answer fails with a sentence instead of deep in a step */
const RESULT_SHAPES: Record<string, (r: unknown) => boolean> = {
  readDevice: (r) => typeof r === 'string' && isHex(r),
  read: (r) => typeof r === 'string' && isHex(r),
  load: (r) => typeof r === 'string' && isHex(r),
  readdir: (r) => Array.isArray(r) && r.every((x) => typeof x === 'string'),
  createPartitions: (r) => Array.isArray(r) && r.every((x) => typeof x === 'string'),
  mmap: (r) => isObject(r) && typeof r.map === 'number',
  statx: (r) => isObject(r) && typeof r.size === 'number' && typeof r.blocks === 'number' && typeof r.isDir === 'boolean' && typeof r.attrDax === 'boolean',
  fsck: (r) => isObject(r) && typeof r.clean === 'boolean' && Array.isArray(r.messages),
  checkCrash: (r) => isObject(r) && typeof r.ok === 'boolean' && typeof r.coverage === 'string' && typeof r.states === 'number',
  remount: (r) => isObject(r) && typeof r.stateId === 'string',
  mappingInfo: (r) => isObject(r) && Array.isArray(r.entries),
  writebackLog: (r) => isObject(r) && Array.isArray(r.events) && typeof r.next === 'number',
  switchesRead: (r) => isObject(r) && Array.isArray(r.switches) && r.switches.every((x) => typeof x === 'string'),
  begin: (r) => isObject(r) && typeof r.task === 'string' && typeof r.at === 'string',
  resume: (r) => isObject(r) && typeof r.task === 'string' && typeof r.at === 'string',
};

export class ProcessTarget implements Target {
  private child: ChildProcessWithoutNullStreams | undefined;
  private helloPromise: Promise<Hello> | undefined;
  private helloWaiter: { resolve: (h: Hello) => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | undefined;
  private readonly pending: Pending[] = [];
  private inFlight = 0; // contract calls not yet answered (with a traced server's trace)
  private nextId = 1;
  private lastOp: string | undefined;
  /** once set, every call fails with it: the scenario is over */
  private failure: ImplementationError | undefined;
  private closing = false;
  private exited: Promise<void> | undefined;
  private readonly decoder = new StringDecoder('utf8');
  private stdoutBuf = '';
  private stdoutBufBytes = 0;
  private discarding = false;
  private stderrTail = '';
  private readonly timeoutMs: number;
  private readonly helloTimeoutMs: number;
  private readonly label: string;
  /** set when the hello declares pmem-trace: the suite then decides crash checks from the trace */
  private session: TracedSession | undefined;

  constructor(
    private readonly command: string[],
    private readonly options: ProcessTargetOptions = {},
  ) {
    if (command.length === 0) throw new ImplementationError('the process target needs a command');
    const env = Number(process.env.DAX_PROCESS_TIMEOUT_MS);
    this.timeoutMs = options.timeoutMs ?? (Number.isFinite(env) && env > 0 ? env : DEFAULT_TIMEOUT_MS);
    this.helloTimeoutMs = options.helloTimeoutMs ?? this.timeoutMs;
    this.label = excerpt(command.join(' '), 100);
  }

  // ------------------------------------------------------------------ the process

  hello(): Promise<Hello> {
    this.helloPromise ??= this.start();
    return this.helloPromise;
  }

  private start(): Promise<Hello> {
    return new Promise<Hello>((resolve, reject) => {
      const timer = setTimeout(
        () => this.fail(`process "${this.label}" sent no hello line within ${this.helloTimeoutMs} ms of starting`),
        this.helloTimeoutMs,
      );
      this.helloWaiter = { resolve, reject, timer };
      let child: ChildProcessWithoutNullStreams;
      try {
        child = spawn(this.command[0], this.command.slice(1), {
          cwd: this.options.cwd,
          env: this.options.env ?? process.env,
          stdio: ['pipe', 'pipe', 'pipe'],
          shell: false,
        });
      } catch (e) {
        this.fail(`process "${this.label}" could not be started: ${(e as Error).message}`);
        return;
      }
      this.child = child;
      this.exited = new Promise<void>((done) => {
        child.once('close', () => done());
        child.once('error', () => {
          if (child.pid === undefined) done(); // never started: no 'close' to wait for
        });
      });
      child.on('error', (e) => this.fail(`process "${this.label}" could not be started: ${e.message}`));
      child.stdin.on('error', () => undefined); // a dead reader shows up as 'exit' with a better sentence
      child.stdout.on('data', (d: Buffer) => this.onStdout(d));
      child.stderr.on('data', (d: Buffer) => {
        this.stderrTail = (this.stderrTail + d.toString('utf8')).slice(-4096);
      });
      child.once('exit', (code, signal) => {
        // let the last stdout/stderr bytes arrive first: 'close' follows once the pipes are drained
        child.once('close', () => this.onExit(code, signal));
      });
    });
  }

  private lastStderrLine(): string {
    const lines = this.stderrTail.split('\n').map((l) => l.trim()).filter(Boolean);
    return lines.length ? `; its last stderr line: ${excerpt(lines[lines.length - 1], 200)}` : '';
  }

  private during(): string {
    if (this.pending.length) return `during "${this.pending[0].op}"`;
    if (this.helloWaiter) return 'before its hello line';
    return this.lastOp ? `between requests (after "${this.lastOp}")` : 'after its hello line';
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.closing && this.pending.length === 0) return;
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    this.fail(`process "${this.label}" ${how} ${this.during()}${this.lastStderrLine()}`);
  }

  /** the scenario is over: reject everything waiting, kill the process */
  private fail(sentence: string): void {
    if (this.failure) return;
    this.failure = new ImplementationError(sentence);
    if (this.helloWaiter) {
      clearTimeout(this.helloWaiter.timer);
      this.helloWaiter.reject(this.failure);
      this.helloWaiter = undefined;
    }
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(this.failure);
    }
    this.kill();
  }

  private kill(): void {
    const c = this.child;
    if (c && c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }

  private onStdout(d: Buffer): void {
    if (this.failure) return;
    let s = this.decoder.write(d);
    for (;;) {
      const nl = s.indexOf('\n');
      const part = nl < 0 ? s : s.slice(0, nl);
      if (!this.discarding) {
        this.stdoutBuf += part;
        this.stdoutBufBytes += Buffer.byteLength(part);
      }
      if (this.stdoutBufBytes > MAX_LINE) {
        this.fail(`process "${this.label}" sent a line longer than 1 MiB (${MAX_LINE} bytes) ${this.during()}`);
        return;
      }
      if (nl < 0) return;
      const line = this.stdoutBuf.replace(/\r$/, '');
      this.stdoutBuf = '';
      this.stdoutBufBytes = 0;
      s = s.slice(nl + 1);
      if (line.trim()) this.onLine(line);
      if (this.failure) return;
    }
  }

  private onLine(line: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      this.fail(`process "${this.label}" sent a line that is not JSON ${this.during()}: ${excerpt(line)}`);
      return;
    }
    if (this.helloWaiter) {
      this.onHello(msg, line);
      return;
    }
    const head = this.pending[0];
    if (!head) {
      this.fail(`process "${this.label}" sent a line when no request was outstanding (${this.during()}): ${excerpt(line)}`);
      return;
    }
    if (!isObject(msg) || !('id' in msg)) {
      this.fail(`process "${this.label}" answered "${head.op}" with a line that has no id: ${excerpt(line)}`);
      return;
    }
    if (msg.id !== head.id) {
      const other = this.pending.find((p) => p.id === msg.id);
      const what = other ? `request ${other.id} ("${other.op}") out of order` : `id ${JSON.stringify(msg.id)}, which no outstanding request has,`;
      this.fail(`process "${this.label}" answered ${what} while request ${head.id} ("${head.op}") was due: ${excerpt(line)}`);
      return;
    }
    if (msg.ok === true) {
      const result = msg.result === undefined ? null : msg.result;
      const shape = RESULT_SHAPES[head.op];
      if (shape && !shape(result)) {
        this.fail(`process "${this.label}" answered "${head.op}" with a result of the wrong shape: ${excerpt(JSON.stringify(result))}`);
        return;
      }
      this.settle(head).resolve(result);
    } else if (msg.ok === false && typeof msg.errno === 'string' && msg.errno) {
      const message = typeof msg.message === 'string' && msg.message ? msg.message : `${head.op} failed with ${msg.errno}`;
      this.settle(head).reject(new TargetError(msg.errno, message));
    } else {
      this.fail(`process "${this.label}" answered "${head.op}" with neither "ok":true nor "ok":false and an errno name: ${excerpt(line)}`);
    }
  }

  private settle(p: Pending): Pending {
    this.pending.shift();
    clearTimeout(p.timer);
    return p;
  }

  private onHello(msg: unknown, line: string): void {
    const h = isObject(msg) ? msg.hello : undefined;
    if (!isObject(h)) {
      this.fail(`process "${this.label}" spoke before its hello line: its first line was ${excerpt(line)}`);
      return;
    }
    if (h.protocol !== PROTOCOL_VERSION) {
      this.fail(`process "${this.label}" speaks protocol ${JSON.stringify(h.protocol)}; this suite speaks protocol ${PROTOCOL_VERSION}`);
      return;
    }
    if (typeof h.name !== 'string' || !h.name || typeof h.version !== 'string' || !Array.isArray(h.capabilities) || !h.capabilities.every((c) => typeof c === 'string')) {
      this.fail(`process "${this.label}" sent a hello without a name, a version and a list of capabilities: ${excerpt(line)}`);
      return;
    }
    const hello: Hello = { name: h.name, version: h.version, capabilities: h.capabilities as Hello['capabilities'] };
    if (typeof h.description === 'string') hello.description = h.description;
    if (typeof h.kernel === 'string') hello.kernel = h.kernel;
    if (typeof h.profile === 'string' && (PMEM_MODES as readonly string[]).includes(h.profile)) hello.profile = h.profile as PmemMode;
    if (h.lacks !== undefined) {
      const lacks = isObject(h.lacks) ? Object.entries(h.lacks) : [];
      if (!isObject(h.lacks) || !lacks.every(([, why]) => typeof why === 'string')) {
        this.fail(`process "${this.label}" sent a hello whose "lacks" is not an object of capability -> sentence: ${excerpt(line)}`);
        return;
      }
      hello.lacks = Object.fromEntries(lacks.filter(([c]) => (ALL_CAPABILITIES as readonly string[]).includes(c))) as Hello['lacks'];
    }
    if (hello.capabilities.includes(TRACE_CAPABILITY)) this.session = new TracedSession((op, args) => this.request(op, args), this.label, hello.profile, this.options.recoverBudget);
    const w = this.helloWaiter!;
    this.helloWaiter = undefined;
    clearTimeout(w.timer);
    w.resolve(hello);
  }

  /** one request of the contract; a traced server's trace follows it */
  private async call(op: string, args: object = {}): Promise<unknown> {
    this.inFlight++;
    try {
      const result = await this.request(op, args);
      if (this.session && op !== 'close') await this.session.after(op, args as Record<string, unknown>, result);
      return result;
    } finally {
      this.inFlight--;
    }
  }

  /** one request, answered in order */
  private async request(op: string, args: object = {}): Promise<unknown> {
    if (this.failure) throw this.failure;
    await this.hello();
    if (this.failure) throw this.failure;
    if (this.closing && op !== 'close') throw new ImplementationError(`process "${this.label}" was asked for "${op}" after close`);
    const id = this.nextId++;
    const line = JSON.stringify({ id, op, args });
    if (Buffer.byteLength(line) > MAX_LINE) {
      throw new TargetError('E2BIG', `the "${op}" request is ${Buffer.byteLength(line)} bytes; the protocol carries at most 1 MiB per line`);
    }
    this.lastOp = op;
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        const p = this.pending.find((x) => x.id === id);
        if (p) this.fail(`process "${this.label}" did not answer "${op}" within ${this.timeoutMs} ms (DAX_PROCESS_TIMEOUT_MS)`);
      }, this.timeoutMs);
      this.pending.push({ id, op, resolve, reject, timer });
      this.child!.stdin.write(line + '\n');
    });
  }

  /** a write-like op of more than CHUNK bytes as consecutive requests at increasing offsets */
  private async chunkedWrite<A extends { offset: number }>(op: string, args: A, data: Hex): Promise<void> {
    if (data.length <= 2 * CHUNK) {
      await this.call(op, args);
      return;
    }
    for (let at = 0; at < data.length; at += 2 * CHUNK) {
      await this.call(op, { ...args, offset: args.offset + at / 2, data: data.slice(at, at + 2 * CHUNK) });
    }
  }

  /** a read-like op of more than CHUNK bytes as consecutive requests; a short answer ends it (end of file) */
  private async chunkedRead<A extends { offset: number; length: number }>(op: string, args: A): Promise<Hex> {
    if (args.length <= CHUNK) return (await this.call(op, args)) as Hex;
    let out = '';
    for (let at = 0; at < args.length; at += CHUNK) {
      const want = Math.min(CHUNK, args.length - at);
      const part = (await this.call(op, { ...args, offset: args.offset + at, length: want })) as Hex;
      out += part;
      if (part.length < 2 * want) break;
    }
    return out;
  }

  /** started, said hello, never failed, not closing: another scenario may use it after a reset */
  reusable(): boolean {
    // a request still in flight (the scenario's step timed out) leaves a busy server: the next scenario gets a fresh one
    return !!this.child && !!this.helloPromise && !this.failure && !this.closing && !this.helloWaiter && this.inFlight === 0;
  }

  async close(): Promise<void> {
    if (this.closing) return this.exited;
    const child = this.child;
    if (!child || !this.helloPromise) {
      this.closing = true;
      return;
    }
    if (!this.failure) {
      // ask politely; a server that does not answer in time is killed anyway
      const grace = Math.min(this.timeoutMs, 2000);
      const bye = this.call('close').catch(() => undefined);
      this.closing = true;
      await Promise.race([bye, new Promise((r) => setTimeout(r, grace).unref())]);
      child.stdin.end();
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, 500).unref())]);
    }
    this.closing = true;
    this.kill();
    await this.exited;
  }

  // ------------------------------------------------------------------ the contract, one op each

  async reset(args: { seed: number }): Promise<void> {
    await this.call('reset', args);
  }
  async configure(args: { pmemMode?: PmemMode; tearing?: boolean }): Promise<void> {
    await this.call('configure', args);
  }
  async createNamespace(args: { name: string; size: number }): Promise<void> {
    await this.call('createNamespace', args);
  }
  async createPartitions(args: { disk: string; partitions: Array<{ start: number; size: number }> }): Promise<string[]> {
    return (await this.call('createPartitions', args)) as string[];
  }
  async resizeDevice(args: { dev: string; size: number }): Promise<void> {
    await this.call('resizeDevice', args);
  }
  async bio(args: { dev: string; path: DriverPath; offset: number; data: Hex; flags: BioFlag[] }): Promise<void> {
    await this.call('bio', args);
  }
  async flushDevice(args: { dev: string }): Promise<void> {
    await this.call('flushDevice', args);
  }
  async cpuStore(args: { dev: string; offset: number; data: Hex; nt: boolean }): Promise<void> {
    await this.chunkedWrite('cpuStore', args, args.data);
  }
  async cpuFlush(args: { dev: string; offset: number; length: number; insn: 'clwb' | 'clflushopt' | 'clflush' }): Promise<void> {
    await this.call('cpuFlush', args);
  }
  async clone(args: { from: string; to: string }): Promise<void> {
    await this.call('clone', args);
  }
  async setDaxFlag(args: { path: string; on: boolean }): Promise<void> {
    await this.call('setDaxFlag', args);
  }
  async injectPoison(args: { path: string; offset: number; length: number }): Promise<void> {
    await this.call('injectPoison', args);
  }
  async cpuFence(): Promise<void> {
    await this.call('cpuFence');
  }
  async readDevice(args: { dev: string; offset: number; length: number }): Promise<Hex> {
    return this.chunkedRead('readDevice', args);
  }
  async writeDevice(args: { dev: string; offset: number; data: Hex }): Promise<void> {
    await this.chunkedWrite('writeDevice', args, args.data);
  }

  async mkfs(args: { fs: FsType; dev: string; rtdev?: string }): Promise<void> {
    await this.call('mkfs', args);
  }
  async mount(args: MountOptions): Promise<void> {
    await this.call('mount', args);
  }
  async umount(args: { dir: string }): Promise<void> {
    await this.call('umount', args);
  }
  async freeze(args: { dir: string }): Promise<void> {
    await this.call('freeze', args);
  }
  async thaw(args: { dir: string }): Promise<void> {
    await this.call('thaw', args);
  }
  async fsck(args: { dev: string; rtdev?: string }): Promise<FsckResult> {
    return (await this.call('fsck', args)) as FsckResult;
  }
  async create(args: { path: string; realtime?: boolean }): Promise<void> {
    await this.call('create', args);
  }
  async mkdir(args: { path: string }): Promise<void> {
    await this.call('mkdir', args);
  }
  async rename(args: { from: string; to: string }): Promise<void> {
    await this.call('rename', args);
  }
  async unlink(args: { path: string }): Promise<void> {
    await this.call('unlink', args);
  }
  async readdir(args: { path: string }): Promise<string[]> {
    return (await this.call('readdir', args)) as string[];
  }
  async setxattr(args: { path: string; name: string; value: Hex }): Promise<void> {
    await this.call('setxattr', args);
  }
  async getxattr(args: { path: string; name: string }): Promise<Hex> {
    return (await this.call('getxattr', args)) as Hex;
  }
  async write(args: { path: string; offset: number; data: Hex }): Promise<void> {
    await this.chunkedWrite('write', args, args.data);
  }
  async read(args: { path: string; offset: number; length: number }): Promise<Hex> {
    return this.chunkedRead('read', args);
  }
  async truncate(args: { path: string; size: number }): Promise<void> {
    await this.call('truncate', args);
  }
  async fallocate(args: { path: string; offset: number; length: number; mode: 'allocate' | 'punch-hole' }): Promise<void> {
    await this.call('fallocate', args);
  }
  async fsync(args: { path: string; datasync?: boolean }): Promise<void> {
    await this.call('fsync', args);
  }
  async sync(): Promise<void> {
    await this.call('sync');
  }
  async statx(args: { path: string }): Promise<Stat> {
    return (await this.call('statx', args)) as Stat;
  }

  async mmap(args: { path: string; offset: number; length: number; shared: boolean; sync?: boolean; size?: MapKind }): Promise<{ map: number }> {
    return (await this.call('mmap', args)) as { map: number };
  }
  async store(args: { map: number; offset: number; data: Hex }): Promise<void> {
    await this.chunkedWrite('store', args, args.data);
  }
  async load(args: { map: number; offset: number; length: number }): Promise<Hex> {
    return this.chunkedRead('load', args);
  }
  async msync(args: { map: number; offset: number; length: number; sync: boolean }): Promise<void> {
    await this.call('msync', args);
  }
  async munmap(args: { map: number }): Promise<void> {
    await this.call('munmap', args);
  }

  async powerFail(): Promise<void> {
    await this.session?.beforePowerFail();
    await this.call('powerFail');
    await this.session?.afterPowerFail();
  }
  async checkCrash(args: { check: CrashCheck; mounts: MountOptions[] } & CrashExploration): Promise<CrashVerdict> {
    const session = this.session;
    const one = async (a: typeof args): Promise<CrashVerdict> => (session ? session.checkCrash(a) : ((await this.call('checkCrash', a)) as CrashVerdict));
    // leave room for the request's envelope and the other arguments (a traced recover also carries image lines)
    const room = session ? 256 * 1024 : MAX_LINE - 4096 - JSON.stringify({ ...args, check: null }).length;
    if (JSON.stringify(args.check).length <= room) return one(args);
    const verdicts: CrashVerdict[] = [];
    for (const check of splitCheck(args.check, room)) {
      const v = await one({ ...args, check });
      verdicts.push(v);
      if (!v.ok) break;
    }
    return joinVerdicts(verdicts);
  }
  async remount(args: { mounts: MountOptions[]; state?: string }): Promise<{ stateId: string }> {
    if (this.session) return this.session.remount(args);
    return (await this.call('remount', args)) as { stateId: string };
  }

  /** the traced session's books (events replayed, recover calls), when the server is traced */
  get traceStats(): TracedSession['stats'] | undefined {
    return this.session?.stats;
  }

  async mappingInfo(args: { path: string }): Promise<MappingInfo> {
    return (await this.call('mappingInfo', args)) as MappingInfo;
  }
  async writebackLog(args: { since?: number }): Promise<{ events: WritebackEvent[]; next: number }> {
    return (await this.call('writebackLog', args)) as { events: WritebackEvent[]; next: number };
  }
  async switchesRead(): Promise<{ switches: string[] }> {
    return (await this.call('switchesRead')) as { switches: string[] };
  }
  async backgroundWriteback(): Promise<void> {
    await this.call('backgroundWriteback');
  }
  async begin(args: { op: 'fsync' | 'msync' | 'store' | 'fallocate'; args: Record<string, unknown>; stopAt: string }): Promise<ScheduledTask> {
    return (await this.call('begin', args)) as ScheduledTask;
  }
  async resume(args: { task: string; stopAt?: string }): Promise<ScheduledTask> {
    return (await this.call('resume', args)) as ScheduledTask;
  }
}
