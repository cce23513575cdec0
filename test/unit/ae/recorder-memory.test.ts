// The recorder's memory bound: 10,000 associations through an in-process SCP leave it holding its
// capacity's worth of records, and the heap (after a full collection) grows by no more than a
// small fraction of what keeping them all would take.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ApplicationEntity } from '../../../src/ae/client';
import { AssociationRecorder } from '../../../src/ae/recording';
import { QUICK, startServer } from '../../helpers/in-process';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterCollection(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const ASSOCIATIONS = 10_000;
const CAPACITY = 50;
const PARALLEL = 8;
const WARM_UP = 2_000;

test(`${ASSOCIATIONS} associations: the recorders keep ${CAPACITY} each and the heap stays bounded`, async (t) => {
  const serverRecorder = new AssociationRecorder({ capacity: CAPACITY });
  const clientRecorder = new AssociationRecorder({ capacity: CAPACITY });
  const server = await startServer({ recorder: serverRecorder, maxAssociations: PARALLEL * 2 });
  const ae = new ApplicationEntity({ aeTitle: 'SCU', timeouts: QUICK, recorder: clientRecorder });
  const peer = { host: '127.0.0.1', port: server.port, calledAeTitle: 'SCP' };
  let serverClosed = 0;
  serverRecorder.on('closed', () => { serverClosed++; });

  const run = async (count: number) => {
    let next = 0;
    const worker = async () => {
      while (next < count) {
        next++;
        await ae.echo(peer);
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
  };
  // Warm up with the same parallel load (code compiled, pools and tables sized) and fill both
  // recorders before the first measurement.
  await run(WARM_UP);
  const before = heapAfterCollection();
  await run(ASSOCIATIONS);
  // The server's side of the last associations closes a moment after the client's.
  const deadline = Date.now() + 10_000;
  while (serverClosed < ASSOCIATIONS + WARM_UP && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(serverClosed, ASSOCIATIONS + WARM_UP, 'the server recorded every association (waited up to 10 s for the last to close)');
  const after = heapAfterCollection();

  assert.equal(clientRecorder.closedCount, CAPACITY);
  assert.equal(serverRecorder.closedCount, CAPACITY);
  assert.equal(clientRecorder.openCount, 0);
  assert.equal(serverRecorder.openCount, 0);
  const one = Buffer.byteLength(JSON.stringify(clientRecorder.records()[0]));
  const growth = after - before;
  // Keeping every record on both sides would take at least their JSON size in the heap.
  const unbounded = 2 * ASSOCIATIONS * one;
  t.diagnostic(`heap before ${(before / 1e6).toFixed(1)} MB, after ${(after / 1e6).toFixed(1)} MB, growth ${(growth / 1e6).toFixed(2)} MB; `
    + `one record ${one} bytes as JSON, all ${2 * ASSOCIATIONS} would be ≥ ${(unbounded / 1e6).toFixed(1)} MB`);
  assert.ok(growth < unbounded / 4, `the heap grew by ${growth} bytes, more than a quarter of keeping every record (${unbounded})`);
});
