// The core dictionary table (src/dicom/dictionary-core.ts): lookups of the attributes the code
// names and the query models' keys are answered from it without evaluating the 200 kB table, and
// each of its lines is the one the whole table answers with (dictionary.test.ts compares every
// tag and keyword of the whole table, searched through the core first, with the parsed table).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CORE_DICTIONARY_DATA } from '../../../src/dicom/dictionary-core';
import { Tags } from '../../../src/dicom/tag';
import { DEFAULT_RETURN_KEYS } from '../../../src/services/query-keys';
import { INFORMATION_MODELS, LEVELLESS_KEYS, NON_KEY_ATTRIBUTES, worklistKeyTable, type WorklistKey } from '../../../src/services/query/model';

const DATA_MODULE = require.resolve('../../../src/dicom/dictionary-data');
const coreLines = CORE_DICTIONARY_DATA.split('\n');
const keywordOfLine = (line: string) => line.split(' ')[3]!.replace(/^RETIRED_/, '');

describe('core dictionary table', () => {
  // First, while nothing in this process has required the whole table.
  it("answers a dicomnet find's keys without evaluating the whole table", () => {
    assert.equal(require.cache[DATA_MODULE], undefined, 'the whole table is not loaded before the test');
    const dictionary = require('../../../src/dicom/dictionary') as typeof import('../../../src/dicom/dictionary');
    const keys = ['PatientID', 'PatientName', 'PatientBirthDate', 'PatientSex', 'StudyDate', 'StudyTime', 'AccessionNumber', 'StudyID',
      'StudyDescription', 'ReferringPhysicianName', 'StudyInstanceUID', 'QueryRetrieveLevel', 'SpecificCharacterSet'];
    for (const k of keys) {
      const t = dictionary.tagForKeyword(k);
      assert.equal(typeof t, 'number', k);
      assert.equal(dictionary.keywordOf(t!), k);
      assert.notEqual(dictionary.dictionaryVr(t!), 'UN', k);
    }
    assert.equal(require.cache[DATA_MODULE], undefined, 'the whole table was evaluated');
    // A key outside the core is answered by the whole table.
    assert.equal(dictionary.tagForKeyword('ContrastBolusAgent'), 0x00180010);
    assert.notEqual(require.cache[DATA_MODULE], undefined);
  });

  it('holds lines of the whole table: for its keyword the first line, for its tag the last, no repeating group', () => {
    const { DICTIONARY_DATA } = require(DATA_MODULE) as typeof import('../../../src/dicom/dictionary-data');
    const lines = DICTIONARY_DATA.split('\n');
    assert.deepEqual([...coreLines].sort(), coreLines, 'sorted (the tag search is a binary search)');
    for (const line of coreLines) {
      assert.equal(lines.find((l) => keywordOfLine(l) === keywordOfLine(line)), line, `the first line with ${keywordOfLine(line)}`);
      assert.equal(lines.filter((l) => l.startsWith(line.slice(0, 9))).pop(), line, `the last line with ${line.slice(0, 8)}`);
      assert.doesNotMatch(line, /^(50|60)/);
    }
    assert.equal(new Set(coreLines.map(keywordOfLine)).size, coreLines.length, 'one line per keyword');
  });

  it('has every keyword of Tags, of the query and worklist models and of the default return keys', () => {
    const core = new Set(coreLines.map(keywordOfLine));
    const tags = new Set(coreLines.map((l) => parseInt(l.slice(0, 8), 16)));
    for (const keyword of Object.keys(Tags)) assert.ok(core.has(keyword), `Tags.${keyword}`);
    const modelTags: number[] = [...LEVELLESS_KEYS, ...NON_KEY_ATTRIBUTES];
    for (const model of INFORMATION_MODELS) {
      for (const d of model.definitions.values()) modelTags.push(...(d.uniqueKey === undefined ? [] : [d.uniqueKey]), ...d.requiredKeys, ...d.optionalKeys);
    }
    const walk = (keys: readonly WorklistKey[]) => keys.forEach((k) => { modelTags.push(k.tag); walk(k.items ?? []); });
    walk(worklistKeyTable());
    for (const t of modelTags) assert.ok(tags.has(t), `model key ${t.toString(16).padStart(8, '0')}`);
    for (const path of Object.values(DEFAULT_RETURN_KEYS).flat()) for (const k of path.split('.')) assert.ok(core.has(k), `default return key ${k}`);
  });
});
