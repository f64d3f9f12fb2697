// Namespace operations beyond single entries: many names in one directory, renames that must be
// refused or be no-ops, unlink, and read(2) across the end of a file.

import { Then, When } from '@cucumber/cucumber';
import { AssertionError } from 'chai';
import { fromHex, toHex } from '../targets/hex';
import { DaxWorld } from './support/world';
import { InputError } from './support/verdict';
import { attempt } from './files.steps';
import { mustHoldEverywhere } from './crash.steps';

function inDir(dir: string, name: string): string {
  return `${dir === '/' ? '' : dir}/${name}`;
}

// "the files f1 to f300": numbered names, enough to fill more than one directory block
When(/^the application creates the files ([a-z]+)1 to \1(\d+) in (\S+)$/, async function (this: DaxWorld, prefix: string, last: string, dir: string) {
  for (let i = 1; i <= Number(last); i++) await this.target.create({ path: this.path(inDir(dir, `${prefix}${i}`)) });
});

When('the application tries to rename {path} to {path}', async function (this: DaxWorld, from: string, to: string) {
  await attempt(this, () => this.target.rename({ from: this.path(from), to: this.path(to) }));
});

When('the application unlinks {path}', async function (this: DaxWorld, path: string) {
  await this.target.unlink({ path: this.path(path) });
});

/** a name of exactly `n` bytes, so a scenario can sit on NAME_MAX and XATTR_NAME_MAX */
function nameOf(n: number): string {
  if (!Number.isInteger(n) || n < 1) throw new InputError(`a name must be at least 1 byte long, not ${n}`);
  return 'n'.repeat(n);
}

/** a user.* attribute name of exactly `n` bytes, prefix included */
function xattrNameOf(n: number): string {
  if (!Number.isInteger(n) || n < 6) throw new InputError(`an attribute name in the user namespace ("user." and at least one byte) is at least 6 bytes long, not ${n}`);
  return 'user.' + 'k'.repeat(n - 5);
}

When('the application creates a file in {path} whose name is {int} bytes long', async function (this: DaxWorld, dir: string, n: number) {
  await this.target.create({ path: this.path(inDir(dir, nameOf(n))) });
});

When('the application tries to create a file in {path} whose name is {int} bytes long', async function (this: DaxWorld, dir: string, n: number) {
  await attempt(this, () => this.target.create({ path: this.path(inDir(dir, nameOf(n))) }));
});

Then('in every crash state {path} lists the file whose name is {int} bytes long', async function (this: DaxWorld, dir: string, n: number) {
  await mustHoldEverywhere(this, { kind: 'dir-lists', path: this.path(dir), names: [nameOf(n)] }, 'metadata damage');
});

When('the application sets an extended attribute of {path} whose name is {int} bytes long to {data}', async function (this: DaxWorld, path: string, n: number, value: Uint8Array) {
  await this.target.setxattr!({ path: this.path(path), name: xattrNameOf(n), value: toHex(value) });
});

When('the application tries to set an extended attribute of {path} whose name is {int} bytes long to {data}', async function (this: DaxWorld, path: string, n: number, value: Uint8Array) {
  await attempt(this, () => this.target.setxattr!({ path: this.path(path), name: xattrNameOf(n), value: toHex(value) }));
});

Then('in every crash state {path} has the extended attribute whose name is {int} bytes long set to {data}', async function (this: DaxWorld, path: string, n: number, value: Uint8Array) {
  await mustHoldEverywhere(this, { kind: 'xattr', path: this.path(path), name: xattrNameOf(n), value: toHex(value) }, 'extended attribute lost');
});

/** what the scenario's read(2) returned, for the Then that judges it */
const lastRead = new WeakMap<DaxWorld, { length: number; bytes: number }>();

When('the application reads {size} of {path} at offset {size} with read\\(2)', async function (this: DaxWorld, length: number, path: string, offset: number) {
  lastRead.set(this, { length, bytes: fromHex(await this.target.read({ path: this.path(path), offset, length })).length });
});

Then('the read returns {int} bytes', function (this: DaxWorld, n: number) {
  const r = lastRead.get(this);
  if (!r) throw new InputError('"the read returns N bytes" needs "the application reads ... with read(2)" earlier in the scenario');
  if (r.bytes !== n) throw new AssertionError(this.ruleMessage(`read(2) of ${r.length} bytes returned ${r.bytes} bytes; expected ${n}: a read stops at the end of the file`));
});
