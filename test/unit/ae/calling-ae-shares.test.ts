// The per-calling-AE share of associations (maxAssociationsPerAe): slots, waits in order, hand-over,
// timeouts and the bound on waiting requests.
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
});
