import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Dataset, parseDataset } from '../../../src/dicom';
import {
  datasetFromJson,
  datasetToJson,
  DicomJsonError,
  type DicomJsonObject,
} from '../../../src/dicom/json';
import { CharsetError, decodeText } from '../../../src/dicom/charset';

const FIXTURES = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'json');
const PYDICOM_DATA = '/usr/lib/python3/dist-packages/pydicom/data';

/** Made by test/fixtures/json/make-expected.py: pydicom's Dataset.to_json_dict() per file. */
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as {
  pydicom: string;
  files: Record<string, DicomJsonObject>;
};

/** A Part 10 file's dataset (file meta left out, as pydicom's to_json_dict does). */
function readPart10(path: string): Dataset {
  const bytes = readFileSync(path);
  assert.equal(bytes.toString('latin1', 128, 132), 'DICM', path);
  const metaEnd = 144 + bytes.readUInt32LE(140);
  const meta = parseDataset(bytes.subarray(132, metaEnd), '1.2.840.10008.1.2.1');
  const transferSyntax = meta.string(0x00020010)!.replace(/\0/g, '').trim();
  return parseDataset(bytes.subarray(metaEnd), transferSyntax);
}

/** Long InlineBinary replaced by its digest, as the fixture stores it. */
function shorten(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(shorten);
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      out[key] = key === 'InlineBinary' && typeof value === 'string' && value.length > 128
        ? { sha256: createHash('sha256').update(value).digest('hex'), length: value.length }
        : shorten(value);
    }
    return out;
  }
  return node;
}

type Attribute = { vr: string; Value?: unknown[]; InlineBinary?: unknown; BulkDataURI?: string };

/**
 * Compares our JSON with pydicom's, allowing only the differences the standard leaves open,
 * each counted by kind:
 * - 'float32': pydicom writes an FL value as the double nearest the float ("-11.199999809265137"),
 *   we write the shortest decimal that reads back as the same float ("-11.2").
 * - 'decimal-string': DS/IS kept as text by us where a JSON number would change its value.
 * - 'empty-value': an empty value inside a multi-valued attribute is null for us (F.2.5), '' for
 *   pydicom (seen in Specific Character Set "\ISO 2022 IR 87").
 * - 'group-length': pydicom keeps (gggg,0000) of some files; F.2.2 says they shall not be included.
 * - 'private-un': pydicom turns explicit UN private elements into the VR of its private
 *   dictionary; we keep UN with InlineBinary (F.2.7). The bytes must still give pydicom's values.
 */
function compareWithPydicom(ours: unknown, theirs: unknown, path: string, seen: Map<string, number>): void {
  const allow = (kind: string) => seen.set(kind, (seen.get(kind) ?? 0) + 1);
  if (isAttribute(ours) && isAttribute(theirs) && ours.vr !== theirs.vr) {
    assert.equal(ours.vr, 'UN', `${path}: vr ${ours.vr} vs ${theirs.vr}`);
    assert.ok(/^\d{4}[13579BDF]/i.test(path.split('/').pop()!), `${path} is private`);
    assert.equal(typeof ours.InlineBinary, 'string', path);
    assertBytesGiveValues(Buffer.from(ours.InlineBinary as string, 'base64'), theirs, path);
    allow('private-un');
    return;
  }
  if (Array.isArray(ours) && Array.isArray(theirs)) {
    assert.equal(ours.length, theirs.length, `${path}: length`);
    ours.forEach((v, i) => compareWithPydicom(v, theirs[i], `${path}/${i}`, seen));
    return;
  }
  if (ours && theirs && typeof ours === 'object' && typeof theirs === 'object') {
    const groupLengths = Object.keys(theirs).filter((k) => /^[0-9A-F]{4}0000$/.test(k));
    groupLengths.forEach(() => allow('group-length'));
    assert.deepEqual(Object.keys(ours).sort(), Object.keys(theirs).filter((k) => !groupLengths.includes(k)).sort(), `${path}: keys`);
    const vr = (ours as { vr?: unknown }).vr;
    for (const key of Object.keys(ours)) {
      const a: unknown = (ours as Record<string, unknown>)[key];
      const b: unknown = (theirs as Record<string, unknown>)[key];
      if (key === 'InlineBinary') {
        assert.deepEqual(shorten({ InlineBinary: a }), { InlineBinary: b }, `${path}/${key}`);
      } else if (key === 'Value' && (vr === 'FL' || vr === 'DS' || vr === 'IS') && Array.isArray(a) && Array.isArray(b)) {
        assert.equal(a.length, b.length, `${path}: values`);
        a.forEach((x, i) => {
          if (x === b[i]) return;
          if (vr === 'FL') {
            assert.equal(Math.fround(x as number), Math.fround(b[i] as number), `${path}/${i}`);
            allow('float32');
          } else {
            assert.equal(typeof x, 'string', `${path}/${i}: ${x} vs ${b[i]}`);
            assert.ok(Math.abs(Number(x) - (b[i] as number)) <= Math.abs(b[i] as number) * 1e-15, `${path}/${i}`);
            allow('decimal-string');
          }
        });
      } else {
        compareWithPydicom(a, b, `${path}/${key}`, seen);
      }
    }
    return;
  }
  if (ours === null && theirs === '') {
    allow('empty-value');
    return;
  }
  assert.deepEqual(ours, theirs, path);
}

function isAttribute(x: unknown): x is Attribute {
  return !!x && typeof x === 'object' && typeof (x as { vr?: unknown }).vr === 'string';
}

function assertBytesGiveValues(bytes: Buffer, theirs: Attribute, path: string): void {
  const values = theirs.Value ?? [];
  switch (theirs.vr) {
    case 'US':
      assert.deepEqual(values, Array.from({ length: bytes.length / 2 }, (_, i) => bytes.readUInt16LE(i * 2)), path);
      break;
    case 'SH': case 'LO': case 'CS':
      assert.deepEqual(values, decodeText(bytes, undefined, theirs.vr).replace(/ +$/, '').split('\\'), path);
      break;
    default:
      assert.fail(`${path}: no check for private VR ${theirs.vr}`);
  }
}

const haveSamples = existsSync(PYDICOM_DATA);

describe('datasetToJson agrees with pydicom to_json_dict', () => {
  const allowed: Record<string, Record<string, number>> = {
    'test_files/CT_small.dcm': { float32: 15 },
    'charset_files/chrH31.dcm': { 'empty-value': 1 },
    'charset_files/chrI2.dcm': { 'empty-value': 1 },
    'charset_files/chrJapMulti.dcm': { 'empty-value': 1, 'group-length': 9, 'private-un': 9 },
    'charset_files/chrJapMultiExplicitIR6.dcm': { 'group-length': 9, 'private-un': 9 },
    'charset_files/chrKoreanMulti.dcm': { 'empty-value': 1, 'group-length': 9, 'private-un': 9 },
  };
  for (const [file, theirs] of Object.entries(expected.files)) {
    test(file, (t) => {
      if (!haveSamples) return t.skip('python3-pydicom is not installed');
      const ours = datasetToJson(readPart10(join(PYDICOM_DATA, file)));
      const seen = new Map<string, number>();
      compareWithPydicom(ours, theirs, file, seen);
      assert.deepEqual(Object.fromEntries(seen), allowed[file] ?? {});
    });
  }

  test('the fixture holds the files and the shapes we rely on', () => {
    const files = Object.keys(expected.files);
    assert.ok(files.includes('test_files/rtplan.dcm') && files.includes('charset_files/chrX2.dcm'));
    assert.equal(files.length, 20);
    const h31 = expected.files['charset_files/chrH31.dcm']!;
    assert.deepEqual(h31['00100010'], { vr: 'PN', Value: [{ Alphabetic: 'Yamada^Tarou', Ideographic: '山田^太郎', Phonetic: 'やまだ^たろう' }] });
    const rtplan = expected.files['test_files/rtplan.dcm']!;
    const beams = rtplan['300A00B0']!.Value as DicomJsonObject[];
    assert.ok(Array.isArray(beams[0]!['300A0111']!.Value), 'rtplan has sequences inside sequences');
  });
});

describe('round trips through JSON', () => {
  test('JSON → dataset → JSON gives the same JSON for every sample file', (t) => {
    if (!haveSamples) return t.skip('python3-pydicom is not installed');
    for (const file of Object.keys(expected.files)) {
      const json = datasetToJson(readPart10(join(PYDICOM_DATA, file)));
      const again = datasetToJson(datasetFromJson(JSON.parse(JSON.stringify(json))));
      assert.deepEqual(again, json, file);
    }
  });

  test('person names come back to the same bytes in their own character set', (t) => {
    if (!haveSamples) return t.skip('python3-pydicom is not installed');
    for (const name of ['chrArab', 'chrFren', 'chrGerm', 'chrGreek', 'chrH31', 'chrH32', 'chrHbrw', 'chrI2', 'chrRuss', 'chrX1', 'chrX2', 'chrJapMulti']) {
      const original = readPart10(join(PYDICOM_DATA, 'charset_files', `${name}.dcm`));
      const rebuilt = datasetFromJson(datasetToJson(original));
      assert.deepEqual(rebuilt.bytes(0x00080005), original.bytes(0x00080005), name);
      const strip = (b: Buffer | undefined) => b!.toString('latin1').replace(/ +$/, '');
      // chrX1/chrX2 end the name with an empty group ("...="), which JSON has no place for.
      assert.equal(strip(rebuilt.bytes(0x00100010)), strip(original.bytes(0x00100010)).replace(/=$/, ''), name);
    }
  });
});

function dataset(build: (ds: Dataset) => void): Dataset {
  const ds = new Dataset();
  build(ds);
  return ds;
}

describe('datasetToJson', () => {
  test('numbers: DS and IS stay text only where a JSON number would change their value', () => {
    const json = datasetToJson(dataset((ds) => {
      ds.set(0x00280030, 'DS', Buffer.from('1.0\\.5 \\-0\\1e3 \\0.30000000000000004441 '));
      ds.set(0x00201041, 'DS', Buffer.from('abc '));
      ds.set(0x00200013, 'IS', Buffer.from('007 \\-12\\+3'));
      ds.set(0x00181150, 'IS', Buffer.from('12345678901234567890'));
    }));
    assert.deepEqual(json['00280030'], { vr: 'DS', Value: [1, 0.5, 0, 1000, '0.30000000000000004441'] });
    assert.deepEqual(json['00201041'], { vr: 'DS', Value: ['abc'] });
    assert.deepEqual(json['00200013'], { vr: 'IS', Value: [7, -12, 3] });
    assert.deepEqual(json['00181150'], { vr: 'IS', Value: ['12345678901234567890'] });
  });

  test('binary numbers, 64-bit integers, floats and tags', () => {
    const fl = Buffer.alloc(12);
    fl.writeFloatLE(0.1, 0);
    fl.writeFloatLE(NaN, 4);
    fl.writeFloatLE(-Infinity, 8);
    const json = datasetToJson(dataset((ds) => {
      ds.set(0x00280010, 'US', [512, 65535]);
      ds.set(0x00209241, 'FL', fl);
      ds.set(0x00189219, 'SS', -3);
      ds.set(0x0040a13a, 'SV', [-(2n ** 63n), 42n]);
      ds.set(0x00720082, 'UV', [2n ** 64n - 1n]);
      ds.set(0x00209165, 'AT', [0x00100010, 0x7fe00010]);
      ds.set(0x00189087, 'FD', [1.5e-300]);
    }));
    assert.deepEqual(json['00280010'], { vr: 'US', Value: [512, 65535] });
    assert.deepEqual(json['00209241'], { vr: 'FL', Value: [0.1, 'NaN', '-Infinity'] });
    assert.deepEqual(json['00189219'], { vr: 'SS', Value: [-3] });
    assert.deepEqual(json['0040A13A'], { vr: 'SV', Value: ['-9223372036854775808', 42] });
    assert.deepEqual(json['00720082'], { vr: 'UV', Value: ['18446744073709551615'] });
    assert.deepEqual(json['00209165'], { vr: 'AT', Value: ['00100010', '7FE00010'] });
    assert.deepEqual(json['00189087'], { vr: 'FD', Value: [1.5e-300] });
    const back = datasetFromJson(json);
    assert.deepEqual(back.bytes(0x00209241), fl);
    assert.deepEqual(back.bigints(0x0040a13a), [-(2n ** 63n), 42n]);
    assert.deepEqual(back.bigints(0x00720082), [2n ** 64n - 1n]);
    assert.deepEqual(back.numbers(0x00209165), [0x00100010, 0x7fe00010]);
  });

  test('empty values: no Value at all, null inside a list, {} for an empty item; group lengths left out', () => {
    const json = datasetToJson(dataset((ds) => {
      ds.set(0x00100010, 'PN', null);
      ds.set(0x00080008, 'CS', Buffer.from('ORIGINAL\\\\AXIAL '));
      ds.set(0x00100020, 'LO', Buffer.from('  '));
      ds.set(0x00081110, 'SQ', []);
      ds.set(0x00081111, 'SQ', [new Dataset()]);
      ds.set(0x00100000, 'UL', 4);
      ds.set(0x00101001, 'PN', Buffer.from('A^B\\\\=C'));
    }));
    assert.deepEqual(json, {
      '00080008': { vr: 'CS', Value: ['ORIGINAL', null, 'AXIAL'] },
      '00081110': { vr: 'SQ' },
      '00081111': { vr: 'SQ', Value: [{}] },
      '00100010': { vr: 'PN' },
      '00100020': { vr: 'LO' },
      '00101001': { vr: 'PN', Value: [{ Alphabetic: 'A^B' }, null, { Ideographic: 'C' }] },
    });
    assert.deepEqual(Object.keys(json), Object.keys(json).sort(), 'ascending keys');
  });

  test('text is decoded with the Specific Character Set, and items inherit or override it', () => {
    const item = dataset((ds) => {
      ds.set(0x00080005, 'CS', Buffer.from('ISO_IR 144'));
      ds.set(0x00100010, 'PN', Buffer.from([0xbb, 0xee]));
    });
    const inheriting = dataset((ds) => ds.set(0x00100010, 'PN', Buffer.from([0xe9])));
    const json = datasetToJson(dataset((ds) => {
      ds.set(0x00080005, 'CS', Buffer.from('ISO_IR 100'));
      ds.set(0x00100010, 'PN', Buffer.from([0x4a, 0xe9]));
      ds.set(0x00400275, 'SQ', [item, inheriting]);
    }));
    assert.deepEqual(json['00100010'], { vr: 'PN', Value: [{ Alphabetic: 'Jé' }] });
    const items = json['00400275']!.Value as DicomJsonObject[];
    assert.deepEqual(items[0]!['00100010'], { vr: 'PN', Value: [{ Alphabetic: 'Лю' }] });
    assert.deepEqual(items[1]!['00100010'], { vr: 'PN', Value: [{ Alphabetic: 'é' }] });
    const outer = datasetToJson(dataset((ds) => ds.set(0x00100010, 'PN', Buffer.from([0xbb]))), { specificCharacterSet: 'ISO_IR 144' });
    assert.deepEqual(outer['00100010'], { vr: 'PN', Value: [{ Alphabetic: 'Л' }] });
  });

  test('binary values: InlineBinary, or BulkDataURI from the callback; encapsulated pixel data', () => {
    const pixels = Buffer.from([1, 2, 3, 4]);
    const ds = dataset((d) => {
      d.set(0x7fe00010, 'OW', pixels);
      d.set(0x00420011, 'OB', Buffer.alloc(0));
      d.set(0x00091001, 'UN', Buffer.from('ab'));
    });
    assert.deepEqual(datasetToJson(ds), {
      '00091001': { vr: 'UN', InlineBinary: 'YWI=' },
      '00420011': { vr: 'OB' },
      '7FE00010': { vr: 'OW', InlineBinary: 'AQIDBA==' },
    });
    const asked: string[] = [];
    const json = datasetToJson(ds, {
      bulkData: (el) => {
        asked.push(`${el.path} ${el.vr} ${el.value?.length}`);
        return el.tag === 0x7fe00010 ? 'https://pacs/studies/1/bulk/7FE00010' : undefined;
      },
    });
    assert.deepEqual(json['7FE00010'], { vr: 'OW', BulkDataURI: 'https://pacs/studies/1/bulk/7FE00010' });
    // Empty values have nothing to refer to, so the callback is not asked about them.
    assert.deepEqual(asked, ['00091001 UN 2', '7FE00010 OW 4']);

    const encapsulated = new Dataset().add({
      tag: 0x7fe00010, vr: 'OB', undefinedLength: true, fragments: [Buffer.alloc(0), Buffer.from([9, 8, 7, 6])],
    });
    const encJson = datasetToJson(encapsulated);
    const back = datasetFromJson(encJson).get(0x7fe00010)!;
    assert.deepEqual(back.fragments, [Buffer.alloc(0), Buffer.from([9, 8, 7, 6])]);
    const nested = datasetToJson(dataset((d) => d.set(0x00089121, 'SQ', [encapsulated])), { bulkData: (el) => el.path });
    assert.deepEqual((nested['00089121']!.Value as DicomJsonObject[])[0]!['7FE00010'], { vr: 'OB', BulkDataURI: '00089121/0/7FE00010' });
  });
});

describe('datasetFromJson', () => {
  const worklistItem = {
    '00080005': { vr: 'CS', Value: ['ISO_IR 100'] },
    '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Müller^Jürgen' }] },
    '00100020': { vr: 'LO', Value: ['PID-1'] },
    '00101030': { vr: 'DS', Value: [72.5] },
    '00400100': {
      vr: 'SQ',
      Value: [{
        '00080060': { vr: 'CS', Value: ['MR'] },
        '00400001': { vr: 'AE', Value: ['SCANNER1'] },
        '00400002': { vr: 'DA', Value: ['20240201'] },
        '00400007': { vr: 'LO', Value: ['Knie rechts'] },
      }],
    },
  };

  test('builds a worklist item in the character set it names', () => {
    const ds = datasetFromJson(worklistItem);
    assert.equal(ds.bytes(0x00100010)!.toString('latin1'), 'M\xfcller^J\xfcrgen ');
    assert.equal(ds.string(0x00101030), '72.5');
    const step = ds.items(0x00400100)![0]!;
    assert.equal(step.string(0x00400001), 'SCANNER1');
    assert.equal(step.bytes(0x00400002)!.length, 8);
    assert.deepEqual(datasetToJson(ds), worklistItem);
  });

  test('without (0008,0005), non-ASCII text selects ISO_IR 192; a given character set wins', () => {
    const json = { '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Wang^XiaoDong', Ideographic: '王^小東' }] } };
    const utf8 = datasetFromJson(json);
    assert.equal(utf8.string(0x00080005), 'ISO_IR 192');
    assert.equal(utf8.bytes(0x00100010)!.toString('utf8').trimEnd(), 'Wang^XiaoDong=王^小東');
    const gb = datasetFromJson(json, { specificCharacterSet: 'GB18030' });
    assert.equal(gb.string(0x00080005), 'GB18030');
    assert.equal(gb.bytes(0x00100010)!.toString('hex'), Buffer.from('Wang^XiaoDong=').toString('hex') + 'cdf55ed0a1967c20');
    const ascii = datasetFromJson({ '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Doe^John' }] } });
    assert.equal(ascii.has(0x00080005), false);
    const jis = datasetFromJson({ '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Yamada^Tarou', Ideographic: '山田^太郎' }] } },
      { specificCharacterSet: ['', 'ISO 2022 IR 87'] });
    assert.equal(jis.bytes(0x00100010)!.toString('latin1'), 'Yamada^Tarou=\x1b$B;3ED\x1b(B^\x1b$BB@O:\x1b(B');
    assert.equal(jis.bytes(0x00080005)!.toString('latin1'), '\\ISO 2022 IR 87 ');
  });

  test('a character the named set cannot hold is a CharsetError', () => {
    assert.throws(
      () => datasetFromJson({ '00080005': { vr: 'CS', Value: ['ISO_IR 100'] }, '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Иванов' }] } }),
      CharsetError,
    );
  });

  test('numbers are written in their VR: DS within 16 characters, IS as integers', () => {
    const ds = datasetFromJson({
      '00280030': { vr: 'DS', Value: [0.1 + 0.2, 1e-20, 123456789012345680000, '  2.50 '] },
      '00200013': { vr: 'IS', Value: [42, null, '7'] },
      '00280010': { vr: 'US', Value: [256] },
    });
    const ds30 = ds.string(0x00280030)!.split('\\');
    assert.ok(ds30.every((v) => v.length <= 16), ds30.join('\\'));
    assert.ok(Math.abs(Number(ds30[0]) - 0.3) < 1e-15);
    assert.equal(Number(ds30[1]), 1e-20);
    assert.ok(Math.abs(Number(ds30[2]) / 123456789012345680000 - 1) < 1e-9);
    assert.equal(ds30[3], '2.50');
    assert.equal(ds.string(0x00200013), '42\\\\7');
    assert.deepEqual(ds.numbers(0x00280010), [256]);
  });

  test('BulkDataURI needs a resolver', () => {
    const json = { '7FE00010': { vr: 'OW', BulkDataURI: 'https://pacs/bulk/1' } };
    assert.throws(() => datasetFromJson(json), /no bulkDataResolver/);
    const ds = datasetFromJson(json, { bulkDataResolver: (uri, el) => (uri.endsWith('/1') && el.vr === 'OW' ? Buffer.from([1, 2, 3]) : undefined) });
    assert.deepEqual(ds.bytes(0x7fe00010), Buffer.from([1, 2, 3, 0]));
    assert.equal(datasetFromJson(json, { bulkDataResolver: () => undefined }).has(0x7fe00010), false);
  });

  test('rejects documents that are not DICOM JSON, with one sentence naming the place', () => {
    const bad: Array<[unknown, RegExp]> = [
      [[], /Expected a DICOM JSON object at the top level, found an array\./],
      [{ '0010001': { vr: 'PN' } }, /is not eight hex digits/],
      [{ '00100010': { Value: ['x'] } }, /has no "vr"/],
      [{ '00100010': { vr: 'XX' } }, /unknown vr "XX"/],
      [{ '00100010': { vr: 'PN', Value: 'x' } }, /is not an array/],
      [{ '00100010': { vr: 'PN', Value: [{ Alfabetic: 'x' }] } }, /unknown component group "Alfabetic"/],
      [{ '00280010': { vr: 'US', Value: [70000] } }, /not an integer from 0 to 65535/],
      [{ '00280010': { vr: 'US', Value: ['1'] } }, /should be a number/],
      [{ '00200013': { vr: 'IS', Value: [1.5] } }, /not an integer that IS can hold/],
      [{ '00209165': { vr: 'AT', Value: ['0010,0010'] } }, /eight hex digits/],
      [{ '7FE00010': { vr: 'OB', Value: [1] } }, /must use InlineBinary or BulkDataURI/],
      [{ '7FE00010': { vr: 'OB', InlineBinary: 'not base64!' } }, /not base64/],
      [{ '00100010': { vr: 'PN', Value: [], InlineBinary: '' } }, /more than one of/],
      [{ '00081111': { vr: 'SQ', Value: ['x'] } }, /00081111\/0\//],
      [{ '00104000': { vr: 'LT', Value: ['a', 'b'] } }, /holds one value/],
      [{ '00100020': { vr: 'LO', Value: [5] } }, /should be a string/],
    ];
    for (const [json, message] of bad) {
      assert.throws(() => datasetFromJson(json), (err: unknown) => {
        assert.ok(err instanceof DicomJsonError, String(err));
        assert.match(err.message, message);
        assert.match(err.message, /^[^\n]+\.$/);
        return true;
      }, JSON.stringify(json));
    }
  });

  test('nesting deeper than 64 sequences is refused instead of exhausting the stack', () => {
    let json: Record<string, unknown> = { '00100020': { vr: 'LO', Value: ['leaf'] } };
    for (let i = 0; i < 70; i++) json = { '00081111': { vr: 'SQ', Value: [json] } };
    assert.throws(() => datasetFromJson(json), /nested more than 64 deep/);
  });
});
