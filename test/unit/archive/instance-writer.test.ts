import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { InstanceWriter } from '../../../src/archive/instance-writer';
import { DiskWatch } from '../../../src/archive/disk-watch';

/** Feeds `bytes` in fragments of `size` through one view buffer that is overwritten after each release, as the association does. */
function feeder(writer: InstanceWriter, bytes: Buffer, size: number) {
  const shared = Buffer.alloc(size);
  let at = 0;
  return {
    get done() { return at >= bytes.length; },
    async next(): Promise<void> {
      const n = Math.min(size, bytes.length - at);
      bytes.copy(shared, 0, at, at + n);
      at += n;
      await writer.write(shared.subarray(0, n));
      writer.release();
      shared.fill(0xee); // the read buffer is read into again
    },
  };
}

describe('InstanceWriter', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'writer-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('two writers at once, each view overwritten after its release: both are written synchronously, and both files hold exactly their bytes', async () => {
    const a = randomBytes(3 * 1024 * 1024 + 17);
    const b = randomBytes(2 * 1024 * 1024 + 5);
    // One store's disk, on which no synchronous write counts as slow however loaded the machine is.
    const disk = new DiskWatch({ slowMs: Infinity });
    const wa = new InstanceWriter(join(dir, 'a.part'), { writes: disk });
    const wb = new InstanceWriter(join(dir, 'b.part'), { writes: disk });
    const fa = feeder(wa, a, 100_000);
    const fb = feeder(wb, b, 65_536);
    let acceptedA = 0;
    let acceptedB = 0;
    const nextA = async () => {
      await fa.next();
      acceptedA = Math.min(acceptedA + 100_000, a.length);
      assert.equal(wa.bytesWritten, acceptedA, 'A holds every byte accepted so far');
    };
    for (let i = 0; i < 5; i++) await nextA();
    while (!fb.done) {
      await fb.next();
      acceptedB = Math.min(acceptedB + 65_536, b.length);
      assert.equal(wb.bytesWritten, acceptedB, 'B, beside A, holds every byte accepted so far (no thread-pool round trip)');
      if (!fa.done) await nextA();
    }
    await wb.finish();
    while (!fa.done) await nextA();
    await wa.finish({ fsync: true });
    assert.ok(readFileSync(wa.path).equals(a), 'file A holds what was written, in order');
    assert.ok(readFileSync(wb.path).equals(b), 'file B holds what was written, in order');
    assert.equal(wa.bytesWritten, a.length);
    assert.equal(wb.bytesWritten, b.length);
  });

  test('owned bytes (the file meta) wait for the first view and go out with it; an instance of owned bytes alone is written by finish()', async () => {
    const meta = randomBytes(356);
    const data = randomBytes(300_000);
    const w = new InstanceWriter(join(dir, 'owned.part'), { writes: new DiskWatch({ slowMs: Infinity }) });
    await w.writeOwned(meta);
    w.release(); // the command's read buffer is reused: nothing of it is in the writer
    assert.equal(w.bytesWritten, 0, 'the owned bytes are not written alone');
    assert.equal(existsSync(w.path), false, 'the file is not opened for them alone');
    const f = feeder(w, data, 100_000);
    await f.next();
    assert.equal(w.bytesWritten, meta.length + 100_000, 'the owned bytes went out with the first view');
    while (!f.done) await f.next();
    await w.finish();
    assert.ok(readFileSync(w.path).equals(Buffer.concat([meta, data])), 'the file holds the owned bytes, then the views, as they were before their buffer was reused');

    const only = new InstanceWriter(join(dir, 'owned-only.part'));
    await only.writeOwned(meta);
    only.release();
    await only.finish();
    assert.ok(readFileSync(only.path).equals(meta));
  });

  test('alone, an instance of any size is written synchronously: every byte accepted is in the file once release() returns', async () => {
    const big = randomBytes(12 * 1024 * 1024 + 3);
    // No synchronous write counts as slow here, however loaded the machine is.
    const w = new InstanceWriter(join(dir, 'big.part'), { writes: new DiskWatch({ slowMs: Infinity }) });
    const f = feeder(w, big, 1024 * 1024);
    let accepted = 0;
    while (!f.done) {
      await f.next();
      accepted = Math.min(accepted + 1024 * 1024, big.length);
      assert.equal(w.bytesWritten, accepted, `the file holds all ${accepted} bytes accepted so far, not fewer`);
    }
    await w.finish();
    assert.ok(readFileSync(w.path).equals(big));
  });

  test('after a slow synchronous write the rest of the instance goes through the thread pool, and the file is whole', async () => {
    const big = randomBytes(6 * 1024 * 1024 + 11);
    // Every synchronous write counts as slow: the first batch is written at once, the rest is copied and handed to the pool.
    const w = new InstanceWriter(join(dir, 'slow.part'), { writes: new DiskWatch({ slowMs: 0 }) });
    const f = feeder(w, big, 1024 * 1024);
    await f.next();
    assert.equal(w.bytesWritten, 1024 * 1024, 'the first batch went synchronously');
    await f.next();
    assert.ok(w.bytesWritten < 2 * 1024 * 1024, 'the second batch was handed to the thread pool, not written at once');
    while (!f.done) await f.next();
    await w.finish();
    assert.ok(readFileSync(w.path).equals(big), 'the file holds every byte, in order, though the read buffer was overwritten after each release');
    assert.equal(w.bytesWritten, big.length);
  });

  test("one slow synchronous write sends the store's other writers through the thread pool too, until the disk stops counting as slow", async () => {
    let now = 0;
    const disk = new DiskWatch({ slowMs: 0, holdMs: 10_000, now: () => now });
    const first = new InstanceWriter(join(dir, 'first-slow.part'), { writes: disk });
    await feeder(first, randomBytes(1024 * 1024), 1024 * 1024).next();
    assert.equal(first.bytesWritten, 1024 * 1024, 'the first write went synchronously, and counted as slow');
    const other = new InstanceWriter(join(dir, 'other.part'), { writes: disk });
    const otherBytes = randomBytes(300_000);
    await feeder(other, otherBytes, 300_000).next();
    assert.equal(other.bytesWritten, 0, "another writer of the same store was copied for the thread pool, not written on the main thread");
    await other.finish();
    assert.ok(readFileSync(other.path).equals(otherBytes));
    now = 10_000;
    const later = new InstanceWriter(join(dir, 'later.part'), { writes: disk });
    await feeder(later, randomBytes(300_000), 300_000).next();
    assert.equal(later.bytesWritten, 300_000, 'once the hold ran out, writes go synchronously again');
    await Promise.all([first.finish(), later.finish()]);
  });

  test('discard beside another writer removes the file once its writes are done; the other is unharmed', async () => {
    const keep = randomBytes(1024 * 1024);
    const wk = new InstanceWriter(join(dir, 'keep.part'));
    const wd = new InstanceWriter(join(dir, 'dropped.part'));
    await wk.write(keep.subarray(0, 1000));
    await wd.write(randomBytes(600 * 1024));
    await wk.write(keep.subarray(1000));
    await wd.discard();
    assert.equal(existsSync(wd.path), false, 'the discarded file is gone');
    await wk.finish();
    assert.ok(readFileSync(wk.path).equals(keep));
  });

  test('a file that cannot be created is the first error, and finish rejects with it', async () => {
    const path = join(dir, 'exists.part');
    const first = new InstanceWriter(path);
    await first.write(Buffer.from('x'));
    await first.finish();
    const second = new InstanceWriter(path);
    await second.write(Buffer.from('y'));
    second.release();
    await assert.rejects(second.finish(), /EEXIST/);
    assert.equal(readFileSync(path, 'latin1'), 'x', 'the existing file is untouched');
  });

  test('the time of each create the writer makes itself goes to the creates watch; a file opened for it, or one that could not be created, counts for nothing', async () => {
    // Every create counts as slow; two in a row make the watch slow.
    const creates = new DiskWatch({ slowMs: 0, inARow: 2, holdMs: Infinity });
    const openedPath = join(dir, 'opened-for-it.part');
    const opened = new InstanceWriter(openedPath, { creates, fd: openSync(openedPath, 'wx') });
    await opened.write(Buffer.from('a'));
    await opened.finish();
    const failing = new InstanceWriter(openedPath, { creates }); // exists already: the create fails
    await failing.write(Buffer.from('b'));
    await assert.rejects(failing.finish(), /EEXIST/);
    const own = new InstanceWriter(join(dir, 'own-1.part'), { creates });
    await own.write(Buffer.from('c'));
    await own.finish();
    assert.equal(creates.slow, false, 'one create of its own so far');
    const another = new InstanceWriter(join(dir, 'own-2.part'), { creates });
    await another.write(Buffer.from('d'));
    await another.finish();
    assert.equal(creates.slow, true, 'two creates of their own, both slow');
  });
});
