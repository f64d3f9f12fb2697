// Shared set-up for the block-device unit tests: a kernel with one namespace and a partition table.

import { Kernel, run } from '../../emulator/kernel';
import type { VariantName } from '../../emulator/faults';
import { PmemError } from '../../emulator/pmem/memory';

export const MiB = 1 << 20;

/** pmem0 of `size` bytes with partitions given as [start sector, bytes] */
export function partitioned(parts: Array<[number, number]>, size = 256 * MiB, variant?: VariantName): Kernel {
  const k = new Kernel({ variant });
  k.machine.createNamespace('pmem0', size);
  k.machine.createPartitions('pmem0', parts.map(([sector, bytes]) => ({ start: sector * 512, size: bytes })));
  return k;
}

export const bytes = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s));
export const text = (b: Uint8Array): string => Buffer.from(b).toString();

export function store(k: Kernel, map: number, offset: number, data: string): void {
  run(k.storeSteps(map, offset, bytes(data)));
}

/** the errno and message a call fails with */
export function failure(f: () => unknown): { errno: string; message: string } {
  try {
    f();
  } catch (e) {
    if (e instanceof PmemError) return { errno: e.errno, message: e.message };
    throw e;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
