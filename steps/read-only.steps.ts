// Read-only mounts (MS-8): remounting with MS_RDONLY, and the calls that must then fail with EROFS.

import { Given, When } from '@cucumber/cucumber';
import { DaxWorld } from './support/world';
import { attempt } from './files.steps';
import { mapFile } from './mapping.steps';

Given('the filesystem is remounted read-only with dax', async function (this: DaxWorld) {
  const m = this.mounts.pop();
  if (!m) throw new Error('no filesystem is mounted; mount one before remounting it read-only');
  await this.target.umount({ dir: m.dir });
  const ro = { ...m, dax: 'always' as const, ro: true };
  await this.target.mount(ro);
  this.mounts.push(ro);
});

When('the application tries to create {path}', async function (this: DaxWorld, path: string) {
  await attempt(this, () => this.target.create({ path: this.path(path) }));
});

When('the application tries to truncate {path} to {size}', async function (this: DaxWorld, path: string, size: number) {
  await attempt(this, () => this.target.truncate({ path: this.path(path), size }));
});

When('the application tries to fallocate {size} at offset {size} of {path}', async function (this: DaxWorld, length: number, offset: number, path: string) {
  await attempt(this, () => this.target.fallocate({ path: this.path(path), offset, length, mode: 'allocate' }));
});

When('the application tries to map {path} shared', async function (this: DaxWorld, path: string) {
  await attempt(this, () => mapFile(this, path, 'pte', true));
});
