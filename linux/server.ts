// The Linux machine as a process-protocol server: the `process` target can drive the real kernel
// with no code of its own for it.
//
//   DAX_TARGET='process:node -r ts-node/register/transpile-only linux/server.ts'
//
// stdin/stdout carry docs/protocol.md.  The server boots a LinuxMachine (linux/qemu.ts), says the
// agent's hello, forwards every op to the agent, and does the host-side ops itself:
//   powerFail   QEMU killed, no guest shutdown (what reached the NVDIMM's backing file stays)
//   remount     boot again over the same NVDIMM if the power is off, then mount each of `mounts`
//   checkCrash  the same, then evaluate the check in the one state the machine landed in
//               (coverage "single", states 1); fsck-clean unmounts that device around fsck
//   reset       fresh NVDIMMs and a restore of the machine saved after the first boot (fast-reset;
//               a boot where QEMU cannot save), unless the machine is fresh already
//   close       the agent exits, the guest powers off, the server exits 0
// Traced (the default when the image has QEMU 10 and the plugin; --untraced or DAX_LINUX_TRACE=0
// turn it off): the machine runs under linux/plugin/pmem-trace.c and the server declares
// `pmem-trace` and `cache-model` (docs/protocol.md, the trace section):
//   trace       the NVDIMMs' stores, write-backs and fences since the last call, in order, with
//               op markers (at most TRACE_CHUNK bytes of JSON per answer, `more` when some wait)
//   extents     FIEMAP of a file, by the agent
//   recover     one crash state's checks on a copy of the backing files (linux/recover.ts)
//   remount     after a power failure: the given lines written into the backing files, then a boot
// Environment: DAX_LINUX_PMEM_SIZE (bytes, default 1 GiB), DAX_LINUX_ACCEL (auto|kvm|tcg),
// DAX_LINUX_CACHE, DAX_LINUX_DEBUG=1 (guest console on stderr), DAX_LINUX_TRACE=0|1.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { CrashCheck, CrashVerdict, Hello, ImplementationError, MountOptions, TargetError } from '../targets/contract';
import { loadImage, LinuxMachine } from './qemu';
import { CrashImage, Device, LineRun } from './recover';
import { linuxLacks } from './lacks';

type Json = Record<string, unknown>;

/** bytes of events per `trace` answer: the protocol's lines are at most 1 MiB */
const TRACE_CHUNK = 900_000;

function tracedWanted(): boolean {
  if (process.argv.includes('--untraced') || process.env.DAX_LINUX_TRACE === '0') return false;
  if (process.argv.includes('--traced') || process.env.DAX_LINUX_TRACE === '1') return true;
  try {
    const img = loadImage();
    return !!img.tracePlugin && fs.existsSync(img.tracePlugin) && !!img.traceQemu && fs.existsSync(img.traceQemu);
  } catch {
    return false;
  }
}
const traced = tracedWanted();
/** --virtio-pmem (the target linux@virtio-pmem): the pmem devices are virtio-pmem-pci, made durable only by the flush request */
const virtioPmem = process.argv.includes('--virtio-pmem');

const machineOptions = {
  trace: traced,
  virtioPmem,
  pmemSize: process.env.DAX_LINUX_PMEM_SIZE ? Number(process.env.DAX_LINUX_PMEM_SIZE) : undefined,
  debug: process.env.DAX_LINUX_DEBUG === '1',
  onConsole: process.env.DAX_LINUX_DEBUG === '1' ? (l: string) => process.stderr.write(`[guest] ${l}\n`) : undefined,
};
/** the ADR machine: every scenario starts on it */
const adrMachine = new LinuxMachine(machineOptions);
/** the eADR machine (NFIT: CPU caches in the persistence domain), made when a scenario first configures eADR */
let eadrMachine: LinuxMachine | undefined;
/** the scenario's machine: one of the two, the other powered off */
let machine = adrMachine;
let platform: 'adr' | 'eadr' = 'adr';
let fresh = true; // nothing done since the last boot over a fresh NVDIMM
/** the requests since the machine was fresh while none of them changed it (an mkfs after them can be restored) */
let prefix: string[] | undefined = [];
/** live: the scenario's machine; off: after powerFail; recovered: booted again after a power failure */
let phase: 'live' | 'off' | 'recovered' = 'live';
let mounted: MountOptions[] = []; // what the host mounted after the power failure
/** the machine checks are evaluated on: the scenario's, or a recovery machine (xfs crash states) */
let active: LinuxMachine = machine;

function send(msg: Json): void {
  process.stdout.write(JSON.stringify(msg) + '\n');
}

/** the crash state: power off now if it is still on, boot over the same NVDIMM, mount */
async function recover(mounts: MountOptions[]): Promise<void> {
  if (phase === 'live') await machine.powerOff();
  if (phase !== 'recovered' || !machine.running) {
    await machine.boot();
    mounted = [];
    phase = 'recovered';
    await rescanPartitions(machine);
    await applyPoison(machine, poisoned);
  }
  await mountAll(mounts);
}

async function mountAll(mounts: MountOptions[]): Promise<void> {
  for (const m of mounts) {
    if (mounted.some((x) => x.dir === m.dir)) continue;
    await active.request('mount', m);
    mounted.push(m);
  }
}

type Result = { ok: boolean; reason?: string };

async function evaluate(check: CrashCheck): Promise<Result> {
  const why = (e: unknown): string => (e instanceof Error ? e.message : String(e));
  switch (check.kind) {
    case 'exists':
      try {
        await active.request('statx', { path: check.path });
        return { ok: true };
      } catch (e) {
        return { ok: false, reason: `${check.path}: ${why(e)}` };
      }
    case 'dir-lists':
      try {
        const names = (await active.request('readdir', { path: check.path })) as string[];
        const missing = check.names.filter((n) => !names.includes(n));
        return missing.length ? { ok: false, reason: `${check.path} does not list ${missing.join(', ')} (it lists ${names.join(', ') || 'nothing'})` } : { ok: true };
      } catch (e) {
        return { ok: false, reason: `${check.path}: ${why(e)}` };
      }
    case 'xattr':
      try {
        const got = (await active.request('getxattr', { path: check.path, name: check.name })) as string;
        return got === check.value?.toLowerCase() ? { ok: true } : { ok: false, reason: `${check.path} has extended attribute ${check.name} = ${got}, expected ${check.value ?? 'no such attribute'}` };
      } catch (e) {
        // ENODATA: the attribute is absent, which is the answer when absence is expected
        if (check.value === null && ((e instanceof TargetError && e.errno === 'ENODATA') || /ENODATA/.test(why(e)))) return { ok: true };
        return { ok: false, reason: `${check.path}: ${why(e)}` };
      }
    case 'file-size':
      try {
        const st = (await active.request('statx', { path: check.path })) as { size: number };
        return st.size === check.size ? { ok: true } : { ok: false, reason: `${check.path} has size ${st.size}, expected ${check.size}` };
      } catch (e) {
        return { ok: false, reason: `${check.path}: ${why(e)}` };
      }
    case 'file-holds':
      try {
        const got = (await active.request('read', { path: check.path, offset: check.offset, length: check.data.length / 2 })) as string;
        return got === check.data.toLowerCase() ? { ok: true } : { ok: false, reason: `${check.path} holds ${got || 'nothing'} at offset ${check.offset}, expected ${check.data}` };
      } catch (e) {
        return { ok: false, reason: `${check.path}: ${why(e)}` };
      }
    case 'device-holds': {
      const got = (await active.request('readDevice', { dev: check.dev, offset: check.offset, length: check.data.length / 2 })) as string;
      return got === check.data.toLowerCase() ? { ok: true } : { ok: false, reason: `/dev/${check.dev} holds ${got} at offset ${check.offset}, expected ${check.data}` };
    }
    case 'fsck-clean': {
      const on = mounted.filter((m) => m.dev === check.dev || m.rtdev === check.dev);
      for (const m of [...on].reverse()) await active.request('umount', { dir: m.dir });
      mounted = mounted.filter((m) => !on.includes(m));
      const rtdev = on.find((m) => m.dev === check.dev)?.rtdev;
      const r = (await active.request('fsck', rtdev ? { dev: check.dev, rtdev } : { dev: check.dev })) as { clean: boolean; messages: string[] };
      await mountAll(on);
      return r.clean ? { ok: true } : { ok: false, reason: `fsck of /dev/${check.dev} reports: ${r.messages.join('; ')}` };
    }
    case 'all':
      for (const c of check.checks) {
        const r = await evaluate(c);
        if (!r.ok) return r;
      }
      return { ok: true };
    case 'not': {
      const r = await evaluate(check.check);
      return r.ok ? { ok: false, reason: `expected not: ${JSON.stringify(check.check)}` } : { ok: true };
    }
    case 'implies': {
      const c = await evaluate(check.if);
      return c.ok ? evaluate(check.then) : { ok: true };
    }
    default:
      throw new TargetError('EINVAL', `unknown check kind ${JSON.stringify((check as { kind?: unknown }).kind)}`);
  }
}

/** the partitions the scenario made (createPartitions, resizeDevice): their table is on the NVDIMM, so they outlive a power failure */
let partitions = new Map<string, { dev: string; start: number; size: number }>();

/** the traced namespaces: where each /dev/pmemN lies in its backing file; with `parts`, the partitions on them too */
function devices(parts = true): Map<string, Device> {
  const out = new Map<string, Device>();
  for (const [n, ns] of machine.trace?.namespaces ?? []) {
    if (ns.region === undefined || !machine.backingFiles[n]) continue;
    out.set(`pmem${n}`, { backing: machine.backingFiles[n], dataOffset: ns.start - ns.region, size: ns.size });
  }
  for (const [name, p] of parts ? partitions : []) {
    const disk = out.get(p.dev);
    if (disk) out.set(name, { backing: disk.backing, dataOffset: disk.dataOffset + p.start, size: p.size, partOf: { dev: p.dev, start: p.start } });
  }
  return out;
}

/**
 * A machine restored from its save (linux/qemu.ts) has the kernel of before the partition table was
 * written; a boot would read the table, so a restored one re-reads it (BLKRRPART), as after fdisk.
 */
async function rescanPartitions(on: LinuxMachine): Promise<void> {
  for (const disk of new Set([...partitions.values()].map((p) => p.dev))) {
    const r = (await on.request('exec', { argv: ['blockdev', '--rereadpt', `/dev/${disk}`] })) as { status: number; output: string };
    if (r.status !== 0) throw new TargetError('EIO', `re-reading the partition table of /dev/${disk} after the power failure: ${r.output.trim()}`);
  }
}

async function createPartitions(args: Json): Promise<unknown> {
  const names = (await forward('createPartitions', args)) as string[];
  const asked = args.partitions as { start: number; size: number }[];
  names.forEach((name, i) => partitions.set(name, { dev: String(args.disk).replace(/^\/dev\//, ''), start: asked[i].start, size: asked[i].size }));
  return names;
}

async function resizeDevice(args: Json): Promise<unknown> {
  await forward('resizeDevice', args);
  const p = partitions.get(String(args.dev).replace(/^\/dev\//, ''));
  // the kernel keeps whole sectors (a partition's size is a sector count)
  if (p) p.size = Math.floor(Number(args.size) / 512) * 512;
  return null;
}

function hello(): Hello {
  // poison: media errors through the badblocks list (injectPoison below)
  const base = { ...adrMachine.hello!, capabilities: [...adrMachine.hello!.capabilities, 'poison'] as Hello['capabilities'] };
  // virtio-pmem: the platform promise the rules run under is the flush request's (MS-14)
  const h: Hello = virtioPmem
    ? {
        ...base,
        profile: 'virtio-pmem',
        // the region is asynchronous (no MAP_SYNC: ext4 and xfs refuse it with EOPNOTSUPP)
        capabilities: [...base.capabilities.filter((c) => c !== 'map-sync'), 'virtio-pmem'],
        description: `${base.description}; pmem on virtio-pmem-pci, not NVDIMMs`,
      }
    : base;
  // fast-reset: a reset restores the machine saved after its first boot (linux/qemu.ts), no boot
  const fast = adrMachine.fastResetReady ? ['fast-reset'] : [];
  // eadr: configure switches to a machine whose NFIT puts the CPU caches in the persistence domain (NVDIMMs only)
  const declared = traced ? ([...h.capabilities, 'cache-model', 'pmem-trace', ...(virtioPmem ? [] : ['eadr']), ...fast] as Hello['capabilities']) : h.capabilities;
  return {
    ...h,
    capabilities: declared,
    ...(traced ? { description: `${h.description}; traced by a QEMU 10 TCG plugin (every NVDIMM store, write-back and fence${virtioPmem ? ', and each flush request' : ''})` } : {}),
    lacks: linuxLacks(declared, virtioPmem ? 'virtio-pmem' : 'nvdimm'),
  };
}

/** lines of a crash image sent ahead in `partial` recovers, for the next recover or remount */
const staged: LineRun[] = [];

/** protocol request number of the scenario's current request (the op markers carry it) */
let seq = 0;

async function handleTraced(op: string, args: Json): Promise<unknown> {
  switch (op) {
    case 'trace': {
      if (!machine.trace) return { events: [] };
      return machine.trace.take(TRACE_CHUNK);
    }
    case 'extents':
      if (phase === 'off' || !machine.running) throw new TargetError('EIO', 'extents: the machine is powered off (ask before the power failure)');
      return machine.request('extents', args);
    case 'recover': {
      if (!process.env.DAX_LINUX_RECOVER_LOG) return recoverState(args);
      // diagnostics: one line per crash state evaluated (its lines, the watched lines read, the time)
      const t0 = Date.now();
      const r = await recoverState(args);
      const n = (rs: unknown): number => (Array.isArray(rs) ? (rs as { len?: number; data?: string; zeros?: number }[]).reduce((x, q) => x + (q.len ?? (q.data ? q.data.length / 2 : q.zeros ?? 0)) / 64, 0) : 0);
      fs.appendFileSync(process.env.DAX_LINUX_RECOVER_LOG, `${new Date().toISOString()} ${JSON.stringify((args.check as { kind: string }).kind)} lines=${n(args.lines)} watch=${n(args.watch)} read=${n(r.read)} ok=${r.ok} ${Date.now() - t0} ms\n`);
      return r;
    }
    case 'remount':
      if (phase === 'off' && Array.isArray(args.lines)) {
        // the crash state the suite chose: the upper bound with these lines put back
        const img = new CrashImage(devices(), machine.workDir, []);
        img.writeInto([...staged.splice(0), ...(args.lines as LineRun[])]);
      }
      return undefined;
    default:
      return undefined;
  }
}

/**
 * Another platform is another machine: QEMU's `-machine nvdimm-persistence=cpu` makes the NFIT say the
 * CPU caches are in the persistence domain, and Linux then treats the region as eADR (nvdimm_has_cache()
 * false: the pmem driver turns off the DAX write-back flushes). The other machine is powered off, and
 * the new one starts fresh (its own save restored), as after a reset.
 */
async function switchPlatform(to: 'adr' | 'eadr'): Promise<void> {
  await machine.powerOff(true);
  machine = to === 'eadr' ? (eadrMachine ??= new LinuxMachine({ ...machineOptions, persistence: 'cpu' })) : adrMachine;
  active = machine;
  platform = to;
  await machine.reset();
  fresh = true;
  mounted = [];
  partitions = new Map();
}

/** one crash state decided on the host (ext2/ext4) or on a recovery machine (xfs); `partial` stages lines ahead */
async function recoverState(args: Json): Promise<{ ok: boolean; reason?: string; read?: WatchRange[] }> {
  if (phase !== 'off') throw new TargetError('EINVAL', 'recover follows a power failure');
  if (!Array.isArray(args.lines) || !args.check || !Array.isArray(args.mounts)) throw new TargetError('EINVAL', 'recover needs "lines", "check" and "mounts"');
  // an image too big for one request line: its first lines come ahead in `partial` recovers
  if (args.partial === true) {
    staged.push(...(args.lines as LineRun[]));
    return { ok: true };
  }
  const lines = [...staged.splice(0), ...(args.lines as LineRun[])];
  const watch = Array.isArray(args.watch) ? (args.watch as WatchRange[]) : undefined;
  if ((args.mounts as MountOptions[]).some((m) => m.fs === 'xfs')) return recoverByBoot(lines, args.check as CrashCheck, args.mounts as MountOptions[], watch);
  const img = new CrashImage(devices(), machine.workDir, lines, watch !== undefined);
  try {
    const r = await img.evaluate(args.check as CrashCheck, args.mounts as MountOptions[]);
    return watch ? { ...r, read: watchedReads(img.reads, watch) } : r;
  } finally {
    img.discard();
  }
}

/**
 * xfs: only the kernel replays its log, so an xfs crash state is checked by a recovery machine
 * (untraced) over a copy of the backing files with the state's lines written in: the machine saved
 * after the first boot, restored (well under a second), or where there is no save a boot (13 s on
 * a quiet host); either way the kernel's own log recovery at mount.
 */
async function recoverByBoot(lines: LineRun[], check: CrashCheck, mounts: MountOptions[], watch?: WatchRange[]): Promise<{ ok: boolean; reason?: string; read?: WatchRange[] }> {
  const dir = path.join(machine.workDir, 'recovery');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir);
  const devs = new Map<string, Device>();
  for (const [name, d] of devices(false)) {
    const copy = path.join(dir, path.basename(d.backing));
    const r = spawnSync('cp', ['--sparse=always', d.backing, copy], { encoding: 'utf8' });
    if (r.status !== 0) throw new TargetError('EIO', `cp of ${name}'s backing file: ${r.stderr}`);
    devs.set(name, { ...d, backing: copy });
  }
  new CrashImage(devs, dir, []).writeInto(lines);
  // watching reads: the plugin reports each line the recovery's mount and check load from
  const rm = new LinuxMachine({ workDir: dir, pmemSize: machine.pmemSize, nvdimms: machine.backingFiles.length, trace: !!watch, watchReads: !!watch, tracedMachine: true, virtioPmem });
  const saved = mounted;
  try {
    await rm.boot();
    await rescanPartitions(rm);
    await applyPoison(rm, poisoned);
    active = rm;
    mounted = [];
    const read = (): { read?: WatchRange[] } => (watch && rm.trace ? { read: watchedReads(rm.trace.reads, watch) } : {});
    try {
      await mountAll(mounts);
    } catch (e) {
      return { ok: false, reason: `mount failed in this crash state: ${e instanceof Error ? e.message : String(e)}`, ...read() };
    }
    return { ...(await evaluate(check)), ...read() };
  } finally {
    active = machine;
    mounted = saved;
    await rm.powerOff().then(() => rm.close()).catch(() => undefined); // the copies are discarded: no shutdown
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

type WatchRange = { dev: string; off: number; len: number };

/** the watched lines among those read (`pmemN:offset`), as ranges of consecutive lines */
function watchedReads(reads: ReadonlySet<string>, watch: WatchRange[]): WatchRange[] {
  const out: WatchRange[] = [];
  for (const w of watch) {
    for (let l = w.off - (w.off % 64); l < w.off + w.len; l += 64) {
      if (!reads.has(`${w.dev}:${l}`)) continue;
      const last = out[out.length - 1];
      if (last && last.dev === w.dev && last.off + last.len === l) last.len += 64;
      else out.push({ dev: w.dev, off: l, len: 64 });
    }
  }
  return out;
}

async function handle(op: string, args: Json): Promise<unknown> {
  if (traced && ['trace', 'extents', 'recover'].includes(op)) return handleTraced(op, args);
  if (traced && op === 'remount') await handleTraced(op, args);
  switch (op) {
    case 'hello':
      return hello();
    case 'reset':
      if (platform !== 'adr') await switchPlatform('adr');
      else if (!fresh || !machine.running) await machine.reset();
      mounted = [];
      fresh = true;
      prefix = [];
      phase = 'live';
      staged.length = 0;
      poisoned = [];
      partitions = new Map();
      return null;
    case 'powerFail':
      fresh = false;
      prefix = undefined;
      await machine.powerOff();
      mounted = [];
      phase = 'off';
      return null;
    case 'remount': {
      fresh = false;
      prefix = undefined;
      await recover((args.mounts ?? []) as MountOptions[]);
      return { stateId: 'single' };
    }
    case 'checkCrash': {
      fresh = false;
      prefix = undefined;
      await recover((args.mounts ?? []) as MountOptions[]);
      const r = await evaluate(args.check as CrashCheck);
      const verdict: CrashVerdict = { ok: r.ok, coverage: 'single', states: 1 };
      if (!r.ok) verdict.counterexample = { stateId: 'single', reason: r.reason ?? 'the check failed', lines: [] };
      return verdict;
    }
    case 'configure': {
      // the persistence model is the suite's (cache-model), and tearing is how the suite builds crash
      // states from the traced stores; the platform is the machine's: eADR is another machine
      if (!traced) throw new TargetError('ENOSYS', 'configure needs the traced machine');
      const mode = args.pmemMode;
      if (virtioPmem) {
        if (mode !== undefined && mode !== 'virtio-pmem') throw new TargetError('EOPNOTSUPP', `pmemMode ${String(mode)}: this machine's pmem is virtio-pmem (a host file, durable only through the flush request)`);
        return null;
      }
      if (mode === undefined || mode === platform) return null;
      if (mode !== 'adr' && mode !== 'eadr') throw new TargetError('EOPNOTSUPP', `pmemMode ${String(mode)}: this machine's NVDIMMs are ACPI NFIT devices, not virtio-pmem`);
      if (prefix === undefined || phase !== 'live') throw new TargetError('EBUSY', `configure pmemMode ${mode}: the platform is chosen on a fresh machine, before anything changes it`);
      await switchPlatform(mode);
      return null;
    }
    case 'mkfs':
      if (traced && prefix && phase === 'live' && machine.running && machine.fastResetReady) return mkfsOnFresh(args);
      return forward(op, args);
    case 'createNamespace':
      // the agent only checks /dev/<name>: nothing changes, and an mkfs after it can still be restored
      if (prefix) prefix.push(`createNamespace ${canonical(args)}`);
      return forward(op, args, true);
    case 'injectPoison':
      return injectPoison(args);
    case 'createPartitions':
      return createPartitions(args);
    case 'resizeDevice':
      return resizeDevice(args);
    default:
      return forward(op, args);
  }
}

/**
 * The media errors injected so far, as (device, first sector, sectors): the NVDIMM keeps them, so
 * every boot over it (a power failure's, a crash state's recovery machine) gets them again.
 * QEMU's NVDIMM has no media errors and no address range scrub, so the kernel learns them the way
 * a scrub would report them: `/sys/block/pmemN/badblocks` ("<sector> <count>", block/genhd.c
 * disk_badblocks_store), the same list (`disk->bb` is the pmem driver's `pmem->bb`) that
 * pmem_do_read, dax_direct_access (-EIO, a fault's SIGBUS) and pmem_recovery_write consult.
 */
let poisoned: { dev: string; sector: number; count: number }[] = [];

async function injectPoison(args: Json): Promise<null> {
  if (phase === 'off' || !machine.running) throw new TargetError('EIO', 'injectPoison: the machine is powered off');
  const p = args.path;
  const offset = args.offset;
  const length = args.length;
  if (typeof p !== 'string' || typeof offset !== 'number' || typeof length !== 'number' || offset < 0 || length <= 0) throw new TargetError('EINVAL', 'injectPoison needs "path", "offset" and a positive "length"');
  fresh = false;
  prefix = undefined;
  const ranges: { dev: string; devOffset: number; len: number }[] = [];
  if (p.startsWith('/dev/')) ranges.push({ dev: p.slice(5), devOffset: offset, len: length });
  else {
    const ext = (await machine.request('extents', { path: p })) as { offset: number; length: number; dev: string; devOffset: number }[];
    for (let pos = offset; pos < offset + length; ) {
      const e = ext.find((x) => pos >= x.offset && pos < x.offset + x.length);
      if (!e) throw new TargetError('EINVAL', `injectPoison: ${p} has no block at offset ${pos} (a hole has no media to poison)`);
      const n = Math.min(e.offset + e.length, offset + length) - pos;
      ranges.push({ dev: e.dev, devOffset: e.devOffset + (pos - e.offset), len: n });
      pos += n;
    }
  }
  const added = ranges.map((r) => ({ dev: r.dev, sector: Math.floor(r.devOffset / 512), count: Math.ceil((r.devOffset + r.len) / 512) - Math.floor(r.devOffset / 512) }));
  await applyPoison(machine, added);
  poisoned.push(...added);
  return null;
}

async function applyPoison(on: LinuxMachine, list: { dev: string; sector: number; count: number }[]): Promise<void> {
  for (const b of list) {
    if (!/^pmem\d+$/.test(b.dev)) throw new TargetError('EINVAL', `injectPoison: ${b.dev} is not a pmem block device`);
    const r = (await on.request('exec', { argv: ['/bin/sh', '-c', `echo ${b.sector} ${b.count} > /sys/block/${b.dev}/badblocks && cat /sys/block/${b.dev}/badblocks`] })) as { status: number; output: string };
    if (r.status !== 0) throw new TargetError('EIO', `injectPoison: /sys/block/${b.dev}/badblocks refused "${b.sector} ${b.count}": ${r.output.trim()}`);
  }
}

function forward(op: string, args: Json, keepPrefix = false): Promise<unknown> {
  if (phase === 'off' || !machine.running) throw new TargetError('EIO', `${op}: the machine is powered off (after powerFail only remount and checkCrash are meaningful)`);
  fresh = false;
  if (!keepPrefix) prefix = undefined;
  return machine.request(op, args, seq);
}

/**
 * mkfs as a fresh machine's first request: the machine saved after the same mkfs is restored
 * instead (mkfs costs 7 to 14 s under the plugin, a restore a fraction of one).  The first time,
 * the mkfs runs and the machine is saved after it, but only if the mkfs left every line it wrote
 * durable (mkfs ends with fsync, a write-back and a fence): then no crash state can tell the
 * restored NVDIMMs from the traced mkfs, and they are the new trace's base.
 */
async function mkfsOnFresh(args: Json): Promise<unknown> {
  const key = [...prefix!, `mkfs ${canonical(args)}`].join('\n');
  const memo = machine.savedMachine(key);
  if (memo) {
    await machine.restore(memo);
    fresh = false;
    prefix = undefined;
    return memo.result;
  }
  const result = await forward('mkfs', args);
  if (machine.trace?.undurableLines(virtioPmem) === 0) await machine.saveAs(key, result ?? null);
  return result;
}

/** JSON with every object's keys sorted: one text per set of arguments */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Json)[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

async function main(): Promise<void> {
  const boot = await machine.boot();
  if (process.env.DAX_LINUX_DEBUG === '1') process.stderr.write(`linux: booted in ${boot.bootMs.toFixed(0)} ms (${boot.accel})\n`);
  send({ hello: hello() as unknown as Json });
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line.trim()) continue;
    let msg: { id?: unknown; op?: unknown; args?: unknown };
    try {
      msg = JSON.parse(line);
    } catch {
      send({ id: null, ok: false, errno: 'EINVAL', message: 'the request is not JSON' });
      continue;
    }
    const id = typeof msg.id === 'number' ? msg.id : null;
    seq = id ?? seq;
    const op = typeof msg.op === 'string' ? msg.op : '';
    const args = (typeof msg.args === 'object' && msg.args !== null ? msg.args : {}) as Json;
    if (op === 'close') {
      await Promise.all([adrMachine.close(), eadrMachine?.close()]);
      send({ id, ok: true, result: null });
      process.exit(0);
    }
    try {
      const t0 = Date.now();
      const result = await handle(op, args);
      // diagnostics: each request's time and the server's memory (DAX_LINUX_OP_LOG=<file>)
      // (with node --expose-gc, after a collection at each reset: what the server retains between scenarios)
      if (process.env.DAX_LINUX_OP_LOG && op === 'reset') (globalThis as { gc?: () => void }).gc?.();
      if (process.env.DAX_LINUX_OP_LOG) fs.appendFileSync(process.env.DAX_LINUX_OP_LOG, `${new Date(t0).toISOString()} ${op} ${Date.now() - t0} ms rss=${(process.memoryUsage().rss / 2 ** 20).toFixed(0)}M heap=${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)}M\n`);
      send({ id, ok: true, result: result ?? null });
    } catch (e) {
      if (e instanceof TargetError) send({ id, ok: false, errno: e.errno, message: e.message });
      else {
        // the machine could not be driven: say why and die, the process target reports it
        process.stderr.write(`linux: ${op}: ${e instanceof Error ? e.message : String(e)}\n`);
        await machine.close().catch(() => undefined);
        process.exit(2);
      }
    }
  }
  await machine.close(); // stdin closed
}

for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    void machine.close().finally(() => process.exit(1));
  });
}

main().catch(async (e) => {
  process.stderr.write(`linux: ${e instanceof ImplementationError || e instanceof Error ? e.message : String(e)}\n`);
  await machine.close().catch(() => undefined);
  process.exit(2);
});
