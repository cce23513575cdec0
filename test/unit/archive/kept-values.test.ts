// Which header values a received instance's record keeps: the archive keeps those its index reads
// (and its index of received instances is the one it would build from the files), a C-GET into a
// folder keeps only the store's own UIDs; what is written to disk is the same either way.

import { TestContext, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ArchiveServices } from '../../../src/archive/archive-services';
import { ArchiveIndex, LEVEL_COLUMNS } from '../../../src/archive/archive-index';
import { INDEX_LEVELS } from '../../../src/archive/archive-index/columns';
import { FileStore, StoredInstance } from '../../../src/archive/file-store';
import { Dataset } from '../../../src/dicom/dataset-model';
import { encodeDataset } from '../../../src/dicom';
import { dictionaryVr } from '../../../src/dicom/dictionary';
import { charsetEncoder } from '../../../src/dicom/charset';
import { Tags } from '../../../src/dicom/tag';
import { ExplicitVRLittleEndian, ImplicitVRLittleEndian } from '../../../src/dicom/transfer-syntaxes';
import { Status } from '../../../src/dimse/status';
import { CT_IMAGE, connect, ctDataset, startServer, storageContexts } from '../../helpers/in-process';

const IMAGE_POSITION = 0x00200032;
const PRIVATE = 0x00291010;

/** A value of this VR every column accepts. */
function valueFor(vr: string): string | number {
  switch (vr) {
    case 'US': case 'SS': case 'UL': case 'SL': return 3;
    case 'DA': return '20240115';
    case 'TM': return '101500';
    case 'DT': return '20240115101500';
    case 'DS': return '1.5';
    case 'IS': return '7';
    case 'AS': return '042Y';
    case 'UI': return '1.2.826.0.1.3680043.2.1';
    case 'PN': return 'Müller^Jörg';
    case 'CS': return 'VALUE';
    default: return 'Grüße';
  }
}

/** An instance with every column of the index set, in UTF-8, and two values no column holds. */
function everyColumn(uid: string): Dataset {
  return ctDataset(uid, (ds) => {
    const encode = charsetEncoder(['ISO_IR 192']);
    ds.set('SpecificCharacterSet', 'CS', 'ISO_IR 192');
    for (const level of INDEX_LEVELS) {
      for (const column of LEVEL_COLUMNS[level].columns) {
        if (column.tag === Tags.SOPClassUID) continue;
        ds.set(column.tag, column.vr, valueFor(column.vr), encode as never);
      }
    }
    ds.set(IMAGE_POSITION, 'DS', ['-250', '-250', '-241']);
    ds.set(PRIVATE, 'LO', 'not indexed');
  });
}

async function archive(t: TestContext) {
  const dir = mkdtempSync(path.join(tmpdir(), 'kept-values-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const stored: StoredInstance[] = [];
  const services = await ArchiveServices.open({ dir, aeTitle: 'ARCHIVE', onStored: (i) => stored.push(i) });
  t.after(() => services.close());
  const server = await startServer({ aeTitle: 'ARCHIVE', services: services.services }, t);
  return { dir, services, server, stored };
}

for (const [name, ts] of [['Explicit', ExplicitVRLittleEndian], ['Implicit', ImplicitVRLittleEndian]] as const) {
  test(`the archive keeps the values its index reads and no others (${name} VR); its index of a received instance is the one built from the file`, async (t) => {
    const { dir, services, server, stored } = await archive(t);
    const client = await connect(t, server, { contexts: storageContexts([ts]) });
    const uid = `2.25.160${ts.length}`;
    const result = await client.store(everyColumn(uid));
    assert.equal(result.status, Status.Success, result.message);
    await client.release();

    const [instance] = stored;
    assert.ok(instance);
    for (const level of INDEX_LEVELS) {
      for (const column of LEVEL_COLUMNS[level].columns) {
        assert.ok(instance.elements.get(column.tag)?.value, `${column.keyword}'s value is kept`);
      }
    }
    assert.ok(instance.elements.get(Tags.SpecificCharacterSet)?.value, 'the character set is kept');
    for (const tag of [IMAGE_POSITION, PRIVATE]) {
      const el = instance.elements.get(tag);
      assert.ok(el && el.length > 0, 'every element is reported');
      assert.equal(el.value, undefined, 'a value nothing reads is not kept');
    }

    const received = services.index.get(uid)!;
    const rebuilt = await ArchiveIndex.open({ root: dir, persist: false });
    t.after(() => rebuilt.close());
    const fromFile = rebuilt.get(uid)!;
    for (const level of INDEX_LEVELS) {
      for (const column of LEVEL_COLUMNS[level].columns) {
        const value = fromFile.record.value(column.tag);
        assert.ok(value !== undefined && value !== '', `${column.keyword} is indexed from the file`);
        assert.deepEqual(received.record.value(column.tag), value, `${column.keyword} as received`);
      }
    }
    assert.equal(received.record.value(Tags.PatientName), 'Müller^Jörg', 'decoded in the character set it was received in');
  });
}

test('a store with keepValues: [] keeps the UIDs it reads and every element without its value; the file it writes is the same', async (t) => {
  const dirs = [0, 1].map(() => mkdtempSync(path.join(tmpdir(), 'kept-values-')));
  t.after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
  const uid = '2.25.16099';
  const bytes = encodeDataset(everyColumn(uid), ExplicitVRLittleEndian);
  const stored: StoredInstance[] = [];
  for (const [k, keepValues] of [[0, undefined], [1, []]] as const) {
    const store = new FileStore({ root: dirs[k]!, ...(keepValues ? { keepValues } : {}), onStored: (i) => { stored.push(i); } });
    const tx = store.begin({ sopClassUid: CT_IMAGE, sopInstanceUid: uid, transferSyntaxUid: ExplicitVRLittleEndian, callingAeTitle: 'PEER', calledAeTitle: 'GET' });
    // Split inside the header and inside values, as P-DATA fragments may be.
    for (const cut of [[0, 7], [7, 300], [300, bytes.length]] as const) await tx.write(bytes.subarray(cut[0], cut[1]));
    assert.equal((await tx.commit()).status, Status.Success);
    await store.close();
  }
  const [all, uids] = stored as [StoredInstance, StoredInstance];
  assert.deepEqual([...uids.elements.keys()], [...all.elements.keys()], 'every element is reported');
  const kept = [...uids.elements].filter(([, el]) => el.value !== undefined).map(([tag]) => tag);
  assert.deepEqual(kept.sort(), [Tags.SOPClassUID, Tags.SOPInstanceUID, Tags.StudyInstanceUID, Tags.SeriesInstanceUID].sort());
  for (const tag of kept) assert.deepEqual(uids.elements.get(tag)!.value, all.elements.get(tag)!.value);
  assert.ok(all.elements.get(IMAGE_POSITION)?.value, 'by default every value is kept');
  assert.equal(uids.relativePath, all.relativePath);
  assert.deepEqual(readFileSync(uids.path), readFileSync(all.path), 'the same file is written');
});
