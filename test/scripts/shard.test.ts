// --shard i/n: parsed strictly, the shards split the scenarios with no overlap and nothing left out,
// and locations reach cucumber grouped per file.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { locationArgs, parseShard, scenarioLocations, shardOf, withoutShard } from '../../scripts/lib/shard';

test('--shard and DAX_SHARD are parsed; a malformed shard is refused in one sentence', () => {
  assert.deepEqual(parseShard(['--shard', '2/4'], undefined), { index: 2, count: 4 });
  assert.deepEqual(parseShard(['--shard=1/1'], undefined), { index: 1, count: 1 });
  assert.deepEqual(parseShard([], '3/5'), { index: 3, count: 5 });
  assert.equal(parseShard([], undefined), undefined);
  for (const bad of ['0/4', '5/4', '2', 'a/b', '1/0']) assert.throws(() => parseShard(['--shard', bad], undefined), /is not of the form i\/n/);
  assert.deepEqual(withoutShard(['--tags', '@x', '--shard', '1/2', '--shard=2/2', 'features/pmem']), ['--tags', '@x', 'features/pmem']);
});

test('the shards of every scenario are disjoint, cover them all and differ in size by at most one', () => {
  const all = scenarioLocations();
  assert.ok(all.length > 100, 'the features have scenarios');
  assert.equal(new Set(all).size, all.length, 'one location per scenario');
  const shards = [1, 2, 3].map((i) => shardOf(all, { index: i, count: 3 }));
  assert.deepEqual(shards.flat().sort(), [...all].sort());
  const sizes = shards.map((s) => s.length);
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
});

test('locations are grouped per file as cucumber takes them', () => {
  assert.deepEqual(locationArgs(['features/a.feature:3', 'features/b.feature:7', 'features/a.feature:9']), ['features/a.feature:3:9', 'features/b.feature:7']);
});
