// Shared set-up for the filesystem unit tests: a machine with one 1 GiB namespace.

import { Machine } from '../../emulator/machine';
import type { VariantName } from '../../emulator/faults';
import { Vfs } from '../../emulator/fs/vfs';
import type { FsType, MountOptions } from '../../targets/contract';
import { explore } from '../../emulator/pmem/crash';

export function setup(fs: FsType, dax: MountOptions['dax'] = 'always', variant?: VariantName): { machine: Machine; vfs: Vfs; mount: MountOptions } {
  const machine = new Machine({ variant });
  machine.createNamespace('pmem0', 1 << 30);
  const vfs = new Vfs(machine);
  vfs.mkfs(fs, 'pmem0');
  const mount: MountOptions = { fs, dev: 'pmem0', dir: '/mnt', dax };
  vfs.mount(mount);
  return { machine, vfs, mount };
}

export const bytes = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s));
export const text = (b: Uint8Array): string => Buffer.from(b).toString();

/** power fails now: is fsck clean (and does `extra` hold) in every crash state? */
export function everyCrashState(machine: Machine, mounts: MountOptions[], dev: string, extra?: (vfs: Vfs) => string | undefined) {
  return explore(machine.mem, (image) => {
    const vfs = Vfs.boot(machine.reboot(image), mounts);
    const r = vfs.evaluate({ kind: 'fsck-clean', dev });
    if (!r.ok) return r;
    const why = extra?.(vfs);
    return why ? { ok: false, reason: why } : { ok: true };
  });
}
