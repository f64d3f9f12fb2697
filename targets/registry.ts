// DAX_TARGET names the implementation under test: emulator, emulator:<variant>, process:<command>, linux.

import { Target } from './contract';
import { isVariant, VARIANTS } from '../emulator/faults';

export class BadTargetSpec extends Error {}

export interface TargetSpec {
  kind: 'emulator' | 'process' | 'linux';
  variant?: string;
  command?: string[];
  /** as given, for reports */
  label: string;
}

export function parseTargetSpec(spec: string | undefined): TargetSpec {
  const s = (spec ?? '').trim() || 'emulator';
  if (s === 'emulator') return { kind: 'emulator', label: s };
  if (s.startsWith('emulator:')) {
    const v = s.slice('emulator:'.length);
    if (!isVariant(v)) {
      throw new BadTargetSpec(`unknown variant "${v}" in DAX_TARGET; accepted: ${Object.keys(VARIANTS).join(', ')}`);
    }
    return { kind: 'emulator', variant: v, label: s };
  }
  if (s.startsWith('process:')) {
    const command = splitCommand(s.slice('process:'.length));
    if (command.length === 0) throw new BadTargetSpec('DAX_TARGET "process:" needs a command, e.g. process:node targets/process/server.js');
    return { kind: 'process', command, label: s };
  }
  if (s === 'linux') return { kind: 'linux', label: s };
  throw new BadTargetSpec(`unknown DAX_TARGET "${s}"; accepted: emulator, emulator:<variant>, process:<command> [args], linux`);
}

/** words separated by spaces; single or double quotes group (no shell is involved) */
export function splitCommand(s: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

export async function createTarget(spec: TargetSpec): Promise<Target> {
  switch (spec.kind) {
    case 'emulator': {
      const { EmulatorTarget } = await import('./emulator/emulator-target');
      return new EmulatorTarget(spec.variant as never);
    }
    case 'process': {
      const mod = await importOptional('./process/process-target');
      if (!mod) throw new BadTargetSpec('the process target is not built yet');
      return new mod.ProcessTarget(spec.command!);
    }
    case 'linux': {
      const mod = await importOptional('./linux/linux-target');
      if (!mod) throw new BadTargetSpec('the linux target is not built yet: run npm run linux:image first');
      return new mod.LinuxTarget();
    }
  }
}

/** targets built in later steps load by name so a missing one is a clear error, not a crash */
async function importOptional(path: string): Promise<any> {
  try {
    return await import(path);
  } catch (e) {
    if ((e as { code?: string }).code === 'MODULE_NOT_FOUND') return undefined;
    throw e;
  }
}
