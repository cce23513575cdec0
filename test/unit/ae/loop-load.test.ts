// LoopLoad: the event loop's recent busy share, as the fair share asks it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoopLoad } from '../../../src/ae/loop-load';

const spin = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) { /* the loop is busy */ }
};
const idle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('busy after a window the loop spent running, not after one it spent waiting', async () => {
  await idle(1); // the event loop has started (before it, Node reports no utilization at all)
  const load = new LoopLoad(0.5, 50);
  spin(80);
  assert.equal(load.busy(), true, 'the last 80 ms were all work');
  await idle(120);
  assert.equal(load.busy(), false, 'the last 120 ms were a wait');
});

test('a window shorter than windowMs keeps the last answer; threshold 0 is always busy; out of range is refused', async () => {
  const load = new LoopLoad(0.5, 10_000);
  spin(20);
  assert.equal(load.busy(), false, 'no window of 10 s has passed: the first answer (not busy) stands');
  assert.equal(new LoopLoad(0).busy(), true);
  assert.throws(() => new LoopLoad(1.5), /busy threshold must be from 0 to 1/);
});
