// The Linux machine: the real kernel in QEMU on an emulated NVDIMM, driven through the guest agent.
//
// Built by scripts/linux-image.sh (npm run linux:image) into .cache/linux/.  One LinuxMachine
// owns one QEMU process and one NVDIMM backing file in a per-run temp folder:
//
//   boot()      start QEMU over the backing file (made on first boot) and wait for the agent's hello
//   request()   one protocol request to the agent ({"id":N,"op":...,"args":{...}}), answered in order
//   powerOff()  power failure: SIGKILL QEMU, no guest shutdown; the backing file keeps what reached it
//   reboot()    powerOff() then boot() over the same backing file
//   reset()     fresh NVDIMMs and a boot; with fastReset, a restore of the saved machine (no boot)
//   close()     ask the agent to exit (the guest powers off), then remove the temp folder
//
// The agent channel is a virtio-serial port (/dev/vport0p1 in the guest) whose QEMU chardev is a
// Unix socket this module listens on; QEMU connects to it at start.  Framing: JSON lines, as in
// docs/protocol.md.  `channel` is that socket, for a caller that wants to speak the protocol itself.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Hello, ImplementationError, TargetError } from '../targets/contract';
import type { Pending } from '../targets/process/process-target';
import { Qmp } from './qmp';
import { Namespace, TraceLog } from './trace';

export interface LinuxImage {
  kernelRelease: string;
  kernelPackage: string;
  vmlinuz: string;
  /** the uncompressed kernel, booted through its PVH entry (no BIOS setup, no decompression); may be "" */
  vmlinux?: string;
  initramfs: string;
  agent: string;
  qemu: string;
  qemuVersion: string;
  imageKey: string;
  /** QEMU 10 (bookworm-backports, unpacked) and the pmem-trace plugin, for traced machines; may be "" */
  traceQemu?: string;
  traceQemuVersion?: string;
  tracePlugin?: string;
}

export interface LinuxMachineOptions {
  /** where scripts/linux-image.sh put the image; default $DAX_LINUX_CACHE or <repo>/.cache/linux */
  cacheDir?: string;
  /** per-run folder for the backing file, socket and console log; default a new temp folder */
  workDir?: string;
  /**
   * size of each NVDIMM in bytes (a multiple of 2 MiB); default 1088 MiB, so that the fsdax
   * namespace left after its struct-page reservation holds the 1 GiB the features ask for
   */
  pmemSize?: number;
  /** how many NVDIMMs (pmem0, pmem1, ...); default 2 ($DAX_LINUX_NVDIMMS), at most 2 */
  nvdimms?: number;
  /** guest RAM, QEMU syntax; default "1G" */
  memory?: string;
  cpus?: number;
  /**
   * "auto" (default, or $DAX_LINUX_ACCEL): KVM when /dev/kvm opens read-write and a probe boot
   * shows it faster than TCG (the verdict is kept in the cache folder per host kernel), else TCG
   */
  accel?: 'auto' | 'kvm' | 'tcg';
  /** "pvh" (default when the image has vmlinux): boot the uncompressed kernel; "bzimage": vmlinuz */
  kernelFormat?: 'pvh' | 'bzimage';
  bootTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** dax.debug=1 on the kernel command line and the kernel's messages on the console */
  debug?: boolean;
  /** every line the guest prints on its console (ttyS0) */
  onConsole?: (line: string) => void;
  /** keep workDir on close() */
  keepWorkDir?: boolean;
  /**
   * trace the NVDIMMs' stores, flushes and fences (linux/plugin/pmem-trace.c under QEMU 10):
   * `trace` holds them from each boot on, and a power failure stops QEMU so the last are kept
   */
  trace?: boolean;
  /**
   * QEMU 10 machines only (traced, or tracedMachine): after the first boot over fresh NVDIMMs the
   * machine is saved (guest RAM and devices by migration to a file, the NVDIMMs as copies of their
   * backing files) in the cache folder, and every later boot, reset included, restores it instead
   * of booting.  Default on, unless $DAX_LINUX_FAST_RESET=0.
   */
  fastReset?: boolean;
  /** the traced machine's QEMU and arguments without the plugin: a recovery machine that can restore its save */
  tracedMachine?: boolean;
  /** with `trace`: the plugin also reports each NVDIMM line the guest loads from (`trace.reads`) */
  watchReads?: boolean;
  /** "cpu": the NFIT says the CPU caches are in the persistence domain (eADR; QEMU's nvdimm-persistence) */
  persistence?: 'cpu';
  /**
   * the pmem devices are virtio-pmem-pci (a host file, durable only through the guest's flush
   * request) instead of NVDIMMs; traced, the plugin streams each flush request's kick (`hf`)
   */
  virtioPmem?: boolean;
}

/** a saved machine (see fastReset): the migration stream, the NVDIMMs, and what its first boot said */
export interface SavedMachine {
  dir: string;
  state: string;
  pmem: string[];
  hello: Hello;
  /** where each /dev/pmemN lies (the agent's announcement before the save) */
  namespaces: [number, Namespace][];
  /** saved after a request (saveAs): that request's answer */
  result?: unknown;
  /** the lines written since the NVDIMMs were fresh namespaces (the rest are zero), as (dev, offset) */
  lines: [number, number][];
}

export interface BootInfo {
  accel: 'kvm' | 'tcg';
  /** wall time from spawning QEMU to the agent's hello (restored: to the machine running again) */
  bootMs: number;
  /** true when the machine was restored from its save rather than booted */
  restored?: boolean;
  /** true when this boot made the fsdax namespace (a fresh NVDIMM with no saved template) */
  createdNamespace: boolean;
  /** true when a reset kept the running machine and zeroed its devices (wipe, virtio-pmem) */
  wiped?: boolean;
  hello: Hello;
}

const MiB = 1024 * 1024;
export const DEFAULT_PMEM_SIZE = 1088 * MiB;

// No QEMU outlives this process: killed on any exit of Node, and started under
// `setpriv --pdeathsig KILL` (util-linux) so that even a SIGKILL of Node ends it.
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => fs.existsSync(p));
const liveQemus = new Set<ChildProcess>();
process.once('exit', () => {
  for (const q of liveQemus) q.kill('SIGKILL');
});

export function defaultCacheDir(): string {
  return process.env.DAX_LINUX_CACHE ?? path.join(repoRoot(), '.cache', 'linux');
}

/** the repository's root, whether this runs from source (linux/) or built (.cache/build/linux/) */
function repoRoot(): string {
  for (let d = path.resolve(__dirname, '..'); ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'scripts', 'linux-image.sh'))) return d;
    if (path.dirname(d) === d) return path.resolve(__dirname, '..');
  }
}

export function loadImage(cacheDir = defaultCacheDir()): LinuxImage {
  const file = path.join(cacheDir, 'image.json');
  if (!fs.existsSync(file)) {
    throw new ImplementationError(`no Linux image in ${cacheDir}: run npm run linux:image (scripts/linux-image.sh) first`);
  }
  const image = JSON.parse(fs.readFileSync(file, 'utf8')) as LinuxImage;
  for (const f of [image.vmlinuz, image.initramfs]) {
    if (!fs.existsSync(f)) throw new ImplementationError(`${f} is missing: run npm run linux:image again`);
  }
  return image;
}

export function kvmUsable(): boolean {
  try {
    fs.closeSync(fs.openSync('/dev/kvm', 'r+'));
    return true;
  } catch {
    return false;
  }
}

/**
 * Some hosts give a /dev/kvm that opens but runs a guest far slower than TCG (seen with nested
 * KVM: the kernel had printed nothing after minutes).  Boot the kernel alone under KVM and take
 * KVM only if its first console line comes within probeMs.  The verdict is cached per host kernel.
 */
export async function probeKvm(image: LinuxImage, cacheDir: string, probeMs = 5000): Promise<{ kvm: boolean; ms: number; cached: boolean }> {
  if (!kvmUsable()) return { kvm: false, ms: 0, cached: false };
  const file = path.join(cacheDir, 'accel.json');
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as { hostKernel: string; qemu: string; kvm: boolean; ms: number };
    if (v.hostKernel === os.release() && v.qemu === image.qemuVersion) return { kvm: v.kvm, ms: v.ms, cached: true };
  } catch {
    // no verdict yet
  }
  const kernel = image.vmlinux || image.vmlinuz;
  const t0 = Date.now();
  const child = spawn(image.qemu, [
    '-machine', 'pc,accel=kvm', '-cpu', 'host', '-m', '256M', '-kernel', kernel,
    '-append', 'console=ttyS0 loglevel=7 panic=-1', '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
    '-chardev', 'stdio,id=con0,signal=off', '-serial', 'chardev:con0',
  ], { stdio: ['pipe', 'pipe', 'ignore'] });
  const kvm = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), probeMs);
    let out = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (s: string) => {
      out += s;
      if (out.includes('Linux version')) {
        clearTimeout(timer);
        resolve(true);
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(out.includes('Linux version'));
    });
    child.once('error', () => resolve(false));
  });
  const ms = Date.now() - t0;
  child.kill('SIGKILL');
  try {
    fs.writeFileSync(file, JSON.stringify({ hostKernel: os.release(), qemu: image.qemuVersion, kvm, ms, probeMs, at: new Date().toISOString() }) + '\n');
  } catch {
    // a cache, nothing more
  }
  return { kvm, ms, cached: false };
}

export class LinuxMachine {
  readonly image: LinuxImage;
  readonly workDir: string;
  /** the NVDIMMs' backing files, pmem0 first */
  readonly backingFiles: string[];
  readonly consoleLog: string;
  readonly pmemSize: number;
  /** the raw agent channel while the machine runs (JSON lines both ways) */
  channel: net.Socket | undefined;
  hello: Hello | undefined;
  lastBoot: BootInfo | undefined;
  /** running since a boot over fresh devices, with no power failure since: a reset may wipe instead of boot */
  private wipeable = false;

  private readonly opts: LinuxMachineOptions;
  private readonly cacheDir: string;
  private readonly ownsWorkDir: boolean;
  private qemu: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private server: net.Server | undefined;
  private pending: Pending[] = [];
  private nextId = 1;
  private inbuf = '';
  private consoleTail: string[] = [];
  private stderrText = '';
  private closed = false;
  /** the current boot's trace (traced machines only) */
  trace: TraceLog | undefined;
  private traceServer: net.Server | undefined;
  private traceDone: Promise<void> | undefined;
  private ops = new Map<number, { seq: number; op: string }>();
  private qmp: Qmp | undefined;
  /** why the machine could not be saved or restored (fast reset is then off), if it could not */
  fastResetFailure: string | undefined;

  constructor(opts: LinuxMachineOptions = {}) {
    this.opts = opts;
    this.cacheDir = opts.cacheDir ?? defaultCacheDir();
    this.image = loadImage(this.cacheDir);
    this.pmemSize = opts.pmemSize ?? DEFAULT_PMEM_SIZE;
    if (this.pmemSize % (2 * MiB) !== 0 || this.pmemSize < 64 * MiB || this.pmemSize > 1024 * 1024 * MiB) {
      throw new TargetError('EINVAL', 'pmemSize must be a multiple of 2 MiB, at least 64 MiB and at most 1 TiB');
    }
    const n = opts.nvdimms ?? Number(process.env.DAX_LINUX_NVDIMMS ?? 2);
    if (!Number.isInteger(n) || n < 1 || n > 2) throw new TargetError('EINVAL', 'nvdimms must be 1 or 2 (slots=2)');
    this.ownsWorkDir = opts.workDir === undefined;
    this.workDir = opts.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'dax-linux-'));
    fs.mkdirSync(this.workDir, { recursive: true });
    this.backingFiles = Array.from({ length: n }, (_, i) => path.join(this.workDir, `pmem${i}.img`));
    this.consoleLog = path.join(this.workDir, 'console.log');
  }

  get running(): boolean {
    return this.qemu !== undefined;
  }

  /**
   * Start QEMU over the backing file and wait until the agent has said hello.  A boot that dies
   * before the hello (a guest panic on a starved host) is tried once more.
   */
  async boot(): Promise<BootInfo> {
    const saved = this.fastReset ? this.savedMachine() : undefined;
    if (saved) {
      try {
        return await this.bootOnce(saved);
      } catch (e) {
        if (this.closed || !(e instanceof ImplementationError)) throw e;
        // a save this QEMU cannot load (or a broken one): boot, and say why fast reset is off
        this.fastResetFailure = `restoring ${saved.dir}: ${e.message.slice(0, 300)}`;
        fs.appendFileSync(this.consoleLog, `\n=== ${this.fastResetFailure}; booting instead\n`);
        fs.rmSync(saved.dir, { recursive: true, force: true });
      }
    }
    const fresh = this.backingFiles.every((f) => !fs.existsSync(f));
    let info: BootInfo;
    try {
      info = await this.bootOnce();
    } catch (e) {
      if (this.closed || !(e instanceof ImplementationError) || !/during boot|no agent hello/.test(e.message)) throw e;
      fs.appendFileSync(this.consoleLog, `\n=== boot failed (${e.message.slice(0, 200)}), trying once more\n`);
      info = await this.bootOnce();
    }
    if (this.fastReset && fresh && !this.fastResetFailure) await this.save();
    this.wipeable = fresh;
    return info;
  }

  /** whether later boots and resets restore a saved machine instead of booting */
  get fastResetReady(): boolean {
    return this.fastReset && !this.fastResetFailure && this.savedMachine() !== undefined;
  }

  private get fastReset(): boolean {
    // QEMU's virtio-pmem has no migration state (no vmsd): a restored device drops every flush request, and the guest waits forever
    if (this.opts.virtioPmem) return false;
    const qemu10 = !!this.opts.trace || !!this.opts.tracedMachine;
    return qemu10 && (this.opts.fastReset ?? process.env.DAX_LINUX_FAST_RESET !== '0');
  }

  /** where this machine's save lives: keyed on everything that shapes the guest's state */
  savedDirPath(after?: string): string {
    const key = createHash('sha256').update(JSON.stringify({
      image: this.image.imageKey, kernel: this.image.kernelRelease, initramfs: this.image.initramfs, qemu: this.image.traceQemuVersion,
      pmemSize: this.pmemSize, nvdimms: this.backingFiles.length, memory: this.opts.memory ?? '1G', cpus: this.opts.cpus ?? 1,
      kernel_: this.kernelFile(), debug: !!this.opts.debug, append: this.kernelAppend(), agent: this.image.agent, format: 4, // 2: modules loaded before the save; 3, 4: the non-zero lines in meta.json
      ...(this.opts.persistence ? { persistence: this.opts.persistence } : {}),
    })).digest('hex').slice(0, 16);
    return path.join(this.cacheDir, `saved-${key}${after ? `-${createHash('sha256').update(after).digest('hex').slice(0, 16)}` : ''}`);
  }

  /** the machine saved after its first boot, or (`after`) after a request on it (see saveAs) */
  savedMachine(after?: string): SavedMachine | undefined {
    const dir = this.savedDirPath(after);
    try {
      const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as { hello: Hello; namespaces: [number, Namespace][]; result?: unknown; lines?: [number, number][] };
      const pmem = this.backingFiles.map((_, i) => path.join(dir, `pmem${i}.img`));
      const state = path.join(dir, 'machine.mig');
      if (![state, ...pmem].every((f) => fs.existsSync(f))) return undefined;
      return { dir, state, pmem, hello: meta.hello, namespaces: meta.namespaces, result: meta.result, lines: meta.lines ?? [] };
    } catch {
      return undefined;
    }
  }

  /**
   * Save the running machine (just booted over fresh NVDIMMs, nothing asked of it yet): stop the
   * vCPU, migrate guest RAM and devices to a file with the NVDIMMs left out (x-ignore-shared: their
   * memory is the backing files), copy the backing files beside it, and let the machine go on.
   */
  private async save(after?: string, result?: unknown): Promise<void> {
    const qmp = this.qmp;
    if (!qmp || !this.hello) return;
    const final = this.savedDirPath(after);
    const tmp = `${final}.${process.pid}.tmp`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    const t0 = Date.now();
    try {
      // the filesystems' modules in first, so no restored machine spends seconds loading them
      if (after === undefined) await this.request('exec', { argv: ['/bin/sh', '-c', 'for m in $(cat /etc/dax-modules.ext4 /etc/dax-modules.xfs); do insmod /lib/modules/$m; done 2>/dev/null; true'] });
      await qmp.execute('stop');
      await qmp.execute('migrate-set-capabilities', { capabilities: [{ capability: 'x-ignore-shared', state: true }] });
      await qmp.execute('migrate', { uri: `file:${path.join(tmp, 'machine.mig')}` });
      await qmp.migrationDone(300_000);
      this.backingFiles.forEach((f, i) => sparseCopy(f, path.join(tmp, `pmem${i}.img`)));
      const namespaces = [...(this.trace?.namespaces ?? [])];
      const lines = nonZeroLines(this.trace?.touched() ?? [], this.backingFiles, this.trace?.namespaces);
      fs.writeFileSync(path.join(tmp, 'meta.json'), JSON.stringify({ hello: this.hello, namespaces, after, result, lines, savedAt: new Date().toISOString() }) + '\n');
      if (!fs.existsSync(final)) fs.renameSync(tmp, final);
      await qmp.execute('cont');
      fs.appendFileSync(this.consoleLog, `\n=== saved the machine in ${final} (${Date.now() - t0} ms)\n`);
    } catch (e) {
      if (after !== undefined) {
        // only a shortcut is lost: the machine goes on
        fs.appendFileSync(this.consoleLog, `\n=== saving the machine after ${after}: ${e instanceof Error ? e.message : String(e)}\n`);
        await qmp.execute('cont').catch(() => undefined);
        return;
      }
      this.fastResetFailure = `saving the machine: ${e instanceof Error ? e.message : String(e)}`;
      fs.appendFileSync(this.consoleLog, `\n=== ${this.fastResetFailure}\n`);
      await qmp.execute('cont').catch(() => undefined);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }

  private async bootOnce(saved?: SavedMachine): Promise<BootInfo> {
    if (this.closed) throw new ImplementationError('the machine is closed');
    if (this.qemu) throw new ImplementationError('the machine is already running');
    const accel = await this.chooseAccel();
    let createdNamespace = false;
    const made: number[] = [];
    const nvdimmsAsSaved = !!saved && this.backingFiles.every((f) => !fs.existsSync(f));
    this.backingFiles.forEach((file, i) => {
      if (fs.existsSync(file)) return;
      if (saved) return sparseCopy(saved.pmem[i], file);
      const template = this.templatePath(i);
      if (fs.existsSync(template)) sparseCopy(template, file);
      else {
        const fd = fs.openSync(file, 'w');
        fs.ftruncateSync(fd, this.pmemSize);
        fs.closeSync(fd);
        createdNamespace = true;
        made.push(i);
      }
    });

    const sock = path.join(this.workDir, 'agent.sock');
    fs.rmSync(sock, { force: true });
    const server = net.createServer();
    this.server = server;
    const connected = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(sock, () => resolve());
    });

    if (this.opts.trace) await this.startTrace(nvdimmsAsSaved ? saved : undefined);
    const qmpSock = path.join(this.workDir, 'qmp.sock');
    fs.rmSync(qmpSock, { force: true });
    const args = this.qemuArgs(accel, sock, saved);
    const qemu = this.qemuBinary();
    fs.appendFileSync(this.consoleLog, `\n=== ${saved ? `restore of ${saved.dir}` : 'boot'} ${new Date().toISOString()} ${accel}\n$ ${qemu} ${args.join(' ')}\n`);
    const t0 = process.hrtime.bigint();
    // setpriv --pdeathsig: the kernel kills QEMU when this process dies, even by SIGKILL
    const child = SETPRIV
      ? spawn(SETPRIV, ['--pdeathsig', 'KILL', '--', qemu, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
      : spawn(qemu, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.qemu = child;
    liveQemus.add(child);
    child.once('exit', () => liveQemus.delete(child));
    this.stderrText = '';
    this.consoleTail = [];
    let consoleBuf = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (s: string) => {
      fs.appendFileSync(this.consoleLog, s);
      consoleBuf += s;
      let nl: number;
      while ((nl = consoleBuf.indexOf('\n')) >= 0) {
        const line = consoleBuf.slice(0, nl).replace(/\r$/, '');
        consoleBuf = consoleBuf.slice(nl + 1);
        this.consoleTail.push(line);
        if (this.consoleTail.length > 40) this.consoleTail.shift();
        this.opts.onConsole?.(line);
      }
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (s: string) => {
      if (this.stderrText.length < 8192) this.stderrText += s;
    });
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        if (this.qemu === child) this.onQemuGone(`QEMU exited (${signal ?? code})`);
        resolve();
      });
      child.once('error', (e) => {
        if (this.qemu === child) this.onQemuGone(`QEMU could not run: ${e.message}`);
        resolve();
      });
    });

    const timeoutMs = this.opts.bootTimeoutMs ?? (accel === 'kvm' ? 60_000 : 600_000);
    const died = this.exited.then(() => {
      throw new ImplementationError(`QEMU exited during boot: ${this.diagnostics()}`);
    });
    died.catch(() => undefined); // only the race below listens; a later exit is onQemuGone's
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ImplementationError(`no agent hello within ${timeoutMs} ms: ${this.diagnostics()}`)), timeoutMs);
    });
    try {
      if (this.fastReset) {
        this.qmp = await Promise.race([Qmp.connect(qmpSock, timeoutMs, () => this.qemu === child), died, timeout]);
        if (saved) {
          await this.qmp.execute('migrate-set-capabilities', { capabilities: [{ capability: 'x-ignore-shared', state: true }] });
          await this.qmp.execute('migrate-incoming', { uri: `file:${saved.state}` });
          await Promise.race([this.qmp.migrationDone(timeoutMs), died]);
          const st = (await this.qmp.execute('query-status')) as { running: boolean };
          if (!st.running) await this.qmp.execute('cont');
        }
      }
      const socket = await Promise.race([connected, died, timeout]);
      this.channel = socket;
      this.inbuf = '';
      if (saved) {
        socket.setEncoding('utf8');
        socket.on('data', (s: string) => this.onData(s));
        socket.on('error', () => undefined);
        this.hello = saved.hello;
        // the saved guest read nothing of the NVDIMMs' data; NVDIMMs from elsewhere (a power
        // failure's, a crash state's) are read afresh all the same
        if (!nvdimmsAsSaved) await Promise.race([this.request('dropCaches'), died, timeout]);
        clearTimeout(timer);
        const bootMs = Number(process.hrtime.bigint() - t0) / 1e6;
        this.lastBoot = { accel, bootMs, createdNamespace: false, hello: this.hello, restored: true };
        return this.lastBoot;
      }
      const helloLine = new Promise<string>((resolve) => {
        this.onHelloLine = resolve;
      });
      socket.setEncoding('utf8');
      socket.on('data', (s: string) => this.onData(s));
      socket.on('error', () => undefined);
      const line = await Promise.race([helloLine, died, timeout]);
      const msg = JSON.parse(line) as { hello?: Hello };
      if (!msg.hello) throw new ImplementationError(`the agent's first line is not a hello: ${line.slice(0, 200)}`);
      this.hello = msg.hello;
    } catch (e) {
      await this.powerOff();
      throw e instanceof Error ? e : new ImplementationError(String(e));
    } finally {
      clearTimeout(timer);
    }
    const bootMs = Number(process.hrtime.bigint() - t0) / 1e6;
    for (const i of made) this.saveTemplate(i);
    this.lastBoot = { accel, bootMs, createdNamespace, hello: this.hello };
    return this.lastBoot;
  }

  /** One request to the agent; resolves with `result`, rejects with TargetError (ok:false) or ImplementationError. */
  request(op: string, args: object = {}, seq?: number): Promise<any> {
    const sock = this.channel;
    if (!this.qemu || !sock) return Promise.reject(new ImplementationError(`${op}: the machine is not running`));
    const id = this.nextId++;
    const trace = this.trace;
    if (trace && op !== 'close') {
      // traced: the answer counts once the plugin's stream has brought the request's end marker
      if (seq !== undefined) this.ops.set(id, { seq, op }); // the host's own requests carry no markers
      const ended = trace.waitEnd(id);
      return this.send(id, op, args).then(
        async (v) => {
          await ended;
          return v;
        },
        async (e) => {
          if (e instanceof TargetError) await ended;
          throw e;
        },
      );
    }
    return this.send(id, op, args);
  }

  private send(id: number, op: string, args: object): Promise<any> {
    const sock = this.channel!;
    const timeoutMs = this.opts.requestTimeoutMs ?? 120_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.failAll(new ImplementationError(`${op} (id ${id}): no answer within ${timeoutMs} ms`));
        void this.powerOff();
      }, timeoutMs);
      this.pending.push({ id, op, resolve, reject, timer });
      sock.write(JSON.stringify({ id, op, args }) + '\n');
    });
  }

  /** Power failure: kill QEMU at once, no guest shutdown.  The backing file keeps what reached it. */
  async powerOff(discardTrace = false): Promise<void> {
    const child = this.qemu;
    this.wipeable = false;
    this.qmp?.close();
    this.qmp = undefined;
    if (child) {
      this.qemu = undefined;
      if (this.trace && !discardTrace) {
        // SIGTERM: QEMU stops the vCPU and runs the plugin's atexit, which sends its last
        // records; every store that reached the backing file is then in the trace
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await this.exited;
        clearTimeout(t);
        await Promise.race([this.traceDone, delay(5000)]);
        this.trace.cutAtLastEnd(); // the power fails as the last request ends
      } else {
        child.kill('SIGKILL');
        await this.exited;
      }
    }
    this.traceServer?.close();
    this.traceServer = undefined;
    this.teardownChannel(new ImplementationError('power failure: the machine is off'));
  }

  /** Power failure and a boot over the same backing file. */
  async reboot(): Promise<BootInfo> {
    await this.powerOff();
    return this.boot();
  }

  /**
   * Save the running machine after a request (`after` names it, e.g. the mkfs and its arguments),
   * so that a later fresh machine whose first request is the same can restore this instead of
   * running it (restore()).  The caller makes sure the request left every line durable.
   */
  async saveAs(after: string, result: unknown): Promise<void> {
    if (!this.fastResetReady || this.savedMachine(after)) return;
    await this.save(after, result);
  }

  /** A fresh machine from `saved` (a saveAs), in place of the running one and its trace. */
  async restore(saved: SavedMachine): Promise<BootInfo> {
    await this.powerOff(true);
    this.trace?.close();
    this.trace = undefined;
    for (const f of this.backingFiles) fs.rmSync(f, { force: true });
    return this.bootOnce(saved);
  }

  /** A fresh NVDIMM (from the saved namespace template) and a boot; on virtio-pmem a wipe where one can stand for them. */
  async reset(): Promise<BootInfo> {
    if (this.opts.virtioPmem && this.wipeable && process.env.DAX_LINUX_WIPE !== '0') {
      const t0 = process.hrtime.bigint();
      if (await this.wipe()) {
        this.lastBoot = { ...this.lastBoot!, bootMs: Number(process.hrtime.bigint() - t0) / 1e6, restored: false, createdNamespace: false, wiped: true };
        return this.lastBoot;
      }
    }
    await this.powerOff(true); // the trace ends with the machine: no need for the plugin's last records
    this.trace?.close(); // a fresh machine starts a new trace
    this.trace = undefined;
    for (const f of this.backingFiles) fs.rmSync(f, { force: true });
    return this.boot();
  }

  /**
   * A fresh virtio-pmem machine without a boot (its device saves no migration state, so there is no
   * save to restore), for a machine that has run since its boot over fresh devices: the guest lets
   * go of them (the agent's reset: unmapped, thawed, unmounted) and writes back and drops its
   * buffers of them (BLKFLSBUF), the host zeroes each backing file (a hole over all of it: the
   * guest's pmem is the file's shared mapping, and a fresh template is all zeros), the guest drops
   * its caches again and re-reads the now empty partition tables, and the trace starts over from
   * zeros. False, with the machine untouched, when it cannot stand for a boot: poison on a device
   * (the badblocks list outlives a wipe) or a template that is not all zeros.
   */
  private async wipe(): Promise<boolean> {
    if (!this.qemu || !this.channel) return false;
    if (this.backingFiles.some((_, i) => !fs.existsSync(this.templatePath(i)) || fs.statSync(this.templatePath(i)).blocks !== 0)) return false;
    const devs = this.backingFiles.map((_, i) => `/dev/pmem${i}`).join(' ');
    const sh = async (script: string): Promise<{ status: number; output: string }> => (await this.request('exec', { argv: ['/bin/sh', '-c', script] })) as { status: number; output: string };
    const bad = await sh('for d in /sys/block/pmem*; do [ -n "$(cat $d/badblocks)" ] && exit 3; done; exit 0'); // a sysfs file's size says nothing
    if (bad.status !== 0) return false;
    await this.request('reset');
    const flushed = await sh(`sync && for d in ${devs}; do blockdev --flushbufs $d || exit 1; done`);
    if (flushed.status !== 0) throw new ImplementationError(`wipe: writing back the guest's buffers of ${devs} failed: ${flushed.output.trim()}`);
    for (const f of this.backingFiles) {
      const r = spawnSync('fallocate', ['--punch-hole', '--keep-size', '--offset', '0', '--length', String(fs.statSync(f).size), f], { encoding: 'utf8' });
      if (r.status !== 0) throw new ImplementationError(`wipe: fallocate --punch-hole of ${f}: ${r.stderr || r.error?.message}`);
    }
    const dropped = await sh(`for d in ${devs}; do blockdev --flushbufs $d && blockdev --rereadpt $d || exit 1; done; echo 3 > /proc/sys/vm/drop_caches`);
    if (dropped.status !== 0) throw new ImplementationError(`wipe: dropping the guest's caches of ${devs} failed: ${dropped.output.trim()}`);
    this.trace?.restart();
    this.ops.clear();
    return true;
  }

  /** Ask the agent to exit (the guest syncs and powers off), else kill; remove the temp folder. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.qemu && this.channel) {
      const child = this.qemu;
      try {
        await Promise.race([this.request('close'), delay(5000)]);
        await Promise.race([this.exited, delay(5000)]);
      } catch {
        // fall through to the kill
      }
      if (this.qemu === child) await this.powerOff();
    }
    await this.powerOff();
    this.trace?.close();
    this.closed = true;
    if (this.ownsWorkDir && !this.opts.keepWorkDir) fs.rmSync(this.workDir, { recursive: true, force: true });
  }

  /** The last console lines and QEMU's stderr, for error messages. */
  diagnostics(): string {
    const parts: string[] = [];
    if (this.stderrText.trim()) parts.push(`qemu: ${this.stderrText.trim()}`);
    if (this.consoleTail.length) parts.push(`console: ${this.consoleTail.slice(-12).join(' | ')}`);
    parts.push(`(full console log: ${this.consoleLog})`);
    return parts.join('; ');
  }

  // ---------------------------------------------------------------- internals

  private onHelloLine: ((line: string) => void) | undefined;

  private async chooseAccel(): Promise<'kvm' | 'tcg'> {
    if (this.opts.trace || this.opts.tracedMachine) return 'tcg'; // plugins instrument translated code: TCG only
    const want = this.opts.accel ?? (process.env.DAX_LINUX_ACCEL as 'kvm' | 'tcg' | 'auto' | undefined) ?? 'auto';
    if (want === 'auto') return (await probeKvm(this.image, this.cacheDir)).kvm ? 'kvm' : 'tcg';
    return want;
  }

  private kernelAppend(): string {
    const tracedMachine = !!this.opts.trace || !!this.opts.tracedMachine;
    return [
      'console=ttyS0',
      'panic=-1',
      'oops=panic',
      // no page-table isolation or other speculation mitigations: each costs TLB flushes,
      // which are slow under TCG, and none of them touches the persistence semantics under test
      'mitigations=off',
      // under TCG on a loaded host the timer IRQ check at boot can miss its window and panic
      // ("IO-APIC + timer doesn't work"): a known VM quirk, unrelated to what is tested
      'no_timer_check',
      this.opts.debug ? 'loglevel=7 dax.debug=1' : 'quiet loglevel=3',
      // traced: the plugin translates kernel flush addresses through the fixed direct map
      ...(tracedMachine ? ['nokaslr', 'dax.trace=1'] : []),
      // the agent's cpuStore/cpuFlush reach /dev/pmemN's memory through /dev/mem, which the
      // pmem driver's claim on the range would otherwise hide (CONFIG_IO_STRICT_DEVMEM)
      ...(tracedMachine ? ['iomem=relaxed'] : []),
      'dax.agent=/dev/vport0p1',
      `dax.nvdimms=${this.backingFiles.length}`,
      ...(this.opts.virtioPmem ? ['dax.virtio_pmem=1'] : []),
    ].join(' ');
  }

  private qemuArgs(accel: 'kvm' | 'tcg', sock: string, saved?: SavedMachine): string[] {
    const tracedMachine = !!this.opts.trace || !!this.opts.tracedMachine;
    const append = this.kernelAppend();
    const nvdimms = this.backingFiles.flatMap((file, i) => [
      '-object', `memory-backend-file,id=nvmem${i},share=on,mem-path=${file},size=${this.pmemSize}`,
      '-device', this.opts.virtioPmem ? `virtio-pmem-pci,id=vpmem${i},memdev=nvmem${i}` : `nvdimm,id=nvdimm${i},memdev=nvmem${i}`,
    ]);
    const maxmemMiB = 1024 * 4;
    // restored: the plugin starts armed, with the ranges the agent announced before the save
    const restored = saved
      ? ['arm=on', ...saved.namespaces.flatMap(([n, ns]) => [`range=${n}:${ns.start}:${ns.size}`, ...(ns.kick ? [`kick=${n}:${ns.kick.start}:${ns.kick.size}`] : [])])]
      : [];
    const traced = [
      ...(tracedMachine ? ['-L', '/usr/share/qemu'] : []),
      ...(this.opts.trace ? ['-plugin', [this.image.tracePlugin, `sock=${path.join(this.workDir, 'trace.sock')}`, ...restored, ...(this.opts.watchReads ? ['reads=on'] : [])].join(',')] : []),
      ...(this.fastReset ? ['-qmp', `unix:${path.join(this.workDir, 'qmp.sock')},server=on,wait=off`] : []),
      ...(saved ? ['-incoming', 'defer'] : []),
    ];
    return [
      ...traced,
      '-machine', `pc,nvdimm=on,${this.opts.persistence ? `nvdimm-persistence=${this.opts.persistence},` : ''}accel=${accel}`,
      // traced: 4-level paging keeps the kernel's direct map where the plugin expects it
      '-cpu', accel === 'kvm' ? 'host' : tracedMachine ? 'max,la57=off' : 'max',
      '-smp', String(this.opts.cpus ?? 1),
      '-m', `${this.opts.memory ?? '1G'},slots=2,maxmem=${Math.max(maxmemMiB, 1024 + Math.ceil((this.pmemSize * this.backingFiles.length) / MiB))}M`,
      ...nvdimms,
      '-kernel', this.kernelFile(),
      '-initrd', this.image.initramfs,
      '-append', append,
      '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
      '-chardev', 'stdio,id=con0,signal=off',
      '-serial', 'chardev:con0',
      '-device', 'virtio-serial-pci,id=vser0',
      '-chardev', `socket,id=agent0,path=${sock}`,
      '-device', 'virtserialport,bus=vser0.0,nr=1,chardev=agent0,name=dax.agent',
    ];
  }

  private qemuBinary(): string {
    if (this.opts.tracedMachine && !this.opts.trace && this.image.traceQemu) return this.image.traceQemu;
    if (!this.opts.trace) return this.image.qemu;
    if (!this.image.traceQemu || !this.image.tracePlugin || !fs.existsSync(this.image.traceQemu) || !fs.existsSync(this.image.tracePlugin)) {
      throw new ImplementationError('the traced machine needs QEMU 10 and the pmem-trace plugin: run npm run linux:image (without LINUX_IMAGE_NO_TRACE)');
    }
    return this.image.traceQemu;
  }

  /**
   * Listen for the plugin's stream.  A trace starts with a fresh machine (the first boot, reset):
   * then the backing files are snapshot for each line's `base`.  A boot after a power failure goes
   * on with the same trace (docs/protocol.md: no new start; the consumer knows every line's state).
   */
  private async startTrace(saved?: SavedMachine): Promise<void> {
    if (!this.trace && saved) {
      // restored over copies of the saved NVDIMMs: those are the bases, and the ranges are known
      this.trace = new TraceLog(saved.pmem, (id) => this.ops.get(id));
      this.trace.preset(saved.namespaces, saved.lines);
      this.ops.clear();
    } else if (!this.trace) {
      const bases = this.backingFiles.map((f, i) => {
        const base = path.join(this.workDir, `base${i}.img`);
        fs.rmSync(base, { force: true });
        sparseCopy(f, base);
        return base;
      });
      this.trace = new TraceLog(bases, (id) => this.ops.get(id));
      this.ops.clear();
    }
    const trace = this.trace;
    const tsock = path.join(this.workDir, 'trace.sock');
    fs.rmSync(tsock, { force: true });
    const server = net.createServer();
    this.traceServer = server;
    this.traceDone = new Promise<void>((resolve) => {
      server.once('connection', (c) => {
        c.on('data', (b: Buffer) => {
          try {
            trace.feed(b);
          } catch (e) {
            this.failAll(new ImplementationError(e instanceof Error ? e.message : String(e)));
          }
        });
        c.on('close', () => resolve());
        c.on('error', () => resolve());
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(tsock, () => resolve());
    });
  }

  private kernelFile(): string {
    const format = this.opts.kernelFormat ?? (this.image.vmlinux ? 'pvh' : 'bzimage');
    return format === 'pvh' && this.image.vmlinux ? this.image.vmlinux : this.image.vmlinuz;
  }

  private templatePath(i: number): string {
    return path.join(this.cacheDir, `pmem${i}-template-${this.image.kernelRelease}-${this.pmemSize}${this.opts.virtioPmem ? '-virtio' : ''}.img`);
  }

  /** Keep the freshly made fsdax namespace so later fresh machines skip ndctl create-namespace. */
  private saveTemplate(i: number): void {
    const template = this.templatePath(i);
    try {
      const tmp = `${template}.${process.pid}.tmp`;
      sparseCopy(this.backingFiles[i], tmp);
      fs.renameSync(tmp, template);
    } catch {
      // a cache, nothing more
    }
  }

  private onData(s: string): void {
    this.inbuf += s;
    let nl: number;
    while ((nl = this.inbuf.indexOf('\n')) >= 0) {
      const line = this.inbuf.slice(0, nl).replace(/\r$/, '');
      this.inbuf = this.inbuf.slice(nl + 1);
      if (line.trim()) this.onLine(line);
    }
  }

  private onLine(line: string): void {
    if (this.onHelloLine) {
      const f = this.onHelloLine;
      this.onHelloLine = undefined;
      f(line);
      return;
    }
    let msg: { id?: unknown; ok?: unknown; result?: unknown; errno?: unknown; message?: unknown };
    try {
      msg = JSON.parse(line);
    } catch {
      this.failAll(new ImplementationError(`the agent spoke nonsense: ${line.slice(0, 200)}`));
      return;
    }
    const p = this.pending.shift();
    if (!p) return; // an answer nobody waits for (e.g. after a timeout)
    clearTimeout(p.timer);
    if (msg.id !== p.id) {
      p.reject(new ImplementationError(`answer out of order: expected id ${p.id}, got ${JSON.stringify(msg.id)} (${line.slice(0, 200)})`));
      return;
    }
    if (msg.ok === true) p.resolve(msg.result ?? null);
    else p.reject(new TargetError(String(msg.errno ?? 'EIO'), String(msg.message ?? `${p.op} failed`)));
  }

  private failAll(e: Error): void {
    const all = this.pending;
    this.pending = [];
    for (const p of all) {
      clearTimeout(p.timer);
      p.reject(e);
    }
  }

  private onQemuGone(why: string): void {
    this.qemu = undefined;
    this.teardownChannel(new ImplementationError(`${why}: ${this.diagnostics()}`));
  }

  private teardownChannel(e: Error): void {
    this.failAll(e);
    this.onHelloLine = undefined;
    this.channel?.destroy();
    this.channel = undefined;
    this.server?.close();
    this.server = undefined;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** the lines (dev, offset into /dev/pmem<dev>) that do not hold zeros in the backing files */
function nonZeroLines(lines: [number, number][], files: string[], namespaces: Map<number, Namespace> | undefined): [number, number][] {
  const fds = files.map((f) => fs.openSync(f, 'r'));
  const b = Buffer.alloc(64);
  try {
    return lines.filter(([dev, off]) => {
      const ns = namespaces?.get(dev);
      if (!ns || ns.region === undefined || fds[dev] === undefined) return true;
      b.fill(0);
      fs.readSync(fds[dev], b, 0, 64, ns.start - ns.region + off);
      return b.some((x) => x !== 0);
    });
  } finally {
    for (const fd of fds) fs.closeSync(fd);
  }
}

/** Copy keeping holes (Node's copyFile would allocate the whole 1 GiB). */
function sparseCopy(from: string, to: string): void {
  const r = spawnSync('cp', ['--sparse=always', from, to], { encoding: 'utf8' });
  if (r.status !== 0) throw new ImplementationError(`cp ${from} ${to}: ${r.stderr || r.error?.message}`);
}
