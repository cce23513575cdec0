import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Dataset } from '../../../../src/dicom';
import { Tags, formatTag } from '../../../../src/dicom/tag';
import { tagForKeyword } from '../../../../src/dicom/dictionary';
import { charsetDecoder } from '../../../../src/dicom/charset';
import { compileQuery } from '../../../../src/services/query/matching';
import { buildResponseIdentifier } from '../../../../src/services/query/response';
import { objectRecord, datasetRecord } from '../../../../src/services/query/record';
import { STUDY_ROOT, MODALITY_WORKLIST } from '../../../../src/services/query/model';
import { identifier, IdentifierFields, charsetFile, charsetFilesAvailable, rawValue } from './helpers';

const tag = (k: string) => tagForKeyword(k)!;

/** Tag → [VR, value as text] for a compact, exact comparison. */
function summary(ds: Dataset): Record<string, unknown> {
  const decode = charsetDecoder(ds.strings(Tags.SpecificCharacterSet) ?? undefined);
  const out: Record<string, unknown> = {};
  for (const el of ds.elements()) {
    const key = formatTag(el.tag);
    if (el.items) out[key] = ['SQ', el.items.map(summary)];
    else if (['US', 'UL', 'SS', 'SL', 'FL', 'FD'].includes(el.vr)) out[key] = [el.vr, ds.numbers(el.tag) ?? []];
    else out[key] = [el.vr, ds.string(el.tag, decode)];
  }
  return out;
}

const study = objectRecord({
  PatientName: 'DOE^JOHN', PatientID: 'P1', PatientBirthDate: '19700101', StudyDate: '20240115', StudyTime: '101500',
  StudyInstanceUID: '1.2.3.1', AccessionNumber: 'A1', ModalitiesInStudy: ['CT', 'SR'], NumberOfStudyRelatedInstances: 12,
  StudyDescription: 'CT CHEST  ', ReferringPhysicianName: null,
});

function studyQuery(fields: IdentifierFields, charset?: string | string[]) {
  return compileQuery(identifier({ QueryRetrieveLevel: 'STUDY', ...fields }, charset), { model: STUDY_ROOT });
}

describe('C-FIND response identifiers (C.4.1.1.3.2)', () => {
  test('exactly the requested keys with the record values, plus Query/Retrieve Level', () => {
    const q = studyQuery({
      PatientName: 'DOE*', StudyInstanceUID: null, ModalitiesInStudy: null, NumberOfStudyRelatedInstances: null,
      StudyDescription: null, ReferringPhysicianName: null, StudyID: null,
    });
    const r = buildResponseIdentifier(q, study);
    assert.deepEqual(summary(r), {
      '(0008,0052)': ['CS', 'STUDY'],
      '(0008,0061)': ['CS', 'CT\\SR'],
      '(0008,0090)': ['PN', ''],
      '(0008,1030)': ['LO', 'CT CHEST'],
      '(0010,0010)': ['PN', 'DOE^JOHN'],
      '(0020,000D)': ['UI', '1.2.3.1'],
      '(0020,0010)': ['SH', ''],
      '(0020,1208)': ['IS', '12'],
    });
    assert.equal(r.has(Tags.SpecificCharacterSet), false, 'the default repertoire needs no Specific Character Set');
    assert.equal(r.has(Tags.PatientID), false, 'keys that were not asked for are not returned');
    // Values are padded to even length with the VR's padding byte.
    assert.deepEqual(r.get(Tags.StudyInstanceUID)!.value, Buffer.from('1.2.3.1\0', 'latin1'));
    assert.deepEqual(r.get(Tags.NumberOfStudyRelatedInstances)!.value, Buffer.from('12', 'latin1'));
  });
  test('binary and numeric values are encoded for their VR', () => {
    const q = compileQuery(identifier({ QueryRetrieveLevel: 'IMAGE', Rows: null, Columns: null, InstanceNumber: null, SliceLocation: null }), { model: STUDY_ROOT });
    const r = buildResponseIdentifier(q, objectRecord({ Rows: 512, Columns: '256', InstanceNumber: 7, SliceLocation: -12.5 }));
    assert.deepEqual(summary(r), {
      '(0008,0052)': ['CS', 'IMAGE'],
      '(0020,0013)': ['IS', '7'],
      '(0020,1041)': ['DS', '-12.5'],
      '(0028,0010)': ['US', [512]],
      '(0028,0011)': ['US', [256]],
    });
  });
  test('Specific Character Set: the request one when it was given', () => {
    const q = studyQuery({ PatientName: null }, 'ISO_IR 100');
    const r = buildResponseIdentifier(q, objectRecord({ PatientName: 'Buc^Jérôme' }));
    assert.deepEqual(r.strings(Tags.SpecificCharacterSet), ['ISO_IR 100']);
    assert.deepEqual(r.get(Tags.PatientName)!.value, Buffer.from('Buc^Jérôme', 'latin1'));
  });
  test('... the caller\'s (the stored one) when given, and UTF-8 when that cannot hold a value', () => {
    const q = studyQuery({ PatientName: null, StudyDescription: null });
    const greek = objectRecord({ PatientName: 'Διονυσιος', StudyDescription: 'ΘΩΡΑΚΑΣ' });
    const asGreek = buildResponseIdentifier(q, greek, { characterSet: 'ISO_IR 126' });
    assert.deepEqual(asGreek.strings(Tags.SpecificCharacterSet), ['ISO_IR 126']);
    assert.deepEqual(asGreek.get(Tags.PatientName)!.value, Buffer.from([0xc4, 0xe9, 0xef, 0xed, 0xf5, 0xf3, 0xe9, 0xef, 0xf2, 0x20]));
    const mixed = objectRecord({ PatientName: 'Διονυσιος', StudyDescription: '山田' });
    const fallback = buildResponseIdentifier(q, mixed, { characterSet: 'ISO_IR 126' });
    assert.deepEqual(fallback.strings(Tags.SpecificCharacterSet), ['ISO_IR 192']);
    assert.deepEqual(fallback.get(Tags.PatientName)!.value, Buffer.from('Διονυσιος', 'utf8'), '18 bytes: no padding');
    assert.equal(summary(fallback)['(0008,1030)']![1 as never], '山田');
    const defaultRepertoire = buildResponseIdentifier(q, greek);
    assert.deepEqual(defaultRepertoire.strings(Tags.SpecificCharacterSet), ['ISO_IR 192'], 'ASCII cannot hold Greek either');
  });
  test('Timezone Offset From UTC is echoed when the record has none', () => {
    const q = studyQuery({ TimezoneOffsetFromUTC: '+0100', StudyTime: null });
    const r = buildResponseIdentifier(q, study);
    assert.equal(r.string(Tags.TimezoneOffsetFromUTC), '+0100');
    assert.equal(r.string(Tags.StudyTime), '101500');
  });
  test('private creators are returned as they came', () => {
    const ds = identifier({ QueryRetrieveLevel: 'STUDY', PatientID: null });
    ds.set(0x00090010, 'LO', 'ACME');
    ds.set(0x00091001, 'LO', null);
    const r = buildResponseIdentifier(compileQuery(ds, { model: STUDY_ROOT }), study);
    assert.equal(r.string(0x00090010), 'ACME');
    assert.equal(r.string(0x00091001), '');
  });
});

describe('sequences in responses (C.2.2.2.6)', () => {
  const code = (value: string, scheme: string) => ({ CodeValue: value, CodingSchemeDesignator: scheme, CodeMeaning: `meaning ${value}` });
  const record = objectRecord({ StudyInstanceUID: '1.2', ProcedureCodeSequence: [code('CHEST', 'LN'), code('ABD', 'LN'), code('HEAD', '99X')] });

  test('only the matching items, holding only the requested item keys', () => {
    const q = studyQuery({ ProcedureCodeSequence: [{ CodingSchemeDesignator: 'LN', CodeValue: null }] });
    assert.equal(q.matches(record), true);
    assert.deepEqual(summary(buildResponseIdentifier(q, record))['(0008,1032)'], ['SQ', [
      { '(0008,0100)': ['SH', 'CHEST'], '(0008,0102)': ['SH', 'LN'] },
      { '(0008,0100)': ['SH', 'ABD'], '(0008,0102)': ['SH', 'LN'] },
    ]]);
  });
  test('an item of return keys only: every item with those keys', () => {
    const q = studyQuery({ ProcedureCodeSequence: [{ CodeMeaning: null }] });
    assert.deepEqual(summary(buildResponseIdentifier(q, record))['(0008,1032)'], ['SQ', [
      { '(0008,0104)': ['LO', 'meaning CHEST'] }, { '(0008,0104)': ['LO', 'meaning ABD'] }, { '(0008,0104)': ['LO', 'meaning HEAD'] },
    ]]);
  });
  test('an empty sequence or empty item: the whole items', () => {
    for (const items of [[], [{}]]) {
      const q = studyQuery({ ProcedureCodeSequence: items as IdentifierFields[] });
      const seq = summary(buildResponseIdentifier(q, record))['(0008,1032)'] as [string, unknown[]];
      assert.equal(seq[1].length, 3);
      assert.deepEqual(seq[1][2], { '(0008,0100)': ['SH', 'HEAD'], '(0008,0102)': ['SH', '99X'], '(0008,0104)': ['LO', 'meaning HEAD'] });
    }
  });
  test('a record without the sequence answers an empty sequence', () => {
    const q = studyQuery({ ProcedureCodeSequence: [] });
    const r = buildResponseIdentifier(q, objectRecord({}));
    assert.deepEqual(r.get(tag('ProcedureCodeSequence'))!.items, []);
  });
});

describe('worklist responses', () => {
  test('no Query/Retrieve Level; the Scheduled Procedure Step item with the requested keys', () => {
    const q = compileQuery(identifier({
      PatientName: null, PatientID: null, AccessionNumber: null,
      ScheduledProcedureStepSequence: [{ Modality: 'MR', ScheduledStationAETitle: null, ScheduledProcedureStepStartDate: '20240201-' }],
    }), { model: MODALITY_WORKLIST });
    const rec = objectRecord({
      PatientName: 'ROE^RICHARD', PatientID: 'W1', AccessionNumber: 'ACC1', RequestedProcedureID: 'RP1',
      ScheduledProcedureStepSequence: [{ Modality: 'MR', ScheduledStationAETitle: 'MR1', ScheduledProcedureStepStartDate: '20240203', ScheduledProcedureStepID: 'S1' }],
    });
    assert.equal(q.matches(rec), true);
    assert.deepEqual(summary(buildResponseIdentifier(q, rec)), {
      '(0008,0050)': ['SH', 'ACC1'],
      '(0010,0010)': ['PN', 'ROE^RICHARD'],
      '(0010,0020)': ['LO', 'W1'],
      '(0040,0100)': ['SQ', [{ '(0008,0060)': ['CS', 'MR'], '(0040,0001)': ['AE', 'MR1'], '(0040,0002)': ['DA', '20240203'] }]],
    });
  });
});

describe('responses in the character sets of pydicom\'s files', { skip: !charsetFilesAvailable() && 'pydicom charset files are not installed' }, () => {
  const cases: Array<[string, string | string[], string]> = [
    ['chrH31.dcm', ['', 'ISO 2022 IR 87'], 'Yamada^Tarou=山田^太郎=やまだ^たろう'],
    ['chrGreek.dcm', 'ISO_IR 126', 'Διονυσιος'],
    ['chrX1.dcm', 'ISO_IR 192', 'Wang^XiaoDong=王^小東='],
    ['chrI2.dcm', ['', 'ISO 2022 IR 149'], 'Hong^Gildong=洪^吉洞=홍^길동'],
  ];
  for (const [file, charset, name] of cases) {
    test(`${file}: Patient Name written in ${String(charset)} is byte for byte the file's`, () => {
      const q = studyQuery({ PatientName: null }, charset);
      const r = buildResponseIdentifier(q, objectRecord({ PatientName: name }));
      assert.deepEqual(r.get(Tags.PatientName)!.value!.toString('hex'), rawValue(file, Tags.PatientName).toString('hex'));
    });
  }
  test('a record read from a file answers a query in that file\'s character set', () => {
    const q = studyQuery({ PatientName: '*=山田*' }, ['', 'ISO 2022 IR 87']);
    const src = charsetFile('chrH31.dcm');
    const record = datasetRecord(src);
    assert.equal(q.matches(record), true);
    const r = buildResponseIdentifier(q, record, { characterSet: src.strings(Tags.SpecificCharacterSet)! });
    assert.deepEqual(r.get(Tags.PatientName)!.value, rawValue('chrH31.dcm', Tags.PatientName));
  });
});
