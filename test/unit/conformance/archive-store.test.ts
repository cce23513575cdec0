// Issue 14 items about what the archive writes: group 0002 inside a received data set (14.2),
// duplicates by SOP Instance UID (14.8), and the Source AE Title of stored files (PS3.10).
import { TestContext, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ArchiveServices, ArchiveServicesOptions } from '../../../src/archive/archive-services';
import { ArchiveIndex } from '../../../src/archive/archive-index';
import { Dataset } from '../../../src/dicom/dataset-model';
import { encodeDataset } from '../../../src/dicom';
import { buildFileMeta } from '../../../src/dicom/file-meta';
import { parsePart10, readPart10Header } from '../../../src/dicom/part10';
import { DeflatedExplicitVRLittleEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian } from '../../../src/dicom/transfer-syntaxes';
import { LeadingMetaStripper } from '../../../src/dicom/leading-meta';
import { Status } from '../../../src/dimse/status';
import { Command, CommandField, IncomingMessage } from '../../../src/dimse';
import { ScpService, ServiceAssociation } from '../../../src/services';
import { Tags } from '../../../src/dicom/tag';
import { CT_IMAGE, connect, ctDataset, startServer, storageContexts } from '../../helpers/in-process';

const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';

async function archive(t: TestContext, options: Partial<ArchiveServicesOptions> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'issue14-archive-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log: string[] = [];
  const services = await ArchiveServices.open({ dir, aeTitle: 'ARCHIVE', log: (line) => log.push(line), ...options });
  t.after(() => services.close());
  const server = await startServer({ aeTitle: 'ARCHIVE', services: services.services }, t);
  return { dir, services, server, log };
}

function fileOf(dir: string, ds: Dataset): string {
  return path.join(dir, ds.string('StudyInstanceUID')!, ds.string('SeriesInstanceUID')!, `${ds.string('SOPInstanceUID')}.dcm`);
}

/** A data set that (wrongly) carries file meta elements of its sender, a JPEG file's among them. */
function withSendersMeta(uid: string): Dataset {
  return ctDataset(uid, (d) => {
    d.set('FileMetaInformationGroupLength', 'UL', 999);
    d.set('MediaStorageSOPClassUID', 'UI', CT_IMAGE);
    d.set('MediaStorageSOPInstanceUID', 'UI', uid);
    d.set('TransferSyntaxUID', 'UI', JPEG_BASELINE);
    d.set('SourceApplicationEntityTitle', 'AE', 'SENDER');
  });
}

for (const [name, ts] of [['Implicit', ImplicitVRLittleEndian], ['Explicit', ExplicitVRLittleEndian]] as const) {
  test(`issue 14.2: group 0002 elements inside a received ${name} VR data set do not corrupt the stored file`, async (t) => {
    const { dir, server, log } = await archive(t);
    const client = await connect(t, server, { contexts: storageContexts([ts]) });
    const ds = withSendersMeta(`2.25.14020${ts.length}`);
    const result = await client.store(ds);
    assert.equal(result.status, Status.Success, result.message);
    await client.release();
    const file = fileOf(dir, ds);
    const header = await readPart10Header(file);
    assert.equal(header.transferSyntaxUid, ts, 'the stored file says the syntax its data set is in');
    const parsed = parsePart10(readFileSync(file), file);
    assert.deepEqual(parsed.dataset.tags().filter((tag) => tag >>> 16 === 0x0002), [], 'group 0002 left in the data set');
    assert.equal(parsed.dataset.string('PatientName'), 'TEST^FOURTEEN');
    assert.match(log.join('\n'), /file meta elements \(group 0002\)/);
    // An index rebuilt from the folder finds it.
    const rebuilt = await ArchiveIndex.open({ root: dir, persist: false });
    assert.equal(rebuilt.get(ds.string('SOPInstanceUID')!)?.transferSyntaxUid, ts);
  });
}

test('issue 14.2: a deflated data set holding group 0002 elements (which cannot be cut unread) is refused, not stored wrong', async (t) => {
  const { dir, server } = await archive(t);
  const client = await connect(t, server, { contexts: storageContexts([DeflatedExplicitVRLittleEndian]) });
  const ds = withSendersMeta('2.25.1402011');
  const result = await client.store(ds);
  assert.equal(result.status, Status.CannotUnderstand, result.message);
  assert.equal(result.comment, 'the data set holds file meta elements (group 0002)');
  await client.release();
  assert.equal(existsSync(fileOf(dir, ds)), false);
});

test('issue 14.2: the file meta reader ends the meta where (0002,0000) says, even when group 0002 elements follow', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'issue14-meta-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const uid = '2.25.1402009';
  const meta = buildFileMeta({ sopClassUid: CT_IMAGE, sopInstanceUid: uid, transferSyntaxUid: ImplicitVRLittleEndian });
  const file = path.join(dir, 'stale-meta-in-dataset.dcm');
  writeFileSync(file, Buffer.concat([meta, encodeDataset(withSendersMeta(uid), ImplicitVRLittleEndian)]));
  const header = await readPart10Header(file);
  assert.equal(header.transferSyntaxUid, ImplicitVRLittleEndian);
  assert.equal(header.datasetOffset, meta.length);
  const parsed = parsePart10(readFileSync(file), file);
  assert.equal(parsed.dataset.string('PatientName'), 'TEST^FOURTEEN');
});

test('issue 14.2: the leading group 0002 elements are dropped however the data set is cut into fragments', () => {
  for (const ts of [ImplicitVRLittleEndian, ExplicitVRLittleEndian, '1.2.840.10008.1.2.2']) {
    const uid = '2.25.1402010';
    const clean = encodeDataset(ctDataset(uid), ts);
    const sent = encodeDataset(withSendersMeta(uid), ts);
    for (const size of [1, 3, 7, 11, 64, sent.length]) {
      const stripper = new LeadingMetaStripper(ts);
      const out: Buffer[] = [];
      for (let at = 0; at < sent.length; at += size) out.push(stripper.push(sent.subarray(at, at + size)));
      out.push(stripper.end());
      assert.deepEqual(Buffer.concat(out), clean, `${ts} in fragments of ${size}`);
      assert.equal(stripper.dropped, 5);
    }
  }
});

/** Every instance file in the archive folder (not the index or the incoming area). */
function storedFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.dcm') && !path.relative(dir, e.parentPath ?? e.path).startsWith('.'))
    .map((e) => path.join(e.parentPath ?? e.path, e.name));
}

/** The same SOP Instance UID sent twice, the second time under a corrected Study and Series. */
async function sendTwice(t: TestContext, onDuplicate: 'reject' | 'keep' | 'overwrite') {
  const { dir, services, server } = await archive(t, { onDuplicate });
  const client = await connect(t, server, { contexts: storageContexts() });
  const uid = '2.25.1408001';
  const first = ctDataset(uid, (d) => { d.set('StudyInstanceUID', 'UI', '2.25.1408001.100'); d.set('SeriesInstanceUID', 'UI', '2.25.1408001.101'); });
  const second = ctDataset(uid, (d) => { d.set('StudyInstanceUID', 'UI', '2.25.1408001.200'); d.set('SeriesInstanceUID', 'UI', '2.25.1408001.201'); });
  assert.equal((await client.store(first)).status, Status.Success);
  const again = await client.store(second);
  await client.release();
  return { dir, services, uid, first: fileOf(dir, first), second: fileOf(dir, second), again };
}

test('issue 14.8: duplicate detection by SOP Instance UID: "reject" refuses the same instance under another study', async (t) => {
  const { dir, first, again } = await sendTwice(t, 'reject');
  assert.equal(again.status, Status.DuplicateSopInstance, again.message);
  assert.deepEqual(storedFiles(dir), [first]);
});

test('issue 14.8: duplicate detection by SOP Instance UID: "keep" keeps the first copy and writes no second file', async (t) => {
  const { dir, services, uid, first, again } = await sendTwice(t, 'keep');
  assert.equal(again.status, Status.Success, again.message);
  assert.deepEqual(storedFiles(dir), [first]);
  assert.equal(services.index.get(uid)?.path, first);
});

test('issue 14.8: duplicate detection by SOP Instance UID: "overwrite" replaces the first copy and leaves no orphan', async (t) => {
  const { dir, services, uid, first, second, again } = await sendTwice(t, 'overwrite');
  assert.equal(again.status, Status.Success, again.message);
  assert.deepEqual(storedFiles(dir), [second]);
  assert.equal(existsSync(path.dirname(path.dirname(first))), false, 'the emptied study folder was left behind');
  assert.equal(services.index.get(uid)?.path, second);
  assert.equal(services.index.get(uid)?.record.value(Tags.StudyInstanceUID), '2.25.1408001.200');
});

test('issue 14 (decided): the Source Application Entity Title of a stored file is the archive\'s own AE title (PS3.10 7.1)', async (t) => {
  const { dir, server } = await archive(t);
  const client = await connect(t, server, { contexts: storageContexts() });
  const ds = ctDataset('2.25.1415001');
  assert.equal((await client.store(ds)).status, Status.Success);
  await client.release();
  const header = await readPart10Header(fileOf(dir, ds));
  assert.equal(header.meta.SourceApplicationEntityTitle, 'ARCHIVE', 'the AE that wrote the file');
});

test('the archive indexes an instance after its C-STORE-RSP is handed over, before anything the peer sends next', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'archive-answered-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const order: string[] = [];
  const services = await ArchiveServices.open({ dir, aeTitle: 'ARCHIVE', onStored: (i) => order.push(`indexed ${i.sopInstanceUid}`) });
  t.after(() => services.close());
  // The storage service, watched: what its association sends, in order with what the archive does.
  const storage = services.services.find((s) => s.name === 'storage')!;
  const watched: ScpService = Object.assign(Object.create(storage) as ScpService, {
    handle: (sa: ServiceAssociation, request: IncomingMessage) => {
      const onMessage = (direction: string, _context: number, command: Command) => {
        if (direction === 'sent' && command.commandField === CommandField.CStoreRsp) order.push(`answered ${command.affectedSopInstanceUid}`);
      };
      sa.channel.on('message', onMessage);
      return storage.handle(sa, request).finally(() => sa.channel.off('message', onMessage));
    },
  });
  const server = await startServer({ aeTitle: 'ARCHIVE', services: [watched, ...services.services.filter((s) => s !== storage)] }, t);
  const client = await connect(t, server, { contexts: storageContexts() });
  for (const uid of ['2.25.1416001', '2.25.1416002']) {
    const result = await client.store(ctDataset(uid));
    assert.equal(result.status, Status.Success, result.message);
    // Told before the sender has its response, not after the index's batch (a retrieve collects
    // what it received by then); checked before the index is read, which would index the batch.
    assert.ok(order.includes(`indexed ${uid}`), `onStored was not told of ${uid} when the sender had its response`);
    assert.equal(services.index.get(uid)?.path, fileOf(dir, ctDataset(uid)), 'not in the index when the sender has its response');
  }
  await client.release();
  assert.deepEqual(order, ['answered 2.25.1416001', 'indexed 2.25.1416001', 'answered 2.25.1416002', 'indexed 2.25.1416002']);
});
