// The SCP's log lines (src/cli/line-batch.ts): the lines of one turn of the event loop go out in
// one write, in order; flush() writes at once; nothing is written when nothing was said.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lineBatch } from '../../../src/cli/line-batch';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

test('lines said in one turn are written together, in order, on the next', async () => {
  const writes: string[] = [];
  const out = lineBatch((text) => writes.push(text));
  out.say('association 1 accepted');
  out.say('association 1 released');
  assert.deepEqual(writes, [], 'nothing is written during the turn');
  await nextTurn();
  assert.deepEqual(writes, ['association 1 accepted\nassociation 1 released\n']);
  out.say('association 2 accepted');
  await nextTurn();
  assert.deepEqual(writes, ['association 1 accepted\nassociation 1 released\n', 'association 2 accepted\n']);
});

test('flush() writes what is queued at once, and a turn with nothing said writes nothing', async () => {
  const writes: string[] = [];
  const out = lineBatch((text) => writes.push(text));
  out.say('shutting down');
  out.flush();
  assert.deepEqual(writes, ['shutting down\n']);
  await nextTurn();
  out.flush();
  assert.deepEqual(writes, ['shutting down\n'], 'the scheduled write found nothing left');
});
