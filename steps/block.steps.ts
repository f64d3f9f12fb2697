// Raw block devices and partitions (BD-3..BD-7): a namespace with a partition table, resize of a
// device under a mapping, read(2)/write(2) of a device, and freezing a filesystem on a partition.
// Mappings, stores, fsync and msync of /dev paths use the mapping and file steps unchanged.

import { Given, Then, When } from '@cucumber/cucumber';
import { AssertionError } from 'chai';
import { fromHex, hexFill, toHex } from '../targets/hex';
import { DaxWorld } from './support/world';
import { parseSize } from './support/params';
import { attempt } from './files.steps';

const SECTOR = 512;

export interface PartitionSpec {
  name: string;
  start: number; // bytes
  size: number; // bytes
}

/** "pmem0p1 at sector 2048 of 64 MiB and pmem0p2 at sector 133120 of 64 MiB" */
export function parsePartitions(disk: string, text: string): PartitionSpec[] {
  return text.split(/,\s*(?:and\s+)?|\s+and\s+/).map((part, i) => {
    const m = /^(\S+) at sector (\d+) of (.+)$/.exec(part.trim());
    if (!m) throw new Error(`"${part}" is not a partition; write e.g. "${disk}p1 at sector 2048 of 64 MiB"`);
    const want = `${disk}p${i + 1}`;
    if (m[1] !== want) throw new Error(`partition ${i + 1} of ${disk} is named ${want}, not ${m[1]}; list partitions in table order`);
    return { name: m[1], start: Number(m[2]) * SECTOR, size: parseSize(m[3]) };
  });
}

/** "/dev/pmem0p1" or "pmem0p1" -> "pmem0p1" */
function devName(p: string): string {
  return p.replace(/^\/dev\//, '');
}

Given(/^an? (?:(\S+ [KMGT]iB) )?pmem namespace (pmem\d+) with partitions? (.+)$/, async function (this: DaxWorld, size: string | undefined, disk: string, list: string) {
  const parts = parsePartitions(disk, list);
  await this.target.createNamespace({ name: disk, size: size ? parseSize(size) : 1024 ** 3 });
  if (!this.target.createPartitions) throw new Error(`${this.hello.name} declares partitions but has no createPartitions`);
  const names = await this.target.createPartitions({ disk, partitions: parts.map(({ start, size: s }) => ({ start, size: s })) });
  const want = parts.map((p) => p.name);
  if (names.join(',') !== want.join(',')) throw new AssertionError(this.ruleMessage(`the partition table of ${disk} gave devices ${names.join(', ')}, expected ${want.join(', ')}`));
});

/** stale bytes over a whole region, left from earlier use: what a newly allocated block must never show */
Given('the first {size} of {path} held stale bytes beforehand', async function (this: DaxWorld, size: number, path: string) {
  await this.ensureNamespace(path);
  for (let off = 0; off < size; off += 1 << 20) {
    await this.target.writeDevice({ dev: devName(path), offset: off, data: hexFill(0x5a, Math.min(1 << 20, size - off)) });
  }
});

/** bytes left on the medium from before (written through the driver, durable), e.g. stale data under a new filesystem */
Given('{path} was written with {data} at offset {size} beforehand', async function (this: DaxWorld, path: string, data: Uint8Array, offset: number) {
  await this.target.writeDevice({ dev: devName(path), offset, data: toHex(data) });
});

Given('an xfs filesystem on {dev} with its realtime section on {dev}, mounted with dax', async function (this: DaxWorld, dev: string, rtdev: string) {
  await this.target.mkfs({ fs: 'xfs', dev, rtdev });
  const opts = { fs: 'xfs' as const, dev, dir: this.mountDir, dax: 'always' as const, rtdev };
  await this.target.mount(opts);
  this.mounts.push(opts);
});

Given('the filesystem on {dev} is frozen', async function (this: DaxWorld, dev: string) {
  const m = this.mounts.find((o) => o.dev === dev);
  if (!m) throw new Error(`no filesystem is mounted on ${dev} in this scenario (mounted: ${this.mounts.map((o) => o.dev).join(', ') || 'none'})`);
  if (!this.target.freeze) throw new Error(`${this.hello.name} declares freeze but has no freeze operation`);
  await this.target.freeze({ dir: m.dir });
});

When('the device {path} is resized to {size}', async function (this: DaxWorld, path: string, size: number) {
  if (!this.target.resizeDevice) throw new Error(`${this.hello.name} declares resize but has no resizeDevice`);
  await this.target.resizeDevice({ dev: devName(path), size });
});

When('the application tries to resize {path} to {size}', async function (this: DaxWorld, path: string, size: number) {
  const resize = this.target.resizeDevice?.bind(this.target);
  if (!resize) throw new Error(`${this.hello.name} declares resize but has no resizeDevice`);
  await attempt(this, () => resize({ dev: devName(path), size }));
});

When('the application tries to load {int} bytes through the mapping of {path} at offset {size}', async function (this: DaxWorld, n: number, path: string, offset: number) {
  const map = this.maps.get(path);
  if (map === undefined) throw new Error(`${path} is not mapped in this scenario; map it first`);
  await attempt(this, () => this.target.load({ map, offset, length: n }));
});

When('the application tries write\\(2) of {data} to {path} at offset {size}', async function (this: DaxWorld, data: Uint8Array, path: string, offset: number) {
  await attempt(this, () => this.target.write({ path: this.path(path), offset, data: toHex(data) }));
});

async function expectDeviceReads(world: DaxWorld, path: string, offset: number, data: Uint8Array, what: string): Promise<void> {
  const got = fromHex(await world.target.read({ path: `/dev/${devName(path)}`, offset, length: data.length }));
  if (Buffer.compare(Buffer.from(got), Buffer.from(data)) !== 0) {
    throw new AssertionError(world.ruleMessage(`${what}: read(2) of /dev/${devName(path)} at offset ${offset} returned ${toHex(got).slice(0, 64)}, expected ${toHex(data).slice(0, 64)}`));
  }
}

Then('read\\(2) of {path} at offset {size} returns {data}', async function (this: DaxWorld, path: string, offset: number, data: Uint8Array) {
  await expectDeviceReads(this, path, offset, data, 'the device and its mapping disagree');
});

Then('{path} still holds {data} at offset {size}', async function (this: DaxWorld, path: string, data: Uint8Array, offset: number) {
  await expectDeviceReads(this, path, offset, data, 'bytes outside the device were touched');
});

Given('a file {path} on the realtime section', async function (this: DaxWorld, path: string) {
  await this.target.create({ path: this.path(path), realtime: true });
});
