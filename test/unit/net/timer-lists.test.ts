// The kept timer lists (src/net/timer-lists.ts): the intervals that hold them never keep a process
// alive, each duration is kept once, and durations Node keeps no list for are left alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const MODULE = path.join(__dirname, '../../../src/net/timer-lists.js');

/** Runs `body` in a fresh Node with keepTimerList in scope; returns its stdout. */
function inFreshProcess(body: string): string {
  const script = `const { keepTimerList } = require(${JSON.stringify(MODULE)});\n${body}`;
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(run.error, undefined, `the process did not exit on its own within 20 s: ${run.error?.message}`);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, '', 'nothing on stderr (no TimeoutOverflowWarning)');
  return run.stdout;
}

test('a process whose only timers are kept lists exits on its own', () => {
  assert.equal(inFreshProcess(`for (const ms of [1000, 10000, 30000, 120000]) keepTimerList(ms); process.stdout.write('kept');`), 'kept');
});

test('each duration is kept once; 0, negative, fractional and over-long durations are not kept', () => {
  const out = inFreshProcess(`process.stdout.write(JSON.stringify([30000, 30000, 0, -5, 0.5, NaN, 2 ** 31, Infinity].map(keepTimerList)));`);
  assert.deepEqual(JSON.parse(out), [true, false, false, false, false, false, false, false]);
});

test('at most sixteen durations are kept', () => {
  const out = inFreshProcess(`let n = 0; for (let ms = 1000; ms < 1040; ms++) if (keepTimerList(ms)) n++; process.stdout.write(String(n));`);
  assert.equal(out, '16');
});
