// fsync against a thread that keeps storing (MS-10): the fsync is stopped before each entry it writes
// back, and the other thread dirties one more page each time; fsync must still finish.

import { Then, When } from '@cucumber/cucumber';
import { AssertionError } from 'chai';
import { toHex } from '../targets/hex';
import { DaxWorld } from './support/world';
import { mapOf } from './mapping.steps';

/** how many entries an fsync may write back while stores continue before the scenario calls it a livelock */
const LIVELOCK_BOUND = 256;

interface Progress {
  name: string;
  entries: number;
  finished: boolean;
}
const progress = new WeakMap<DaxWorld, Progress>();

When('fsync {word} of {path} runs while the application stores {data} into one more page from page {int} before each entry it writes back', async function (this: DaxWorld, name: string, path: string, data: Uint8Array, firstPage: number) {
  const map = await mapOf(this, path);
  const stopAt = 'before-writeback-one';
  let t = await this.target.begin!({ op: 'fsync', args: { path: this.path(path) }, stopAt });
  let entries = 0;
  while (t.at !== 'done' && entries < LIVELOCK_BOUND) {
    await this.target.store({ map, offset: (firstPage + entries) * 4096, data: toHex(data) });
    entries++;
    t = await this.target.resume!({ task: t.task, stopAt });
  }
  const finished = t.at === 'done';
  // past the bound the other thread stops storing, so even a livelocked fsync can end and the scenario report it
  while (t.at !== 'done') t = await this.target.resume!({ task: t.task });
  progress.set(this, { name, entries, finished });
});

Then('fsync {word} finished after writing back {int} entries', function (this: DaxWorld, name: string, n: number) {
  const p = progress.get(this);
  if (!p || p.name !== name) throw new Error(`no fsync named ${name} ran against continuing stores in this scenario`);
  if (!p.finished) {
    throw new AssertionError(this.ruleMessage(`livelock: fsync ${name} was still writing back after ${p.entries} entries while the other thread kept storing; it must finish after the ${n} entries dirty when it started`));
  }
  if (p.entries !== n) throw new AssertionError(this.ruleMessage(`fsync ${name} wrote back ${p.entries} entries, expected ${n}: each entry dirty when it started, once`));
});
