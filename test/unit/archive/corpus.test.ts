// The pydicom sample files copied into an archive layout: the index built by scanning them must
// answer Patient Root and Study Root queries at every level with what pydicom reads from the
// same files (test/fixtures/archive/corpus-expectations.json, made by make-corpus-expectations.py).

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { tagForKeyword } from '../../../src/dicom/dictionary';
import { Tags } from '../../../src/dicom/tag';
import { PATIENT_ROOT, STUDY_ROOT } from '../../../src/services/query/model';
import { AttributeValue } from '../../../src/services/query/record';
import { ArchiveIndex } from '../../../src/archive/archive-index';
import { query } from './helpers';

const SAMPLES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const FIXTURE = path.join(__dirname, '../../../../test/fixtures/archive/corpus-expectations.json');

type Expected = Record<string, string | number | (string | number)[] | null | undefined>;
const available = existsSync(SAMPLES);
const corpus = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { files: Record<string, Expected> };

/** Files pydicom reads (leniently) that the dicom layer refuses, as DCMTK does: copied, but not indexed. */
const REFUSED: Record<string, string> = {
  'SC_rgb_jpeg.dcm': 'the meta says JPEG Baseline but the data set is Implicit VR',
};

/** One file per SOP Instance UID (the first by name), as copying into the layout keeps. */
function uniqueFiles(): [string, Expected][] {
  const seen = new Set<string>();
  const out: [string, Expected][] = [];
  for (const [name, e] of Object.entries(corpus.files).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (REFUSED[name]) continue;
    const sop = String(e.SOPInstanceUID);
    if (seen.has(sop)) continue;
    seen.add(sop);
    out.push([name, e]);
  }
  return out;
}

/** Whether a value the index answers is the one pydicom read. */
function same(ours: AttributeValue | undefined, theirs: Expected[string]): boolean {
  if (theirs === undefined || theirs === null) return ours === undefined || ours === '' || ours === null;
  if (Array.isArray(theirs)) {
    const list = Array.isArray(ours) ? ours : [ours];
    return list.length === theirs.length && theirs.every((v, i) => same(list[i] as AttributeValue, v));
  }
  if (typeof theirs === 'number') return Number(ours) === theirs;
  return String(ours) === theirs;
}

/** The one value every file of a group has for a keyword, or undefined when they disagree. */
function agreed(files: Expected[], keyword: string): { value: Expected[string] } | undefined {
  const values = files.map((f) => JSON.stringify(f[keyword] ?? null));
  return new Set(values).size === 1 ? { value: files[0]![keyword] } : undefined;
}

/** A patient at the PATIENT level: Patient ID + issuer (all files without an ID are one, issue 14.14). */
function patientKeyOf(e: Expected): string {
  return `${e.PatientID ? String(e.PatientID) : ''}|${e.IssuerOfPatientID ?? ''}`;
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    out.set(k, [...(out.get(k) ?? []), item]);
  }
  return out;
}

const tag = (k: string) => tagForKeyword(k)!;

describe('the pydicom corpus in an archive', { skip: !available && 'pydicom test files are not installed' }, () => {
  let root = '';
  let index: ArchiveIndex;
  const files = uniqueFiles();
  const expected = files.map(([, e]) => e);

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'archive-corpus-'));
    for (const [name, e] of files) {
      const dir = path.join(root, String(e.StudyInstanceUID), String(e.SeriesInstanceUID));
      mkdirSync(dir, { recursive: true });
      copyFileSync(path.join(SAMPLES, name), path.join(dir, `${String(e.SOPInstanceUID)}.dcm`));
    }
    // Elsewhere in the folder: their UIDs may be those of a file above.
    mkdirSync(path.join(root, 'refused'));
    for (const name of Object.keys(REFUSED)) copyFileSync(path.join(SAMPLES, name), path.join(root, 'refused', name));
    index = await ArchiveIndex.open({ root, persist: false });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('every copied file is indexed, with its transfer syntax, size and instance attributes', () => {
    const r = index.openReport!;
    assert.deepEqual([r.added, r.ignored, r.unreadable], [files.length, Object.keys(REFUSED).length, 0]);
    for (const name of Object.keys(REFUSED)) assert.notEqual(index.get(String(corpus.files[name]!.SOPInstanceUID))?.relativePath, path.join('refused', name));
    for (const [name, e] of files) {
      const got = index.get(String(e.SOPInstanceUID));
      assert.ok(got, `${name} is indexed`);
      assert.equal(got.transferSyntaxUid, e.transferSyntaxUid, name);
      assert.equal(got.fileSize, e.size, name);
      assert.equal(got.sopClassUid, e.SOPClassUID, name);
      for (const k of ['InstanceNumber', 'Rows', 'Columns', 'NumberOfFrames', 'SOPClassUID']) {
        assert.ok(same(got.record.value(tag(k)), e[k]), `${name} ${k}: ${JSON.stringify(got.record.value(tag(k)))} vs ${JSON.stringify(e[k])}`);
      }
      // The data set really starts where the index says.
      const bytes = readFileSync(got.path);
      assert.equal(got.datasetOffset === 0 || bytes.toString('latin1', 128, 132) === 'DICM', true, name);
    }
  });

  test('Patient Root, PATIENT level: one patient per Patient ID + issuer (an empty ID included)', () => {
    const patients = groupBy(expected, patientKeyOf);
    const found = [...index.find(query(PATIENT_ROOT, 'PATIENT', { PatientName: '*', PatientID: null, NumberOfPatientRelatedStudies: null, NumberOfPatientRelatedInstances: null }))];
    assert.equal(found.length, patients.size);
    for (const m of found) {
      const key = patientKeyOf({ PatientID: m.record.value(Tags.PatientID) as string, IssuerOfPatientID: m.record.value(Tags.IssuerOfPatientID) as string,
        PatientName: m.record.value(Tags.PatientName) as string, PatientBirthDate: m.record.value(Tags.PatientBirthDate) as string });
      const group = patients.get(key);
      assert.ok(group, `patient ${key} exists in the corpus`);
      assert.equal(m.record.value(Tags.NumberOfPatientRelatedInstances), group.length, key);
      assert.equal(m.record.value(Tags.NumberOfPatientRelatedStudies), new Set(group.map((e) => e.StudyInstanceUID)).size, key);
      const name = agreed(group, 'PatientName');
      if (name) assert.ok(same(m.record.value(Tags.PatientName), name.value), `${key}: ${String(m.record.value(Tags.PatientName))}`);
    }
  });

  test('Patient Root, STUDY / SERIES / IMAGE levels under each patient', () => {
    for (const [key, group] of groupBy(expected, patientKeyOf)) {
      const id = String(group[0]!.PatientID ?? '');
      if (!id) continue;
      const issuer = group[0]!.IssuerOfPatientID;
      const pid = { PatientID: id, ...(issuer ? { IssuerOfPatientID: String(issuer) } : {}) };
      const studies = [...index.find(query(PATIENT_ROOT, 'STUDY', { ...pid, StudyInstanceUID: null }))].map((m) => String(m.record.value(Tags.StudyInstanceUID)));
      assert.deepEqual(studies.sort(), [...new Set(group.map((e) => String(e.StudyInstanceUID)))].sort(), key);
      for (const study of studies) {
        const inStudy = group.filter((e) => e.StudyInstanceUID === study);
        const series = [...index.find(query(PATIENT_ROOT, 'SERIES', { ...pid, StudyInstanceUID: study, SeriesInstanceUID: null }))].map((m) => String(m.record.value(Tags.SeriesInstanceUID)));
        assert.deepEqual(series.sort(), [...new Set(inStudy.map((e) => String(e.SeriesInstanceUID)))].sort(), `${key} ${study}`);
        for (const s of series) {
          const images = [...index.find(query(PATIENT_ROOT, 'IMAGE', { ...pid, StudyInstanceUID: study, SeriesInstanceUID: s, SOPInstanceUID: null }))]
            .map((m) => String(m.record.value(Tags.SOPInstanceUID)));
          assert.deepEqual(images.sort(), inStudy.filter((e) => e.SeriesInstanceUID === s).map((e) => String(e.SOPInstanceUID)).sort());
        }
      }
    }
  });

  test('Study Root, STUDY level: every study with its attributes and derived counts', () => {
    const studies = groupBy(expected, (e) => String(e.StudyInstanceUID));
    const keys = { PatientName: '*', PatientID: null, StudyInstanceUID: null, StudyDate: null, StudyTime: null, AccessionNumber: null, StudyID: null,
      StudyDescription: null, ReferringPhysicianName: null, ModalitiesInStudy: null, SOPClassesInStudy: null, NumberOfStudyRelatedSeries: null, NumberOfStudyRelatedInstances: null };
    const found = [...index.find(query(STUDY_ROOT, 'STUDY', keys))];
    assert.equal(found.length, studies.size);
    for (const m of found) {
      const uid = String(m.record.value(Tags.StudyInstanceUID));
      const group = studies.get(uid)!;
      assert.ok(group, uid);
      assert.equal(m.record.value(Tags.NumberOfStudyRelatedInstances), group.length, uid);
      assert.equal(m.record.value(Tags.NumberOfStudyRelatedSeries), new Set(group.map((e) => e.SeriesInstanceUID)).size, uid);
      assert.deepEqual(new Set(m.record.value(Tags.ModalitiesInStudy) as string[]), new Set(group.map((e) => e.Modality).filter((x) => x).map(String)), uid);
      assert.deepEqual(new Set(m.record.value(Tags.SOPClassesInStudy) as string[]), new Set(group.map((e) => String(e.SOPClassUID))), uid);
      for (const k of ['StudyDate', 'StudyTime', 'AccessionNumber', 'StudyID', 'StudyDescription', 'ReferringPhysicianName', 'PatientName', 'PatientID']) {
        const a = agreed(group, k);
        if (a) assert.ok(same(m.record.value(tag(k)), a.value), `${uid} ${k}: ${JSON.stringify(m.record.value(tag(k)))} vs ${JSON.stringify(a.value)}`);
      }
    }
  });

  test('Study Root, SERIES and IMAGE levels, and retrieve of each study', () => {
    for (const [study, group] of groupBy(expected, (e) => String(e.StudyInstanceUID))) {
      const series = [...index.find(query(STUDY_ROOT, 'SERIES', { StudyInstanceUID: study, SeriesInstanceUID: null, Modality: null, SeriesNumber: null, NumberOfSeriesRelatedInstances: null }))];
      const bySeries = groupBy(group, (e) => String(e.SeriesInstanceUID));
      assert.equal(series.length, bySeries.size, study);
      for (const m of series) {
        const uid = String(m.record.value(Tags.SeriesInstanceUID));
        const members = bySeries.get(uid)!;
        assert.equal(m.record.value(Tags.NumberOfSeriesRelatedInstances), members.length);
        for (const k of ['Modality', 'SeriesNumber', 'SeriesDescription']) {
          const a = agreed(members, k);
          if (a) assert.ok(same(m.record.value(tag(k)), a.value), `${uid} ${k}: ${JSON.stringify(m.record.value(tag(k)))} vs ${JSON.stringify(a.value)}`);
        }
        const images = [...index.find(query(STUDY_ROOT, 'IMAGE', { StudyInstanceUID: study, SeriesInstanceUID: uid, SOPInstanceUID: null, InstanceNumber: null }))];
        assert.deepEqual(images.map((i) => String(i.record.value(Tags.SOPInstanceUID))).sort(), members.map((e) => String(e.SOPInstanceUID)).sort());
      }
      const retrieved = index.retrieve(query(STUDY_ROOT, 'STUDY', { StudyInstanceUID: study }, { operation: 'move' }));
      assert.deepEqual(retrieved.map((r) => r.sopInstanceUid).sort(), group.map((e) => String(e.SOPInstanceUID)).sort());
      for (const r of retrieved) assert.ok(existsSync(r.path), r.path);
    }
  });

  test('matching through the index: wild cards, dates, modalities', () => {
    const count = (fields: Record<string, string>) => [...index.find(query(STUDY_ROOT, 'STUDY', fields))].length;
    const studies = groupBy(expected, (e) => String(e.StudyInstanceUID));
    const expectStudies = (pred: (e: Expected) => boolean) => [...studies.values()].filter((g) => g.some(pred)).length;
    assert.equal(count({ PatientName: 'CompressedSamples*' }), expectStudies((e) => String(e.PatientName ?? '').startsWith('CompressedSamples')));
    assert.equal(count({ ModalitiesInStudy: 'MR' }), expectStudies((e) => e.Modality === 'MR'));
    assert.equal(count({ StudyDate: '20040101-20041231' }), expectStudies((e) => /^2004\d{4}$/.test(String(e.StudyDate ?? ''))));
    assert.ok(count({ PatientName: 'CompressedSamples*' }) >= 2);
  });
});
