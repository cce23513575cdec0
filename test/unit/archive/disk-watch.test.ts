// DiskWatch: when operations on the main thread count as slow, and for how long.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DiskWatch } from '../../../src/archive/disk-watch';

test('one slow operation is enough by default; the disk counts as slow until the hold ends', () => {
  let now = 0;
  const watch = new DiskWatch({ slowMs: 50, holdMs: 10_000, now: () => now });
  watch.took(49);
  assert.equal(watch.slow, false);
  watch.took(50);
  assert.equal(watch.slow, true);
  now = 9_999;
  assert.equal(watch.slow, true);
  now = 10_000;
  assert.equal(watch.slow, false);
});

test('with inARow, only that many slow operations in a row count: a quick one in between starts the count again', () => {
  let now = 0;
  const watch = new DiskWatch({ slowMs: 0.2, inARow: 3, holdMs: 60_000, now: () => now });
  watch.took(1);
  watch.took(1);
  watch.took(0.05);
  watch.took(1);
  watch.took(1);
  assert.equal(watch.slow, false, 'two slow, a quick one, two slow');
  watch.took(1);
  assert.equal(watch.slow, true, 'three slow in a row');
  now = 60_000;
  assert.equal(watch.slow, false);
  watch.took(1);
  assert.equal(watch.slow, false, 'after the hold the count starts from nothing');
});
