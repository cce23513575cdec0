import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Dataset } from '../../../../src/dicom';
import { Tags } from '../../../../src/dicom/tag';
import { tagForKeyword } from '../../../../src/dicom/dictionary';
import {
  compileQuery, CompileOptions, CompiledQuery, INDEXED_EQUALITY_TAGS,
} from '../../../../src/services/query';
import { objectRecord, RecordObject, QueryRecord, datasetRecord } from '../../../../src/services/query/record';
import { STUDY_ROOT, PATIENT_ROOT, MODALITY_WORKLIST } from '../../../../src/services/query/model';
import { QueryIdentifierError } from '../../../../src/services/query/validation';
import { identifier, IdentifierFields, charsetFile, charsetFilesAvailable } from './helpers';

const tag = (k: string) => tagForKeyword(k)!;

function studyQuery(fields: IdentifierFields, options: Partial<CompileOptions> = {}, charset?: string | string[]): CompiledQuery {
  return compileQuery(identifier({ QueryRetrieveLevel: 'STUDY', ...fields }, charset), { model: STUDY_ROOT, ...options });
}

/** Which of the named records a query matches. */
function matching(q: CompiledQuery, records: Record<string, RecordObject>): string[] {
  return Object.entries(records).filter(([, r]) => q.matches(objectRecord(r))).map(([name]) => name);
}

const STUDIES: Record<string, RecordObject> = {
  doe: {
    PatientName: 'DOE^JOHN', PatientID: 'P1', StudyDate: '20240115', StudyTime: '101500',
    StudyInstanceUID: '1.2.3.1', AccessionNumber: 'A1', ModalitiesInStudy: ['CT', 'SR'],
    StudyDescription: 'CT CHEST', NumberOfStudyRelatedSeries: 2,
  },
  doeLower: {
    PatientName: 'doe^john', PatientID: 'P2', StudyDate: '20240116', StudyTime: '2359',
    StudyInstanceUID: '1.2.3.2', AccessionNumber: 'A2', ModalitiesInStudy: 'MR',
    StudyDescription: 'MR BRAIN', NumberOfStudyRelatedSeries: '3',
  },
  smith: {
    PatientName: 'SMITH^ANNA^^^  ', PatientID: 'P3', StudyDate: '20231231', StudyTime: '08',
    StudyInstanceUID: '1.2.3.3\0', AccessionNumber: '', ModalitiesInStudy: ['MR', 'PT'],
    StudyDescription: '  PET', NumberOfStudyRelatedSeries: 10,
  },
  noDate: {
    PatientName: 'NODATE^X', PatientID: 'P4', StudyInstanceUID: '1.2.3.4', ModalitiesInStudy: 'CT\\MR',
  },
};

describe('universal matching (C.2.2.2.3)', () => {
  test('an empty value or "*" alone matches every record, including ones without the attribute', () => {
    for (const v of [null, '*', '**']) {
      const q = studyQuery({ PatientName: v, StudyDate: null, ModalitiesInStudy: null });
      assert.deepEqual(matching(q, STUDIES), ['doe', 'doeLower', 'smith', 'noDate'], String(v));
      assert.equal(q.matchingKeys.length, 0);
      assert.equal(q.keys.find((k) => k.tag === Tags.PatientName)!.matching, 'universal');
    }
  });
  test('backslashes alone (only empty values) are universal too', () => {
    assert.equal(studyQuery({ ModalitiesInStudy: '\\' }).matchingKeys.length, 0);
  });
  test('"*" alone is universal even on VRs without wild cards', () => {
    const q = studyQuery({ StudyInstanceUID: '*', StudyDate: '*' });
    assert.equal(q.matchingKeys.length, 0);
  });
});

describe('single value matching (C.2.2.2.1)', () => {
  test('exact and case-sensitive on text; padding is not significant', () => {
    assert.deepEqual(matching(studyQuery({ PatientID: 'P1' }), STUDIES), ['doe']);
    assert.deepEqual(matching(studyQuery({ PatientID: 'p1' }), STUDIES), []);
    assert.deepEqual(matching(studyQuery({ StudyDescription: 'PET' }), STUDIES), ['smith']);
    assert.deepEqual(matching(studyQuery({ StudyInstanceUID: '1.2.3.3' }), STUDIES), ['smith']);
  });
  test('PN is case-sensitive by default, case-insensitive on request', () => {
    assert.deepEqual(matching(studyQuery({ PatientName: 'DOE^JOHN' }), STUDIES), ['doe']);
    assert.deepEqual(matching(studyQuery({ PatientName: 'DOE^JOHN' }, { caseInsensitivePersonNames: true }), STUDIES), ['doe', 'doeLower']);
    assert.deepEqual(matching(studyQuery({ PatientName: 'SMITH^ANNA' }), STUDIES), ['smith']);
  });
  test('case-insensitivity is for PN only: other VRs stay exact', () => {
    assert.deepEqual(matching(studyQuery({ StudyDescription: 'ct chest' }, { caseInsensitivePersonNames: true }), STUDIES), []);
  });
  test('a non-empty key never matches a record without a value', () => {
    assert.deepEqual(matching(studyQuery({ AccessionNumber: 'A1' }), STUDIES), ['doe']);
    assert.deepEqual(matching(studyQuery({ StudyDate: '20240115' }), STUDIES), ['doe']);
  });
  test('IS values compare by number ("007" finds 7), numbers or strings in the record', () => {
    assert.deepEqual(matching(studyQuery({ NumberOfStudyRelatedSeries: '003' }), STUDIES), ['doeLower']);
    assert.deepEqual(matching(studyQuery({ NumberOfStudyRelatedSeries: '10' }), STUDIES), ['smith']);
  });
  test('binary keys (US) compare numbers', () => {
    const q = compileQuery(identifier({ QueryRetrieveLevel: 'IMAGE', Rows: 512 }), { model: STUDY_ROOT });
    assert.equal(q.matches(objectRecord({ Rows: 512 })), true);
    assert.equal(q.matches(objectRecord({ Rows: [256] })), false);
    assert.equal(q.matches(objectRecord({})), false);
  });
  test('"*" and "?" are ordinary characters where wild cards are not allowed (UI, IS, DA)', () => {
    const q = studyQuery({ StudyInstanceUID: '1.2.3.*' });
    assert.equal(q.keys.find((k) => k.tag === Tags.StudyInstanceUID)!.matching, 'single');
    assert.deepEqual(matching(q, STUDIES), []);
    assert.equal(q.matches(objectRecord({ StudyInstanceUID: '1.2.3.*' })), true);
  });
});

describe('list of UID matching (C.2.2.2.2)', () => {
  test('backslash-separated UIDs match any one of them', () => {
    const q = studyQuery({ StudyInstanceUID: ['1.2.3.1', '1.2.3.3', '9.9'] });
    assert.equal(q.keys.find((k) => k.tag === Tags.StudyInstanceUID)!.matching, 'uid-list');
    assert.deepEqual(matching(q, STUDIES), ['doe', 'smith']);
    assert.deepEqual(q.equalityKeys.get(Tags.StudyInstanceUID), ['1.2.3.1', '1.2.3.3', '9.9']);
  });
  test('empty values in a list are skipped', () => {
    const q = studyQuery({ StudyInstanceUID: '1.2.3.2\\\\' });
    assert.deepEqual(matching(q, STUDIES), ['doeLower']);
  });
});

describe('wild card matching (C.2.2.2.4)', () => {
  test('"*" and "?" anywhere on PN, LO, CS', () => {
    assert.deepEqual(matching(studyQuery({ PatientName: 'DOE*' }), STUDIES), ['doe']);
    assert.deepEqual(matching(studyQuery({ PatientName: '*^J*' }), STUDIES), ['doe']);
    assert.deepEqual(matching(studyQuery({ PatientName: '*^J*' }, { caseInsensitivePersonNames: true }), STUDIES), ['doe', 'doeLower']);
    assert.deepEqual(matching(studyQuery({ StudyDescription: '* B?AIN' }), STUDIES), ['doeLower']);
    assert.deepEqual(matching(studyQuery({ ModalitiesInStudy: 'M?' }), STUDIES), ['doeLower', 'smith', 'noDate']);
    assert.deepEqual(matching(studyQuery({ ModalitiesInStudy: 'S?' }), STUDIES), ['doe']);
  });
  test('"?" at the end needs exactly one more character', () => {
    assert.deepEqual(matching(studyQuery({ PatientID: 'P?' }), STUDIES), ['doe', 'doeLower', 'smith', 'noDate']);
    assert.deepEqual(matching(studyQuery({ PatientID: 'P1?' }), STUDIES), []);
  });
  test('wild card keys are not equality keys', () => {
    assert.equal(studyQuery({ PatientID: 'P*' }).equalityKeys.size, 0);
  });
});

describe('multi-valued attributes', () => {
  test('a multi-valued candidate matches when any value matches (C.2.2.3), also as one "\\" string', () => {
    assert.deepEqual(matching(studyQuery({ ModalitiesInStudy: 'MR' }), STUDIES), ['doeLower', 'smith', 'noDate']);
    assert.deepEqual(matching(studyQuery({ ModalitiesInStudy: 'PT' }), STUDIES), ['smith']);
  });
  test('several key values: any of them by default', () => {
    const q = studyQuery({ ModalitiesInStudy: ['CT', 'PT'] });
    assert.equal(q.keys.find((k) => k.tag === Tags.ModalitiesInStudy)!.matching, 'any-of');
    assert.deepEqual(matching(q, STUDIES), ['doe', 'smith', 'noDate']);
  });
  test('several key values with Multiple Value Matching negotiated: all of them (C.2.2.2.8)', () => {
    const q = studyQuery({ ModalitiesInStudy: ['MR', 'PT'] }, { multipleValueMatching: true });
    assert.equal(q.keys.find((k) => k.tag === Tags.ModalitiesInStudy)!.matching, 'all-of');
    assert.deepEqual(matching(q, STUDIES), ['smith']);
  });
});

describe('range matching (C.2.2.2.5)', () => {
  test('DA: closed, open-ended on either side, and equal ends', () => {
    assert.deepEqual(matching(studyQuery({ StudyDate: '20240101-20240115' }), STUDIES), ['doe']);
    assert.deepEqual(matching(studyQuery({ StudyDate: '20240115-' }), STUDIES), ['doe', 'doeLower']);
    assert.deepEqual(matching(studyQuery({ StudyDate: '-20240115' }), STUDIES), ['doe', 'smith']);
    assert.deepEqual(matching(studyQuery({ StudyDate: '20240116-20240116' }), STUDIES), ['doeLower']);
    assert.deepEqual(matching(studyQuery({ StudyDate: '20231231-20240116' }), STUDIES), ['doe', 'doeLower', 'smith']);
  });
  test('DA: a reversed range matches nothing and says so', () => {
    const q = studyQuery({ StudyDate: '20240131-20240101' });
    assert.deepEqual(matching(q, STUDIES), []);
    assert.match(q.warnings.join(' '), /StudyDate \(0008,0020\) range "20240131-20240101" ends before it starts/);
  });
  test('TM: bounds of reduced precision cover their whole span', () => {
    // "-10" runs to 10:59:59.999999, so 10:15:00 is inside.
    assert.deepEqual(matching(studyQuery({ StudyTime: '-10' }), STUDIES), ['doe', 'smith']);
    assert.deepEqual(matching(studyQuery({ StudyTime: '-1014' }), STUDIES), ['smith']);
    assert.deepEqual(matching(studyQuery({ StudyTime: '1015-' }), STUDIES), ['doe', 'doeLower']);
    // A candidate of reduced precision stands for the moment it starts at: "08" is 08:00:00 (as in DCMTK).
    assert.deepEqual(matching(studyQuery({ StudyTime: '0830-0900' }), STUDIES), []);
    assert.deepEqual(matching(studyQuery({ StudyTime: '0800-0800' }), STUDIES), ['smith']);
  });
  test('TM: a single value matches by meaning, not by string', () => {
    assert.deepEqual(matching(studyQuery({ StudyTime: '1015' }), STUDIES), ['doe']);
    assert.deepEqual(matching(studyQuery({ StudyTime: '101500.000' }), STUDIES), ['doe']);
    assert.deepEqual(matching(studyQuery({ StudyTime: '101501' }), STUDIES), []);
    // A key of reduced precision names a span: the minute 10:15 holds 10:15:30.
    assert.equal(studyQuery({ StudyTime: '1015' }).matches(objectRecord({ StudyTime: '101530.25' })), true);
    assert.equal(studyQuery({ StudyTime: '101530' }).matches(objectRecord({ StudyTime: '1015' })), false);
  });
  test('TM: a range across midnight is not supported: nothing matches', () => {
    const q = studyQuery({ StudyTime: '2300-0100' });
    assert.deepEqual(matching(q, STUDIES), []);
    assert.match(q.warnings.join(' '), /across midnight/);
  });
  test('DT: offsets are taken into account; values without one use the request timezone', () => {
    const acq = (v: string) => ({ AcquisitionDateTime: v });
    const q = compileQuery(identifier({ QueryRetrieveLevel: 'IMAGE', AcquisitionDateTime: '20240101120000+0000-20240101130000+0000' }), { model: STUDY_ROOT });
    assert.equal(q.matches(objectRecord(acq('20240101133000+0100'))), true);
    assert.equal(q.matches(objectRecord(acq('20240101133000+0000'))), false);
    assert.equal(q.matches(objectRecord(acq('20240101073000-0500'))), true);
    assert.equal(q.matches(objectRecord(acq('2024010112'))), true);
    assert.equal(q.matches(objectRecord(acq('2024'))), false, 'a year stands for its first moment');
    assert.equal(q.matches(objectRecord(acq('202401011230'))), true);
    assert.equal(q.matches(objectRecord(acq('garbage'))), false);
    const tz = compileQuery(identifier({ QueryRetrieveLevel: 'IMAGE', TimezoneOffsetFromUTC: '+0100', AcquisitionDateTime: '20240101130000-20240101140000' }), { model: STUDY_ROOT });
    assert.equal(tz.matches(objectRecord(acq('20240101123000+0000'))), true);
    assert.equal(tz.matches(objectRecord(acq('20240101133000'))), true);
    assert.equal(tz.matches(objectRecord(acq('20240101143000+0000'))), false);
  });
  test('invalid dates and times in a key are refused with A900 and the offending element', () => {
    for (const [key, value] of [['StudyDate', '2024-01-01'], ['StudyDate', '20240230'], ['StudyTime', '25'], ['StudyDate', 'today-']] as const) {
      assert.throws(() => studyQuery({ [key]: value }), (e: unknown) => {
        assert.ok(e instanceof QueryIdentifierError);
        assert.equal(e.status, 0xa900);
        assert.deepEqual(e.offendingElements, [tag(key)]);
        assert.match(e.message, new RegExp(`^${key} \\(0008,00[23]0\\) holds "${value}", which is not a`));
        return true;
      });
    }
  });
});

describe('combined date and time range matching (C.2.2.2.5.1)', () => {
  const records = {
    day1Early: { StudyDate: '20060705', StudyTime: '0900' },
    day1Late: { StudyDate: '20060705', StudyTime: '1100' },
    day2Night: { StudyDate: '20060706', StudyTime: '2300' },
    day3Early: { StudyDate: '20060707', StudyTime: '0700' },
    day3Late: { StudyDate: '20060707', StudyTime: '1900' },
    day2NoTime: { StudyDate: '20060706' },
  };
  const fields = { StudyDate: '20060705-20060707', StudyTime: '1000-1800' };
  test('without the option: date range and time range are matched each on its own', () => {
    assert.deepEqual(matching(studyQuery(fields), records), ['day1Late']);
  });
  test('with the option: one span from 2006-07-05 10:00 to 2006-07-07 18:00', () => {
    const q = studyQuery(fields, { combinedDateTime: true });
    assert.deepEqual(matching(q, records), ['day1Late', 'day2Night', 'day3Early', 'day2NoTime']);
    assert.equal(q.matches(objectRecord({ StudyDate: '20060705' })), false, 'a date without a time is 00:00 of that day');
    assert.equal(q.keys.find((k) => k.tag === Tags.StudyDate)!.combinedWith, Tags.StudyTime);
  });
  test('open-ended ranges of the same form combine too', () => {
    const q = studyQuery({ StudyDate: '20060706-', StudyTime: '2200-' }, { combinedDateTime: true });
    assert.deepEqual(matching(q, records), ['day2Night', 'day3Early', 'day3Late']);
  });
  test('ranges of different forms are matched separately', () => {
    const q = studyQuery({ StudyDate: '20060705-20060707', StudyTime: '1000-' }, { combinedDateTime: true });
    assert.deepEqual(matching(q, records), ['day1Late', 'day2Night', 'day3Late']);
    assert.equal(q.keys.find((k) => k.tag === Tags.StudyDate)!.combinedWith, undefined);
  });
});

describe('empty value matching', () => {
  test('"" matches records whose attribute is absent or empty', () => {
    assert.deepEqual(matching(studyQuery({ AccessionNumber: '""' }), STUDIES), ['smith', 'noDate']);
  });
});

describe('sequence matching (C.2.2.2.6)', () => {
  const code = (value: string, scheme: string) => ({ CodeValue: value, CodingSchemeDesignator: scheme, CodeMeaning: value });
  const records = {
    chest: { ProcedureCodeSequence: [code('CHEST', 'LN'), code('ABD', 'LN')] },
    head: { ProcedureCodeSequence: [code('HEAD', '99X')] },
    none: {},
    empty: { ProcedureCodeSequence: [] },
  };
  test('the item keys must all match one candidate item', () => {
    const q = studyQuery({ ProcedureCodeSequence: [{ CodeValue: 'ABD', CodingSchemeDesignator: 'LN', CodeMeaning: null }] });
    assert.equal(q.keys[0]!.matching, 'sequence');
    assert.deepEqual(matching(q, records), ['chest']);
    const mixed = studyQuery({ ProcedureCodeSequence: [{ CodeValue: 'ABD', CodingSchemeDesignator: '99X' }] });
    assert.deepEqual(matching(mixed, records), []);
    const wild = studyQuery({ ProcedureCodeSequence: [{ CodeValue: 'H*' }] });
    assert.deepEqual(matching(wild, records), ['head']);
  });
  test('an empty sequence, or an item of return keys only, is universal', () => {
    for (const items of [[], [{}], [{ CodeValue: null, CodeMeaning: null }]]) {
      const q = studyQuery({ ProcedureCodeSequence: items as IdentifierFields[] });
      assert.deepEqual(matching(q, records), ['chest', 'head', 'none', 'empty'], JSON.stringify(items));
    }
    assert.equal(studyQuery({ ProcedureCodeSequence: [] }).keys[0]!.wholeItems, true);
  });
  test('more than one item in a sequence key is refused', () => {
    assert.throws(() => studyQuery({ ProcedureCodeSequence: [{ CodeValue: 'A' }, { CodeValue: 'B' }] }),
      /ProcedureCodeSequence \(0008,1032\) holds 2 items; a sequence key holds exactly one item/);
  });
});

describe('levels, supported keys and equality keys', () => {
  test('matchesLevel checks only the keys of one level', () => {
    const q = compileQuery(identifier({ QueryRetrieveLevel: 'SERIES', StudyInstanceUID: '1.2.3.1', Modality: 'CT', SeriesNumber: null }), { model: STUDY_ROOT });
    const rec = objectRecord({ StudyInstanceUID: '1.2.3.1', Modality: 'MR' });
    assert.equal(q.matchesLevel('STUDY', rec), true);
    assert.equal(q.matchesLevel('SERIES', rec), false);
    assert.equal(q.matches(rec), false);
    assert.deepEqual(q.keysAt('STUDY').map((k) => k.tag), [Tags.StudyInstanceUID]);
    assert.deepEqual(q.keysAt('SERIES').map((k) => k.tag), [Tags.Modality, Tags.SeriesNumber]);
  });
  test('unsupported keys with a value are treated as universal and listed', () => {
    const q = studyQuery({ StudyDescription: 'NOPE', PatientID: 'P1' }, { isKeySupported: (t) => t !== Tags.StudyDescription });
    assert.deepEqual(q.unsupportedKeys, [Tags.StudyDescription]);
    assert.deepEqual(matching(q, STUDIES), ['doe']);
  });
  test('private keys are not matched unless supported', () => {
    const ds = identifier({ QueryRetrieveLevel: 'STUDY', PatientID: 'P1' });
    ds.set(0x00090010, 'LO', 'ACME');
    ds.set(0x00091001, 'LO', 'X');
    const q = compileQuery(ds, { model: STUDY_ROOT });
    assert.deepEqual(q.unsupportedKeys, [0x00091001]);
    assert.equal(q.privateCreators.length, 1);
    assert.deepEqual(matching(q, STUDIES), ['doe']);
  });
  test('equality keys: exact text and UID keys the index can look up', () => {
    const q = studyQuery({
      StudyInstanceUID: '1.2.3.1', PatientID: 'P1', AccessionNumber: 'A1', PatientName: 'DOE^JOHN', StudyDate: '20240115',
      ModalitiesInStudy: 'C*',
    });
    assert.deepEqual([...q.equalityKeys.keys()].sort(), [Tags.AccessionNumber, Tags.PatientID, Tags.StudyInstanceUID].sort());
    for (const t of q.equalityKeys.keys()) assert.ok(INDEXED_EQUALITY_TAGS.has(t));
    const withDescription = studyQuery({ StudyDescription: 'CT CHEST', PatientID: 'P1' });
    assert.deepEqual([...withDescription.equalityKeys.keys()], [Tags.StudyDescription, Tags.PatientID]);
    assert.deepEqual([...withDescription.indexKeys], [[Tags.PatientID, ['P1']]]);
    assert.equal(q.matchingKeys[0]!.tag, Tags.StudyInstanceUID, 'UIDs are checked first');
  });
  test('Patient Root: a PATIENT-level query matches patient records', () => {
    const q = compileQuery(identifier({ QueryRetrieveLevel: 'PATIENT', PatientName: 'DOE*', PatientID: null }), { model: PATIENT_ROOT });
    assert.equal(q.level, 'PATIENT');
    assert.equal(q.matches(objectRecord({ PatientName: 'DOE^JANE', PatientID: 'X' })), true);
  });
  test('QIDO-RS style: the level comes from the options when the identifier has none', () => {
    const q = compileQuery(identifier({ PatientID: 'P2' }), { model: STUDY_ROOT, level: 'STUDY' });
    assert.deepEqual(matching(q, STUDIES), ['doeLower']);
  });
});

describe('modality worklist (K.2.2, K.6)', () => {
  const item = (aet: string, date: string, time: string, modality: string, physician = '') => ({
    ScheduledStationAETitle: aet, ScheduledProcedureStepStartDate: date, ScheduledProcedureStepStartTime: time,
    Modality: modality, ScheduledPerformingPhysicianName: physician, ScheduledProcedureStepID: `${aet}-${date}`,
  });
  const worklist = {
    mrMorning: { PatientName: 'ROE^RICHARD', PatientID: 'W1', AccessionNumber: 'ACC1', RequestedProcedureID: 'RP1', ScheduledProcedureStepSequence: [item('MR1', '20240201', '0800', 'MR')] },
    ctAfternoon: { PatientName: 'POE^EDGAR', PatientID: 'W2', AccessionNumber: 'ACC2', RequestedProcedureID: 'RP2', ScheduledProcedureStepSequence: [item('CT1', '20240203', '1500', 'CT', 'HOUSE^GREGORY')] },
    mrLater: { PatientName: 'DOE^JANE', PatientID: 'W3', AccessionNumber: 'ACC3', RequestedProcedureID: 'RP3', ScheduledProcedureStepSequence: [item('MR1', '20240210', '0900', 'MR')] },
  };
  const sps = (fields: IdentifierFields) => compileQuery(identifier({
    PatientName: null, PatientID: null,
    ScheduledProcedureStepSequence: [{
      ScheduledStationAETitle: null, ScheduledProcedureStepStartDate: null, ScheduledProcedureStepStartTime: null,
      Modality: null, ScheduledPerformingPhysicianName: null, ...fields,
    }],
  }), { model: MODALITY_WORKLIST });

  test('keys inside the Scheduled Procedure Step Sequence', () => {
    assert.deepEqual(matching(sps({ Modality: 'MR' }), worklist), ['mrMorning', 'mrLater']);
    assert.deepEqual(matching(sps({ ScheduledStationAETitle: 'CT1' }), worklist), ['ctAfternoon']);
    assert.deepEqual(matching(sps({ ScheduledProcedureStepStartDate: '20240201-20240205' }), worklist), ['mrMorning', 'ctAfternoon']);
    assert.deepEqual(matching(sps({ Modality: 'MR', ScheduledProcedureStepStartDate: '20240205-' }), worklist), ['mrLater']);
    assert.deepEqual(matching(sps({ ScheduledPerformingPhysicianName: 'HOUSE*' }), worklist), ['ctAfternoon']);
  });
  test('return keys only: every item', () => {
    const q = sps({});
    assert.equal(q.level, 'WORKLIST');
    assert.deepEqual(matching(q, worklist), ['mrMorning', 'ctAfternoon', 'mrLater']);
  });
  test('combined start date and time inside the item', () => {
    const q = sps({ ScheduledProcedureStepStartDate: '20240201-20240210', ScheduledProcedureStepStartTime: '1000-0830' });
    assert.deepEqual(matching(q, worklist), [], 'separately: 10:00-08:30 is reversed');
    const c = compileQuery(identifier({
      ScheduledProcedureStepSequence: [{ ScheduledProcedureStepStartDate: '20240201-20240210', ScheduledProcedureStepStartTime: '1000-0830' }],
    }), { model: MODALITY_WORKLIST, combinedDateTime: true });
    assert.deepEqual(matching(c, worklist), ['ctAfternoon']);
  });
  test('top-level keys next to the sequence', () => {
    assert.deepEqual(matching(sps({ Modality: 'MR' }), { ...worklist, x: { ...worklist.mrLater, PatientID: 'W9' } }).length, 3);
    const q = compileQuery(identifier({ AccessionNumber: 'ACC2', ScheduledProcedureStepSequence: [{ Modality: null }] }), { model: MODALITY_WORKLIST });
    assert.deepEqual(matching(q, worklist), ['ctAfternoon']);
  });
  test('worklist items read from DCMTK example files through datasetRecord', () => {
    const ds = identifier({ PatientName: 'Doe^John', ScheduledProcedureStepSequence: [{ Modality: 'MR' }] });
    const q = compileQuery(ds, { model: MODALITY_WORKLIST });
    const file = new Dataset();
    file.set('PatientName', 'PN', 'Doe^John');
    file.set('ScheduledProcedureStepSequence', 'SQ', [new Dataset().set('Modality', 'CS', 'MR')]);
    assert.equal(q.matches(datasetRecord(file)), true);
    file.set('ScheduledProcedureStepSequence', 'SQ', [new Dataset().set('Modality', 'CS', 'CT')]);
    assert.equal(q.matches(datasetRecord(file)), false);
  });
});

describe('Specific Character Set of the identifier', () => {
  test('a Latin-1 identifier is decoded before matching', () => {
    const q = studyQuery({ PatientName: 'Buc^Jérôme' }, {}, 'ISO_IR 100');
    assert.deepEqual(q.characterSet, ['ISO_IR 100']);
    assert.equal(q.keys.find((k) => k.tag === Tags.PatientName)!.values[0], 'Buc^Jérôme');
    assert.equal(q.matches(objectRecord({ PatientName: 'Buc^Jérôme' })), true);
    assert.equal(q.matches(objectRecord({ PatientName: 'Buc^Jerome' })), false);
    assert.equal(studyQuery({ PatientName: 'Buc^Jérôme' }, { fuzzyPersonNames: true }, 'ISO_IR 100').matches(objectRecord({ PatientName: 'BUC^JEROME' })), true);
  });
  test('a Japanese ISO 2022 identifier matches by any component group', () => {
    const name = 'Yamada^Tarou=山田^太郎=やまだ^たろう';
    const charset = ['', 'ISO 2022 IR 87'];
    for (const key of ['=山田^太郎', '山田*', 'Yamada^Tarou', '*=*^太郎']) {
      const q = studyQuery({ PatientName: key }, {}, charset);
      assert.equal(q.matches(objectRecord({ PatientName: name })), true, key);
      assert.equal(q.matches(objectRecord({ PatientName: 'Tanaka^Jiro=田中^次郎' })), false, key);
    }
  });
  test('in items that carry their own Specific Character Set', () => {
    const item = new Dataset();
    item.set('SpecificCharacterSet', 'CS', ['ISO_IR 126']);
    item.set('PatientName', 'PN', Buffer.from([0xc4, 0xe9, 0xef, 0xed, 0xf5, 0xf3, 0xe9, 0xef, 0xf2, 0x20]));
    const ds = identifier({ QueryRetrieveLevel: 'STUDY' });
    ds.set('ReferencedPatientSequence', 'SQ', [item]);
    const q = compileQuery(ds, { model: STUDY_ROOT });
    assert.equal(q.keys[0]!.itemKeys![0]!.values[0], 'Διονυσιος');
    assert.equal(q.matches(objectRecord({ ReferencedPatientSequence: [{ PatientName: 'Διονυσιος' }] })), true);
  });
});

describe('identifiers made from pydicom charset files', { skip: !charsetFilesAvailable() && 'pydicom charset files are not installed' }, () => {
  /** A STUDY-level identifier with the file's Specific Character Set and Patient Name, bytes unchanged. */
  function fromFile(name: string): Dataset {
    const src = charsetFile(name);
    const ds = identifier({ QueryRetrieveLevel: 'STUDY' });
    ds.add(src.get(Tags.SpecificCharacterSet)!);
    ds.add(src.get(Tags.PatientName)!);
    return ds;
  }
  const expected: Record<string, string> = {
    'chrH31.dcm': 'Yamada^Tarou=山田^太郎=やまだ^たろう',
    'chrH32.dcm': 'ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう',
    'chrGreek.dcm': 'Διονυσιος',
    'chrRuss.dcm': 'Люкceмбypг',
    'chrX1.dcm': 'Wang^XiaoDong=王^小東',
    'chrX2.dcm': 'Wang^XiaoDong=王^小东',
    'chrI2.dcm': 'Hong^Gildong=洪^吉洞=홍^길동',
    'chrGerm.dcm': 'Äneas^Rüdiger',
  };
  for (const [file, name] of Object.entries(expected)) {
    test(`${file}: the key decodes to the name pydicom reads and matches a Unicode record`, () => {
      const q = compileQuery(fromFile(file), { model: STUDY_ROOT });
      const key = q.keys.find((k) => k.tag === Tags.PatientName)!;
      assert.equal(key.values[0], name);
      assert.equal(q.matches(objectRecord({ PatientName: name })), true);
      assert.equal(q.matches(objectRecord({ PatientName: name + 'X' })), false);
    });
  }
  test('chrGreek.dcm: case-insensitive matching finds the name typed in capitals', () => {
    const q = compileQuery(identifier({ QueryRetrieveLevel: 'STUDY', PatientName: 'ΔΙΟΝΥΣΙΟΣ' }, 'ISO_IR 126'), { model: STUDY_ROOT, caseInsensitivePersonNames: true });
    const record: QueryRecord = datasetRecord(charsetFile('chrGreek.dcm'));
    assert.equal(q.matches(record), true);
    const strict = compileQuery(identifier({ QueryRetrieveLevel: 'STUDY', PatientName: 'ΔΙΟΝΥΣΙΟΣ' }, 'ISO_IR 126'), { model: STUDY_ROOT });
    assert.equal(strict.matches(record), false);
  });
  test('chrSQEncoding.dcm: a sequence item with its own character set', () => {
    const src = charsetFile('chrSQEncoding.dcm');
    const q = compileQuery(src, { model: MODALITY_WORKLIST });
    const seq = q.keys.find((k) => k.tag === tag('RequestedProcedureCodeSequence'))!;
    const pn = seq.itemKeys!.find((k) => k.tag === Tags.PatientName)!;
    assert.equal(pn.values[0], 'ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう');
    assert.equal(q.matches(datasetRecord(src)), true);
    assert.equal(q.matches(datasetRecord(charsetFile('chrSQEncoding1.dcm'))), true, 'same values, charset at the top');
  });
});

describe('records', () => {
  test('objectRecord takes keywords and tags, and nests sequences', () => {
    const r = objectRecord({ PatientName: 'A^B', '00100020': 'P9', '(0008,0061)': ['CT'], ReferencedStudySequence: [{ ReferencedSOPInstanceUID: '1.2' }] });
    assert.equal(r.value(Tags.PatientName), 'A^B');
    assert.equal(r.value(Tags.PatientID), 'P9');
    assert.deepEqual(r.value(Tags.ModalitiesInStudy), ['CT']);
    const items = r.value(tag('ReferencedStudySequence')) as QueryRecord[];
    assert.equal(items[0]!.value(tag('ReferencedSOPInstanceUID')), '1.2');
    assert.equal(r.value(Tags.StudyDate), undefined);
  });
  test('datasetRecord decodes text, splits values and reads numbers', () => {
    const ds = new Dataset();
    ds.set('SpecificCharacterSet', 'CS', 'ISO_IR 100');
    ds.set('PatientName', 'PN', Buffer.from('Buc^J\xe9r\xf4me', 'latin1'));
    ds.set('ModalitiesInStudy', 'CS', ['CT', 'MR']);
    ds.set('Rows', 'US', 512);
    ds.set('StudyDescription', 'LO', null);
    const r = datasetRecord(ds);
    assert.equal(r.value(Tags.PatientName), 'Buc^Jérôme');
    assert.deepEqual(r.value(Tags.ModalitiesInStudy), ['CT', 'MR']);
    assert.deepEqual(r.value(Tags.Rows), [512]);
    assert.deepEqual(r.value(Tags.StudyDescription), []);
    assert.equal(r.value(Tags.PatientID), undefined);
    assert.deepEqual([...r.tags!()].length, 5);
  });
});
