// The sentence a scenario skipped for want of capabilities prints (steps/support/skip-reason.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingCapabilities } from '../../steps/support/skip-reason';

test('each missing capability with the reason the target gave', () => {
  const s = missingCapabilities(['raw-block-dax', 'partitions'], {
    name: 'linux', version: '1', capabilities: ['ext4'],
    lacks: { 'raw-block-dax': 'Linux 6.1 has no DAX on a block device.', partitions: 'the agent has no createPartitions' },
  });
  assert.equal(s, 'needs raw-block-dax, partitions, which linux does not declare. raw-block-dax: Linux 6.1 has no DAX on a block device. partitions: the agent has no createPartitions');
});

test('white-box and schedules say what they are when the target gives no reason', () => {
  const s = missingCapabilities(['white-box', 'schedules'], { name: 'my-fs', version: '1', capabilities: [] });
  assert.match(s, /^needs white-box, schedules, which my-fs does not declare\. white-box: .*only the in-process emulator shows the suite; my-fs is tested as a black box.*\. schedules: .*only the in-process emulator's scheduler/);
  assert.ok(!s.includes('it declares'), 'every capability is explained');
});

test('a capability with no reason: what the target declares instead', () => {
  const s = missingCapabilities(['eadr', 'white-box'], { name: 'my-fs', version: '1', capabilities: ['ext4'] });
  assert.match(s, /^needs eadr, white-box, which my-fs does not declare \(it declares: ext4\)\. white-box: /);
  assert.equal(missingCapabilities(['eadr'], { name: 'x', version: '1', capabilities: [] }), 'needs eadr, which x does not declare (it declares: nothing)');
});
