// While creating files is slow, the FileStore opens the next instance's temporary file ahead, on
// the thread pool, for a session (an association) more instances may come on, and removes it when
// the session ends; while it is quick, each instance creates its own on the main thread. The stores
// here are given their watch of creates; the SCP's own (interop suites) opens ahead only when the
// disk under the test's folder is slow at creating files, which depends on the machine.
import { test, TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { encodeDataset } from '../../../src/dicom';
import { ExplicitVRLittleEndian } from '../../../src/dicom/transfer-syntaxes';
import { FileStore } from '../../../src/archive/file-store';
import { DiskWatch } from '../../../src/archive/disk-watch';
import { dataset, instanceFields, tempDir, Fields, CT_IMAGE } from './helpers';
import { waitUntil } from '../../helpers/wait';

function instance(uid: string): Buffer {
  return encodeDataset(dataset({ ...instanceFields({ StudyInstanceUID: '2.25.8401', SOPInstanceUID: uid }), PixelData: Buffer.alloc(512, 7) } as Fields), ExplicitVRLittleEndian);
}

/** A watch on which every create counts as slow: the store opens ahead from a session's second instance on. */
function everyCreateSlow(): DiskWatch {
  return new DiskWatch({ slowMs: 0, holdMs: Infinity });
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
  const store = new FileStore({ root, creates: everyCreateSlow() });
  const session = {};
  await receive(store, `${prefix}.1`, session);
  await receive(store, `${prefix}.2`, session);
  return { root, incoming: path.join(root, '.incoming'), store, session };
}

test('from a session\'s second instance on, the next temporary file is opened ahead and written by the next instance; the session\'s end removes it', async (t) => {
  const { root, incoming, store, session } = await twoReceived(t, '2.25.8401.1');
  await waitUntil('the next temporary file to be opened ahead', () => store.aheadFor(session) === 'ready', { detail: () => JSON.stringify(readdirSync(incoming)) });
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

  await waitUntil('the file for the instance after it to be opened ahead', () => store.aheadFor(session) === 'ready');
  assert.equal(readdirSync(incoming).length, 1);
  assert.notEqual(readdirSync(incoming)[0], ahead[0]);
  void store.sessionEnded(session);
  assert.deepEqual(readdirSync(incoming), [], 'a file open ahead is removed at once when its session ends');
  assert.notEqual(store.aheadFor(session), 'ready');
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
  const store = new FileStore({ root, creates: everyCreateSlow() });
  const session = {};
  await receive(store, '2.25.8401.3.1', session);
  const second = begin(store, '2.25.8401.3.2', session); // starts opening a file for a third
  await second.abort(new Error('the association was aborted'));
  void store.sessionEnded(session); // the association's close, as its listener does: not awaited
  await store.close();
  assert.deepEqual(readdirSync(incoming), [], 'nothing is left in the incoming folder once close() has resolved');
});

test('while creating files is quick, each instance of a session creates its own temporary file: nothing is opened ahead', async (t) => {
  const root = tempDir(t);
  const incoming = path.join(root, '.incoming');
  const store = new FileStore({ root, creates: new DiskWatch({ slowMs: Infinity }) });
  const session = {};
  for (let i = 1; i <= 5; i++) {
    await receive(store, `2.25.8401.4.${i}`, session);
    assert.equal(store.aheadFor(session), 'none', `nothing opened ahead after instance ${i}`);
    assert.deepEqual(readdirSync(incoming), [], `no temporary file waits after instance ${i}`);
  }
  await store.sessionEnded(session);
  assert.equal(readdirSync(path.join(root, '2.25.8401', '2.25.8401.1')).length, 5);
});

test('three slow creates in a row make the store open ahead, until the hold ends; the file opened last is still used', async (t) => {
  const root = tempDir(t);
  const incoming = path.join(root, '.incoming');
  let now = 0;
  const store = new FileStore({ root, creates: new DiskWatch({ slowMs: 0, inARow: 3, holdMs: 1_000, now: () => now }) });
  const session = {};
  for (let i = 1; i <= 3; i++) {
    await receive(store, `2.25.8401.5.${i}`, session);
    assert.equal(store.aheadFor(session), 'none', `two slow creates are not enough (after instance ${i})`);
  }
  await receive(store, '2.25.8401.5.4', session); // the third slow create made the store slow: it opens ahead for the fifth
  await waitUntil('the fifth instance\'s file to be opened ahead', () => store.aheadFor(session) === 'ready', { detail: () => JSON.stringify(readdirSync(incoming)) });
  now = 2_000; // the hold is over
  const fifth = begin(store, '2.25.8401.5.5', session);
  assert.equal(store.aheadFor(session), 'none', 'the fifth instance took the file opened ahead, and nothing more is opened');
  await fifth.write(instance('2.25.8401.5.5'));
  assert.equal((await fifth.commit()).status, 0);
  assert.deepEqual(readdirSync(incoming), [], 'nothing was opened ahead after the hold ended');
  await receive(store, '2.25.8401.5.6', session);
  assert.equal(store.aheadFor(session), 'none');
  await store.sessionEnded(session);
  assert.equal(readdirSync(path.join(root, '2.25.8401', '2.25.8401.1')).length, 6);
});
