import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { lookupTag, tagForKeyword, keywordOf, dictionaryVr, dictionarySize, describeTag } from '../../../src/dicom/dictionary';
import { cpuTimeOf } from '../../helpers/cpu-time';
import { DICTIONARY_DATA } from '../../../src/dicom/dictionary-data';

type Dictionary = typeof import('../../../src/dicom/dictionary');
type Entry = ReturnType<Dictionary['lookupTag']>;

const fields = (e: Entry) => e && { tag: e.tag, keyword: e.keyword, name: e.name, vr: e.vr, vm: e.vm, retired: e.retired, repeatingGroup: e.repeatingGroup };

/** A fresh copy of the dictionary module: nothing looked up yet, the table not parsed. */
function freshDictionary(): Dictionary {
  const id = require.resolve('../../../src/dicom/dictionary');
  delete require.cache[id];
  return require(id) as Dictionary;
}

describe('dictionary', () => {
  test('looks up standard tags', () => {
    const e = lookupTag(0x00100010)!;
    assert.equal(e.keyword, 'PatientName');
    assert.equal(e.vr, 'PN');
    assert.equal(e.vm, '1');
    assert.equal(e.retired, false);
    assert.equal(lookupTag(0x0020000d)!.keyword, 'StudyInstanceUID');
    assert.equal(lookupTag(0x00080016)!.vr, 'UI');
    assert.equal(lookupTag(0x00000900)!.keyword, 'Status');
    assert.equal(lookupTag(0x00020010)!.keyword, 'TransferSyntaxUID');
    assert.equal(lookupTag(0x00081199)!.vr, 'SQ');
    assert.ok(dictionarySize() > 4000, `only ${dictionarySize()} entries`);
  });

  test('keeps ambiguous VRs visible', () => {
    assert.equal(lookupTag(0x7fe00010)!.vr, 'ox');
    assert.equal(lookupTag(0x00280106)!.vr, 'xs');
  });

  test('handles repeating groups 50xx and 60xx (even groups only)', () => {
    const overlay = lookupTag(0x60023000)!;
    assert.equal(overlay.keyword, 'OverlayData');
    assert.equal(overlay.tag, 0x60023000, 'the entry names the asked tag');
    assert.equal(lookupTag(0x601e0010)!.keyword, 'OverlayRows');
    const curve = lookupTag(0x50043000)!;
    assert.equal(curve.keyword, 'CurveData');
    assert.equal(curve.retired, true);
    assert.equal(lookupTag(0x60013000), undefined, 'odd groups are private');
    assert.equal(tagForKeyword('OverlayData'), 0x60003000);
  });

  test('group lengths get a generic entry, private tags none', () => {
    assert.equal(lookupTag(0x00080000)!.vr, 'UL');
    assert.equal(lookupTag(0x00080000)!.keyword, 'GenericGroupLength');
    assert.equal(lookupTag(0x00020000)!.keyword, 'FileMetaInformationGroupLength');
    assert.equal(lookupTag(0x00090010), undefined);
    assert.equal(lookupTag(0x00191001), undefined);
    assert.equal(lookupTag(0x00123456), undefined);
  });

  test('keyword to tag, retired keywords with or without prefix', () => {
    assert.equal(tagForKeyword('PatientID'), 0x00100020);
    assert.equal(tagForKeyword('SOPInstanceUID'), 0x00080018);
    assert.equal(tagForKeyword('NoSuchKeyword'), undefined);
    assert.equal(keywordOf(0x0020000e), 'SeriesInstanceUID');
    const retired = tagForKeyword('CurveData');
    assert.equal(retired, 0x50003000);
    assert.equal(tagForKeyword('RETIRED_CurveData'), 0x50003000);
  });

  test('implicit VR defaults', () => {
    assert.equal(dictionaryVr(0x00090010), 'LO', 'private creator');
    assert.equal(dictionaryVr(0x00091001), 'UN');
    assert.equal(dictionaryVr(0x00090000), 'UL');
    assert.equal(dictionaryVr(0x00100010), 'PN');
    assert.equal(describeTag(0x00100010), '(0010,0010) PatientName');
  });

  test('lookups are fast once loaded', () => {
    lookupTag(0x00100010);
    const { result: n, cpuMs } = cpuTimeOf(() => {
      let found = 0;
      for (let i = 0; i < 100000; i++) if (lookupTag(0x00100010 + (i & 0xff))) found++;
      return found;
    });
    assert.ok(n > 0);
    assert.ok(cpuMs < 500, `100k lookups took ${cpuMs} ms of CPU`);
  });

  test('the first lookups, answered by searching the table, equal those of the parsed table', () => {
    const parsed = freshDictionary();
    assert.ok(parsed.dictionarySize() > 5000);
    const lines = DICTIONARY_DATA.split('\n');
    const tags = lines.map((l) => parseInt(l.slice(0, 8), 16));
    const keywords = lines.map((l) => l.split(' ')[3]!);
    // Repeating group members, group lengths, private, odd and unknown tags; keywords that are
    // not in the table or cannot be (spaces, a VM and a keyword, empty).
    tags.push(0x60023000, 0x601e0010, 0x50043000, 0x60013000, 0x00080000, 0x00020000, 0x00090010, 0x00191001, 0x00123456, 0xfffee000, 0);
    keywords.push('NoSuchKeyword', 'Patient ID', '1 PatientID', 'PatientID\n', '', 'RETIRED_', 'retired_CurveData', 'patientid');
    let searched = freshDictionary();
    let used = 0;
    const fresh = () => {
      // Each copy searches for at most 60 lookups (it parses its table past 64).
      if (++used > 30) { searched = freshDictionary(); used = 1; }
      return searched;
    };
    for (const t of tags) {
      const d = fresh();
      assert.deepEqual(fields(d.lookupTag(t)), fields(parsed.lookupTag(t)), `lookupTag(${t.toString(16)})`);
      assert.equal(d.dictionaryVr(t), parsed.dictionaryVr(t), `dictionaryVr(${t.toString(16)})`);
    }
    for (const k of keywords) {
      const d = fresh();
      assert.equal(d.tagForKeyword(k), parsed.tagForKeyword(k), `tagForKeyword(${JSON.stringify(k)})`);
      assert.equal(d.tagForKeyword(`RETIRED_${k}`), parsed.tagForKeyword(`RETIRED_${k}`), `tagForKeyword(RETIRED_${k})`);
    }
  });

  test('past its search budget the table is parsed, and lookups go on answering the same', () => {
    const d = freshDictionary();
    const parsed = freshDictionary();
    parsed.dictionarySize();
    for (let i = 0; i < 200; i++) {
      const t = 0x00080000 + 2 * i;
      assert.deepEqual(fields(d.lookupTag(t)), fields(parsed.lookupTag(t)), `lookupTag(${t.toString(16)})`);
    }
    assert.equal(d.tagForKeyword('PatientName'), 0x00100010);
    assert.equal(d.dictionarySize(), parsed.dictionarySize());
  });
});
