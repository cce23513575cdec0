// The worklist store over DCMTK's example worklist (converted to .wl files by
// test/fixtures/archive/wlistdb/make-wl.sh, two of them without file meta) and a DICOM JSON file
// with two items. Expected items are read off /usr/share/doc/dcmtk/examples/wlistdb/OFFIS/*.dump.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readdirSync, rmSync, writeFileSync, utimesSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { Tags } from '../../../src/dicom/tag';
import { tagForKeyword } from '../../../src/dicom/dictionary';
import { MODALITY_WORKLIST, STUDY_ROOT } from '../../../src/services/query/model';
import { buildResponseIdentifier } from '../../../src/services/query/response';
import { QueryRecord } from '../../../src/services/query/record';
import { WorklistStore } from '../../../src/archive/worklist';
import { dataset, query, tempDir, Fields } from './helpers';

const FIXTURES = path.join(__dirname, '../../../../test/fixtures/archive/wlistdb');

/** The folder with the fixtures copied in (so tests can change it). */
function worklistDir(t: { after: (fn: () => void) => void }): string {
  const dir = tempDir(t, 'worklist-');
  for (const name of readdirSync(FIXTURES)) if (name.endsWith('.wl') || name.endsWith('.json')) copyFileSync(path.join(FIXTURES, name), path.join(dir, name));
  return dir;
}

/** A worklist query: top-level keys, and Scheduled Procedure Step keys in one item. */
function worklistQuery(top: Fields, step: Fields = {}) {
  const sps = { Modality: null, ScheduledStationAETitle: null, ScheduledProcedureStepStartDate: null, ScheduledProcedureStepStartTime: null,
    ScheduledPerformingPhysicianName: null, ...step };
  return query(MODALITY_WORKLIST, 'WORKLIST', { PatientName: null, PatientID: null, StudyInstanceUID: null, ...top, ScheduledProcedureStepSequence: [dataset(sps)] });
}

/** Which items match, by the last component of their Study Instance UID (101…110 for DCMTK's, 555001/555002 for JSON). */
function matched(store: WorklistStore, top: Fields, step: Fields = {}): string[] {
  return [...store.find(worklistQuery(top, step))].map((m) => String(m.record.value(Tags.StudyInstanceUID)).split('.').pop()!).sort();
}

const stepItem = (r: QueryRecord) => (r.value(Tags.ScheduledProcedureStepSequence) as QueryRecord[])[0]!;

describe('the DCMTK example worklist', () => {
  test('every item is read: Part 10 files, files without meta, and a JSON array', (t) => {
    const store = new WorklistStore({ dir: worklistDir(t) });
    const r = store.refresh();
    assert.deepEqual(r, { files: 11, items: 12, read: 11, failed: 0, removed: 0 });
    assert.deepEqual(matched(store, {}), ['101', '102', '103', '104', '105', '106', '107', '108', '109', '110', '555001', '555002']);
    const noMeta = store.items().find((i) => i.file === 'wklist9.wl')!;
    assert.equal(noMeta.record.value(Tags.PatientName), 'MOZART^WOLFGANG^AMADEUS');
    assert.equal(stepItem(noMeta.record).value(Tags.ScheduledStationAETitle), 'AA67');
  });

  test('matching inside the Scheduled Procedure Step Sequence', (t) => {
    const store = new WorklistStore({ dir: worklistDir(t) });
    assert.deepEqual(matched(store, {}, { Modality: 'MR' }), ['101', '110', '555002']);
    assert.deepEqual(matched(store, {}, { Modality: 'CT' }), ['102', '106', '108', '109']);
    // AE titles with several values (AA32\AA33, CC56\NN77) match on any of them.
    assert.deepEqual(matched(store, {}, { ScheduledStationAETitle: 'AA32' }), ['101', '104']);
    assert.deepEqual(matched(store, {}, { ScheduledStationAETitle: 'NN77' }), ['103', '108']);
    assert.deepEqual(matched(store, {}, { ScheduledProcedureStepStartDate: '19960101-19960430' }), ['102', '103', '104', '108', '555001']);
    assert.deepEqual(matched(store, {}, { ScheduledProcedureStepStartDate: '-19931231' }), ['106', '109']);
    assert.deepEqual(matched(store, {}, { ScheduledProcedureStepStartTime: '0800-1000' }), ['101', '105', '555001']);
    assert.deepEqual(matched(store, {}, { ScheduledPerformingPhysicianName: 'ROSS' }), ['102', '106', '108']);
    assert.deepEqual(matched(store, {}, { Modality: 'CT', ScheduledProcedureStepStartDate: '19960101-19961231' }), ['102', '108']);
  });

  test('matching on patient keys, alone and with step keys', (t) => {
    const store = new WorklistStore({ dir: worklistDir(t) });
    assert.deepEqual(matched(store, { PatientName: 'HAYDN*' }), ['104', '105', '106']);
    assert.deepEqual(matched(store, { PatientID: 'AV35674' }), ['101', '102', '103']);
    assert.deepEqual(matched(store, { PatientName: 'VIVALDI^ANTONIO' }, { Modality: 'CR' }), ['103']);
    assert.deepEqual(matched(store, { PatientName: 'Müller*' }), ['555001']);
    assert.deepEqual(matched(store, { PatientName: 'Yamada^Tarou=山田^太郎' }), ['555002']);
    assert.deepEqual(matched(store, { PatientName: 'NOBODY' }), []);
  });

  test('responses hold the matching step item with the requested keys', (t) => {
    const store = new WorklistStore({ dir: worklistDir(t) });
    const q = worklistQuery({ PatientName: 'BEETHOVEN*' }, { ScheduledStationAETitle: 'GH67', ScheduledProcedureStepID: null });
    const [hit, ...rest] = [...store.find(q)];
    assert.equal(rest.length, 0);
    const response = buildResponseIdentifier(q, hit!.record, { characterSet: hit!.characterSet });
    assert.equal(response.string(Tags.PatientName), 'BEETHOVEN^LUDWIG^VAN');
    assert.equal(response.string(Tags.StudyInstanceUID), '1.2.276.0.7230010.3.2.108');
    const step = response.items(Tags.ScheduledProcedureStepSequence)![0]!;
    assert.equal(step.string(Tags.Modality), 'CT');
    assert.equal(step.string(Tags.ScheduledProcedureStepStartDate), '19960423');
    assert.equal(step.string(tagForKeyword('ScheduledProcedureStepID')!), 'SPD8265');
    assert.deepEqual(hit!.characterSet, ['ISO_IR 100']);
  });

  test('the JSON items keep their Unicode text and say UTF-8', (t) => {
    const store = new WorklistStore({ dir: worklistDir(t) });
    const [anna] = [...store.find(worklistQuery({ PatientID: 'JSON001' }))];
    assert.equal(anna!.record.value(Tags.PatientName), 'Müller^Anna');
    assert.equal(stepItem(anna!.record).value(tagForKeyword('ScheduledPerformingPhysicianName')!), 'Weiß^Eva');
    assert.deepEqual(anna!.characterSet, ['ISO_IR 192']);
  });
});

describe('following the folder', () => {
  test('added, removed and changed files are seen by the next query', (t) => {
    const dir = worklistDir(t);
    const store = new WorklistStore({ dir });
    assert.equal(matched(store, {}).length, 12);

    rmSync(path.join(dir, 'wklist1.wl'));
    mkdirSync(path.join(dir, 'OTHER_AE'));
    copyFileSync(path.join(FIXTURES, 'wklist1.wl'), path.join(dir, 'OTHER_AE', 'moved.wl'));
    const json = path.join(dir, 'json-items.json');
    const one = JSON.parse(JSON.stringify(require(path.join(FIXTURES, 'json-items.json'))[0]));
    one['00400100'].Value[0]['00080060'].Value = ['CT'];
    writeFileSync(json, JSON.stringify(one));
    utimesSync(json, new Date(), new Date(Date.now() + 5000));

    assert.deepEqual(matched(store, {}, { Modality: 'MR' }), ['101', '110']);
    assert.deepEqual(matched(store, {}, { Modality: 'CT' }), ['102', '106', '108', '109', '555001']);
    assert.equal(store.items().find((i) => i.record.value(Tags.PatientID) === 'AV35674' && i.file.startsWith('OTHER_AE'))!.file, path.join('OTHER_AE', 'moved.wl'));
    const r = store.refresh();
    assert.deepEqual([r.read, r.removed, r.items], [0, 0, 11]);
  });

  test('a file that cannot be read is logged once and skipped; the others are served', (t) => {
    const dir = worklistDir(t);
    writeFileSync(path.join(dir, 'broken.wl'), 'this is not a worklist file');
    writeFileSync(path.join(dir, 'broken.json'), '{ "00100010": ');
    writeFileSync(path.join(dir, 'lockfile'), '');
    const lines: string[] = [];
    const store = new WorklistStore({ dir, log: (l) => lines.push(l) });
    assert.equal(matched(store, {}).length, 12);
    assert.equal(matched(store, {}).length, 12);
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.match(lines.find((l) => l.includes('broken.wl'))!, /Worklist file broken\.wl is skipped: .*not a DICOM file/);
    assert.match(lines.find((l) => l.includes('broken.json'))!, /Worklist file broken\.json is skipped: .*not valid JSON/);
  });

  test('a missing folder serves nothing and says so once', (t) => {
    const lines: string[] = [];
    const store = new WorklistStore({ dir: path.join(tempDir(t), 'nope'), log: (l) => lines.push(l) });
    assert.deepEqual(matched(store, {}), []);
    assert.deepEqual(matched(store, {}), []);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /does not exist/);
  });

  test('checkIntervalMs limits how often the folder is looked at', (t) => {
    const dir = worklistDir(t);
    const store = new WorklistStore({ dir, checkIntervalMs: 60_000 });
    assert.equal(matched(store, {}).length, 12);
    rmSync(path.join(dir, 'wklist2.wl'));
    assert.equal(matched(store, {}).length, 12);
    store.refresh();
    assert.equal(matched(store, {}).length, 11);
  });

  test('Query/Retrieve queries are refused', (t) => {
    const store = new WorklistStore({ dir: worklistDir(t) });
    assert.throws(() => [...store.find(query(STUDY_ROOT, 'STUDY', { PatientName: '*' }))], /Modality Worklist queries/);
  });
});
