// Memory failure (MS-11): uncorrectable media errors injected under a file, and what read(2), loads and
// write(2) then meet.

import { Given, Then, When } from '@cucumber/cucumber';
import { AssertionError } from 'chai';
import { TargetError } from '../targets/contract';
import { DaxWorld } from './support/world';
import { attempt } from './files.steps';
import { mapFile } from './mapping.steps';

Given('the media under {size} of {path} at offset {size} is poisoned', async function (this: DaxWorld, length: number, path: string, offset: number) {
  await this.target.injectPoison!({ path: this.path(path), offset, length });
});

Given('the filesystem is unmounted and mounted again', async function (this: DaxWorld) {
  const m = this.mounts.at(-1);
  if (!m) throw new Error('no filesystem is mounted; mount one before remounting it');
  await this.target.umount({ dir: m.dir });
  await this.target.mount(m);
});

When('the application tries read\\(2) of {size} of {path} at offset {size}', async function (this: DaxWorld, length: number, path: string, offset: number) {
  await attempt(this, () => this.target.read({ path: this.path(path), offset, length }));
});

Then('read\\(2) of {size} of {path} at offset {size} still fails with {word}', async function (this: DaxWorld, length: number, path: string, offset: number, errno: string) {
  try {
    await this.target.read({ path: this.path(path), offset, length });
  } catch (e) {
    if (!(e instanceof TargetError)) throw e;
    if (e.errno === errno) return;
    throw new AssertionError(this.ruleMessage(`read(2) of ${length} bytes of ${path} at offset ${offset} failed with ${e.errno}, expected ${errno}: ${e.message}`));
  }
  throw new AssertionError(this.ruleMessage(`read(2) of ${length} bytes of ${path} at offset ${offset} succeeded: the poison was cleared or never seen; expected ${errno}`));
});

Given('the media under {size} of {path} at offset {size} is poisoned, then {path} is mapped shared', async function (this: DaxWorld, length: number, path: string, offset: number, mapped: string) {
  await this.target.injectPoison!({ path: this.path(path), offset, length });
  await mapFile(this, mapped, 'pte', true);
});

Given('{path} is mapped shared with its page at offset {size} faulted in, then the media under it is poisoned', async function (this: DaxWorld, path: string, offset: number) {
  await mapFile(this, path, 'pte', true);
  await this.target.load({ map: this.maps.get(path)!, offset, length: 1 });
  await this.target.injectPoison!({ path: this.path(path), offset: offset - (offset % 4096), length: 4096 });
});
