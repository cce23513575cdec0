// When the index file is written: once after a burst of changes, at the latest maxDelayMs after
// the first unsaved change, never two writes at once, and errors reported (and retried).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlushScheduler } from '../../../src/archive/index/flush-scheduler';

const failOnError = (error: unknown) => assert.fail(`unexpected write error: ${String(error)}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await sleep(10);
  assert.ok(condition(), what);
}

test('a burst of changes is written once, after it', async () => {
  let writes = 0;
  const s = new FlushScheduler(async () => { writes++; }, { delayMs: 20, maxDelayMs: 60_000, onError: failOnError });
  for (let i = 0; i < 1000; i++) s.touch();
  assert.equal(writes, 0);
  await until(() => writes > 0, 'written after the burst');
  await sleep(50);
  assert.equal(writes, 1);
  assert.equal(s.pending, false);
  await s.close();
  assert.equal(writes, 1, 'nothing left to write on close');
});

test('changes that never stop are still written, maxDelayMs after the first one', async () => {
  let writes = 0;
  const s = new FlushScheduler(async () => { writes++; }, { delayMs: 60_000, maxDelayMs: 30, onError: failOnError });
  for (let i = 0; i < 100 && writes === 0; i++) {
    s.touch();
    await sleep(10);
  }
  assert.ok(writes >= 1, 'written during the changes');
  await s.close();
});

test('one write at a time; a change during a write is written after it', async () => {
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
  await until(() => writes === 1, 'first write started');
  s.touch();
  const flushed = s.flush();
  await sleep(20);
  assert.equal(writes, 1, 'the second write waits for the first');
  release();
  await until(() => writes === 2, 'second write started');
  release();
  await flushed;
  assert.equal(overlap, false);
  assert.equal(s.pending, false);
});

test('flush() throws what the write throws; background failures are reported and retried', async () => {
  let fail = true;
  let writes = 0;
  const errors: unknown[] = [];
  const s = new FlushScheduler(async () => {
    writes++;
    if (fail) throw new Error('disk full');
  }, { delayMs: 1, maxDelayMs: 20, onError: (e) => errors.push(e) });
  s.touch();
  await until(() => errors.length === 1, 'the failure is reported');
  assert.match(String(errors[0]), /disk full/);
  assert.equal(s.pending, true);
  fail = false;
  await until(() => !s.pending, 'retried until written');
  s.touch();
  fail = true;
  await assert.rejects(s.flush(), /disk full/);
  fail = false;
  await s.close();
  assert.equal(s.pending, false);
});
