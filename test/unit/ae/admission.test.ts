// The waiting room's eviction order and the refusal digest's once-per-interval lines, on their own.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WaitingRoom } from '../../../src/ae/admission';
import { Refusal, RefusalDigest, formatRefusal } from '../../../src/ae/refusal-log';
import { within } from '../../helpers/wait';

describe('WaitingRoom', () => {
  function room(maxWaiting: number, maxWaitingPerSource: number) {
    const r = new WaitingRoom({ maxWaiting, maxWaitingPerSource });
    const evicted: string[] = [];
    const admit = (source: string, name: string) => r.admit(source, (cause) => evicted.push(`${name} ${cause}`));
    return { r, evicted, admit };
  }

  test('a full per-source bound closes that source\'s oldest, never the newcomer nor another source', () => {
    const { r, evicted, admit } = room(100, 3);
    admit('10.0.0.9', 'other');
    for (let i = 1; i <= 5; i++) admit('10.0.0.1', `flood${i}`);
    assert.deepEqual(evicted, ['flood1 source-limit', 'flood2 source-limit']);
    assert.equal(r.countFrom('10.0.0.1'), 3);
    assert.equal(r.countFrom('10.0.0.9'), 1);
  });

  test('a full total bound closes the oldest of the address holding the most', () => {
    const { r, evicted, admit } = room(4, 10);
    admit('10.0.0.9', 'modality');
    admit('10.0.0.1', 'flood1');
    admit('10.0.0.1', 'flood2');
    admit('10.0.0.2', 'other');
    admit('10.0.0.1', 'flood3');
    admit('10.0.0.3', 'late');
    assert.deepEqual(evicted, ['flood1 waiting-limit', 'flood2 waiting-limit']);
    assert.equal(r.size, 4);
  });

  test('with a deferred enforcement the bounds are restored later, and a connection that spoke in between is spared', () => {
    let pending: (() => void) | undefined;
    const r = new WaitingRoom({ maxWaiting: 10, maxWaitingPerSource: 2 }, (enforce) => { pending = enforce; });
    const evicted: string[] = [];
    const slots = ['flood1', 'real', 'flood2', 'flood3', 'flood4'].map((name) => [name, r.admit('h', (cause) => evicted.push(`${name} ${cause}`))] as const);
    assert.deepEqual(evicted, []);
    assert.equal(r.size, 5);
    r.leave(slots[1]![1]); // the real peer's request was read before the bounds were enforced
    pending!();
    assert.deepEqual(evicted, ['flood1 source-limit', 'flood2 source-limit']);
    assert.equal(r.countFrom('h'), 2);
  });

  test('leaving frees the slot (twice is harmless); evictOne empties oldest first; bad limits are refused', () => {
    const { r, evicted, admit } = room(2, 2);
    const a = admit('h', 'a');
    admit('h', 'b');
    r.leave(a);
    r.leave(a);
    admit('h', 'c');
    assert.deepEqual(evicted, []);
    assert.equal(r.evictOne('waiting-limit'), true);
    assert.deepEqual(evicted, ['b waiting-limit']);
    assert.equal(r.evictOne('waiting-limit'), true);
    assert.equal(r.evictOne('waiting-limit'), false);
    assert.throws(() => new WaitingRoom({ maxWaiting: 0, maxWaitingPerSource: 1 }), /maxWaiting must be a whole number/);
  });
});

describe('WaitingRoom: the heaviest address as connections come and go', () => {
  test('the total bound always takes from the address holding the most now, its oldest first', () => {
    const r = new WaitingRoom({ maxWaiting: 6, maxWaitingPerSource: 10 });
    const evicted: string[] = [];
    const slots = new Map<string, ReturnType<WaitingRoom['admit']>>();
    const admit = (source: string, name: string) => slots.set(name, r.admit(source, (cause) => evicted.push(`${name} ${cause}`)));
    admit('a', 'a1'); admit('a', 'a2'); admit('a', 'a3');
    admit('b', 'b1'); admit('b', 'b2');
    admit('c', 'c1');
    // a's connections speak: b now holds the most.
    r.leave(slots.get('a1')!); r.leave(slots.get('a2')!);
    admit('c', 'c2');
    admit('b', 'b3');
    admit('a', 'a4');
    assert.deepEqual(evicted, ['b1 waiting-limit']);
    assert.deepEqual([r.countFrom('a'), r.countFrom('b'), r.countFrom('c')], [2, 2, 2]);
    // Everyone leaves, then one address comes back: the room starts again from nothing.
    for (const name of ['a3', 'a4', 'b2', 'b3', 'c1', 'c2']) r.leave(slots.get(name)!);
    assert.equal(r.size, 0);
    assert.equal(r.evictOne('waiting-limit'), false);
    admit('c', 'c3');
    assert.equal(r.evictOne('waiting-limit'), true);
    assert.deepEqual(evicted, ['b1 waiting-limit', 'c3 waiting-limit']);
  });

  test('a deferred enforcement brings every address over its bound back to it, oldest first', () => {
    let pending: (() => void) | undefined;
    const r = new WaitingRoom({ maxWaiting: 100, maxWaitingPerSource: 2 }, (enforce) => { pending = enforce; });
    const evicted: string[] = [];
    for (const [source, n] of [['x', 4], ['y', 3], ['z', 2]] as const) {
      for (let i = 1; i <= n; i++) r.admit(source, (cause) => evicted.push(`${source}${i} ${cause}`));
    }
    pending!();
    assert.deepEqual([...evicted].sort(), ['x1 source-limit', 'x2 source-limit', 'y1 source-limit']);
    assert.deepEqual([r.countFrom('x'), r.countFrom('y'), r.countFrom('z')], [2, 2, 2]);
  });
});

describe('RefusalDigest', () => {
  test('one line for the first refusal of a source and cause, then one summary per interval with the count', async () => {
    const lines: Refusal[] = [];
    let summary: () => void = () => undefined;
    const summarized = new Promise<void>((r) => { summary = r; });
    const digest = new RefusalDigest(50, (refusal) => { lines.push(refusal); if (refusal.repeated) summary(); });
    try {
      for (let i = 0; i < 100; i++) digest.record('10.0.0.1', 'artim', `no A-ASSOCIATE-RQ (${i})`);
      digest.record('10.0.0.2', 'artim', 'no A-ASSOCIATE-RQ');
      digest.record('10.0.0.1', 'source-limit', 'closed to make room');
      assert.deepEqual(lines.map((l) => `${l.source} ${l.cause} ${l.count}`), ['10.0.0.1 artim 1', '10.0.0.2 artim 1', '10.0.0.1 source-limit 1']);
      await within('the summary line', summarized, 5000);
      const last = lines.at(-1)!;
      assert.equal(last.count, 99);
      assert.equal(last.message, 'no A-ASSOCIATE-RQ (99)');
      assert.match(formatRefusal(last), /^refused 10\.0\.0\.1 \[artim\] 99 more times in the last 50 ms; the last: no A-ASSOCIATE-RQ \(99\)$/);
      assert.equal(formatRefusal(lines[0]!), 'refused 10.0.0.1 [artim]: no A-ASSOCIATE-RQ (0)');
    } finally {
      digest.close();
    }
  });
});
