// The SCP's log lines (src/cli/line-batch.ts): the lines of a quiet moment go out together on the
// next turn of the event loop, in order; while lines keep coming, at most one write per interval;
// flush() writes at once; nothing is written when nothing was said. Timers and the clock are mocked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lineBatch } from '../../../src/cli/line-batch';

test('lines said in one quiet turn are written together, in order, on the next', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'setImmediate', 'Date'], now: 1_000_000 });
  const writes: string[] = [];
  const out = lineBatch((text) => writes.push(text), 100);
  out.say('association 1 accepted');
  out.say('association 1 released');
  assert.deepEqual(writes, [], 'nothing is written during the turn');
  t.mock.timers.tick(0);
  assert.deepEqual(writes, ['association 1 accepted\nassociation 1 released\n']);
});

test('while lines keep coming they wait for the end of the interval after the last write, then go out together', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'setImmediate', 'Date'], now: 1_000_000 });
  const writes: string[] = [];
  const out = lineBatch((text) => writes.push(text), 100);
  out.say('association 1 accepted');
  t.mock.timers.tick(0);
  assert.equal(writes.length, 1);
  out.say('association 2 accepted');
  t.mock.timers.tick(10);
  out.say('association 2 released');
  t.mock.timers.tick(80);
  assert.equal(writes.length, 1, 'nothing more within the interval');
  t.mock.timers.tick(10);
  assert.deepEqual(writes, ['association 1 accepted\n', 'association 2 accepted\nassociation 2 released\n']);
  // Quiet for longer than the interval: the next line goes out on the next turn again.
  t.mock.timers.tick(500);
  out.say('association 3 accepted');
  t.mock.timers.tick(0);
  assert.deepEqual(writes.at(-1), 'association 3 accepted\n');
});

test('a clock set back does not hold lines for longer than the interval', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'setImmediate', 'Date'], now: 1_000_000 });
  const writes: string[] = [];
  const out = lineBatch((text) => writes.push(text), 100);
  out.say('before');
  t.mock.timers.tick(0);
  t.mock.timers.setTime(0); // the wall clock jumps back
  out.say('after');
  t.mock.timers.tick(100);
  assert.deepEqual(writes, ['before\n', 'after\n']);
});

test('flush() writes what is queued at once, and a scheduled write that finds nothing writes nothing', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'setImmediate', 'Date'], now: 1_000_000 });
  const writes: string[] = [];
  const out = lineBatch((text) => writes.push(text), 100);
  out.say('shutting down');
  out.flush();
  assert.deepEqual(writes, ['shutting down\n']);
  t.mock.timers.tick(200);
  out.flush();
  assert.deepEqual(writes, ['shutting down\n'], 'the scheduled write found nothing left');
});
