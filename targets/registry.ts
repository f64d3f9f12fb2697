// DAX_TARGET names the implementation under test: emulator, emulator:<variant>, process:<command>, linux, linux@virtio-pmem;
// an emulator may run on another persistence profile: emulator@virtio-pmem, emulator:<variant>@eadr.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PMEM_MODES, PmemMode, Target } from './contract';
import type { ProcessTarget } from './process/process-target';
import { isVariant, VARIANTS } from '../emulator/faults';

export class BadTargetSpec extends Error {}

export interface TargetSpec {
  kind: 'emulator' | 'process' | 'linux';
  variant?: string;
  /** the emulator's platform (adr when absent) */
  profile?: PmemMode;
  command?: string[];
  /** as given, for reports */
  label: string;
}

export function parseTargetSpec(spec: string | undefined): TargetSpec {
  const s = (spec ?? '').trim() || 'emulator';
  if (s === 'emulator' || s.startsWith('emulator:') || s.startsWith('emulator@')) {
    const [name, profile, ...extra] = s.split('@');
    if (profile !== undefined && (extra.length > 0 || !(PMEM_MODES as readonly string[]).includes(profile))) {
      throw new BadTargetSpec(`unknown persistence profile "${s.slice(name.length + 1)}" in DAX_TARGET; accepted: ${PMEM_MODES.join(', ')}`);
    }
    const p = profile === undefined ? {} : { profile: profile as PmemMode };
    if (name === 'emulator') return { kind: 'emulator', ...p, label: s };
    const v = name.slice('emulator:'.length);
    if (!isVariant(v)) {
      throw new BadTargetSpec(`unknown variant "${v}" in DAX_TARGET; accepted: ${Object.keys(VARIANTS).join(', ')}`);
    }
    return { kind: 'emulator', variant: v, ...p, label: s };
  }
  if (s.startsWith('process:')) {
    const command = splitCommand(s.slice('process:'.length));
    if (command.length === 0) throw new BadTargetSpec('DAX_TARGET "process:" needs a command, e.g. process:node targets/process/server.js');
    return { kind: 'process', command, label: s };
  }
  if (s === 'linux') return { kind: 'linux', label: s };
  // linux@virtio-pmem: the guest's pmem is virtio-pmem-pci (the only other platform QEMU offers)
  if (s === 'linux@virtio-pmem') return { kind: 'linux', profile: 'virtio-pmem', label: s };
  throw new BadTargetSpec(`unknown DAX_TARGET "${s}"; accepted: emulator, emulator:<variant>, either with @<profile>, process:<command> [args], linux, linux@virtio-pmem`);
}

/** words separated by spaces; single or double quotes group (no shell is involved) */
export function splitCommand(s: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

const ROOT = join(__dirname, '..');
export const LINUX_IMAGE = join(ROOT, '.cache', 'linux', 'image.json');

/** why this target cannot be run at all on this machine (bad input, not the implementation's fault) */
export function targetNotReady(spec: TargetSpec): string | undefined {
  if (spec.kind === 'linux' && !existsSync(LINUX_IMAGE)) return 'the linux target needs its image (.cache/linux/image.json): run npm run linux:image first';
  return undefined;
}

/** servers kept between scenarios under DAX_PROCESS_REUSE=1 */
const idle = new Map<string, ProcessTarget>();

/** close the servers kept for reuse (the end of a run) */
export async function closeIdleTargets(): Promise<void> {
  const all = [...idle.values()];
  idle.clear();
  await Promise.all(all.map((t) => t.close().catch(() => undefined)));
}

/** a process target kept for the next scenario when this one closes it, unless it failed */
function reused(key: string, make: () => ProcessTarget): Target {
  const t = idle.get(key) ?? make();
  idle.delete(key);
  let given = false; // a scenario skipped in Before is closed there and again in After: once is enough
  return new Proxy(t, {
    get(target, prop, receiver) {
      if (prop !== 'close') return Reflect.get(target, prop, receiver);
      return async () => {
        if (given) return;
        given = true;
        if (target.reusable() && !idle.has(key)) idle.set(key, target);
        else await target.close();
      };
    },
  });
}

export async function createTarget(spec: TargetSpec): Promise<Target> {
  switch (spec.kind) {
    case 'emulator': {
      const { EmulatorTarget } = await import('./emulator/emulator-target');
      return new EmulatorTarget(spec.variant as never, spec.profile);
    }
    case 'process': {
      const { ProcessTarget: Process } = await import('./process/process-target');
      if (process.env.DAX_PROCESS_REUSE !== '1') return new Process(spec.command!);
      // npm run parity: one server for the whole run, `reset` between scenarios (a stricter test of reset)
      return reused(spec.command!.join('\0'), () => new Process(spec.command!));
    }
    case 'linux': {
      // The real kernel in QEMU is a process-protocol server (linux/server.ts) like any other implementation.
      const root = ROOT;
      const notReady = targetNotReady(spec);
      if (notReady) throw new BadTargetSpec(notReady);
      // from source through the transpile cache (refreshed per file), never a build that may be older than the source
      const cmd = [process.execPath, '-r', join(root, 'scripts', 'register.js'), join(root, 'linux', 'server.ts'), ...(spec.profile === 'virtio-pmem' ? ['--virtio-pmem'] : [])];
      const { ProcessTarget } = await import('./process/process-target');
      // a boot takes seconds under TCG, more on a loaded machine: a generous time-out unless one is set
      const env = Number(process.env.DAX_PROCESS_TIMEOUT_MS);
      // one machine for the run, reset between scenarios: a scenario skipped on its @requires
      // then costs no boot, since the hooks read the hello before they reset
      // a crash state evaluated by `recover` costs 0.3 s (ext2/ext4 on the host) to 3 s (an xfs
      // recovery machine): at most DAX_LINUX_RECOVER_BUDGET (default 32) of them per check, and the
      // coverage says how far that reached (exhaustive or bounded(k))
      const rb = Number(process.env.DAX_LINUX_RECOVER_BUDGET);
      const recoverBudget = Number.isInteger(rb) && rb > 0 ? rb : 32;
      return reused(`linux\0${cmd.join('\0')}`, () => new ProcessTarget(cmd, { timeoutMs: Number.isFinite(env) && env > 0 ? env : 120_000, recoverBudget }));
    }
  }
}
