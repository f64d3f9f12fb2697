// Persistence profiles (MS-14): a scenario that states a virtio-pmem promise puts the platform there first.

import { Given } from '@cucumber/cucumber';
import { toHex } from '../targets/hex';
import { DaxWorld } from './support/world';
import { writeZeros } from './files.steps';
import { mapOf } from './mapping.steps';

Given('the platform is a virtio-pmem guest: its pmem is a host file made durable only by the flush request', async function (this: DaxWorld) {
  await this.target.configure!({ pmemMode: 'virtio-pmem' });
});

Given('the CPU writes back {int} bytes at offset {size} of {dev} with clwb and fences with sfence', async function (this: DaxWorld, len: number, offset: number, dev: string) {
  await this.target.cpuFlush!({ dev, offset, length: len, insn: 'clwb' });
  await this.target.cpuFence!();
});

// two files written and synced, then one store each through a shared mapping (dirty entries for two fsyncs)
Given('files {path} and {path} of {size}, synced, with {data} and {data} stored through their mappings at offset {size}', async function (this: DaxWorld, a: string, b: string, size: number, da: Uint8Array, db: Uint8Array, offset: number) {
  for (const p of [a, b]) {
    await this.target.create({ path: this.path(p) });
    await writeZeros(this, this.path(p), size);
  }
  await this.target.sync();
  for (const [p, d] of [[a, da], [b, db]] as const) await this.target.store({ map: await mapOf(this, p), offset, data: toHex(d) });
});
