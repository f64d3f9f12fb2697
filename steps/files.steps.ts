// Filesystems and files at the system-call level: mkfs and mount, write(2), fsync, sync(2), fsck.
// Paths in features are relative to the mounted filesystem (/a is /mnt/a).

import { Given, Then, When } from '@cucumber/cucumber';
import { AssertionError } from 'chai';
import { FsType, TargetError } from '../targets/contract';
import { fromHex, hexFill, toHex } from '../targets/hex';
import { DaxWorld } from './support/world';
import { parseSize } from './support/params';
import { mayGoEitherWay, mustHoldEverywhere } from './crash.steps';
import type { MountOptions } from '../targets/contract';

export async function mountFs(world: DaxWorld, fs: FsType, dev: string, dax: boolean, dir = world.mountDir, extra: Partial<MountOptions> = {}): Promise<void> {
  await world.ensureNamespace(dev);
  await world.target.mkfs({ fs, dev });
  const opts: MountOptions = { fs, dev, dir, dax: dax ? 'always' : 'never', ...extra };
  await world.target.mount(opts);
  world.mounts.push(opts);
}

/** run an operation a step expects may fail; the error is kept for a later Then */
export async function attempt(world: DaxWorld, f: () => Promise<unknown>): Promise<void> {
  world.lastError = undefined;
  try {
    await f();
  } catch (e) {
    if (!(e instanceof TargetError)) throw e;
    world.lastError = e;
  }
}

Given('an {fs} filesystem mounted with dax on {dev}', async function (this: DaxWorld, fs: FsType, dev: string) {
  await mountFs(this, fs, dev, true);
});

/** a small device, so that file data wraps around into blocks that held metadata */
Given('an {fs} filesystem mounted with dax on a {size} pmem namespace {dev}', async function (this: DaxWorld, fs: FsType, size: number, dev: string) {
  await this.target.createNamespace({ name: dev, size });
  await mountFs(this, fs, dev, true);
});

/** ext4's barrier=0: jbd2 sends no flush request, so fsync's durability rests on the DAX writeback's own fence */
Given('an {fs} filesystem mounted with dax and barrier=0 on {dev}', async function (this: DaxWorld, fs: FsType, dev: string) {
  await mountFs(this, fs, dev, true, this.mountDir, { barrier: false });
});

Given('an {fs} filesystem mounted without dax on {dev}', async function (this: DaxWorld, fs: FsType, dev: string) {
  await mountFs(this, fs, dev, false);
});

Given('an {fs} filesystem mounted without dax on {dev} at {path}', async function (this: DaxWorld, fs: FsType, dev: string, dir: string) {
  await mountFs(this, fs, dev, false, dir);
});

Given('a file {path}', async function (this: DaxWorld, path: string) {
  await this.target.create({ path: this.path(path) });
});

Given('a directory {path}', async function (this: DaxWorld, path: string) {
  await this.target.mkdir({ path: this.path(path) });
});

/** a preallocated, synced file: its size and blocks are durable, so only data is under test */
Given('a file {path} with {size} allocated and synced', async function (this: DaxWorld, path: string, size: number) {
  const p = this.path(path);
  await this.target.create({ path: p });
  await allocate(this, p, size);
  await syncSetup(this, p);
});

/**
 * sync(2), not fsync alone: on ext2 fsync of a file does not write its new directory entry. Then fsync:
 * sync(2) sends no flush request of its own (ext2's none at all), and on virtio-pmem only that reaches media.
 */
export async function syncSetup(world: DaxWorld, p: string): Promise<void> {
  await world.target.sync();
  await world.target.fsync({ path: p });
}

/** posix_fallocate(): fallocate, or zeros written where the filesystem has none (ext2 answers EOPNOTSUPP) */
export async function allocate(world: DaxWorld, p: string, size: number): Promise<void> {
  try {
    await world.target.fallocate({ path: p, offset: 0, length: size, mode: 'allocate' });
  } catch (e) {
    if (!(e instanceof TargetError) || e.errno !== 'EOPNOTSUPP') throw e;
    await writeZeros(world, p, size);
  }
}

export async function writeZeros(world: DaxWorld, p: string, size: number): Promise<void> {
  for (let off = 0; off < size; off += 1 << 20) {
    await world.target.write({ path: p, offset: off, data: hexFill(0, Math.min(1 << 20, size - off)) });
  }
}

/** a file whose blocks hold written data (not unwritten extents, as fallocate leaves them on ext4/xfs) */
Given('a file {path} with {size} written and synced', async function (this: DaxWorld, path: string, size: number) {
  await writtenAndSynced(this, path, size);
});

/** a new file (a realtime one on xfs when asked) with `size` zero bytes written, then made durable */
export async function writtenAndSynced(world: DaxWorld, path: string, size: number, realtime = false): Promise<void> {
  const p = world.path(path);
  await world.target.create(realtime ? { path: p, realtime } : { path: p });
  await writeZeros(world, p, size);
  await syncSetup(world, p);
}

/** blocks (an indirect block among them) allocated (made durable, or not), then freed by truncate, with or without a sync(2) after */
Given(/^a file (\S+) with (\S+ \S+) allocated( and synced)?, then truncated to 0, (synced|not synced)$/, async function (this: DaxWorld, path: string, size: string, allocSynced: string | undefined, synced: string) {
  const p = this.path(path);
  await this.target.create({ path: p });
  await allocate(this, p, parseSize(size));
  if (allocSynced) await this.target.sync();
  await this.target.truncate({ path: p, size: 0 });
  if (synced === 'synced') await this.target.sync();
});

/** a file with a size but no blocks: its pages are holes until written */
Given('a sparse file {path} of {size}, synced', async function (this: DaxWorld, path: string, size: number) {
  const p = this.path(path);
  await this.target.create({ path: p });
  await this.target.truncate({ path: p, size });
  await syncSetup(this, p);
});

When('{path} is truncated to {size}', async function (this: DaxWorld, path: string, size: number) {
  await this.target.truncate({ path: this.path(path), size });
});

When('the application writes {data} to {path} at offset {size} with write\\(2)', async function (this: DaxWorld, data: Uint8Array, path: string, offset: number) {
  await this.target.write({ path: this.path(path), offset, data: toHex(data) });
});

/** many small transactions in a row: enough to fill a journal or log and make it wrap */
When('the application appends {data} to {path} {int} times with write\\(2), each followed by fsync', async function (this: DaxWorld, data: Uint8Array, path: string, times: number) {
  const p = this.path(path);
  const { size } = await this.target.statx({ path: p });
  const hex = toHex(data);
  for (let i = 0; i < times; i++) {
    await this.target.write({ path: p, offset: size + i * data.length, data: hex });
    await this.target.fsync({ path: p });
  }
});

When('the application calls fsync on {path}', async function (this: DaxWorld, path: string) {
  await this.target.fsync({ path: this.path(path) });
});

When('the application calls fdatasync on {path}', async function (this: DaxWorld, path: string) {
  await this.target.fsync({ path: this.path(path), datasync: true });
});

When('the application calls sync\\(2)', async function (this: DaxWorld) {
  await this.target.sync();
});

When('a hole is punched over {size} bytes at offset {size} of {path}', async function (this: DaxWorld, length: number, offset: number, path: string) {
  await this.target.fallocate({ path: this.path(path), offset, length, mode: 'punch-hole' });
});

Then('{path} reads {data} at offset {size}', async function (this: DaxWorld, path: string, data: Uint8Array, offset: number) {
  const got = fromHex(await this.target.read({ path: this.path(path), offset, length: data.length }));
  if (Buffer.compare(Buffer.from(got), Buffer.from(data)) !== 0) {
    const why = data.every((b) => b === 0) ? 'stale data exposure' : 'wrong data';
    throw new AssertionError(this.ruleMessage(`${why}: read(2) of ${path} at offset ${offset} returned ${toHex(got).slice(0, 64)}, expected ${toHex(data).slice(0, 64)}`));
  }
});

Then('{path} reads {int} zero bytes at offset {size}', async function (this: DaxWorld, path: string, n: number, offset: number) {
  const got = fromHex(await this.target.read({ path: this.path(path), offset, length: n }));
  // a short read (past the end of the file) proves nothing about the bytes it did not return
  if (got.length !== n) throw new AssertionError(this.ruleMessage(`read(2) of ${n} bytes of ${path} at offset ${offset} returned only ${got.length}: the range is not inside the file, so it says nothing about zeroing`));
  const bad = got.findIndex((b) => b !== 0);
  if (bad >= 0) throw new AssertionError(this.ruleMessage(`stale data exposure: byte ${offset + bad} of ${path} reads 0x${got[bad].toString(16)}, expected zero`));
});

Then('in every crash state {path} holds {data} at offset {size}', async function (this: DaxWorld, path: string, data: Uint8Array, offset: number) {
  await mustHoldEverywhere(this, { kind: 'file-holds', path: this.path(path), offset, data: toHex(data) });
});

Then('in every crash state {path} holds {int} zero bytes at offset {size}', async function (this: DaxWorld, path: string, n: number, offset: number) {
  await mustHoldEverywhere(this, { kind: 'file-holds', path: this.path(path), offset, data: '00'.repeat(n) }, 'stale data exposure');
});

Then('the call fails with {word}', function (this: DaxWorld, errno: string) {
  if (!this.lastError) throw new AssertionError(this.ruleMessage(`expected the call to fail with ${errno}, but it succeeded`));
  if (this.lastError.errno !== errno) throw new AssertionError(this.ruleMessage(`expected ${errno}, got ${this.lastError.errno}: ${this.lastError.message}`));
});

Then('the error message names {string}', function (this: DaxWorld, text: string) {
  if (!this.lastError) throw new AssertionError(this.ruleMessage(`expected a failure whose message names "${text}", but the call succeeded`));
  if (!this.lastError.message.includes(text)) throw new AssertionError(this.ruleMessage(`the ${this.lastError.errno} error should name "${text}"; its message is: ${this.lastError.message}`));
});

Then('the call succeeds', function (this: DaxWorld) {
  if (this.lastError) throw new AssertionError(this.ruleMessage(`expected success, but the call failed with ${this.lastError.errno}: ${this.lastError.message}`));
});

Then('{path} may or may not hold {data} at offset {size} after the crash', async function (this: DaxWorld, path: string, data: Uint8Array, offset: number) {
  await mayGoEitherWay(this, { kind: 'file-holds', path: this.path(path), offset, data: toHex(data) });
});

Then('in every crash state {path} holds {data} at offset {size} of each of the first {int} pages', async function (this: DaxWorld, path: string, data: Uint8Array, offset: number, pages: number) {
  const checks = Array.from({ length: pages }, (_, i) => ({ kind: 'file-holds' as const, path: this.path(path), offset: i * 4096 + offset, data: toHex(data) }));
  await mustHoldEverywhere(this, { kind: 'all', checks });
});

// A write(2) may be short on a kernel (and the contract returns no count), so "full" is reached only
// when a 4 KiB write(2) itself answers ENOSPC; the bound turns a target that never fills into an error.
Given('{path} is written until the filesystem answers ENOSPC', async function (this: DaxWorld, path: string) {
  let offset = 0;
  for (const chunk of [1 << 20, 4096]) {
    const data = hexFill(0x66, chunk);
    for (let i = 0; ; i++) {
      if (i > 1 << 20) throw new Error(`${path}: write(2) never answered ENOSPC after ${offset} bytes; the filesystem cannot be filled`);
      try {
        await this.target.write({ path: this.path(path), offset, data });
        offset += chunk;
      } catch (e) {
        if (e instanceof TargetError && e.errno === 'ENOSPC') break;
        throw e;
      }
    }
  }
});
