// ArchiveIndex.addSoon(): instances indexed together a little later, which nobody reading the
// index can tell from add(): every read and change indexes what is queued first.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { STUDY_ROOT } from '../../../src/services/query/model';
import { ArchiveIndex, IndexedInstance, IndexInputError, INDEX_DIR, INDEX_FILE_NAME } from '../../../src/archive/archive-index';
import { ADD_BATCH } from '../../../src/archive/archive-index/add-queue';
import { instanceFields, instanceInput, query, tempDir } from './helpers';
import { waitUntil } from '../../helpers/wait';

const ROOT = path.resolve('/archive-root');

function memoryIndex(): ArchiveIndex {
  return new ArchiveIndex({ root: ROOT, persist: false });
}

/** Queues `n` instances of one study; returns their SOP Instance UIDs and what `done` was told, in order. */
function queue(index: ArchiveIndex, n: number, study = '2.25.4400') {
  const uids: string[] = [];
  const done: string[] = [];
  for (let i = 0; i < n; i++) {
    const fields = instanceFields({ StudyInstanceUID: study });
    uids.push(String(fields.SOPInstanceUID));
    index.addSoon(instanceInput(ROOT, fields), (r) => done.push(r instanceof Error ? `error ${r.message}` : (r as IndexedInstance).sopInstanceUid));
  }
  return { uids, done };
}

test('addSoon: queued, not indexed at once; indexed by itself within milliseconds', async () => {
  const index = memoryIndex();
  const heard: string[] = [];
  index.onChange((c) => heard.push(c.type));
  const { uids, done } = queue(index, 3);
  assert.deepEqual(heard, [], 'indexed at once');
  assert.deepEqual(done, []);
  await waitUntil('the queued instances to be indexed', () => done.length === 3);
  assert.deepEqual(done, uids, 'done is told in order, once each');
  assert.deepEqual(heard, ['added', 'added', 'added']);
  assert.equal(index.stats().instances, 3);
});

test('addSoon: every read sees what was queued before it (a C-FIND right after the C-STORE-RSP finds the instance)', () => {
  const study = '2.25.4401';
  const reads: [string, (index: ArchiveIndex, uid: string) => boolean][] = [
    ['find', (index) => [...index.find(query(STUDY_ROOT, 'STUDY', { StudyInstanceUID: study }))].length === 1],
    ['retrieve', (index) => index.retrieve(query(STUDY_ROOT, 'STUDY', { StudyInstanceUID: study })).length === 1],
    ['instancesOf', (index) => index.instancesOf(study).length === 1],
    ['stats', (index) => index.stats().instances === 1],
    ['get of the queued instance', (index, uid) => index.get(uid)?.sopInstanceUid === uid],
    ['remove', (index, uid) => index.remove(uid)],
  ];
  for (const [name, read] of reads) {
    const index = memoryIndex();
    const { uids } = queue(index, 1, study);
    assert.ok(read(index, uids[0]!), `${name} did not see the queued instance`);
  }
});

test('addSoon: looking up another instance (the file store asks for each one it receives) does not index the queue', () => {
  const index = memoryIndex();
  const heard: string[] = [];
  index.onChange((c) => heard.push(c.type));
  queue(index, 2);
  assert.equal(index.get('2.25.4402.404'), undefined);
  assert.deepEqual(heard, [], 'indexed for a lookup the queue could not change');
});

test(`addSoon: ${ADD_BATCH} queued instances are indexed at once; add() indexes the queue before its own`, () => {
  const index = memoryIndex();
  const first = queue(index, ADD_BATCH - 1);
  assert.deepEqual(first.done, []);
  const last = queue(index, 1);
  assert.equal(first.done.length, ADD_BATCH - 1);
  assert.deepEqual(last.done, last.uids);

  const before = queue(index, 1);
  const direct = index.add(instanceInput(ROOT, instanceFields({ StudyInstanceUID: '2.25.4403' })));
  assert.deepEqual(before.done, before.uids, 'the queued instance was indexed after one added later');
  assert.ok(index.get(direct.sopInstanceUid));
});

test('addSoon: an instance that cannot be indexed is told to done; the others are indexed', () => {
  const index = memoryIndex();
  const told: (IndexedInstance | Error)[] = [];
  const bad = instanceInput(ROOT, instanceFields({ StudyInstanceUID: '2.25.4404' }));
  index.addSoon({ ...bad, path: path.resolve('/elsewhere/x.dcm') }, (r) => told.push(r));
  const good = instanceInput(ROOT, instanceFields({ StudyInstanceUID: '2.25.4404' }));
  index.addSoon(good, (r) => told.push(r));
  index.indexQueued();
  assert.equal(told.length, 2);
  assert.ok(told[0] instanceof IndexInputError, 'the error add() throws');
  assert.ok(!(told[1] instanceof Error));
  assert.equal(index.stats().instances, 1);
});

test('addSoon: close() indexes the queue and saves it', async (t) => {
  const root = tempDir(t);
  const index = await ArchiveIndex.open({ root, reconcile: false });
  const fields = instanceFields({ StudyInstanceUID: '2.25.4405' });
  index.addSoon(instanceInput(root, fields));
  await index.close();
  const file = path.join(root, INDEX_DIR, INDEX_FILE_NAME);
  assert.ok(existsSync(file));
  assert.ok(readFileSync(file, 'utf8').includes(String(fields.SOPInstanceUID)), 'the queued instance is in the saved index');
});

test('addSoon: a done callback that reads the index sees the whole batch it came with', () => {
  const index = memoryIndex();
  const seen: number[] = [];
  for (let i = 0; i < 3; i++) {
    index.addSoon(instanceInput(ROOT, instanceFields({ StudyInstanceUID: '2.25.4409' })), () => seen.push(index.instancesOf('2.25.4409').length));
  }
  index.indexQueued();
  assert.deepEqual(seen, [3, 3, 3]);
});
