// Text in the index is Unicode, decoded with each instance's Specific Character Set: the values
// the index answers for pydicom's character set samples equal what pydicom decodes
// (test/fixtures/charset/expected.json, made with pydicom by make-expected.py there).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { scanFileHeader } from '../../../src/dicom/header-scanner';
import { normalizeCharsetTerms } from '../../../src/dicom/charset';
import { keywordOf } from '../../../src/dicom/dictionary';
import { Tags } from '../../../src/dicom/tag';
import { STUDY_ROOT } from '../../../src/services/query/model';
import { ArchiveIndex, LEVEL_COLUMNS, SCAN_STOP_TAG } from '../../../src/archive/archive-index';
import { query } from './helpers';

const CHARSET_FILES = '/usr/lib/python3/dist-packages/pydicom/data/charset_files';
const EXPECTED = path.join(__dirname, '../../../../test/fixtures/charset/expected.json');

interface ExpectedElement { path: string; vr: string; charset: string[]; values: string[] }
const expected = JSON.parse(readFileSync(EXPECTED, 'utf8')) as { files: Record<string, ExpectedElement[]> };

const indexedTags = new Set(Object.values(LEVEL_COLUMNS).flatMap((l) => l.columns.map((c) => c.tag)));
const ROOT = path.resolve('/charset-archive');

test('decoded text equals pydicom\'s for every indexed attribute of the character set samples', { skip: !existsSync(CHARSET_FILES) && 'pydicom charset files are not installed' }, async () => {
  let compared = 0;
  let names = 0;
  for (const name of readdirSync(CHARSET_FILES).filter((n) => n.endsWith('.dcm')).sort()) {
    const scan = await scanFileHeader(path.join(CHARSET_FILES, name), { stopAt: SCAN_STOP_TAG });
    if (!scan.elements.has(Tags.StudyInstanceUID)) continue;
    // One index per file: some samples share their UIDs.
    const index = new ArchiveIndex({ root: ROOT, persist: false });
    const added = index.add({ ...scan, path: path.join(ROOT, name), mtimeMs: 1 });
    const terms = normalizeCharsetTerms(scan.elements.get(Tags.SpecificCharacterSet)?.value?.toString('latin1'));
    assert.deepEqual(added.characterSet, terms, name);

    for (const e of expected.files[name] ?? []) {
      if (e.path.includes('/')) continue;
      const t = parseInt(e.path, 16);
      if (!indexedTags.has(t)) continue;
      const ours = added.record.value(t);
      const theirs = e.values.length === 1 ? e.values[0] : e.values;
      const normalized = typeof ours === 'number' ? String(ours) : ours;
      assert.deepEqual(normalized ?? '', theirs, `${name} ${keywordOf(t)}`);
      compared++;
      if (t === Tags.PatientName) names++;
    }

    // The study-level record (what C-FIND answers) says the same, with the instance's character set.
    const [study] = [...index.find(query(STUDY_ROOT, 'STUDY', { PatientName: null }))];
    assert.equal(study!.record.value(Tags.PatientName), added.record.value(Tags.PatientName), name);
    assert.deepEqual(study!.characterSet, terms, name);
  }
  assert.ok(names >= 14, `person names compared: ${names}`);
  assert.ok(compared >= 100, `values compared: ${compared}`);
});

test('a person name in a multi-byte character set is found by its Unicode value', { skip: !existsSync(CHARSET_FILES) && 'pydicom charset files are not installed' }, async () => {
  const index = new ArchiveIndex({ root: ROOT, persist: false });
  for (const name of ['chrH31.dcm', 'chrX1.dcm', 'chrRuss.dcm']) {
    const scan = await scanFileHeader(path.join(CHARSET_FILES, name), { stopAt: SCAN_STOP_TAG });
    index.add({ ...scan, path: path.join(ROOT, name), mtimeMs: 1 });
  }
  const find = (value: string) => [...index.find(query(STUDY_ROOT, 'STUDY', { PatientName: value }))].map((m) => m.record.value(Tags.PatientID));
  assert.deepEqual(find('Yamada^Tarou=山田^太郎=やまだ^たろう'), ['H31EXAMPLE']);
  assert.deepEqual(find('Wang*'), ['X1EXAMPLE']);
  assert.deepEqual(find('Люк*'), ['SCSRUSS']);
});
