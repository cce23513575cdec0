// When the index file is written: once after a burst of changes, at the latest maxDelayMs after
// the first unsaved change, never two writes at once, and errors reported (and retried).
// The clock is node:test's mock (setTimeout and Date): time moves only when a test says so.

import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { FlushScheduler } from '../../../src/archive/archive-index/flush-scheduler';

const failOnError = (error: unknown) => assert.fail(`unexpected write error: ${String(error)}`);

/** Lets the writes started so far run up to their next wait (setImmediate is not mocked). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Moves the mocked clock on by `ms`, running the timers due, then lets what they started run. */
async function advance(t: TestContext, ms: number): Promise<void> {
  t.mock.timers.tick(ms);
  await settle();
}

test('a burst of changes is written once, after it', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  let writes = 0;
  const s = new FlushScheduler(async () => { writes++; }, { delayMs: 20, maxDelayMs: 60_000, onError: failOnError });
  for (let i = 0; i < 1000; i++) s.touch();
  await advance(t, 19);
  assert.equal(writes, 0, 'written before the burst had been quiet for delayMs');
  await advance(t, 1);
  assert.equal(writes, 1, 'not written delayMs after the burst');
  await advance(t, 60_000);
  assert.equal(writes, 1);
  assert.equal(s.pending, false);
  await s.close();
  assert.equal(writes, 1, 'nothing left to write on close');
});

test('changes that never stop are still written, maxDelayMs after the first one', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  let writes = 0;
  const s = new FlushScheduler(async () => { writes++; }, { delayMs: 60_000, maxDelayMs: 30, onError: failOnError });
  for (let at = 0; at < 30; at += 10) {
    s.touch();
    await advance(t, at < 20 ? 10 : 9);
  }
  assert.equal(writes, 0, 'written before maxDelayMs');
  await advance(t, 1);
  assert.equal(writes, 1, 'not written maxDelayMs after the first change');
  await s.close();
});

test('one write at a time; a change during a write is written after it', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  let running = 0;
  let overlap = false;
  let writes = 0;
  let release: () => void = () => undefined;
  const s = new FlushScheduler(async () => {
    running++;
    if (running > 1) overlap = true;
    writes++;
    await new Promise<void>((resolve) => { release = resolve; });
    running--;
  }, { delayMs: 1, maxDelayMs: 5, onError: failOnError });
  s.touch();
  await advance(t, 1);
  assert.equal(writes, 1, 'the first write did not start');
  s.touch();
  const flushed = s.flush();
  await advance(t, 1_000);
  assert.equal(writes, 1, 'the second write waits for the first');
  release();
  await settle();
  assert.equal(writes, 2, 'the second write did not start after the first');
  release();
  await flushed;
  assert.equal(overlap, false);
  assert.equal(s.pending, false);
});

test('flush() throws what the write throws; background failures are reported and retried', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  let fail = true;
  let writes = 0;
  const errors: unknown[] = [];
  const s = new FlushScheduler(async () => {
    writes++;
    if (fail) throw new Error('disk full');
  }, { delayMs: 1, maxDelayMs: 20, onError: (e) => errors.push(e) });
  s.touch();
  await advance(t, 1);
  assert.equal(errors.length, 1, 'the failure was not reported');
  assert.match(String(errors[0]), /disk full/);
  assert.equal(s.pending, true);
  fail = false;
  await advance(t, 20);
  assert.equal(s.pending, false, 'not retried maxDelayMs after the failure');
  assert.equal(writes, 2);
  s.touch();
  fail = true;
  await assert.rejects(s.flush(), /disk full/);
  fail = false;
  await s.close();
  assert.equal(s.pending, false);
});
