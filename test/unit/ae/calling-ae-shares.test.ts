// The per-calling-AE share of associations (maxAssociationsPerAe, and the default fair share):
// slots, waits in order, hand-over, timeouts and the bound on waiting requests; the fair share's
// holds only while another AE is about, and its admission when a wait runs out.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CallingAeShares } from '../../../src/ae/calling-ae-shares';

const settled = async <T>(p: Promise<T>): Promise<{ value?: T; pending: boolean }> => {
  const marker = Symbol('pending');
  const value = await Promise.race([p, new Promise<typeof marker>((resolve) => setImmediate(() => resolve(marker)))]);
  return value === marker ? { pending: true } : { value: value as T, pending: false };
};

describe('CallingAeShares', () => {
  test('a key takes up to max slots at once; other keys are not affected', () => {
    const shares = new CallingAeShares(2, 60_000, 8);
    const a = CallingAeShares.keyOf('FLOOD', '127.0.0.1');
    const b = CallingAeShares.keyOf('MODALITY', '127.0.0.1');
    assert.equal(shares.take(a), true);
    assert.equal(shares.take(a), true);
    const third = shares.take(a);
    assert.ok(third instanceof Promise);
    assert.equal(shares.take(b), true, 'another calling AE at the same address has its own share');
    assert.equal(shares.take(CallingAeShares.keyOf('FLOOD', '10.0.0.9')), true, 'the same AE title at another address has its own share');
    assert.equal(shares.waitingSize, 1);
    shares.close();
  });

  test('a released slot goes to the oldest waiting request, in order; with none waiting it is freed', async () => {
    const shares = new CallingAeShares(1, 60_000, 8);
    const key = CallingAeShares.keyOf('AE', '127.0.0.1');
    assert.equal(shares.take(key), true);
    const second = shares.take(key) as Promise<boolean>;
    const third = shares.take(key) as Promise<boolean>;
    assert.deepEqual(await settled(second), { pending: true });
    shares.release(key);
    assert.deepEqual(await settled(second), { value: true, pending: false });
    assert.deepEqual(await settled(third), { pending: true }, 'the third waits for the second slot to be released');
    shares.release(key);
    assert.equal(await third, true);
    shares.release(key);
    assert.equal(shares.take(key), true, 'every slot was given back: the next request takes one at once');
    assert.ok(shares.take(key) instanceof Promise, 'and the limit holds again');
    shares.close();
  });

  test('a request that waits longer than waitMs gets false and leaves the queue; later ones keep their place', async () => {
    const shares = new CallingAeShares(1, 50, 8);
    const key = CallingAeShares.keyOf('AE', '127.0.0.1');
    assert.equal(shares.take(key), true);
    assert.equal(await shares.take(key), false);
    assert.equal(shares.waitingSize, 0);
    shares.release(key);
    assert.equal(shares.take(key), true, 'the timed-out request took no slot');
    shares.close();
  });

  test('beyond maxWaiting a request is refused at once; close() ends every wait with false', async () => {
    const shares = new CallingAeShares(1, 60_000, 2);
    const [k1, k2, k3] = ['127.0.0.1', '127.0.0.2', '127.0.0.3'].map((address) => CallingAeShares.keyOf('AE', address)) as [string, string, string];
    assert.equal(shares.take(k1), true);
    assert.equal(shares.take(k2), true);
    const waits = [shares.take(k1), shares.take(k2)];
    assert.ok(waits.every((w) => w instanceof Promise));
    assert.equal(shares.take(k1), false, 'a third waiting request is over maxWaiting');
    assert.equal(shares.take(k3), true, 'a key with a free slot is not bounded by the waiting requests');
    shares.close();
    assert.deepEqual(await Promise.all(waits), [false, false]);
    assert.equal(shares.waitingSize, 0);
  });

  test('limits must be positive integers', () => {
    assert.throws(() => new CallingAeShares(0, 1000, 8), /associations per calling AE must be a positive integer/);
    assert.throws(() => new CallingAeShares(2, 1000, 0), /requests waiting for one must be a positive integer/);
  });

  describe('fair', () => {
    const flood = CallingAeShares.keyOf('FLOOD', '127.0.0.1');
    const peer = CallingAeShares.keyOf('PEER', '127.0.0.1');

    test('a key alone takes beyond its share; once another key holds a slot, the next request waits', async () => {
      const shares = new CallingAeShares(2, 60_000, 8, {});
      assert.deepEqual([shares.take(flood), shares.take(flood), shares.take(flood)], [true, true, true], 'nobody else about: no hold');
      assert.equal(shares.take(peer), true);
      const held = shares.take(flood);
      assert.ok(held instanceof Promise, 'another AE is served: the busy AE waits');
      shares.release(flood);
      assert.deepEqual(await settled(held), { pending: true }, 'not handed over while the key would stay above its share (3 taken, one given back)');
      shares.release(flood);
      assert.deepEqual(await settled(held), { value: true, pending: false }, 'handed over once the key is within its share');
      shares.close();
    });

    test('a key that gave back its last slot within recentMs still counts as about; later it does not', async () => {
      const shares = new CallingAeShares(1, 60_000, 8, { recentMs: 100 });
      assert.equal(shares.take(peer), true);
      shares.release(peer);
      assert.equal(shares.take(flood), true);
      const held = shares.take(flood);
      assert.ok(held instanceof Promise, 'the peer was seen a moment ago');
      shares.release(flood);
      assert.equal(await held, true);
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.equal(shares.take(flood), true, 'the peer has not been seen for longer than recentMs: no hold');
      shares.close();
    });

    test('once nobody else is about, the key\'s held requests go at its next request or release, oldest first', async () => {
      const shares = new CallingAeShares(1, 60_000, 8, { recentMs: 50 });
      assert.equal(shares.take(peer), true);
      assert.equal(shares.take(flood), true);
      const held = [shares.take(flood), shares.take(flood)];
      assert.ok(held.every((h) => h instanceof Promise));
      shares.release(peer);
      await new Promise((resolve) => setTimeout(resolve, 80));
      const order: number[] = [];
      held.forEach((h, i) => void (h as Promise<boolean>).then(() => order.push(i)));
      assert.equal(shares.take(flood), true, 'the peer is gone: no hold');
      assert.deepEqual(await Promise.all(held.map((h) => settled(h as Promise<boolean>))), [{ value: true, pending: false }, { value: true, pending: false }], 'and the held requests went with it');
      assert.deepEqual(order, [0, 1]);
      assert.equal(shares.waitingSize, 0);

      const again = new CallingAeShares(1, 60_000, 8, { recentMs: 50 });
      assert.deepEqual([again.take(flood), again.take(flood)], [true, true], 'alone: two, over the share');
      assert.equal(again.take(peer), true);
      const waiting = again.take(flood);
      again.release(peer);
      await new Promise((resolve) => setTimeout(resolve, 80));
      assert.deepEqual(await settled(waiting as Promise<boolean>), { pending: true }, 'nothing wakes it by itself before its wait runs out');
      again.release(flood);
      assert.deepEqual(await settled(waiting as Promise<boolean>), { value: true, pending: false }, 'a release with nobody else about hands it over, though the key is still at its share');
      shares.close();
      again.close();
    });

    test('a wait that runs out admits the request, over the share; a full waiting bound admits too', async () => {
      const shares = new CallingAeShares(1, 50, 1, {});
      assert.equal(shares.take(peer), true);
      assert.equal(shares.take(flood), true);
      const held = shares.take(flood);
      assert.ok(held instanceof Promise);
      assert.equal(shares.take(flood), true, 'one request waits already (the bound): admitted at once');
      assert.equal(await held, true, 'admitted when its wait ran out, not refused');
      assert.equal(shares.waitingSize, 0);
      for (let i = 0; i < 3; i++) shares.release(flood);
      shares.release(peer);
      shares.close();
    });
  });
});
