// The index on disk: built by scanning the folder, persisted under .index, loaded on restart
// without reading the files again, reconciled with what changed on disk, rebuilt when the index
// file is unusable, and fed by the FileStore as the SCP receives instances.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Tags } from '../../../src/dicom/tag';
import { encodeDataset } from '../../../src/dicom';
import { buildFileMeta } from '../../../src/dicom/file-meta';
import { ExplicitVRLittleEndian } from '../../../src/dicom/transfer-syntaxes';
import { STUDY_ROOT } from '../../../src/services/query/model';
import { FileStore } from '../../../src/archive/file-store';
import { ArchiveIndex, ArchiveIndexOptions, IndexChange, INDEX_DIR, INDEX_FILE_NAME } from '../../../src/archive/archive-index';
import { dataset, instanceFields, query, tempDir, writeInstance, Fields, CT_IMAGE } from './helpers';
import { waitUntil } from '../../helpers/wait';

function indexFileOf(root: string): string {
  return path.join(root, INDEX_DIR, INDEX_FILE_NAME);
}

async function open(root: string, options: Partial<ArchiveIndexOptions> = {}, lines: string[] = []): Promise<ArchiveIndex> {
  return ArchiveIndex.open({ root, log: (l) => lines.push(l), ...options });
}

/** Writes `n` instances in two studies; returns their fields. */
async function populate(root: string, n: number): Promise<Fields[]> {
  const out: Fields[] = [];
  for (let i = 0; i < n; i++) {
    const study = i % 2 === 0 ? '2.25.7001' : '2.25.7002';
    const f = instanceFields({ StudyInstanceUID: study, SOPInstanceUID: `${study}.1.${i}`, PatientID: `PID${i % 2}`, PatientName: `NAME^${i % 2}`, InstanceNumber: i });
    await writeInstance(root, f);
    out.push(f);
  }
  return out;
}

function studyUids(index: ArchiveIndex): string[] {
  return [...index.find(query(STUDY_ROOT, 'STUDY', { StudyInstanceUID: null }))].map((m) => String(m.record.value(Tags.StudyInstanceUID)));
}

describe('scanning and restarting', () => {
  test('a first open scans the folder and writes the index; a restart loads it without reading any file', async (t) => {
    const root = tempDir(t);
    const fields = await populate(root, 6);
    const lines: string[] = [];
    const first = await open(root, {}, lines);
    const r1 = first.openReport!;
    assert.equal(r1.indexFile, 'missing');
    assert.deepEqual([r1.loaded, r1.added, r1.removed, r1.reread, r1.ignored, r1.filesRead], [0, 6, 0, 0, 0, 6]);
    assert.deepEqual(first.stats(), { patients: 2, studies: 2, series: 2, instances: 6, bytes: first.stats().bytes, ignoredFiles: 0 });
    assert.ok(existsSync(indexFileOf(root)), 'the index file is written at the end of open()');
    assert.equal(readFileSync(path.join(root, INDEX_DIR, '.gitignore'), 'utf8'), '*\n');
    assert.match(lines.at(-1)!, /loaded 0, added 6, removed 0, re-read 0, ignored 0 \(6 instances, \d+ ms\)/);
    await first.close();

    const second = await open(root);
    const r2 = second.openReport!;
    assert.equal(r2.indexFile, 'loaded');
    assert.deepEqual([r2.loaded, r2.added, r2.removed, r2.reread, r2.filesRead, r2.unchanged], [6, 0, 0, 0, 0, 6]);
    assert.deepEqual(second.stats(), first.stats());
    const got = second.get(String(fields[3]!.SOPInstanceUID))!;
    assert.equal(got.record.value(Tags.InstanceNumber), 3);
    assert.equal(got.record.value(Tags.PatientName), 'NAME^1');
    assert.equal(got.fileSize, statSync(got.path).size);
    assert.deepEqual(studyUids(second), ['2.25.7001', '2.25.7002']);
    await second.close();
  });

  test('restart after files were added, deleted and modified re-reads only those', async (t) => {
    const root = tempDir(t);
    const fields = await populate(root, 6);
    await (await open(root)).close();

    const added = instanceFields({ StudyInstanceUID: '2.25.7003', SOPInstanceUID: '2.25.7003.1.1', PatientID: 'PID9' });
    await writeInstance(root, added);
    const gone = fields[0]!;
    rmSync(path.join(root, String(gone.StudyInstanceUID), String(gone.SeriesInstanceUID), `${String(gone.SOPInstanceUID)}.dcm`));
    const changed: Fields = { ...fields[1]!, InstanceNumber: 99, StudyDescription: 'EDITED' };
    const changedPath = await writeInstance(root, changed);
    // Same size is possible; a different modification time is enough.
    utimesSync(changedPath, new Date(), new Date(Date.now() + 5000));

    const changes: IndexChange[] = [];
    const index = await open(root);
    const r = index.openReport!;
    assert.deepEqual([r.loaded, r.added, r.removed, r.reread, r.filesRead, r.unchanged], [6, 1, 1, 1, 2, 4]);
    index.onChange((c) => changes.push(c));
    assert.equal(index.stats().instances, 6);
    assert.equal(index.get(String(gone.SOPInstanceUID)), undefined);
    assert.equal(index.get(String(changed.SOPInstanceUID))!.record.value(Tags.InstanceNumber), 99);
    assert.equal(index.get(String(changed.SOPInstanceUID))!.record.value(Tags.StudyDescription), 'EDITED');
    assert.deepEqual(studyUids(index), ['2.25.7001', '2.25.7002', '2.25.7003']);

    // reconcile() at run time does the same and reports it.
    rmSync(path.join(root, '2.25.7003'), { recursive: true });
    const again = await index.reconcile();
    assert.deepEqual([again.removed, again.added, again.filesRead], [1, 0, 0]);
    assert.deepEqual(changes.map((c) => c.type), ['removed', 'reconciled']);
    await index.close();
    const reopened = await open(root);
    assert.deepEqual([reopened.openReport!.loaded, reopened.openReport!.filesRead], [5, 0]);
    await reopened.close();
  });

  test('files that are not instances are counted, remembered, and not read again until they change', async (t) => {
    const root = tempDir(t);
    await populate(root, 2);
    writeFileSync(path.join(root, 'README.txt'), 'not a DICOM file at all, just some text that is long enough\n');
    mkdirSync(path.join(root, 'misc'));
    // A DICOM data set without a Study Instance UID.
    const noStudy = dataset({ SOPClassUID: CT_IMAGE, SOPInstanceUID: '2.25.8001', SeriesInstanceUID: '2.25.8002' });
    writeFileSync(path.join(root, 'misc', 'no-study.dcm'), encodeDataset(noStudy, '1.2.840.10008.1.2'));
    // Dot folders (the SCP's .incoming, an editor's backups) are not part of the archive.
    await writeInstance(root, instanceFields({ SOPInstanceUID: '2.25.8003' }), path.join('.incoming', 'partial.dcm'));
    await writeInstance(root, instanceFields({ SOPInstanceUID: '2.25.8004' }), path.join('misc', '.hidden.dcm'));

    const first = await open(root);
    assert.deepEqual([first.openReport!.added, first.openReport!.ignored, first.openReport!.filesRead], [2, 2, 4]);
    assert.equal(first.stats().ignoredFiles, 2);
    assert.equal(first.get('2.25.8003'), undefined);
    await first.close();

    const second = await open(root);
    assert.deepEqual([second.openReport!.loaded, second.openReport!.ignored, second.openReport!.filesRead], [2, 0, 0]);
    assert.equal(second.stats().ignoredFiles, 2);
    await second.close();

    // Once the file becomes an instance, it is read and indexed.
    await writeInstance(root, instanceFields({ StudyInstanceUID: '2.25.8010', SOPInstanceUID: '2.25.8011' }), 'README.txt');
    utimesSync(path.join(root, 'README.txt'), new Date(), new Date(Date.now() + 5000));
    const third = await open(root);
    assert.deepEqual([third.openReport!.added, third.openReport!.filesRead], [1, 1]);
    assert.equal(third.get('2.25.8011')!.relativePath, 'README.txt');
    assert.equal(third.stats().ignoredFiles, 1);
    await third.close();
  });

  test('files without meta, and headers that go beyond the first read, are indexed', async (t) => {
    const root = tempDir(t);
    const bare = instanceFields({ StudyInstanceUID: '2.25.8401', SOPInstanceUID: '2.25.8401.1.1', PatientName: 'NO^META', PatientID: 'BARE' });
    writeFileSync(path.join(root, 'bare.dcm'), encodeDataset(dataset(bare), '1.2.840.10008.1.2'));
    // A 200 KB private value before Rows and Columns: the header scan has to read past it.
    const big = instanceFields({ StudyInstanceUID: '2.25.8402', SOPInstanceUID: '2.25.8402.1.1', Rows: 300, Columns: 200 });
    const ds = dataset(big);
    ds.set(0x00190010, 'LO', 'BIG CREATOR');
    ds.set(0x00191010, 'OB', Buffer.alloc(200_000, 7));
    const bigPath = path.join(root, 'big.dcm');
    writeFileSync(bigPath, Buffer.concat([
      buildFileMeta({ sopClassUid: CT_IMAGE, sopInstanceUid: '2.25.8402.1.1', transferSyntaxUid: ExplicitVRLittleEndian }),
      encodeDataset(ds, ExplicitVRLittleEndian),
    ]));
    const index = await open(root);
    assert.deepEqual([index.openReport!.added, index.openReport!.ignored], [2, 0]);
    const noMeta = index.get('2.25.8401.1.1')!;
    assert.deepEqual([noMeta.datasetOffset, noMeta.transferSyntaxUid, noMeta.record.value(Tags.PatientName)], [0, '1.2.840.10008.1.2', 'NO^META']);
    const large = index.get('2.25.8402.1.1')!;
    assert.deepEqual([large.record.value(Tags.Rows), large.record.value(Tags.Columns), large.fileSize], [300, 200, statSync(bigPath).size]);
    await index.close();
  });

  test('the same instance in two files: the first found is indexed, the other is a duplicate until it is the only one', async (t) => {
    const root = tempDir(t);
    const f = instanceFields({ StudyInstanceUID: '2.25.8101', SOPInstanceUID: '2.25.8101.1.1' });
    const canonical = await writeInstance(root, f);
    await writeInstance(root, f, path.join('zz-copies', 'copy.dcm'));
    const first = await open(root);
    assert.deepEqual([first.openReport!.added, first.openReport!.ignored], [1, 1]);
    assert.equal(first.get('2.25.8101.1.1')!.path, canonical);
    await first.close();

    rmSync(canonical);
    const second = await open(root);
    assert.deepEqual([second.openReport!.removed, second.openReport!.added], [1, 1]);
    assert.equal(second.get('2.25.8101.1.1')!.relativePath, path.join('zz-copies', 'copy.dcm'));
    assert.equal(second.stats().ignoredFiles, 0);
    await second.close();
  });
});

describe('an unusable index file is rebuilt', () => {
  const damages: Record<string, (text: string) => string> = {
    'garbage': () => 'this is not JSON\n',
    'truncated': (text) => text.slice(0, Math.floor(text.length * 0.6)),
    'another version': (text) => text.replace('"version":1', '"version":999'),
    'other columns': (text) => text.replace('"PatientName"', '"PatientAddress"'),
    'a bad value': (text) => text.replace(/\["I","([^"]+)",0,/, '["I","$1",{"x":1},'),
    'a path outside the archive': (text) => text.replace(/\["I","([^"]+)",0,/, '["I","$1","../../etc/passwd",'),
    'empty': () => '',
  };
  for (const [name, damage] of Object.entries(damages)) {
    test(name, async (t) => {
      const root = tempDir(t);
      await populate(root, 3);
      await (await open(root)).close();
      const file = indexFileOf(root);
      writeFileSync(file, damage(readFileSync(file, 'utf8')));
      const lines: string[] = [];
      const index = await open(root, {}, lines);
      const r = index.openReport!;
      assert.equal(r.indexFile, 'rebuilt');
      assert.deepEqual([r.loaded, r.added, r.filesRead], [0, 3, 3]);
      assert.equal(index.stats().instances, 3);
      assert.match(lines[0]!, /cannot be used \(.+\); rebuilding it from the folder\./);
      await index.close();
      // The rebuilt file is good again.
      const after = await open(root);
      assert.deepEqual([after.openReport!.indexFile, after.openReport!.loaded, after.openReport!.filesRead], ['loaded', 3, 0]);
      await after.close();
    });
  }
});

describe('saving changes', () => {
  test('changes are written after a quiet moment, and close() writes what is left', async (t) => {
    const root = tempDir(t);
    await populate(root, 1);
    const index = await open(root, { flushDelayMs: 20, maxFlushDelayMs: 100 });
    const file = indexFileOf(root);
    const before = readFileSync(file, 'utf8');
    const extra = await writeInstance(root, instanceFields({ StudyInstanceUID: '2.25.8201', SOPInstanceUID: '2.25.8201.1.1' }));
    await index.addFile(extra);
    await waitUntil('the index file to be rewritten after the change', () => readFileSync(file, 'utf8') !== before, { timeoutMs: 3_000, intervalMs: 10 });
    assert.match(readFileSync(file, 'utf8'), /2\.25\.8201\.1\.1/);

    index.remove('2.25.8201.1.1');
    await index.close();
    assert.doesNotMatch(readFileSync(file, 'utf8'), /2\.25\.8201\.1\.1/);
  });

  test('with reconcile: false the index is what the file says until reconcile() is called', async (t) => {
    const root = tempDir(t);
    await populate(root, 4);
    await (await open(root)).close();
    rmSync(path.join(root, '2.25.7001'), { recursive: true });
    const index = await open(root, { reconcile: false });
    assert.deepEqual([index.openReport!.loaded, index.openReport!.reconciled], [4, false]);
    assert.equal(index.stats().instances, 4);
    const r = await index.reconcile();
    assert.equal(r.removed, 2);
    assert.equal(index.stats().instances, 2);
    await index.close();
  });

  test('a missing archive folder is a clear error', async (t) => {
    const root = path.join(tempDir(t), 'missing');
    await assert.rejects(open(root), /^ArchiveIndexError: The archive folder .*missing does not exist\.$/);
  });

  test('persist: false never writes', async (t) => {
    const root = tempDir(t);
    await populate(root, 2);
    const index = await open(root, { persist: false });
    assert.equal(index.openReport!.indexFile, 'not-persisted');
    assert.equal(index.stats().instances, 2);
    await index.close();
    assert.equal(existsSync(path.join(root, INDEX_DIR)), false);
  });
});

describe('fed by the FileStore', () => {
  test('new FileStore({ onStored: (i) => index.add(i) }) indexes each instance as it is stored', async (t) => {
    const root = tempDir(t);
    const index = await open(root);
    const store = new FileStore({ root, onStored: (i) => { index.add(i); } });
    const fields = instanceFields({ StudyInstanceUID: '2.25.8301', SOPInstanceUID: '2.25.8301.1.1', PatientName: 'STORED^VIA^SCP' });
    const tx = store.begin({
      sopClassUid: CT_IMAGE, sopInstanceUid: '2.25.8301.1.1', transferSyntaxUid: ExplicitVRLittleEndian,
      callingAeTitle: 'SENDER', calledAeTitle: 'ARCHIVE',
    });
    const bytes = encodeDataset(dataset({ ...fields, PixelData: Buffer.alloc(256) } as Fields), ExplicitVRLittleEndian);
    await tx.write(bytes.subarray(0, 100));
    await tx.write(bytes.subarray(100));
    assert.equal((await tx.commit()).status, 0);

    const got = index.get('2.25.8301.1.1')!;
    assert.equal(got.record.value(Tags.PatientName), 'STORED^VIA^SCP');
    assert.equal(got.fileSize, statSync(got.path).size);
    assert.equal(got.mtimeMs, statSync(got.path).mtimeMs);
    await index.close();
    // Nothing to re-read on the next start: size and time were taken when it was stored.
    const again = await open(root);
    assert.deepEqual([again.openReport!.loaded, again.openReport!.filesRead, again.openReport!.ignored], [1, 0, 0]);
    await again.close();
  });

  test('new FileStore({ onAnswered }) runs it once: through afterResponse, or by itself when nobody answers', async (t) => {
    const root = tempDir(t);
    const index = await open(root);
    const answered: string[] = [];
    const store = new FileStore({ root, onAnswered: (i) => { index.add(i); answered.push(i.sopInstanceUid); } });
    const receive = async (uid: string) => {
      const tx = store.begin({ sopClassUid: CT_IMAGE, sopInstanceUid: uid, transferSyntaxUid: ExplicitVRLittleEndian, callingAeTitle: 'SENDER', calledAeTitle: 'ARCHIVE' });
      await tx.write(encodeDataset(dataset({ ...instanceFields({ StudyInstanceUID: '2.25.8302', SOPInstanceUID: uid }), PixelData: Buffer.alloc(64) } as Fields), ExplicitVRLittleEndian));
      return tx.commit();
    };
    const first = await receive('2.25.8302.1.1');
    assert.equal(first.status, 0);
    assert.deepEqual(answered, [], 'indexed before the response was handed over');
    first.afterResponse!();
    first.afterResponse!();
    assert.deepEqual(answered, ['2.25.8302.1.1']);
    // An association that ends before its response is sent: the stored file is indexed all the same.
    assert.equal((await receive('2.25.8302.1.2')).status, 0);
    await waitUntil('the unanswered instance to be indexed', () => answered.length === 2);
    assert.deepEqual(answered, ['2.25.8302.1.1', '2.25.8302.1.2']);
    assert.ok(index.get('2.25.8302.1.2'));
    await index.close();
  });

  test('new FileStore({ onAnswered }): an unanswered instance of a session waits for no timer; the next instance, the session\'s end or close() runs it', async (t) => {
    const root = tempDir(t);
    const answered: string[] = [];
    const store = new FileStore({ root, onAnswered: (i) => { answered.push(i.sopInstanceUid); } });
    const session = {};
    const begin = (uid: string) => store.begin({ sopClassUid: CT_IMAGE, sopInstanceUid: uid, transferSyntaxUid: ExplicitVRLittleEndian, callingAeTitle: 'SENDER', calledAeTitle: 'ARCHIVE', session });
    const receive = async (uid: string) => {
      const tx = begin(uid);
      await tx.write(encodeDataset(dataset({ ...instanceFields({ StudyInstanceUID: '2.25.8303', SOPInstanceUID: uid }), PixelData: Buffer.alloc(64) } as Fields), ExplicitVRLittleEndian));
      return tx.commit();
    };
    const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

    const first = await receive('2.25.8303.1.1');
    assert.equal(first.status, 0);
    await turn();
    await turn();
    assert.deepEqual(answered, [], 'answered by a timer, not by the next instance');
    const second = begin('2.25.8303.1.2');
    assert.deepEqual(answered, ['2.25.8303.1.1'], 'the next instance\'s begin answers the one before');
    first.afterResponse!();
    assert.deepEqual(answered, ['2.25.8303.1.1'], 'afterResponse after that runs nothing again');
    await second.abort(new Error('association aborted'));

    assert.equal((await receive('2.25.8303.1.3')).status, 0);
    await store.sessionEnded(session);
    assert.deepEqual(answered, ['2.25.8303.1.1', '2.25.8303.1.3'], 'the session\'s end answers its instance');

    const last = await receive('2.25.8303.1.4');
    await store.close();
    assert.deepEqual(answered, ['2.25.8303.1.1', '2.25.8303.1.3', '2.25.8303.1.4'], 'close() answers what is left');
    last.afterResponse!();
    assert.equal(answered.length, 3, 'each instance is answered once');
  });
});
