import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { readPart10 } from '../../../../src/dicom/part10';
import { Dataset } from '../../../../src/dicom/dataset-model';
import { Tags } from '../../../../src/dicom/tag';
import {
  buildDatasetView, buildElementRows, fullValueOf, searchRows, copyText, findRow, forEachRow,
  UnknownRowError, ElementRow, ROW_LIMITS,
} from '../../../../src/dicom/view-model';

const SAMPLES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const CHARSETS = '/usr/lib/python3/dist-packages/pydicom/data/charset_files';

function rowByTag(rows: readonly ElementRow[], tag: string): ElementRow {
  const hit = rows.find((r) => r.tag === tag);
  assert.ok(hit, `no row ${tag}`);
  return hit;
}

function allRows(rows: readonly ElementRow[]): ElementRow[] {
  const out: ElementRow[] = [];
  forEachRow(rows, (r) => out.push(r));
  return out;
}

/** pydicom's reading of the same files: the oracle. */
function pydicom(script: string): unknown {
  const r = spawnSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

describe('dataset view model', () => {
  test('CT_small: meta apart with the transfer syntax by name, values, private creators, pixel data summary', async () => {
    const view = buildDatasetView(await readPart10(join(SAMPLES, 'CT_small.dcm')));
    assert.deepEqual(view.transferSyntax, { uid: '1.2.840.10008.1.2.1', name: 'Explicit VR Little Endian' });
    assert.equal(view.sopClass.name, 'CT Image Storage');
    assert.equal(view.specificCharacterSet, 'ISO_IR 100');
    assert.ok(view.meta.every((r) => r.tag.startsWith('(0002,')));
    assert.ok(view.dataset.every((r) => !r.tag.startsWith('(0002,')));
    const ts = rowByTag(view.meta, '(0002,0010)');
    assert.equal(ts.value, '1.2.840.10008.1.2.1');
    assert.equal(ts.hint, 'Explicit VR Little Endian');
    const name = rowByTag(view.dataset, '(0010,0010)');
    assert.deepEqual([name.keyword, name.name, name.vr, name.length, name.value, name.id], ['PatientName', 'Patient Name', 'PN', 22, 'CompressedSamples^CT1', 'd/00100010']);
    const creator = rowByTag(view.dataset, '(0009,0010)');
    assert.equal(creator.value, 'GEMS_IDEN_01');
    const priv = rowByTag(view.dataset, '(0009,1001)');
    assert.equal(priv.privateCreator, 'GEMS_IDEN_01');
    assert.match(priv.name, /GEMS_IDEN_01/);
    assert.equal(priv.value, 'GE_GENESIS_FF');
    const pixels = rowByTag(view.dataset, '(7FE0,0010)');
    assert.equal(pixels.value, '32768 bytes of pixel data');
    assert.equal(pixels.truncated, false);
    const others = rowByTag(view.dataset, '(0010,1002)');
    assert.equal(others.kind, 'sequence');
    assert.equal(others.value, '2 items');
    assert.deepEqual(others.children!.map((i) => i.children!.find((r) => r.keyword === 'PatientID')!.value), ['ABCD1234', '1234ABCD']);
    assert.equal(rowByTag(view.dataset, '(0028,0030)').value, '0.661468\\0.661468');
    assert.equal(rowByTag(view.dataset, '(0028,0010)').value, '128');
  });

  test('rtplan: every element and item of the nested sequences, as pydicom counts them', async () => {
    const expected = pydicom(`
import pydicom, json
d = pydicom.dcmread('${SAMPLES}/rtplan.dcm')
n = {'elements': 0, 'items': 0}
def walk(ds):
    for el in ds:
        n['elements'] += 1
        if el.VR == 'SQ':
            for it in el.value:
                n['items'] += 1
                walk(it)
walk(d)
cp = d.BeamSequence[0].ControlPointSequence
n['meta'] = len(d.file_meta)
n['cp'] = len(cp)
n['energy'] = str(cp[0].NominalBeamEnergy)
print(json.dumps(n))`) as { elements: number; items: number; meta: number; cp: number; energy: string };
    const file = await readPart10(join(SAMPLES, 'rtplan.dcm'));
    const view = buildDatasetView(file);
    const rows = allRows(view.dataset);
    assert.equal(rows.filter((r) => r.kind === 'element' || r.kind === 'sequence').length, expected.elements);
    assert.equal(rows.filter((r) => r.kind === 'item').length, expected.items);
    assert.equal(view.meta.length, expected.meta);
    assert.equal(view.rowCount, expected.elements + expected.items + expected.meta);
    const beams = rowByTag(view.dataset, '(300A,00B0)');
    const cps = rowByTag(beams.children![0]!.children!, '(300A,0111)');
    assert.equal(cps.children!.length, expected.cp);
    const energy = rowByTag(cps.children![0]!.children!, '(300A,0114)');
    assert.equal(energy.id, 'd/300A00B0/0/300A0111/0/300A0114');
    assert.equal(energy.depth, 4);
    assert.equal(Number(energy.value), Number(expected.energy));
    // The id leads back to the element.
    assert.equal(fullValueOf(energy.id, { meta: file.metaDataset, dataset: file.dataset }).text, energy.value);
    assert.equal(findRow(view.dataset, energy.id), energy);
  });

  test('private sequences: nested_priv_SQ (Implicit VR) and priv_SQ (a UN value holding a sequence)', async () => {
    const nested = buildDatasetView(await readPart10(join(SAMPLES, 'nested_priv_SQ.dcm')));
    const outer = rowByTag(nested.dataset, '(0001,0001)');
    assert.equal(outer.kind, 'sequence');
    const inner = outer.children![0]!.children!;
    assert.equal(rowByTag(inner, '(0001,0002)').value, 'Nested SQ');
    const deepest = rowByTag(inner, '(0001,0001)').children![0]!.children!;
    assert.equal(rowByTag(deepest, '(0001,0001)').value, 'Double Nested SQ');

    const file = await readPart10(join(SAMPLES, 'priv_SQ.dcm'));
    const view = buildDatasetView(file);
    const seq = rowByTag(view.dataset, '(3F03,1001)');
    assert.equal(seq.kind, 'sequence');
    assert.equal(seq.privateCreator, 'aaabbbccc MEDICAL SYSTEMS');
    const item = seq.children![0]!.children!;
    // Inside the item, private elements belong to the item's own creator.
    const data = rowByTag(item, '(3F03,1003)');
    assert.equal(data.privateCreator, '123456789 1234567 1234567');
    assert.equal(data.value, 'image1234567 at 123');
    assert.equal(rowByTag(item, '(0008,0090)').value, '111111111111111');
    assert.equal(fullValueOf(data.id, { meta: file.metaDataset, dataset: file.dataset }).text, 'image1234567 at 123');
  });

  test('character sets: every single-valued text element decodes as pydicom decodes it', async () => {
    const expected = pydicom(`
import pydicom, json, os
base = '${CHARSETS}/'
out = {}
for f in sorted(os.listdir(base)):
    if not f.endswith('.dcm'): continue
    d = pydicom.dcmread(base + f)
    out[f] = {('%08X' % el.tag): str(el.value) for el in d if el.VR in ('PN', 'LO', 'SH', 'ST', 'LT', 'UT', 'UC') and el.VM == 1 and el.value is not None}
print(json.dumps(out))`) as Record<string, Record<string, string>>;
    let compared = 0;
    for (const [name, values] of Object.entries(expected)) {
      const view = buildDatasetView(await readPart10(join(CHARSETS, name)), { limits: { maxChars: 10_000, maxValues: 10 } });
      for (const [hex, value] of Object.entries(values)) {
        const row = findRow(view.dataset, `d/${hex}`);
        assert.ok(row, `${name} ${hex}`);
        // pydicom's str() of a person name drops empty trailing groups ("a=b=" → "a=b"); the viewer shows the bytes.
        const norm = (v: string) => (row.vr === 'PN' ? v.replace(/[=^]+$/, '') : v.replace(/[ \0]+$/, ''));
        assert.equal(norm(row.value), norm(value), `${name} ${hex}`);
        compared++;
      }
    }
    assert.ok(compared > 60, `compared ${compared}`);
    const greek = buildDatasetView(await readPart10(join(CHARSETS, 'chrGreek.dcm')));
    assert.equal(rowByTag(greek.dataset, '(0010,0010)').value, 'Διονυσιος');
  });

  test('an item with its own Specific Character Set decodes with it (chrSQEncoding)', async () => {
    const view = buildDatasetView(await readPart10(join(CHARSETS, 'chrSQEncoding.dcm')));
    const item = rowByTag(view.dataset, '(0032,1064)').children![0]!.children!;
    assert.equal(rowByTag(item, '(0010,0010)').value, 'ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう');
  });

  test('long values are cut in the row and come whole with "show all"', () => {
    const ds = new Dataset();
    const long = 'x'.repeat(5000) + 'END';
    ds.set('AdditionalPatientHistory', long);
    const words = Buffer.alloc(20000);
    for (let i = 0; i < 10000; i++) words.writeUInt16LE(i, i * 2);
    ds.set(0x00091010, 'OW', words);
    ds.set('ImageType', ['ORIGINAL', 'PRIMARY']);
    const meta = new Dataset();
    const rows = buildElementRows(ds, 'd');
    const text = rowByTag(rows, '(0010,21B0)');
    assert.equal(text.truncated, true);
    assert.equal(text.value.length, ROW_LIMITS.maxChars);
    assert.equal(text.length, 5004);
    const full = fullValueOf(text.id, { meta, dataset: ds });
    assert.equal(full.text, long);
    assert.equal(full.truncated, false);
    const ow = rowByTag(rows, '(0009,1010)');
    assert.equal(ow.truncated, true);
    assert.ok(ow.value.startsWith('0000\\0001\\0002\\'));
    const fullOw = fullValueOf(ow.id, { meta, dataset: ds }).text.split('\\');
    assert.equal(fullOw.length, 10000);
    assert.equal(fullOw[9999], (9999).toString(16).padStart(4, '0'));
    assert.equal(rowByTag(rows, '(0008,0008)').truncated, false);
    assert.throws(() => fullValueOf('d/00100020', { meta, dataset: ds }), UnknownRowError);
    assert.throws(() => fullValueOf('x/../../etc', { meta, dataset: ds }), UnknownRowError);
    assert.throws(() => fullValueOf('d/00091010/0', { meta, dataset: ds }), UnknownRowError);
  });

  test('encapsulated pixel data lists its fragments', async () => {
    const file = await readPart10(join(SAMPLES, 'JPEG2000.dcm'));
    const view = buildDatasetView(file);
    const pixels = rowByTag(view.dataset, '(7FE0,0010)');
    assert.match(pixels.value, /^encapsulated: 1 fragment, \d+ bytes/);
    assert.equal(pixels.children!.length, file.dataset.get(Tags.PixelData)!.fragments!.length);
    assert.equal(pixels.children![1]!.kind, 'fragment');
    assert.match(pixels.children![1]!.value, /^ff 4f ff 51/);
  });

  test('search by tag, keyword and value opens the ancestors of nested matches; copy gives tag, value or a line', async () => {
    const view = buildDatasetView(await readPart10(join(SAMPLES, 'rtplan.dcm')));
    const byKeyword = searchRows(view.dataset, 'NominalBeamEnergy');
    assert.ok(byKeyword.matches.length >= 1);
    assert.ok(byKeyword.matches.every((id) => id.endsWith('/300A0114')));
    assert.ok(byKeyword.expand.includes('d/300A00B0'));
    assert.ok(byKeyword.expand.includes('d/300A00B0/0/300A0111/0'));
    assert.deepEqual(searchRows(view.dataset, '(300a,00b0)').matches, ['d/300A00B0']);
    assert.deepEqual(searchRows(view.dataset, '300A00B0').matches, ['d/300A00B0']);
    const name = findRow(view.dataset, 'd/00100010')!;
    assert.ok(searchRows(view.dataset, name.value.slice(2, 8).toLowerCase()).matches.includes('d/00100010'));
    assert.deepEqual(searchRows(view.dataset, '   ').matches, []);
    assert.equal(searchRows(view.dataset, 'no such thing anywhere').matches.length, 0);
    assert.equal(copyText(name, 'tag'), '(0010,0010)');
    assert.equal(copyText(name, 'value'), name.value);
    assert.equal(copyText(name, 'line'), `(0010,0010) PN [${name.value}] # PatientName`);
    assert.equal(copyText(name, 'value', 'FULL'), 'FULL');
  });
});
