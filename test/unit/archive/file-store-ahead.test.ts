// The FileStore opens the next instance's temporary file ahead, on the thread pool, for a session
// (an association) more instances may come on, and removes it when the session ends.
import { test, TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { encodeDataset } from '../../../src/dicom';
import { ExplicitVRLittleEndian } from '../../../src/dicom/transfer-syntaxes';
import { FileStore } from '../../../src/archive/file-store';
import { dataset, instanceFields, tempDir, Fields, CT_IMAGE } from './helpers';
import { waitUntil } from '../../helpers/wait';

function instance(uid: string): Buffer {
  return encodeDataset(dataset({ ...instanceFields({ StudyInstanceUID: '2.25.8401', SOPInstanceUID: uid }), PixelData: Buffer.alloc(512, 7) } as Fields), ExplicitVRLittleEndian);
}

function begin(store: FileStore, uid: string, session?: object) {
  return store.begin({ sopClassUid: CT_IMAGE, sopInstanceUid: uid, transferSyntaxUid: ExplicitVRLittleEndian, callingAeTitle: 'SENDER', calledAeTitle: 'ARCHIVE', session });
}

async function receive(store: FileStore, uid: string, session?: object): Promise<void> {
  const tx = begin(store, uid, session);
  await tx.write(instance(uid));
  assert.equal((await tx.commit()).status, 0);
}

/** A store that received the first two instances of a session (`${prefix}.1`, `.2`): the second starts opening a file for a third. */
async function twoReceived(t: TestContext, prefix: string) {
  const root = tempDir(t);
  const store = new FileStore({ root });
  const session = {};
  await receive(store, `${prefix}.1`, session);
  await receive(store, `${prefix}.2`, session);
  return { root, incoming: path.join(root, '.incoming'), store, session };
}

test('from a session\'s second instance on, the next temporary file is opened ahead and written by the next instance; the session\'s end removes it', async (t) => {
  const { root, incoming, store, session } = await twoReceived(t, '2.25.8401.1');
  await waitUntil('the next temporary file to be opened ahead', () => store.hasOpenedAhead(session), { detail: () => JSON.stringify(readdirSync(incoming)) });
  const ahead = readdirSync(incoming);
  assert.equal(ahead.length, 1);

  const third = begin(store, '2.25.8401.1.3', session);
  const bytes = instance('2.25.8401.1.3');
  await third.write(bytes);
  third.release?.();
  assert.ok(statSync(path.join(incoming, ahead[0]!)).size > bytes.length, 'the instance is written into the file opened ahead');
  assert.equal((await third.commit()).status, 0);
  const stored = readFileSync(path.join(root, '2.25.8401', '2.25.8401.1', '2.25.8401.1.3.dcm'));
  assert.ok(stored.subarray(stored.length - bytes.length).equals(bytes), 'the data set is stored as it arrived');

  await waitUntil('the file for the instance after it to be opened ahead', () => store.hasOpenedAhead(session));
  assert.equal(readdirSync(incoming).length, 1);
  assert.notEqual(readdirSync(incoming)[0], ahead[0]);
  void store.sessionEnded(session);
  assert.deepEqual(readdirSync(incoming), [], 'a file open ahead is removed at once when its session ends');
  assert.equal(store.hasOpenedAhead(session), false);
});

test('a session that ends while its next file is being opened leaves nothing behind; instances without a session are stored as before', async (t) => {
  // The third instance never comes.
  const { root, incoming, store, session } = await twoReceived(t, '2.25.8401.2');
  await store.sessionEnded(session);
  assert.deepEqual(readdirSync(incoming), []);
  for (const uid of ['2.25.8401.2.3', '2.25.8401.2.4']) await receive(store, uid);
  assert.deepEqual(readdirSync(incoming), []);
  assert.equal(readdirSync(path.join(root, '2.25.8401', '2.25.8401.1')).length, 4);
});

test('close() resolves only once a file still being opened ahead is removed (a process may exit right after it)', async (t) => {
  const root = tempDir(t);
  const incoming = path.join(root, '.incoming');
  const store = new FileStore({ root });
  const session = {};
  await receive(store, '2.25.8401.3.1', session);
  const second = begin(store, '2.25.8401.3.2', session); // starts opening a file for a third
  await second.abort(new Error('the association was aborted'));
  void store.sessionEnded(session); // the association's close, as its listener does: not awaited
  await store.close();
  assert.deepEqual(readdirSync(incoming), [], 'nothing is left in the incoming folder once close() has resolved');
});
