import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Dataset } from '../../../src/dicom';
import { datasetToJson } from '../../../src/dicom/json';
import { formatTagHex } from '../../../src/dicom/tag';
import {
  QIDO_DEFAULT_ATTRIBUTES, QidoParamError, defaultReturnAttributes, formatAttributePath, parseAttributePath,
  parseQidoPath, parseQidoRequest, qidoPath, qidoSearchParams, type QidoResource,
} from '../../../src/dicomweb/qido-params';

function rejects(fn: () => unknown, status: number, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof QidoParamError, String(e));
    assert.equal(e.status, status);
    assert.match(e.message, message);
    assert.match(e.message, /\.$/);
    return true;
  });
}

describe('QIDO-RS resource paths', () => {
  const cases: Array<[string, QidoResource]> = [
    ['/studies', { level: 'STUDY' }],
    ['studies/', { level: 'STUDY' }],
    ['/series', { level: 'SERIES' }],
    ['/instances', { level: 'IMAGE' }],
    ['/studies/1.2.840.113619.2.1/series', { level: 'SERIES', studyInstanceUID: '1.2.840.113619.2.1' }],
    ['/studies/1.2.3/instances', { level: 'IMAGE', studyInstanceUID: '1.2.3' }],
    ['/studies/1.2.3/series/4.5.6/instances', { level: 'IMAGE', studyInstanceUID: '1.2.3', seriesInstanceUID: '4.5.6' }],
  ];

  test('each search resource gives its level and UIDs, and qidoPath writes it back', () => {
    for (const [path, resource] of cases) {
      assert.deepEqual(parseQidoPath(path), resource, path);
      assert.equal(parseQidoPath(qidoPath(resource)).level, resource.level);
      assert.deepEqual(parseQidoPath(qidoPath(resource)), resource);
    }
    assert.equal(qidoPath({ level: 'IMAGE', studyInstanceUID: '1.2', seriesInstanceUID: '3.4' }), '/studies/1.2/series/3.4/instances');
  });

  test('bad UIDs and junk segments are 400s; paths that are not search resources are 404s', () => {
    rejects(() => parseQidoPath('/studies/1.2.03/series'), 400, /Study Instance UID "1\.2\.03" in the path is not a valid UID/);
    rejects(() => parseQidoPath('/studies/../series'), 400, /empty, "\." or "\.\." segment/);
    rejects(() => parseQidoPath('/studies/%2e%2e/series'), 400, /not a valid UID/);
    rejects(() => parseQidoPath('/studies//series'), 400, /empty/);
    rejects(() => parseQidoPath('/studies/1.2/series/x/instances'), 400, /Series Instance UID "x"/);
    rejects(() => parseQidoPath('/studies/1.2/series?x=1'), 400, /query/);
    rejects(() => parseQidoPath(`/studies/${'1.'.repeat(40)}1/series`), 400, /not a valid UID/); // 81 characters
    rejects(() => parseQidoPath('/patients'), 404, /not a QIDO-RS search resource/);
    rejects(() => parseQidoPath('/studies/1.2.3'), 404, /not a QIDO-RS search resource/);
    rejects(() => parseQidoPath('/studies/1.2/series/3.4'), 404, /not a QIDO-RS search resource/);
    rejects(() => qidoPath({ level: 'SERIES', studyInstanceUID: 'abc' }), 400, /not a valid UID/);
  });
});

describe('attribute IDs', () => {
  test('keywords, hex tags and dotted sequence paths', () => {
    assert.deepEqual(parseAttributePath('PatientName'), [0x00100010]);
    assert.deepEqual(parseAttributePath('0020000d'), [0x0020000d]);
    assert.deepEqual(parseAttributePath('ScheduledProcedureStepSequence.Modality'), [0x00400100, 0x00080060]);
    assert.deepEqual(parseAttributePath('00400100.00400001'), [0x00400100, 0x00400001]);
    assert.equal(formatAttributePath([0x00400100, 0x00080060]), 'ScheduledProcedureStepSequence.Modality');
    assert.equal(formatAttributePath([0x00091010]), '00091010');
  });

  test('unknown keywords, bad tags and non-sequences inside paths are 400s', () => {
    rejects(() => parseAttributePath('PatientNames'), 400, /"PatientNames" is not a DICOM keyword/);
    rejects(() => parseAttributePath('0010001'), 400, /neither a keyword nor eight hex digits/);
    rejects(() => parseAttributePath('0010,0010'), 400, /neither a keyword nor eight hex digits/);
    rejects(() => parseAttributePath('PatientName.PatientID'), 400, /\(0010,0010\) PatientName .* is not a sequence/);
    rejects(() => parseAttributePath('Modality..x'), 400, /neither a keyword/);
    rejects(() => parseAttributePath('00020010'), 400, /cannot be a QIDO-RS query key/);
    rejects(() => parseAttributePath('QueryRetrieveLevel'), 400, /cannot be a QIDO-RS query key/);
  });
});

/** The identifier as compact JSON, for readable comparisons. */
function json(ds: Dataset): Record<string, unknown> {
  return datasetToJson(ds) as Record<string, unknown>;
}

describe('parseQidoRequest', () => {
  test('match keys, includefield, fuzzymatching, limit and offset at the study level', () => {
    const q = parseQidoRequest('/studies', '?PatientName=DOE%5EJ*&StudyDate=20240101-20240131&ModalitiesInStudy=CT'
      + '&includefield=StudyDescription,00081030&includefield=PatientAge&fuzzymatching=true&limit=25&offset=50', { includeDefaults: false });
    assert.equal(q.resource.level, 'STUDY');
    assert.equal(q.fuzzyMatching, true);
    assert.equal(q.limit, 25);
    assert.equal(q.offset, 50);
    assert.equal(q.includeAll, false);
    assert.deepEqual(q.includeFields, [[0x00081030], [0x00081030], [0x00101010]]);
    assert.deepEqual(json(q.identifier), {
      '00080020': { vr: 'DA', Value: ['20240101-20240131'] },
      '00080052': { vr: 'CS', Value: ['STUDY'] },
      '00080061': { vr: 'CS', Value: ['CT'] },
      '00081030': { vr: 'LO' },
      '00100010': { vr: 'PN', Value: [{ Alphabetic: 'DOE^J*' }] },
      '00101010': { vr: 'AS' },
      '0020000D': { vr: 'UI' },
    });
  });

  test('the default return attributes of each level are return keys (Retrieve URL excepted)', () => {
    const study = parseQidoRequest('/studies', '').identifier;
    for (const keyword of QIDO_DEFAULT_ATTRIBUTES.STUDY) {
      if (keyword === 'RetrieveURL') assert.equal(study.has(keyword), false);
      else assert.equal(study.get(keyword)?.value?.length, 0, keyword);
    }
    const series = parseQidoRequest('/studies/1.2.3/series', '').identifier;
    assert.equal(series.string('StudyInstanceUID'), '1.2.3');
    assert.equal(series.string('QueryRetrieveLevel'), 'SERIES');
    assert.equal(series.has('PatientName'), false, 'the study attributes are not defaults when the path fixes the study');
    assert.deepEqual(series.items('RequestAttributesSequence')?.[0].tags(), [0x00400009, 0x00401001]);
    assert.equal(parseQidoRequest('/series', '').identifier.has('PatientName'), true, '/series includes the study attributes');
    const all = parseQidoRequest('/instances', '').identifier;
    assert.ok(all.has('SOPClassUID') && all.has('Modality') && all.has('StudyDate') && all.has('NumberOfFrames'));
    const inStudy = parseQidoRequest('/studies/1.2.3/instances', '').identifier;
    assert.ok(inStudy.has('Modality') && !inStudy.has('StudyDate'));
    const inSeries = parseQidoRequest('/studies/1.2.3/series/4.5/instances', '').identifier;
    assert.ok(!inSeries.has('Modality') && inSeries.has('Rows'));
    assert.equal(inSeries.string('SeriesInstanceUID'), '4.5');
  });

  test('defaultReturnAttributes follows Tables 10.6.3-3 to -5', () => {
    const names = (r: QidoResource) => defaultReturnAttributes(r).map(formatAttributePath);
    assert.deepEqual(names({ level: 'STUDY' }), [...QIDO_DEFAULT_ATTRIBUTES.STUDY]);
    assert.equal(names({ level: 'STUDY' }).length, 16);
    assert.equal(names({ level: 'SERIES', studyInstanceUID: '1.2' }).length, 11);
    assert.equal(names({ level: 'IMAGE', studyInstanceUID: '1.2', seriesInstanceUID: '1.3' }).length, 10);
    // All instances: 10 + 11 + 16, less the shared TimezoneOffsetFromUTC, RetrieveURL and InstanceAvailability.
    assert.equal(names({ level: 'IMAGE' }).length, 10 + 11 + 16 - 2 - 2 - 1);
  });

  test('dotted sequence keys build one item; UID lists become multi-valued; numbers are binary', () => {
    const q = parseQidoRequest('/instances', new URLSearchParams([
      ['ScheduledProcedureStepSequence.Modality', 'MR'],
      ['ScheduledProcedureStepSequence.ScheduledStationAETitle', ''],
      ['SOPClassUID', '1.2.840.10008.5.1.4.1.1.2,1.2.840.10008.5.1.4.1.1.4'],
      ['Rows', '512'],
      ['includefield', 'ScheduledProcedureStepSequence.ScheduledProcedureStepStartDate'],
    ]), { includeDefaults: false });
    const item = q.identifier.items('ScheduledProcedureStepSequence')?.[0];
    assert.ok(item);
    assert.equal(item.string('Modality'), 'MR');
    assert.equal(item.get('ScheduledStationAETitle')?.value?.length, 0);
    assert.equal(item.get('ScheduledProcedureStepStartDate')?.value?.length, 0);
    assert.deepEqual(q.identifier.strings('SOPClassUID'), ['1.2.840.10008.5.1.4.1.1.2', '1.2.840.10008.5.1.4.1.1.4']);
    assert.equal(q.identifier.get('Rows')?.vr, 'US');
    assert.deepEqual(q.identifier.numbers('Rows'), [512]);
    assert.equal(q.identifier.get('SOPInstanceUID')?.value?.length, 0, 'the level\'s unique key is always a return key');
  });

  test('non-ASCII values are encoded as UTF-8 with Specific Character Set ISO_IR 192', () => {
    const q = parseQidoRequest('/studies', `PatientName=${encodeURIComponent('Müller^Jürgen*')}`, { includeDefaults: false });
    assert.equal(q.identifier.string('SpecificCharacterSet'), 'ISO_IR 192');
    assert.deepEqual(q.identifier.bytes('PatientName'), Buffer.from('Müller^Jürgen*', 'utf8'));
    assert.deepEqual(json(q.identifier)['00100010'], { vr: 'PN', Value: [{ Alphabetic: 'Müller^Jürgen*' }] });
  });

  test('includefield=all, the matching flags and the accept/charset parameters', () => {
    const q = parseQidoRequest('/series', 'includefield=all&emptyvaluematching=true&multiplevaluematching=FALSE&accept=application%2Fdicom%2Bjson&charset=utf-8');
    assert.equal(q.includeAll, true);
    assert.equal(q.emptyValueMatching, true);
    assert.equal(q.multipleValueMatching, false);
    assert.equal(q.fuzzyMatching, false);
    assert.equal(q.accept, 'application/dicom+json');
    assert.equal(q.charset, 'utf-8');
    assert.equal(q.limit, undefined);
    assert.equal(q.offset, 0);
  });

  test('clear 400s for bad parameters', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['/studies', 'PatientNam=X', /"PatientNam" is not a DICOM keyword/],
      ['/studies', '0010001G=X', /neither a keyword nor eight hex digits/],
      ['/studies', 'limit=ten', /limit must be a whole number/],
      ['/studies', 'limit=-1', /limit must be a whole number/],
      ['/studies', 'offset=1e3', /offset must be a whole number/],
      ['/studies', 'limit=1&limit=2', /limit is given more than once/],
      ['/studies', 'fuzzymatching=yes', /fuzzymatching must be true or false/],
      ['/studies', 'StudyInstanceUID=1.2.abc', /"1\.2\.abc", which is not a UID/],
      ['/studies', 'StudyDate=yesterday', /is not a DA value or range/],
      ['/studies', 'Rows=big', /is not an integer \(VR US\)/],
      ['/studies', 'PixelData=abc', /cannot be matched: PixelData has VR OB/],
      ['/studies', 'ReferencedSeriesSequence=x', /cannot match a sequence/],
      ['/studies', 'PatientID=a&PatientID=b', /PatientID is given more than once/],
      ['/studies', 'PatientID=a%0Db', /holds a control character/],
      ['/studies', 'includefield=NoSuchThing', /"NoSuchThing" is not a DICOM keyword/],
      ['/studies/1.2.3/series', 'StudyInstanceUID=1.2.4', /contradicts the UID 1\.2\.3 in the path/],
      ['/studies', 'QueryRetrieveLevel=IMAGE', /cannot be a QIDO-RS query key/],
    ];
    for (const [path, query, message] of cases) rejects(() => parseQidoRequest(path, query), 400, message);
    rejects(() => parseQidoRequest('/studies', `PatientID=${'x'.repeat(5000)}`), 400, /longer than 4096/);
    // The same UID as the path is fine.
    assert.equal(parseQidoRequest('/studies/1.2.3/series', 'StudyInstanceUID=1.2.3').identifier.string('StudyInstanceUID'), '1.2.3');
  });
});

describe('qidoSearchParams (client side)', () => {
  test('from a record of attribute IDs', () => {
    const params = qidoSearchParams(
      { PatientID: 'PAT-1', '00100010': 'DOE^*', StudyDescription: '', 'ScheduledProcedureStepSequence.Modality': 'MR', Skipped: undefined },
      { includeFields: ['PatientAge', 0x00081030], fuzzyMatching: true, limit: 10, offset: 20 },
    );
    assert.equal(params.toString(),
      'PatientID=PAT-1&PatientName=DOE%5E*&ScheduledProcedureStepSequence.Modality=MR'
      + '&includefield=StudyDescription&includefield=PatientAge&fuzzymatching=true&limit=10&offset=20');
    assert.throws(() => qidoSearchParams({ NotAKeyword: 'x' }), QidoParamError);
    assert.throws(() => qidoSearchParams({}, { limit: -1 }), QidoParamError);
  });

  test('from an identifier dataset, and back through parseQidoRequest to the same identifier', () => {
    const keys = new Dataset();
    keys.set('QueryRetrieveLevel', 'SERIES');
    keys.set('StudyInstanceUID', ['1.2.3', '1.2.4']);
    keys.set('Modality', 'CT');
    keys.set('SeriesDescription', null);
    keys.set('SeriesNumber', '5');
    keys.set('NumberOfSeriesRelatedInstances', null);
    keys.set(0x00091010, 'UN', null); // a private tag: the server cannot know its VR
    const item = new Dataset();
    item.set('RequestedProcedureID', 'RP1');
    keys.set('RequestAttributesSequence', [item]);
    const params = qidoSearchParams(keys, {});
    assert.equal(params.toString(),
      'Modality=CT&StudyInstanceUID=1.2.3%2C1.2.4&SeriesNumber=5&RequestAttributesSequence.RequestedProcedureID=RP1'
      + '&includefield=SeriesDescription&includefield=00091010&includefield=NumberOfSeriesRelatedInstances');
    const back = parseQidoRequest('/series', params, { includeDefaults: false }).identifier;
    back.delete('SeriesInstanceUID'); // the level's unique key, added by the server side
    assert.deepEqual(json(back), json(keys));
  });

  test('a sequence with more than one item cannot be expressed', () => {
    const keys = new Dataset();
    keys.set('RequestAttributesSequence', [new Dataset().set('RequestedProcedureID', 'A'), new Dataset().set('RequestedProcedureID', 'B')]);
    assert.throws(() => qidoSearchParams(keys), /has 2 items; a QIDO-RS query can express one/);
  });

  test('includeFields all, and tag formatting of private tags', () => {
    const p = qidoSearchParams({ StudyDate: null }, { includeFields: 'all' });
    assert.equal(p.toString(), 'includefield=all');
    assert.equal(formatTagHex(parseAttributePath('00091010')[0]), '00091010');
  });
});
