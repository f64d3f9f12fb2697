// Per-file DAX (MS-12): dax=inode mounts, FS_XFLAG_DAX set and cleared, and when a file's mode follows.

import { Given, Then, When } from '@cucumber/cucumber';
import { FsType, MountOptions } from '../targets/contract';
import { toHex } from '../targets/hex';
import { DaxWorld } from './support/world';
import { writeZeros } from './files.steps';
import { mapFile } from './mapping.steps';
import { mustHoldEverywhere } from './crash.steps';

Given(/^an? (ext2|ext4|xfs) filesystem mounted with dax=(always|never|inode) on (pmem\d+)$/, async function (this: DaxWorld, fs: FsType, dax: MountOptions['dax'], dev: string) {
  await this.ensureNamespace(dev);
  await this.target.mkfs({ fs, dev });
  const opts: MountOptions = { fs, dev, dir: this.mountDir, dax };
  await this.target.mount(opts);
  this.mounts.push(opts);
});

/** the flag is set while the file is empty and nothing holds it, so the file is DAX before any data */
Given('a DAX file {path} with {size} written and synced', async function (this: DaxWorld, path: string, size: number) {
  const p = this.path(path);
  await this.target.create({ path: p });
  await this.target.setDaxFlag!({ path: p, on: true });
  await writeZeros(this, p, size);
  await this.target.sync();
});

Given('a directory {path} with the DAX flag set', async function (this: DaxWorld, path: string) {
  const p = this.path(path);
  await this.target.mkdir({ path: p });
  await this.target.setDaxFlag!({ path: p, on: true });
});

Given('the application has written {data} to {path} at offset {size} with write\\(2), not synced', async function (this: DaxWorld, data: Uint8Array, path: string, offset: number) {
  await this.target.write({ path: this.path(path), offset, data: toHex(data) });
});

Given('the application has stored {data} through a shared mapping of {path} at offset {size}', async function (this: DaxWorld, data: Uint8Array, path: string, offset: number) {
  const map = await mapFile(this, path, 'pte', true);
  await this.target.store({ map, offset, data: toHex(data) });
});

When(/^the application (sets|clears) the DAX flag of (\S+)$/, async function (this: DaxWorld, how: string, path: string) {
  await this.target.setDaxFlag!({ path: this.path(path), on: how === 'sets' });
});

Then('after an fsync of {path} and a power failure, every crash state holds {data} at offset {size} of it', async function (this: DaxWorld, path: string, data: Uint8Array, offset: number) {
  await this.target.fsync({ path: this.path(path) });
  await this.target.powerFail();
  this.powerFailed = true;
  await mustHoldEverywhere(this, { kind: 'file-holds', path: this.path(path), offset, data: toHex(data) });
});
