// Pins the virtio-pmem level of the persistence model and the @profile: tag rule (MS-14).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PersistentMemory } from '../../emulator/pmem/memory';
import { holdsInEveryState } from '../../emulator/pmem/crash';
import { notForProfile } from '../../steps/support/profile';
import { parseTargetSpec } from '../../targets/registry';

const bytes = (s: string) => new Uint8Array(Buffer.from(s));

test('virtio-pmem: a write-back and a fence reach only the host page cache; the host flush makes them durable', () => {
  const m = new PersistentMemory(1 << 20, { mode: 'virtio-pmem' });
  m.store(64, bytes('guest'));
  m.flush(64, 5, 'clwb');
  m.fence();
  assert.ok(holdsInEveryState(m, 64, bytes('guest')), 'fenced but not flushed by the host: some crash loses it');
  m.hostFlush();
  assert.equal(holdsInEveryState(m, 64, bytes('guest')), undefined);
});

test('virtio-pmem: the host flush covers only what a fence wrote back, not stores still in the CPU cache', () => {
  const m = new PersistentMemory(1 << 20, { mode: 'virtio-pmem' });
  m.store(0, bytes('A'));
  m.flush(0, 1, 'clwb');
  m.fence();
  m.store(1, bytes('B'));
  m.hostFlush();
  assert.deepEqual(m.possibleLineValues(0).map((v) => Buffer.from(v.subarray(0, 2)).toString()), ['A\0', 'AB']);
});

test('virtio-pmem: clflush and non-temporal copies also stop at the host page cache', () => {
  const m = new PersistentMemory(1 << 20, { mode: 'virtio-pmem' });
  m.store(0, bytes('C'));
  m.flush(0, 1, 'clflush');
  m.storeAndFence(128, bytes('N'));
  assert.ok(holdsInEveryState(m, 0, bytes('C')));
  assert.ok(holdsInEveryState(m, 128, bytes('N')));
  m.hostFlush();
  assert.equal(holdsInEveryState(m, 0, bytes('C')), undefined);
  assert.equal(holdsInEveryState(m, 128, bytes('N')), undefined);
});

test('a crash image keeps nothing in the host page cache: a flush after the crash completes nothing', () => {
  const m = new PersistentMemory(1 << 20, { mode: 'virtio-pmem' });
  m.store(0, bytes('X'), true);
  m.fence();
  const image = m.image(() => undefined);
  image.hostFlush();
  assert.equal(image.possibleLineValues(0).length, 2);
});

test('ADR is unchanged: the fence makes written-back lines durable and hostFlush has nothing to do', () => {
  const m = new PersistentMemory(1 << 20);
  m.store(0, bytes('Y'));
  m.flush(0, 1, 'clwb');
  m.fence();
  assert.equal(holdsInEveryState(m, 0, bytes('Y')), undefined);
  assert.deepEqual(m.pendingLines(), []);
});

test('@profile: tags name every platform a scenario holds on; no tag holds everywhere; a bad tag is named', () => {
  assert.equal(notForProfile(['@rule:PM-5'], 'virtio-pmem'), undefined);
  assert.equal(notForProfile(['@profile:adr', '@profile:eadr'], 'adr'), undefined);
  assert.equal(notForProfile(['@profile:adr', '@profile:eadr'], 'eadr'), undefined);
  assert.match(notForProfile(['@profile:adr', '@profile:eadr'], 'virtio-pmem')!, /holds here only under adr, eadr; this target runs on virtio-pmem/);
  assert.match(notForProfile(['@profile:adr', '@profile:virtio-pmem'], 'eadr')!, /only under adr, virtio-pmem/);
  assert.equal(notForProfile(['@profile:adr', '@profile:virtio-pmem'], 'virtio-pmem'), undefined);
  assert.match(notForProfile(['@profile:nvdimm'], 'adr')!, /@profile:nvdimm names no persistence profile/);
});

test('DAX_TARGET takes a profile after @, for the emulator and its variants', () => {
  assert.deepEqual(parseTargetSpec('emulator@virtio-pmem'), { kind: 'emulator', profile: 'virtio-pmem', label: 'emulator@virtio-pmem' });
  assert.equal(parseTargetSpec('emulator:no-trailing-fence@eadr').profile, 'eadr');
  assert.equal(parseTargetSpec('emulator').profile, undefined);
  assert.throws(() => parseTargetSpec('emulator@optane'), /unknown persistence profile "optane" in DAX_TARGET; accepted: adr, eadr, virtio-pmem/);
});
