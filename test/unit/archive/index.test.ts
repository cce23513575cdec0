// The archive index in memory: adding and removing instances, derived attributes, patient
// identity and conflicts, hierarchical find at every level of both root models, retrieve.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { Tags } from '../../../src/dicom/tag';
import { tagForKeyword } from '../../../src/dicom/dictionary';
import { PATIENT_ROOT, STUDY_ROOT, PATIENT_STUDY_ONLY, MODALITY_WORKLIST } from '../../../src/services/query/model';
import { ArchiveIndex, IndexChange, IndexInputError, ArchiveIndexError } from '../../../src/archive/archive-index';
import { CT_IMAGE, MR_IMAGE, SR_DOCUMENT, instanceFields, instanceInput, query, Fields } from './helpers';

const ROOT = path.resolve('/archive-root');
const tag = (k: string) => tagForKeyword(k)!;

function memoryIndex(): ArchiveIndex {
  return new ArchiveIndex({ root: ROOT, persist: false });
}

function add(index: ArchiveIndex, overrides: Fields, charset?: string | string[]) {
  return index.add(instanceInput(ROOT, instanceFields(overrides), charset));
}

/** Two patients, three studies, five series, nine instances. */
function sampleIndex(): ArchiveIndex {
  const index = memoryIndex();
  const doe = { PatientName: 'DOE^JOHN', PatientID: 'P1' };
  const roe = { PatientName: 'ROE^JANE', PatientID: 'P2', PatientBirthDate: '19700101', PatientSex: 'F' };
  const s1 = { ...doe, StudyInstanceUID: '2.25.1', StudyDate: '20240115', AccessionNumber: 'A1', StudyDescription: 'CT CHEST' };
  const s2 = { ...doe, StudyInstanceUID: '2.25.2', StudyDate: '20230301', AccessionNumber: 'A2', StudyDescription: 'MR BRAIN' };
  const s3 = { ...roe, StudyInstanceUID: '2.25.3', StudyDate: '20240116', AccessionNumber: 'A3', StudyDescription: 'CT ABDOMEN' };
  for (let i = 1; i <= 3; i++) add(index, { ...s1, SeriesInstanceUID: '2.25.1.1', Modality: 'CT', SeriesNumber: 1, SOPInstanceUID: `2.25.1.1.${i}`, InstanceNumber: i });
  add(index, { ...s1, SeriesInstanceUID: '2.25.1.2', Modality: 'SR', SeriesNumber: 2, SOPClassUID: SR_DOCUMENT, SOPInstanceUID: '2.25.1.2.1', InstanceNumber: 1 });
  for (let i = 1; i <= 2; i++) add(index, { ...s2, SeriesInstanceUID: '2.25.2.1', Modality: 'MR', SeriesNumber: 1, SOPClassUID: MR_IMAGE, SOPInstanceUID: `2.25.2.1.${i}`, InstanceNumber: i });
  add(index, { ...s3, SeriesInstanceUID: '2.25.3.1', Modality: 'CT', SeriesNumber: 1, SOPInstanceUID: '2.25.3.1.1', InstanceNumber: 1 });
  for (let i = 1; i <= 2; i++) add(index, { ...s3, SeriesInstanceUID: '2.25.3.2', Modality: 'CT', SeriesNumber: 2, SOPInstanceUID: `2.25.3.2.${i}`, InstanceNumber: i });
  return index;
}

function values(index: ArchiveIndex, q: ReturnType<typeof query>, key: string): unknown[] {
  return [...index.find(q)].map((m) => m.record.value(tag(key)));
}

describe('adding and removing', () => {
  test('counts and derived attributes follow adds and removes', () => {
    const index = sampleIndex();
    assert.deepEqual(index.stats(), { patients: 2, studies: 3, series: 5, instances: 9, bytes: 9000, ignoredFiles: 0 });

    const study = (uid: string) => [...index.find(query(STUDY_ROOT, 'STUDY', { StudyInstanceUID: uid }))][0]!.record;
    const s1 = study('2.25.1');
    assert.equal(s1.value(Tags.NumberOfStudyRelatedSeries), 2);
    assert.equal(s1.value(Tags.NumberOfStudyRelatedInstances), 4);
    assert.deepEqual(s1.value(Tags.ModalitiesInStudy), ['CT', 'SR']);
    assert.deepEqual(s1.value(Tags.SOPClassesInStudy), [CT_IMAGE, SR_DOCUMENT]);
    assert.equal(s1.value(Tags.NumberOfPatientRelatedStudies), 2);
    assert.equal(s1.value(Tags.NumberOfPatientRelatedSeries), 3);
    assert.equal(s1.value(Tags.NumberOfPatientRelatedInstances), 6);

    // Removing the only SR instance removes its series, its modality and its SOP class.
    assert.equal(index.remove('2.25.1.2.1'), true);
    assert.equal(index.remove('2.25.1.2.1'), false);
    const after = study('2.25.1');
    assert.equal(after.value(Tags.NumberOfStudyRelatedSeries), 1);
    assert.equal(after.value(Tags.NumberOfStudyRelatedInstances), 3);
    assert.deepEqual(after.value(Tags.ModalitiesInStudy), ['CT']);
    assert.deepEqual(after.value(Tags.SOPClassesInStudy), [CT_IMAGE]);
    assert.deepEqual(index.stats(), { patients: 2, studies: 3, series: 4, instances: 8, bytes: 8000, ignoredFiles: 0 });

    // Removing the last instance of a patient removes the patient.
    for (const uid of ['2.25.3.1.1', '2.25.3.2.1', '2.25.3.2.2']) index.remove(uid);
    assert.deepEqual(index.stats(), { patients: 1, studies: 2, series: 2, instances: 5, bytes: 5000, ignoredFiles: 0 });
    assert.deepEqual(values(index, query(PATIENT_ROOT, 'PATIENT', { PatientID: null }), 'PatientID'), ['P1']);
    assert.deepEqual(values(index, query(STUDY_ROOT, 'STUDY', { AccessionNumber: 'A3' }), 'AccessionNumber'), []);
  });

  test('get() gives the file, its UIDs and a record that answers the levels above', () => {
    const index = sampleIndex();
    const got = index.get('2.25.2.1.2')!;
    assert.equal(got.path, path.join(ROOT, '2.25.2', '2.25.2.1', '2.25.2.1.2.dcm'));
    assert.equal(got.relativePath, path.join('2.25.2', '2.25.2.1', '2.25.2.1.2.dcm'));
    assert.equal(got.sopClassUid, MR_IMAGE);
    assert.equal(got.studyInstanceUid, '2.25.2');
    assert.equal(got.seriesInstanceUid, '2.25.2.1');
    assert.equal(got.fileSize, 1000);
    assert.equal(got.datasetOffset, 132);
    assert.equal(got.transferSyntaxUid, '1.2.840.10008.1.2.1');
    assert.equal(got.record.value(Tags.PatientName), 'DOE^JOHN');
    assert.equal(got.record.value(Tags.StudyDescription), 'MR BRAIN');
    assert.equal(got.record.value(Tags.Modality), 'MR');
    assert.equal(got.record.value(Tags.InstanceNumber), 2);
    assert.equal(got.record.value(tag('AvailableTransferSyntaxUID')), '1.2.840.10008.1.2.1');
    assert.equal(index.get('9.9.9'), undefined);
  });

  test('adding an instance again replaces it', () => {
    const index = sampleIndex();
    const changes: IndexChange[] = [];
    index.onChange((c) => changes.push(c));
    const again = instanceInput(ROOT, instanceFields({
      StudyInstanceUID: '2.25.1', SeriesInstanceUID: '2.25.1.1', SOPInstanceUID: '2.25.1.1.1', InstanceNumber: 42,
      PatientName: 'DOE^JOHN', PatientID: 'P1', AccessionNumber: 'A1',
    }));
    index.add({ ...again, size: 5000 });
    assert.equal(index.stats().instances, 9);
    assert.equal(index.stats().bytes, 13000);
    assert.equal(index.get('2.25.1.1.1')!.record.value(Tags.InstanceNumber), 42);
    assert.equal(changes.length, 1);
    assert.equal(changes[0]!.type, 'added');
    assert.equal(changes[0]!.type === 'added' && changes[0]!.replaced, true);
  });

  test('listeners hear adds and removes with the counts after them, until they unsubscribe', () => {
    const index = memoryIndex();
    const heard: string[] = [];
    const stop = index.onChange((c, s) => heard.push(`${c.type} ${s.instances}`));
    const a = add(index, {});
    add(index, {});
    index.remove(a.sopInstanceUid);
    stop();
    add(index, {});
    assert.deepEqual(heard, ['added 1', 'added 2', 'removed 1']);
  });

  test('instances without the UIDs or outside the root are refused with a clear error', () => {
    const index = memoryIndex();
    const noSop = instanceInput(ROOT, instanceFields({}));
    (noSop.elements as Map<number, unknown>).delete(Tags.SOPInstanceUID);
    assert.throws(() => index.add(noSop), (e: Error) => e instanceof IndexInputError && /has no SOP Instance UID/.test(e.message));
    const outside = { ...instanceInput(ROOT, instanceFields({})), path: '/elsewhere/x.dcm' };
    assert.throws(() => index.add(outside), (e: Error) => e instanceof IndexInputError && /not inside the archive folder/.test(e.message));
    assert.equal(index.stats().instances, 0);
  });

  test('a path that only looks like it is under the root is refused; one that is, however spelt, is stored relative to it', () => {
    const index = memoryIndex();
    const at = (p: string, sop: string) => ({ ...instanceInput(ROOT, instanceFields({ SOPInstanceUID: sop })), path: p });
    for (const p of [`${ROOT}${path.sep}..${path.sep}elsewhere.dcm`, `${ROOT}${path.sep}a${path.sep}..${path.sep}..${path.sep}x.dcm`, `${ROOT}-sibling${path.sep}x.dcm`, ROOT, `${ROOT}${path.sep}`]) {
      assert.throws(() => index.add(at(p, '2.25.9')), (e: Error) => e instanceof IndexInputError && /not inside the archive folder/.test(e.message), p);
    }
    assert.equal(index.stats().instances, 0);
    assert.equal(index.add(at(path.join(ROOT, 'a', 'b.dcm'), '2.25.1')).relativePath, path.join('a', 'b.dcm'));
    assert.equal(index.add(at(`${ROOT}${path.sep}a${path.sep}.${path.sep}x${path.sep}..${path.sep}c.dcm`, '2.25.2')).relativePath, path.join('a', 'c.dcm'));
    assert.equal(index.add(at(`${ROOT}${path.sep}a${path.sep}${path.sep}d.dcm`, '2.25.3')).relativePath, path.join('a', 'd.dcm'));
  });
});

describe('patient identity and conflicts', () => {
  test('Patient ID with its issuer is the identity; the latest name for it wins and is logged', () => {
    const lines: string[] = [];
    const index = new ArchiveIndex({ root: ROOT, persist: false, log: (l) => lines.push(l) });
    add(index, { PatientID: 'X', IssuerOfPatientID: 'HOSP_A', PatientName: 'A^ONE', StudyInstanceUID: '2.25.11' });
    add(index, { PatientID: 'X', IssuerOfPatientID: 'HOSP_B', PatientName: 'B^TWO', StudyInstanceUID: '2.25.12' });
    add(index, { PatientID: 'X', IssuerOfPatientID: 'HOSP_A', PatientName: 'A^RENAMED', StudyInstanceUID: '2.25.13' });
    const patients = [...index.find(query(PATIENT_ROOT, 'PATIENT', { PatientID: 'X', IssuerOfPatientID: null, PatientName: null, NumberOfPatientRelatedStudies: null }))]
      .map((m) => [m.record.value(Tags.IssuerOfPatientID), m.record.value(Tags.PatientName), m.record.value(Tags.NumberOfPatientRelatedStudies)]);
    assert.deepEqual(patients, [['HOSP_A', 'A^RENAMED', 2], ['HOSP_B', 'B^TWO', 1]]);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /Patient X: .* names it "A\^RENAMED" instead of "A\^ONE"/);
  });

  test('instances without a Patient ID are kept apart by name and birth date, and answered at the PATIENT level as one patient (issue 14.14)', () => {
    const index = memoryIndex();
    add(index, { PatientID: '', PatientName: 'ANON^A', PatientBirthDate: '19800101', StudyInstanceUID: '2.25.21' });
    add(index, { PatientID: null, PatientName: 'ANON^A', PatientBirthDate: '19800101', StudyInstanceUID: '2.25.22' });
    add(index, { PatientID: '', PatientName: 'ANON^B', StudyInstanceUID: '2.25.23' });
    assert.equal(index.stats().patients, 2);
    const patients = (name: string | null) => [...index.find(query(PATIENT_ROOT, 'PATIENT', { PatientID: null, PatientName: name, NumberOfPatientRelatedStudies: null }))]
      .map((m) => [m.record.value(Tags.PatientName), m.record.value(Tags.PatientID), m.record.value(Tags.NumberOfPatientRelatedStudies)]);
    // Patient ID is the unique key of the level: one record for the empty one, counting all of its studies.
    assert.deepEqual(patients(null), [['ANON^A', '', 3]]);
    assert.deepEqual(patients('ANON^B'), [['ANON^B', '', 3]]);
  });

  test('a study an instance puts under another patient moves there (logged)', () => {
    const lines: string[] = [];
    const index = new ArchiveIndex({ root: ROOT, persist: false, log: (l) => lines.push(l) });
    add(index, { PatientID: 'OLD', PatientName: 'WRONG^ID', StudyInstanceUID: '2.25.31', SeriesInstanceUID: '2.25.31.1' });
    add(index, { PatientID: 'NEW', PatientName: 'RIGHT^ID', StudyInstanceUID: '2.25.31', SeriesInstanceUID: '2.25.31.1' });
    const found = [...index.find(query(PATIENT_ROOT, 'STUDY', { PatientID: null, StudyInstanceUID: null, NumberOfStudyRelatedInstances: null }))]
      .map((m) => [m.record.value(Tags.PatientID), m.record.value(Tags.NumberOfStudyRelatedInstances)]);
    assert.deepEqual(found, [['NEW', 2]]);
    assert.equal(index.stats().patients, 1);
    assert.match(lines.join('\n'), /Study 2\.25\.31 moves from patient "OLD" to "NEW"/);
  });

  test('a series an instance puts under another study moves there, keeping its files where they are', () => {
    const index = memoryIndex();
    const first = add(index, { StudyInstanceUID: '2.25.41', SeriesInstanceUID: '2.25.41.1', SOPClassUID: MR_IMAGE, Modality: 'MR' });
    add(index, { StudyInstanceUID: '2.25.42', SeriesInstanceUID: '2.25.42.1', Modality: 'CT' });
    add(index, { StudyInstanceUID: '2.25.42', SeriesInstanceUID: '2.25.41.1', SOPClassUID: MR_IMAGE, Modality: 'MR' });
    assert.equal(index.stats().studies, 1);
    const moved = index.get(first.sopInstanceUid)!;
    assert.equal(moved.studyInstanceUid, '2.25.42');
    assert.equal(moved.relativePath, first.relativePath);
    const study = [...index.find(query(STUDY_ROOT, 'STUDY', { StudyInstanceUID: '2.25.42' }))][0]!.record;
    assert.deepEqual(study.value(Tags.ModalitiesInStudy), ['CT', 'MR']);
    assert.deepEqual(study.value(Tags.SOPClassesInStudy), [CT_IMAGE, MR_IMAGE]);
    assert.equal(study.value(Tags.NumberOfStudyRelatedInstances), 3);
  });

  test('later instances fill in attributes earlier ones lacked and override the ones they have', () => {
    const index = memoryIndex();
    add(index, { StudyInstanceUID: '2.25.51', StudyDescription: null, ReferringPhysicianName: 'WHO^DR' });
    add(index, { StudyInstanceUID: '2.25.51', StudyDescription: 'LATER' });
    const study = [...index.find(query(STUDY_ROOT, 'STUDY', { StudyInstanceUID: '2.25.51' }))][0]!.record;
    assert.equal(study.value(Tags.StudyDescription), 'LATER');
    assert.equal(study.value(Tags.ReferringPhysicianName), 'WHO^DR');
  });
});

describe('find', () => {
  const index = sampleIndex();

  test('Patient Root at every level', () => {
    assert.deepEqual(values(index, query(PATIENT_ROOT, 'PATIENT', { PatientName: '*' }), 'PatientID'), ['P1', 'P2']);
    assert.deepEqual(values(index, query(PATIENT_ROOT, 'PATIENT', { PatientName: 'ROE*' }), 'NumberOfPatientRelatedInstances'), [3]);
    assert.deepEqual(values(index, query(PATIENT_ROOT, 'STUDY', { PatientID: 'P1', StudyInstanceUID: null }), 'StudyInstanceUID'), ['2.25.1', '2.25.2']);
    assert.deepEqual(values(index, query(PATIENT_ROOT, 'STUDY', { PatientID: 'P1', StudyDate: '20240101-' }), 'StudyInstanceUID'), ['2.25.1']);
    assert.deepEqual(values(index, query(PATIENT_ROOT, 'SERIES', { PatientID: 'P2', StudyInstanceUID: '2.25.3', Modality: 'CT' }), 'SeriesInstanceUID'), ['2.25.3.1', '2.25.3.2']);
    assert.deepEqual(values(index, query(PATIENT_ROOT, 'IMAGE', { PatientID: 'P1', StudyInstanceUID: '2.25.1', SeriesInstanceUID: '2.25.1.1', SOPInstanceUID: null }), 'InstanceNumber'), [1, 2, 3]);
  });

  test('Study Root at every level, records answering the levels above', () => {
    const studies = [...index.find(query(STUDY_ROOT, 'STUDY', { PatientName: '*' }))];
    assert.deepEqual(studies.map((m) => m.record.value(Tags.StudyInstanceUID)), ['2.25.1', '2.25.2', '2.25.3']);
    assert.deepEqual(studies.map((m) => m.record.value(Tags.PatientName)), ['DOE^JOHN', 'DOE^JOHN', 'ROE^JANE']);
    assert.deepEqual(values(index, query(STUDY_ROOT, 'STUDY', { ModalitiesInStudy: 'SR' }), 'StudyInstanceUID'), ['2.25.1']);
    assert.deepEqual(values(index, query(STUDY_ROOT, 'STUDY', { PatientSex: 'F' }), 'StudyDescription'), ['CT ABDOMEN']);
    const series = [...index.find(query(STUDY_ROOT, 'SERIES', { StudyInstanceUID: '2.25.1', Modality: null }))];
    assert.deepEqual(series.map((m) => m.record.value(Tags.Modality)), ['CT', 'SR']);
    assert.deepEqual(series.map((m) => m.record.value(Tags.NumberOfSeriesRelatedInstances)), [3, 1]);
    assert.deepEqual(series.map((m) => m.record.value(Tags.PatientName)), ['DOE^JOHN', 'DOE^JOHN']);
    assert.deepEqual(series.map((m) => m.record.value(Tags.StudyDescription)), ['CT CHEST', 'CT CHEST']);
    const images = [...index.find(query(STUDY_ROOT, 'IMAGE', { StudyInstanceUID: '2.25.3', SeriesInstanceUID: '2.25.3.2', SOPInstanceUID: null }))];
    assert.deepEqual(images.map((m) => m.record.value(Tags.SOPInstanceUID)), ['2.25.3.2.1', '2.25.3.2.2']);
    assert.deepEqual(images.map((m) => m.record.value(Tags.PatientID)), ['P2', 'P2']);
  });

  test('indexed keys: UID lists, Accession Number and Patient ID lookups agree with a scan', () => {
    const q = query(STUDY_ROOT, 'STUDY', { StudyInstanceUID: '2.25.3\\2.25.1\\9.9' });
    assert.deepEqual([...q.indexKeys.keys()], [Tags.StudyInstanceUID]);
    assert.deepEqual(values(index, q, 'StudyInstanceUID').sort(), ['2.25.1', '2.25.3']);
    assert.deepEqual(values(index, query(STUDY_ROOT, 'STUDY', { AccessionNumber: 'A2' }), 'StudyInstanceUID'), ['2.25.2']);
    assert.deepEqual(values(index, query(STUDY_ROOT, 'STUDY', { PatientID: 'P2' }), 'StudyInstanceUID'), ['2.25.3']);
    // A looked-up entity still has to match the other keys, including those of the levels above.
    assert.deepEqual(values(index, query(STUDY_ROOT, 'STUDY', { AccessionNumber: 'A2', StudyDate: '20240101-' }), 'StudyInstanceUID'), []);
    assert.deepEqual(values(index, query(PATIENT_ROOT, 'IMAGE', { PatientID: 'P2', StudyInstanceUID: '2.25.3', SeriesInstanceUID: '2.25.3.1', SOPInstanceUID: '2.25.3.1.1' }), 'SOPInstanceUID'), ['2.25.3.1.1']);
    assert.deepEqual(values(index, query(PATIENT_ROOT, 'IMAGE', { PatientID: 'P1', StudyInstanceUID: '2.25.3', SeriesInstanceUID: '2.25.3.1', SOPInstanceUID: '2.25.3.1.1' }), 'SOPInstanceUID'), []);
    assert.deepEqual(values(index, query(STUDY_ROOT, 'SERIES', { StudyInstanceUID: '2.25.1', SeriesInstanceUID: '2.25.3.1' }), 'SeriesInstanceUID'), []);
  });

  test('the retired Patient/Study Only model', () => {
    assert.deepEqual(values(index, query(PATIENT_STUDY_ONLY, 'STUDY', { PatientID: 'P1', StudyInstanceUID: null }), 'StudyDescription'), ['CT CHEST', 'MR BRAIN']);
  });

  test('results come lazily, each with the character set it was stored in', () => {
    const iterator = index.find(query(STUDY_ROOT, 'IMAGE', { StudyInstanceUID: '2.25.1' }))[Symbol.iterator]();
    const first = iterator.next();
    assert.equal(first.done, false);
    assert.deepEqual(first.value!.characterSet, []);
  });

  test('worklist queries are refused', () => {
    assert.throws(() => [...index.find(query(MODALITY_WORKLIST, 'WORKLIST', { PatientName: '*' }))], ArchiveIndexError);
  });

  test('supportsKey tells which attributes the index can match on', () => {
    assert.equal(index.supportsKey(Tags.PatientName), true);
    assert.equal(index.supportsKey(Tags.ModalitiesInStudy), true);
    assert.equal(index.supportsKey(tag('AvailableTransferSyntaxUID')), true);
    assert.equal(index.supportsKey(tag('PatientAddress')), false);
  });
});

describe('retrieve', () => {
  const index = sampleIndex();

  test('every instance under the matching entities, with what the C-STORE sub-operations need', () => {
    const study = index.retrieve(query(STUDY_ROOT, 'STUDY', { StudyInstanceUID: '2.25.1' }, { operation: 'move' }));
    assert.deepEqual(study.map((i) => i.sopInstanceUid), ['2.25.1.1.1', '2.25.1.1.2', '2.25.1.1.3', '2.25.1.2.1']);
    assert.deepEqual(study[3], {
      path: path.join(ROOT, '2.25.1', '2.25.1.2', '2.25.1.2.1.dcm'), sopClassUid: SR_DOCUMENT, sopInstanceUid: '2.25.1.2.1',
      transferSyntaxUid: '1.2.840.10008.1.2.1', datasetOffset: 132, fileSize: 1000, studyInstanceUid: '2.25.1', seriesInstanceUid: '2.25.1.2',
    });
    const patient = index.retrieve(query(PATIENT_ROOT, 'PATIENT', { PatientID: 'P2' }, { operation: 'get' }));
    assert.equal(patient.length, 3);
    const two = index.retrieve(query(STUDY_ROOT, 'IMAGE', { StudyInstanceUID: '2.25.3', SeriesInstanceUID: '2.25.3.2', SOPInstanceUID: '2.25.3.2.2\\2.25.3.2.1' }, { operation: 'move' }));
    assert.deepEqual(two.map((i) => i.sopInstanceUid).sort(), ['2.25.3.2.1', '2.25.3.2.2']);
    assert.deepEqual(index.instancesOf('2.25.3', '2.25.3.2').map((i) => i.sopInstanceUid), ['2.25.3.2.1', '2.25.3.2.2']);
    assert.deepEqual(index.instancesOf('2.25.3', undefined, '2.25.3.1.1').map((i) => i.fileSize), [1000]);
  });
});

describe('character sets', () => {
  test('text is decoded with each instance\'s Specific Character Set, which is kept per entity', () => {
    const index = memoryIndex();
    add(index, { PatientID: 'L1', PatientName: 'Buc^Jérôme', StudyInstanceUID: '2.25.61', StudyDescription: 'Épaule' }, 'ISO_IR 100');
    add(index, { PatientID: 'U1', PatientName: '山田^太郎', StudyInstanceUID: '2.25.62' }, 'ISO_IR 192');
    const found = [...index.find(query(STUDY_ROOT, 'STUDY', { PatientName: null, StudyDescription: null }))];
    assert.deepEqual(found.map((m) => m.record.value(Tags.PatientName)), ['Buc^Jérôme', '山田^太郎']);
    assert.deepEqual(found.map((m) => m.characterSet), [['ISO_IR 100'], ['ISO_IR 192']]);
    assert.equal(found[0]!.record.value(Tags.StudyDescription), 'Épaule');
    assert.deepEqual(values(index, query(STUDY_ROOT, 'STUDY', { PatientName: 'Buc^Jér*' }), 'PatientID'), ['L1']);
  });
});
