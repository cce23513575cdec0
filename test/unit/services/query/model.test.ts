import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Tags } from '../../../../src/dicom/tag';
import { tagForKeyword } from '../../../../src/dicom/dictionary';
import { Uids } from '../../../../src/dicom/sop-classes';
import {
  PATIENT_ROOT, STUDY_ROOT, PATIENT_STUDY_ONLY, MODALITY_WORKLIST, modelForSopClass, attributeLevel, keyType,
  parseQueryLevel, levelDepth, worklistKeyTable, LEVELLESS_KEYS, NON_KEY_ATTRIBUTES,
} from '../../../../src/services/query/model';
import { validateIdentifier, ValidationOptions, QueryIdentifierError } from '../../../../src/services/query/validation';
import { compileQuery } from '../../../../src/services/query/matching';
import { identifier, IdentifierFields } from './helpers';

const tag = (k: string) => tagForKeyword(k)!;

function failure(fields: IdentifierFields, options: ValidationOptions): QueryIdentifierError {
  const r = validateIdentifier(identifier(fields), options);
  assert.equal(r.ok, false, 'expected the identifier to be refused');
  return (r as { ok: false; error: QueryIdentifierError }).error;
}

describe('information models (PS3.4 C.6, K.6)', () => {
  test('the level-less and non-key attributes (written as numbers, so loading the models reads no dictionary) are the named ones', () => {
    const named = (keywords: string) => new Set(keywords.split(' ').map(tag));
    assert.deepEqual(LEVELLESS_KEYS, named('RetrieveAETitle InstanceAvailability RetrieveURL RetrieveLocationUID StorageMediaFileSetID StorageMediaFileSetUID TimezoneOffsetFromUTC'));
    assert.deepEqual(NON_KEY_ATTRIBUTES, named('SpecificCharacterSet QueryRetrieveLevel QueryRetrieveView'));
  });

  test('levels, unique keys and required keys', () => {
    assert.deepEqual(PATIENT_ROOT.levels, ['PATIENT', 'STUDY', 'SERIES', 'IMAGE']);
    assert.deepEqual(STUDY_ROOT.levels, ['STUDY', 'SERIES', 'IMAGE']);
    assert.deepEqual(PATIENT_STUDY_ONLY.levels, ['PATIENT', 'STUDY']);
    assert.deepEqual(MODALITY_WORKLIST.levels, ['WORKLIST']);
    const unique = (m: typeof PATIENT_ROOT) => m.levels.map((l) => m.definitions.get(l)!.uniqueKey);
    assert.deepEqual(unique(PATIENT_ROOT), [Tags.PatientID, Tags.StudyInstanceUID, Tags.SeriesInstanceUID, Tags.SOPInstanceUID]);
    assert.deepEqual(PATIENT_ROOT.definitions.get('STUDY')!.requiredKeys, [Tags.StudyDate, Tags.StudyTime, Tags.AccessionNumber, Tags.StudyID]);
    assert.deepEqual(PATIENT_ROOT.definitions.get('SERIES')!.requiredKeys, [Tags.Modality, Tags.SeriesNumber]);
    assert.deepEqual(PATIENT_ROOT.definitions.get('IMAGE')!.requiredKeys, [Tags.InstanceNumber]);
  });
  test('which level an attribute belongs to, per model', () => {
    assert.equal(attributeLevel(PATIENT_ROOT, Tags.PatientName), 'PATIENT');
    assert.equal(attributeLevel(STUDY_ROOT, Tags.PatientName), 'STUDY');
    assert.equal(keyType(PATIENT_ROOT, Tags.PatientID), 'U');
    assert.equal(keyType(STUDY_ROOT, Tags.PatientID), 'R', 'Table C.6-5: Patient ID is a required, not unique, key in Study Root');
    assert.equal(attributeLevel(STUDY_ROOT, Tags.ModalitiesInStudy), 'STUDY');
    assert.equal(attributeLevel(STUDY_ROOT, Tags.NumberOfStudyRelatedInstances), 'STUDY');
    assert.equal(attributeLevel(STUDY_ROOT, Tags.NumberOfPatientRelatedStudies), 'STUDY');
    assert.equal(attributeLevel(PATIENT_ROOT, Tags.NumberOfPatientRelatedStudies), 'PATIENT');
    assert.equal(attributeLevel(STUDY_ROOT, Tags.SeriesDescription), 'SERIES');
    assert.equal(attributeLevel(STUDY_ROOT, Tags.NumberOfSeriesRelatedInstances), 'SERIES');
    assert.equal(attributeLevel(STUDY_ROOT, Tags.SOPClassUID), 'IMAGE');
    assert.equal(attributeLevel(STUDY_ROOT, Tags.Rows), 'IMAGE');
    assert.equal(attributeLevel(STUDY_ROOT, Tags.RetrieveAETitle), undefined, 'level-less');
    assert.equal(attributeLevel(PATIENT_STUDY_ONLY, Tags.Modality), undefined);
  });
  test('the worklist keys of Table K.6-1', () => {
    const sps = worklistKeyTable().find((k) => k.tag === Tags.ScheduledProcedureStepSequence)!;
    assert.deepEqual(sps.items!.filter((k) => k.matching === 'R').map((k) => k.tag), [
      Tags.ScheduledStationAETitle, Tags.ScheduledProcedureStepStartDate, Tags.ScheduledProcedureStepStartTime,
      Tags.Modality, tag('ScheduledPerformingPhysicianName'),
    ]);
    assert.ok(sps.items!.some((k) => k.tag === tag('ScheduledProcedureStepID')));
    for (const k of ['PatientName', 'PatientID']) assert.equal(worklistKeyTable().find((w) => w.tag === tag(k))!.matching, 'R');
    for (const k of ['AccessionNumber', 'RequestedProcedureID', 'StudyInstanceUID']) assert.equal(worklistKeyTable().find((w) => w.tag === tag(k))!.matching, 'O');
  });
  test('SOP Class UIDs name the model and the operation', () => {
    assert.deepEqual(modelForSopClass(Uids.StudyRootFind), { model: STUDY_ROOT, operation: 'find' });
    assert.deepEqual(modelForSopClass(Uids.PatientRootMove), { model: PATIENT_ROOT, operation: 'move' });
    assert.deepEqual(modelForSopClass(Uids.StudyRootGet + '\0'), { model: STUDY_ROOT, operation: 'get' });
    assert.deepEqual(modelForSopClass(Uids.ModalityWorklistFind), { model: MODALITY_WORKLIST, operation: 'find' });
    assert.equal(modelForSopClass(Uids.Verification), undefined);
  });
  test('parseQueryLevel and levelDepth', () => {
    assert.equal(parseQueryLevel(STUDY_ROOT, 'SERIES '), 'SERIES');
    assert.equal(parseQueryLevel(STUDY_ROOT, 'series'), 'SERIES');
    assert.equal(parseQueryLevel(STUDY_ROOT, 'PATIENT'), undefined);
    assert.equal(parseQueryLevel(MODALITY_WORKLIST, 'WORKLIST'), undefined);
    assert.equal(levelDepth(PATIENT_ROOT, 'SERIES'), 2);
    assert.equal(levelDepth(STUDY_ROOT, 'SERIES'), 1);
  });
});

describe('identifier validation: failures and their reasons', () => {
  const find = { model: STUDY_ROOT } as const;

  test('missing Query/Retrieve Level → A900', () => {
    const e = failure({ PatientName: 'DOE' }, find);
    assert.equal(e.status, 0xa900);
    assert.deepEqual(e.offendingElements, [Tags.QueryRetrieveLevel]);
    assert.equal(e.message, 'The identifier has no Query/Retrieve Level (0008,0052); a Study Root request names one of STUDY, SERIES, IMAGE.');
    assert.ok(e.errorComment.length <= 64);
    assert.ok(e.errorComment.endsWith('...'));
  });
  test('a level the model does not have → C000 (as DCMTK answers)', () => {
    const e = failure({ QueryRetrieveLevel: 'PATIENT', PatientName: 'DOE' }, find);
    assert.equal(e.status, 0xc000);
    assert.equal(e.message, 'Query/Retrieve Level (0008,0052) is "PATIENT"; the Study Root model has the levels STUDY, SERIES, IMAGE.');
    assert.equal(failure({ QueryRetrieveLevel: 'FOO' }, { model: PATIENT_ROOT }).message,
      'Query/Retrieve Level (0008,0052) is "FOO"; the Patient Root model has the levels PATIENT, STUDY, SERIES, IMAGE.');
    assert.equal(failure({ QueryRetrieveLevel: null }, find).message,
      'Query/Retrieve Level (0008,0052) is empty; the Study Root model has the levels STUDY, SERIES, IMAGE.');
  });
  test('a key below the level is returned but not matched, as DCMTK and Orthanc do', () => {
    const r = validateIdentifier(identifier({ QueryRetrieveLevel: 'STUDY', Modality: 'CT' }), find);
    assert.deepEqual(r, {
      ok: true, level: 'STUDY', ignoredKeys: [Tags.Modality],
      warnings: ['Modality (0008,0060) is a SERIES-level key, below the STUDY level of this request; it is returned but not matched.'],
    });
    const q = compileQuery(identifier({ QueryRetrieveLevel: 'STUDY', Modality: 'CT', PatientID: 'P1' }), { model: STUDY_ROOT });
    assert.deepEqual(q.matchingKeys.map((k) => k.tag), [Tags.PatientID]);
    assert.ok(q.keys.some((k) => k.tag === Tags.Modality));
  });
  test('... or refused with A900 when asked to be strict', () => {
    const e = failure({ QueryRetrieveLevel: 'STUDY', Modality: 'CT' }, { ...find, strictLevels: true });
    assert.equal(e.status, 0xa900);
    assert.deepEqual(e.offendingElements, [Tags.Modality]);
    assert.equal(e.message, 'Modality (0008,0060) is a SERIES-level key, below the STUDY level of this request.');
    assert.equal(failure({ QueryRetrieveLevel: 'PATIENT', StudyDate: null }, { model: PATIENT_ROOT, strictLevels: true }).message,
      'StudyDate (0008,0020) is a STUDY-level key, below the PATIENT level of this request.');
  });
  test('hierarchical query: a non-unique key above the level → C000 (C.4.1.2.1; as DCMTK answers)', () => {
    const e = failure({ QueryRetrieveLevel: 'SERIES', StudyDate: '20240101', Modality: 'CT' }, find);
    assert.equal(e.status, 0xc000);
    assert.deepEqual(e.offendingElements, [Tags.StudyDate]);
    assert.equal(e.message, 'StudyDate (0008,0020) is a STUDY-level key; above the SERIES level a hierarchical query may hold only its unique key StudyInstanceUID (0020,000D) (relational queries were not negotiated).');
    const p = failure({ QueryRetrieveLevel: 'STUDY', PatientName: 'DOE*' }, { model: PATIENT_ROOT });
    assert.match(p.message, /^PatientName \(0010,0010\) is a PATIENT-level key; above the STUDY level a hierarchical query may hold only its unique key PatientID \(0010,0020\)/);
  });
  test('... which relational queries allow', () => {
    const r = validateIdentifier(identifier({ QueryRetrieveLevel: 'SERIES', StudyDate: '20240101', Modality: 'CT' }), { ...find, relational: true });
    assert.deepEqual(r, { ok: true, level: 'SERIES', warnings: [], ignoredKeys: [] });
  });
  test('unique keys above the level are fine, with any value (as DCMTK accepts)', () => {
    for (const uid of ['1.2.3', '1.2.3\\1.2.4', null]) {
      const r = validateIdentifier(identifier({ QueryRetrieveLevel: 'IMAGE', StudyInstanceUID: uid, SeriesInstanceUID: '1.2.3.4', InstanceNumber: null }), find);
      assert.equal(r.ok, true, String(uid));
    }
  });
  test('Study Root puts patient attributes at the STUDY level', () => {
    assert.equal(validateIdentifier(identifier({ QueryRetrieveLevel: 'STUDY', PatientName: 'DOE*', PatientBirthDate: null }), find).ok, true);
  });
  test('the level given by the caller must agree with the identifier', () => {
    const e = failure({ QueryRetrieveLevel: 'STUDY' }, { model: STUDY_ROOT, level: 'SERIES' });
    assert.equal(e.message, 'Query/Retrieve Level (0008,0052) is STUDY but the request is for the SERIES level.');
  });
  test('sequence keys must hold one item, and may not nest without bound', () => {
    const e = failure({ QueryRetrieveLevel: 'STUDY', ProcedureCodeSequence: [{ CodeValue: 'A' }, { CodeValue: 'B' }] }, find);
    assert.deepEqual(e.offendingElements, [tag('ProcedureCodeSequence')]);
    let deep: IdentifierFields = { CodeValue: 'X' };
    for (let i = 0; i < 10; i++) deep = { ConceptNameCodeSequence: [deep] };
    const d = failure({ QueryRetrieveLevel: 'IMAGE', ...deep }, find);
    assert.equal(d.status, 0xc000);
    assert.match(d.message, /nests sequences deeper than 8 levels/);
  });
  test('compileQuery throws the same typed error', () => {
    assert.throws(() => compileQuery(identifier({ PatientName: 'X' }), { model: STUDY_ROOT }), (e: unknown) => e instanceof QueryIdentifierError && e.status === 0xa900);
  });
});

describe('retrieve identifiers (C-MOVE / C-GET, C.4.2.1.4.1)', () => {
  test('the unique key of the level is needed', () => {
    const e = failure({ QueryRetrieveLevel: 'SERIES', StudyInstanceUID: '1.2' }, { model: STUDY_ROOT, operation: 'move' });
    assert.equal(e.message, 'A SERIES-level C-MOVE needs a value for SeriesInstanceUID (0020,000E).');
    assert.deepEqual(e.offendingElements, [Tags.SeriesInstanceUID]);
    assert.equal(failure({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: null }, { model: STUDY_ROOT, operation: 'get' }).message,
      'A STUDY-level C-GET needs a value for StudyInstanceUID (0020,000D).');
  });
  test('a list of UIDs at the level is fine; above it a single value is needed', () => {
    assert.equal(validateIdentifier(identifier({ QueryRetrieveLevel: 'SERIES', StudyInstanceUID: '1.2', SeriesInstanceUID: '1.2.1\\1.2.2' }), { model: STUDY_ROOT, operation: 'move' }).ok, true);
    const e = failure({ QueryRetrieveLevel: 'SERIES', StudyInstanceUID: '1.2\\1.3', SeriesInstanceUID: '1.2.1' }, { model: STUDY_ROOT, operation: 'move' });
    assert.equal(e.message, 'StudyInstanceUID (0020,000D) must hold a single value to identify the STUDY to retrieve; it holds "1.2\\1.3".');
  });
  test('Patient ID is always a single value', () => {
    const e = failure({ QueryRetrieveLevel: 'PATIENT', PatientID: 'P*' }, { model: PATIENT_ROOT, operation: 'move' });
    assert.deepEqual(e.offendingElements, [Tags.PatientID]);
  });
  test('non-unique keys are ignored with a warning; a missing upper unique key is a warning', () => {
    const r = validateIdentifier(identifier({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '1.2', StudyDate: '20240101' }), { model: PATIENT_ROOT, operation: 'move' });
    assert.equal(r.ok, true);
    assert.deepEqual((r as { warnings: string[] }).warnings, [
      'StudyDate (0008,0020) is not a unique key and was ignored for the retrieval.',
      'PatientID (0010,0020) of the PATIENT level is missing; retrieving by the lower-level keys alone.',
    ]);
    const q = compileQuery(identifier({ QueryRetrieveLevel: 'STUDY', StudyInstanceUID: '1.2', StudyDate: '20240101' }), { model: PATIENT_ROOT, operation: 'move' });
    assert.deepEqual(q.matchingKeys.map((k) => k.tag), [Tags.StudyInstanceUID]);
  });
});

describe('worklist identifiers', () => {
  test('no Query/Retrieve Level is needed; one that is present is ignored with a warning', () => {
    assert.deepEqual(validateIdentifier(identifier({ PatientName: null }), { model: MODALITY_WORKLIST }), { ok: true, level: 'WORKLIST', warnings: [], ignoredKeys: [] });
    const r = validateIdentifier(identifier({ QueryRetrieveLevel: 'STUDY', PatientName: null }), { model: MODALITY_WORKLIST });
    assert.deepEqual(r, { ok: true, level: 'WORKLIST', ignoredKeys: [], warnings: ['Query/Retrieve Level (0008,0052) is not part of the Modality Worklist model and was ignored.'] });
  });
  test('the Scheduled Procedure Step Sequence holds one item', () => {
    const e = failure({ ScheduledProcedureStepSequence: [{ Modality: 'MR' }, { Modality: 'CT' }] }, { model: MODALITY_WORKLIST });
    assert.equal(e.message, 'ScheduledProcedureStepSequence (0040,0100) holds 2 items; a sequence key holds exactly one item (PS3.4 C.2.2.2.6).');
  });
});
