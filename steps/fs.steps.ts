// Filesystem structure: directories, realtime devices, fsck, and the crash checks on metadata.

import { Given, Then, When } from '@cucumber/cucumber';
import { AssertionError } from 'chai';
import { toHex } from '../targets/hex';
import { DaxWorld } from './support/world';
import { mustHoldEverywhere } from './crash.steps';
import { attempt, writtenAndSynced } from './files.steps';

Given('an xfs filesystem with the realtime device {dev} mounted with dax on {dev}', async function (this: DaxWorld, rtdev: string, dev: string) {
  for (const d of [dev, rtdev]) await this.ensureNamespace(d);
  await this.target.mkfs({ fs: 'xfs', dev, rtdev });
  const opts = { fs: 'xfs' as const, dev, dir: this.mountDir, dax: 'always' as const, rtdev };
  await this.target.mount(opts);
  this.mounts.push(opts);
});

Given('the device {dev} holds {data} at offset {size} from earlier use', async function (this: DaxWorld, dev: string, data: Uint8Array, offset: number) {
  await this.ensureNamespace(dev);
  await this.target.writeDevice({ dev, offset, data: toHex(data) });
});

Given('a realtime file {path}', async function (this: DaxWorld, path: string) {
  await this.target.create({ path: this.path(path), realtime: true });
});

Given('a realtime file {path} with {size} written and synced', async function (this: DaxWorld, path: string, size: number) {
  await writtenAndSynced(this, path, size, true);
});

When('the application creates the files {word} in {path}', async function (this: DaxWorld, names: string, dir: string) {
  for (const n of names.split(',')) await this.target.create({ path: this.path(`${dir === '/' ? '' : dir}/${n}`) });
});

When('the application tries to unlink {path}', async function (this: DaxWorld, path: string) {
  await attempt(this, () => this.target.unlink({ path: this.path(path) }));
});

When('the application sets the extended attribute {word} of {path} to {data}', async function (this: DaxWorld, name: string, path: string, value: Uint8Array) {
  await this.target.setxattr!({ path: this.path(path), name, value: toHex(value) });
});

Then('fsck reports {dev} clean', async function (this: DaxWorld, dev: string) {
  // fsck wants the filesystem unmounted (xfs_repair refuses a mounted one): unmount, check, mount again
  const mounted = this.mounts.filter((m) => m.dev === dev);
  for (const m of mounted) await this.target.umount({ dir: m.dir });
  const rtdev = mounted.find((m) => m.rtdev)?.rtdev;
  const r = await this.target.fsck(rtdev ? { dev, rtdev } : { dev });
  for (const m of mounted) await this.target.mount(m);
  if (!r.clean) throw new AssertionError(this.ruleMessage(`metadata damage: fsck of /dev/${dev} reports: ${r.messages.join('; ')}`));
});

Then('in every crash state fsck reports {dev} clean', async function (this: DaxWorld, dev: string) {
  await mustHoldEverywhere(this, { kind: 'fsck-clean', dev }, 'metadata damage');
});

Then('in every crash state {path} lists {word}', async function (this: DaxWorld, dir: string, names: string) {
  await mustHoldEverywhere(this, { kind: 'dir-lists', path: this.path(dir), names: names.split(',') }, 'metadata damage');
});

Then('in every crash state {path} exists and is {int} bytes long', async function (this: DaxWorld, path: string, size: number) {
  await mustHoldEverywhere(this, { kind: 'all', checks: [{ kind: 'exists', path: this.path(path) }, { kind: 'file-size', path: this.path(path), size }] }, 'metadata damage');
});

Then('statx of {path} reports {word}', async function (this: DaxWorld, path: string, what: string) {
  const st = await this.target.statx({ path: this.path(path) });
  const want = what === 'STATX_ATTR_DAX';
  if (st.attrDax !== want) throw new AssertionError(this.ruleMessage(`statx of ${path} ${st.attrDax ? 'reports' : 'does not report'} STATX_ATTR_DAX; expected ${what}`));
});
