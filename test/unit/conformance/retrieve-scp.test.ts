// Issue 14.6 and 14.7: the final C-MOVE / C-GET response of our SCP (PS3.4 C.4.2.1.6, C.4.3.1.3):
// Number of Remaining Sub-operations only in Pending and Cancel responses, and the Failed SOP
// Instance UID List with any final status that reports failed sub-operations.
import { TestContext, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ApplicationEntity } from '../../../src/ae/client';
import { getContexts, moveContexts } from '../../../src/ae/retrieve-contexts';
import { ArchiveServices } from '../../../src/archive/archive-services';
import { Dataset } from '../../../src/dicom/dataset-model';
import { Status } from '../../../src/dimse/status';
import { StorageScp } from '../../../src/services/store-scp';
import { refusingPort } from '../../helpers/peers';
import { CT_IMAGE, MemoryStore, connect, ctDataset, startServer, storageContexts, within } from '../../helpers/in-process';

const STUDY = '2.25.1406000';
const INSTANCES = ['2.25.1406000.1', '2.25.1406000.2'];

/** An archive SCP holding two instances of one study, a storage SCP "DEST", and "DOWN" where nothing listens. */
async function archiveWithStudy(t: TestContext) {
  const dir = mkdtempSync(path.join(tmpdir(), 'issue14-retrieve-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const received = new MemoryStore();
  const dest = await startServer({ aeTitle: 'DEST', services: [new StorageScp(received)] }, t);
  const down = await refusingPort();
  t.after(() => down.close());
  const archive = await ArchiveServices.open({
    dir, aeTitle: 'ARCHIVE',
    destinations: [['DEST', { host: '127.0.0.1', port: dest.port }], ['DOWN', { host: '127.0.0.1', port: down.port }]],
  });
  t.after(() => archive.close());
  const server = await startServer({ aeTitle: 'ARCHIVE', services: archive.services }, t);
  const loader = await connect(t, server, { contexts: storageContexts() });
  for (const uid of INSTANCES) {
    const r = await loader.store(ctDataset(uid, (d) => { d.set('StudyInstanceUID', 'UI', STUDY); d.set('SeriesInstanceUID', 'UI', `${STUDY}.9`); }));
    assert.equal(r.status, Status.Success, r.message);
  }
  await loader.release();
  return { server, received };
}

function study(): Dataset {
  const q = new Dataset();
  q.set('QueryRetrieveLevel', 'CS', 'STUDY');
  q.set('StudyInstanceUID', 'UI', STUDY);
  return q;
}

async function consume<T, R>(generator: AsyncGenerator<T, R>, seen: T[] = []): Promise<R> {
  for (;;) {
    const step = await generator.next();
    if (step.done) return step.value;
    seen.push(step.value);
  }
}

test('issue 14.6: final C-MOVE responses carry no Number of Remaining Sub-operations (pending ones do)', async (t) => {
  const { server, received } = await archiveWithStudy(t);
  const client = await connect(t, server, { contexts: moveContexts('study') }, new ApplicationEntity({ aeTitle: 'MOVESCU' }));
  const pending: { remaining?: number }[] = [];
  const summary = await within('the C-MOVE', consume(client.move(study(), 'DEST', { model: 'study' }), pending));
  assert.equal(summary.status, Status.Success);
  assert.equal(summary.completed, 2);
  assert.equal(summary.remaining, undefined, 'the final response has Number of Remaining Sub-operations');
  assert.deepEqual(pending.map((p) => p.remaining), [1]);
  assert.equal(received.received.length, 2);
  await client.release();
});

test('issue 14.6: final C-GET responses carry no Number of Remaining Sub-operations', async (t) => {
  const { server } = await archiveWithStudy(t);
  const get = getContexts('study', [CT_IMAGE]);
  const client = await connect(t, server, get, new ApplicationEntity({ aeTitle: 'GETSCU' }));
  const summary = await within('the C-GET', consume(client.get(study(), new MemoryStore(), { model: 'study' })));
  assert.equal(summary.status, Status.Success);
  assert.equal(summary.completed, 2);
  assert.equal(summary.remaining, undefined, 'the final response has Number of Remaining Sub-operations');
  await client.release();
});

test('issue 14.7: an all-failed (A702) final C-MOVE response lists the failed SOP instances', async (t) => {
  const { server } = await archiveWithStudy(t);
  const client = await connect(t, server, { contexts: moveContexts('study') }, new ApplicationEntity({ aeTitle: 'MOVESCU' }));
  const summary = await within('the C-MOVE', consume(client.move(study(), 'DOWN', { model: 'study' })));
  assert.equal(summary.status, Status.OutOfResourcesSubOperations);
  assert.equal(summary.failed, 2);
  assert.deepEqual([...summary.failedSopInstanceUids].sort(), INSTANCES);
  await client.release();
});
