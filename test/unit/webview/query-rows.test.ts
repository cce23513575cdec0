import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_COLUMNS, cellsOf, displayText, rawText, scopeOf, toCsv, uidsText, DicomJsonObject } from '../../../src/extension/webviews/query-rows';

const study: DicomJsonObject = {
  '00100010': { vr: 'PN', Value: [{ Alphabetic: 'DOE^JANE', Ideographic: '山田^太郎' }] },
  '00100020': { vr: 'LO', Value: ['PID-1'] },
  '00100030': { vr: 'DA', Value: ['19700102'] },
  '00080020': { vr: 'DA', Value: ['20240131'] },
  '00080030': { vr: 'TM', Value: ['143015.25'] },
  '00080050': { vr: 'SH' },
  '00080061': { vr: 'CS', Value: ['CT', 'PT'] },
  '00081030': { vr: 'LO', Value: ['=HYPERLINK("x"), "quoted"'] },
  '00201206': { vr: 'IS', Value: [3] },
  '00201208': { vr: 'IS', Value: [120] },
  '0020000D': { vr: 'UI', Value: ['1.2.3'] },
};

describe('query rows', () => {
  test('cells of a study match: names, dates, times, lists, numbers, missing values', () => {
    assert.deepEqual(cellsOf(study, DEFAULT_COLUMNS.STUDY), [
      'DOE^JANE', 'PID-1', '1970-01-02', '2024-01-31', '14:30:15.25', '', 'CT, PT', '=HYPERLINK("x"), "quoted"', '3', '120', '1.2.3',
    ]);
    assert.equal(rawText(study, '00080061'), 'CT\\PT');
    assert.equal(displayText('1430', 'time'), '14:30');
    assert.equal(displayText('2024', 'date'), '2024');
  });

  test('worklist columns reach into the Scheduled Procedure Step Sequence', () => {
    const item: DicomJsonObject = {
      '00100010': { vr: 'PN', Value: [{ Alphabetic: 'ROE^RICHARD' }] },
      '00400100': { vr: 'SQ', Value: [{ '00080060': { vr: 'CS', Value: ['MR'] }, '00400001': { vr: 'AE', Value: ['MR1'] }, '00400002': { vr: 'DA', Value: ['20240201'] } }] },
    };
    const cells = cellsOf(item, DEFAULT_COLUMNS.WORKLIST);
    const at = (label: string) => cells[DEFAULT_COLUMNS.WORKLIST.findIndex((c) => c.label === label)];
    assert.equal(at('Modality'), 'MR');
    assert.equal(at('Station AE'), 'MR1');
    assert.equal(at('Scheduled Date'), '2024-02-01');
    assert.equal(at('Scheduled Time'), '');
  });

  test('what a row names, and its UIDs for the clipboard', () => {
    const image: DicomJsonObject = { '0020000D': { Value: ['1.2'] }, '0020000E': { Value: ['1.2.3'] }, '00080018': { Value: ['1.2.3.4'] } };
    assert.deepEqual(scopeOf(image, 'IMAGE'), { level: 'IMAGE', studyInstanceUid: '1.2', seriesInstanceUid: '1.2.3', sopInstanceUid: '1.2.3.4' });
    assert.deepEqual(scopeOf(image, 'STUDY'), { level: 'STUDY', studyInstanceUid: '1.2' });
    assert.equal(uidsText([scopeOf(image, 'IMAGE'), scopeOf(image, 'SERIES'), scopeOf(study, 'STUDY')]), '1.2.3.4\n1.2.3\n1.2.3');
  });

  test('CSV: header of labels, raw values, RFC 4180 quoting, no spreadsheet formulas', () => {
    const csv = toCsv(DEFAULT_COLUMNS.STUDY.slice(0, 4).concat(DEFAULT_COLUMNS.STUDY[7]!), [study]);
    assert.equal(csv, 'Patient Name,Patient ID,Birth Date,Study Date,Description\r\nDOE^JANE,PID-1,19700102,20240131,"\'=HYPERLINK(""x""), ""quoted"""\r\n');
  });
});
