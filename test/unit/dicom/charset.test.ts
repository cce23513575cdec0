import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as dicomParser from 'dicom-parser';
import fc from 'fast-check';
import {
  CharsetError,
  decodeText,
  encodeText,
  canEncodeText,
  charsetDecoder,
  charsetEncoder,
  isCharsetSupported,
  normalizeCharsetTerms,
  splitPersonName,
  joinPersonName,
  splitNameComponents,
  joinNameComponents,
} from '../../../src/dicom/charset';
import { CODE_ELEMENTS } from '../../../src/dicom/charset/code-elements';

const FIXTURES = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'charset');
const PYDICOM_CHARSET_FILES = '/usr/lib/python3/dist-packages/pydicom/data/charset_files';

interface ExpectedElement {
  path: string;
  vr: string;
  charset: string[];
  raw: string;
  values: string[];
}

/** Made by test/fixtures/charset/make-expected.py: what pydicom decodes from each text element. */
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as {
  pydicom: string;
  files: Record<string, ExpectedElement[]>;
};

const MULTI_VALUED = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'PN', 'SH', 'TM', 'UC', 'UI']);

/** Our decoded text shaped the way pydicom presents values: split, trailing padding removed, PN without empty trailing groups. */
function asPydicomValues(text: string, vr: string): string[] {
  const values = (MULTI_VALUED.has(vr) ? text.split('\\') : [text]).map((v) => v.replace(/[ \0]+$/, ''));
  return vr === 'PN' ? values.map((v) => joinPersonName(splitPersonName(v))) : values;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const latin1 = (text: string) => Buffer.from(text, 'latin1');
const ESC = '\x1b';

describe('decodeText agrees with pydicom on its charset_files', () => {
  for (const [file, elements] of Object.entries(expected.files)) {
    test(file, () => {
      assert.ok(elements.length > 0);
      for (const el of elements) {
        const text = decodeText(Buffer.from(el.raw, 'hex'), el.charset, el.vr);
        assert.deepEqual(asPydicomValues(text, el.vr), el.values, `${file} ${el.path} (${el.vr}, ${el.charset.join('\\')})`);
      }
    });
  }

  test('the fixture covers every file and the interesting character sets', () => {
    const files = Object.keys(expected.files);
    for (const name of ['chrArab.dcm', 'chrFren.dcm', 'chrFrenMulti.dcm', 'chrGerm.dcm', 'chrGreek.dcm', 'chrH31.dcm',
      'chrH32.dcm', 'chrHbrw.dcm', 'chrI2.dcm', 'chrJapMulti.dcm', 'chrJapMultiExplicitIR6.dcm', 'chrKoreanMulti.dcm',
      'chrRuss.dcm', 'chrSQEncoding.dcm', 'chrSQEncoding1.dcm', 'chrX1.dcm', 'chrX2.dcm']) {
      assert.ok(files.includes(name), name);
    }
    const patientName = (file: string) => expected.files[file]!.find((e) => e.path === '00100010')!.values[0];
    assert.equal(patientName('chrH31.dcm'), 'Yamada^Tarou=山田^太郎=やまだ^たろう');
    assert.equal(patientName('chrH32.dcm'), 'ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう');
    assert.equal(patientName('chrI2.dcm'), 'Hong^Gildong=洪^吉洞=홍^길동');
    assert.equal(patientName('chrX2.dcm'), 'Wang^XiaoDong=王^小东');
    const nested = expected.files['chrSQEncoding.dcm']!.find((e) => e.path === '00321064/0/00100010')!;
    // The raw value keeps its padding: 'ISO 2022 IR 87 '.
    assert.deepEqual(normalizeCharsetTerms(nested.charset), ['ISO 2022 IR 13', 'ISO 2022 IR 87']);
  });

  test('the fixture bytes are the bytes in the files (read with dicom-parser)', (t) => {
    if (!existsSync(PYDICOM_CHARSET_FILES)) {
      t.skip('python3-pydicom is not installed');
      return;
    }
    let checked = 0;
    for (const [file, elements] of Object.entries(expected.files)) {
      const bytes = readFileSync(join(PYDICOM_CHARSET_FILES, file));
      const dataSet = dicomParser.parseDicom(bytes);
      for (const el of elements) {
        const element = findElement(dataSet, el.path);
        assert.ok(element, `${file} ${el.path}`);
        const raw = bytes.subarray(element.dataOffset, element.dataOffset + element.length);
        assert.equal(hex(raw), el.raw, `${file} ${el.path}`);
        checked++;
      }
    }
    assert.equal(checked, Object.values(expected.files).reduce((n, els) => n + els.length, 0));
  });
});

function findElement(dataSet: dicomParser.DataSet, path: string): dicomParser.Element | undefined {
  const parts = path.split('/');
  let current: dicomParser.DataSet | undefined = dataSet;
  for (let i = 0; i < parts.length; i += 2) {
    const element: dicomParser.Element | undefined = current?.elements[`x${parts[i]!.toLowerCase()}`];
    if (i + 1 >= parts.length) return element;
    current = element?.items?.[Number(parts[i + 1])]?.dataSet;
  }
  return undefined;
}

describe('encodeText reproduces the bytes of the charset_files', () => {
  // These files use escape sequences that the standard does not ask for, so the bytes are not the
  // only correct encoding: chrKoreanMulti adds ESC ( B although G0 never left ASCII, and
  // chrSQEncoding/chrSQEncoding1 return with ESC ( B (ISO-IR 6, not declared) instead of ESC ( J
  // (ISO-IR 14, the G0 of value 1 "ISO 2022 IR 13"). For them the text must survive a round trip.
  const notUnique = new Set([
    'chrKoreanMulti.dcm 00081070', 'chrKoreanMulti.dcm 00100010', 'chrKoreanMulti.dcm 00101001',
    'chrKoreanMulti.dcm 001021B0', 'chrSQEncoding.dcm 00321064/0/00100010', 'chrSQEncoding1.dcm 00321064/0/00100010',
  ]);

  for (const [file, elements] of Object.entries(expected.files)) {
    test(file, () => {
      for (const el of elements) {
        const raw = Buffer.from(el.raw, 'hex');
        const text = decodeText(raw, el.charset, el.vr);
        const encoded = encodeText(text, el.charset, el.vr);
        if (notUnique.has(`${file} ${el.path}`)) {
          assert.notEqual(hex(encoded), el.raw, `${file} ${el.path} is listed as not unique`);
          assert.equal(decodeText(encoded, el.charset, el.vr), text, `${file} ${el.path}`);
        } else {
          assert.equal(hex(encoded), el.raw, `${file} ${el.path}`);
        }
      }
    });
  }

  test('the non-unique encodings are the canonical ones', () => {
    const cs = ['', 'ISO 2022 IR 149'];
    assert.equal(hex(encodeText('김희중 ', cs, 'PN')), '1b242943b1e8c8f1c1df20');
    const jp = ['ISO 2022 IR 13', 'ISO 2022 IR 87'];
    assert.equal(encodeText('ﾔ=山^', jp, 'PN').toString('latin1'), `\xd4=${ESC}$B;3${ESC}(J^`);
  });
});

describe('decodeText: code extensions and their resets', () => {
  test('the initial sets return after each PN delimiter even when the writer forgot the escape', () => {
    // ESC - L designates Cyrillic into G1; "^" restores the initial state, where G1 is Latin-1.
    const bytes = latin1(`${ESC}-L\xbb\xee^\xbb\xee=\xbb`);
    assert.equal(decodeText(bytes, ['ISO 2022 IR 100', 'ISO 2022 IR 144'], 'PN'), 'Лю^»î=»');
  });

  test('"\\" resets for multi-valued VRs but is an ordinary character in LT, ST and UT', () => {
    const bytes = latin1(`${ESC}-L\xbb\\\xbb`);
    const cs = ['', 'ISO 2022 IR 144'];
    assert.equal(decodeText(bytes, cs, 'LO'), 'Л\\»');
    assert.equal(decodeText(bytes, cs, 'SH'), 'Л\\»');
    assert.equal(decodeText(bytes, cs, 'LT'), 'Л\\Л');
    assert.equal(decodeText(bytes, cs, 'UT'), 'Л\\Л');
  });

  test('CR, LF, TAB and FF reset in every VR', () => {
    const cs = ['', 'ISO 2022 IR 87'];
    // After CR LF the G0 set is ASCII again, so the same two bytes read as "$d".
    assert.equal(decodeText(latin1(`${ESC}$B$d\r\n$d`), cs, 'LT'), 'や\r\n$d');
    assert.equal(decodeText(latin1(`${ESC}$B$d\t$d`), cs, 'ST'), 'や\t$d');
    assert.equal(decodeText(latin1(`${ESC}$B$d\f$d`), cs, 'LO'), 'や\f$d');
  });

  test('two-byte characters whose bytes look like delimiters are not split', () => {
    const cs = ['', 'ISO 2022 IR 87'];
    // JIS X 0208 row 0x3D, 0x5C and 0x5E hold kanji: "=", "\" and "^" as lead bytes.
    for (const row of [0x3d, 0x5c, 0x5e]) {
      const bytes = Buffer.from([0x1b, 0x24, 0x42, row, 0x21, row, 0x5e, 0x1b, 0x28, 0x42]);
      const text = decodeText(bytes, cs, 'PN');
      assert.equal([...text].length, 2, `row ${row.toString(16)}: ${text}`);
      assert.ok(!/[\\^=\ufffd]/.test(text), text);
      assert.deepEqual(encodeText(text, cs, 'PN'), bytes);
    }
    // "ま" is 0x24 0x5E: the caret byte belongs to the character.
    assert.equal(decodeText(latin1(`${ESC}$B$^${ESC}(B^x`), cs, 'PN'), 'ま^x');
  });

  test('JIS X 0212 (ISO 2022 IR 159) is designated into G0 with a four-byte escape', () => {
    const cs = ['', 'ISO 2022 IR 87', 'ISO 2022 IR 159'];
    const bytes = latin1(`A${ESC}$(D0!${ESC}$B$d${ESC}(B`);
    const text = decodeText(bytes, cs, 'LO');
    assert.equal(text, 'A丂や');
    assert.deepEqual(encodeText(text, cs, 'LO'), bytes);
  });

  test('GB 2312 (ISO 2022 IR 58), as in PS3.5 Annex K', () => {
    const cs = ['', 'ISO 2022 IR 58'];
    const bytes = latin1(`Zhang^XiaoDong=${ESC}$)A\xd5\xc5^${ESC}$)A\xd0\xa1\xb6\xab=`);
    const text = decodeText(bytes, cs, 'PN');
    assert.equal(text, 'Zhang^XiaoDong=张^小东=');
    assert.deepEqual(encodeText(text, cs, 'PN'), bytes);
  });

  test('a sole ISO 2022 IR 149 puts KS X 1001 into G1 from the start', () => {
    assert.equal(decodeText(latin1('\xc8\xab^\xb1\xe6\xb5\xbf'), 'ISO 2022 IR 149', 'PN'), '홍^길동');
    assert.equal(encodeText('홍^길동', 'ISO 2022 IR 149', 'PN').toString('latin1'), '\xc8\xab^\xb1\xe6\xb5\xbf');
  });

  test('ISO_IR 13 reads half-width katakana and ASCII without escapes', () => {
    const bytes = latin1('\xd4\xcf\xc0\xde^TARO');
    assert.equal(decodeText(bytes, 'ISO_IR 13', 'PN'), 'ﾔﾏﾀﾞ^TARO');
    assert.deepEqual(encodeText('ﾔﾏﾀﾞ^TARO', 'ISO_IR 13', 'PN'), bytes);
  });

  test('Latin-9, Latin-2, Latin-4, Latin-3 and Thai single-byte sets', () => {
    assert.equal(decodeText(latin1('\xa4\xbc'), 'ISO_IR 203', 'LO'), '€Œ');
    assert.equal(decodeText(latin1('\xa9\xe8'), 'ISO_IR 101', 'LO'), 'Šč');
    assert.equal(decodeText(latin1('\xa7\xbd'), 'ISO_IR 110', 'LO'), '§Ŋ');
    assert.equal(decodeText(latin1('\xa6\xa5'), 'ISO_IR 109', 'LO'), 'Ĥ\ufffd');
    assert.equal(decodeText(latin1('\xa1\xdb'), 'ISO_IR 166', 'LO'), 'ก\ufffd');
    assert.equal(decodeText(latin1(`${ESC}-T\xa1`), ['', 'ISO 2022 IR 166'], 'LO'), 'ก');
  });

  test('UTF-8, GB18030 and GBK are decoded whole, so a 0x5C trail byte is not a delimiter', () => {
    // GBK 0x815C is a hanzi whose second byte is "\".
    const gbk = Buffer.from([0x81, 0x5c, 0x5c, 0x41]);
    const text = decodeText(gbk, 'GBK', 'LO');
    assert.equal(text.split('\\').length, 2);
    assert.equal(text.split('\\')[1], 'A');
    assert.deepEqual(encodeText(text, 'GBK', 'LO'), gbk);
    assert.equal(decodeText(gbk, 'GB18030', 'LO'), text);
    assert.equal(decodeText(Buffer.from('Ünïcødé ✓', 'utf8'), 'ISO_IR 192', 'UT'), 'Ünïcødé ✓');
  });

  test('lenient reading: default repertoire, unknown terms, misplaced stand-alone sets', () => {
    assert.equal(decodeText(latin1('M\xfcller'), undefined, 'PN'), 'Müller');
    assert.equal(decodeText(latin1('M\xfcller'), 'ISO_IR 999', 'PN'), 'Müller');
    assert.equal(decodeText(latin1('M\xfcller'), 'ISO IR 100', 'PN'), 'Müller');
    assert.equal(decodeText(Buffer.from('Müller', 'utf8'), ['ISO_IR 192', 'ISO 2022 IR 100'], 'PN'), 'Müller');
    assert.equal(decodeText(latin1(`${ESC}-L\xbb`), ['', 'ISO_IR 192', 'ISO 2022 IR 144'], 'PN'), 'Л');
    // An escape sequence nobody registered is kept as text.
    assert.equal(decodeText(latin1(`a${ESC}(Zb`), ['', 'ISO 2022 IR 87'], 'LO'), `a${ESC}(Zb`);
    // A truncated two-byte character becomes one replacement character.
    assert.equal(decodeText(latin1(`${ESC}$B$`), ['', 'ISO 2022 IR 87'], 'LO'), '\ufffd');
  });

  test('VRs outside SH, LO, ST, LT, UC, UT and PN ignore the Specific Character Set', () => {
    assert.equal(decodeText(latin1('\xbb\xee'), 'ISO_IR 144', 'CS'), '»î');
    assert.equal(decodeText(latin1('\xbb\xee'), 'ISO_IR 144', 'UC'), 'Лю');
    assert.equal(decodeText(Buffer.alloc(0), 'ISO_IR 144', 'PN'), '');
  });
});

describe('encodeText', () => {
  test('switches G1 with escape sequences and restores the initial set at delimiters and the end', () => {
    const cs = ['ISO 2022 IR 100', 'ISO 2022 IR 144'];
    const bytes = encodeText('Jérôme Лю^Ö', cs, 'PN');
    assert.equal(bytes.toString('latin1'), `J\xe9r\xf4me ${ESC}-L\xbb\xee${ESC}-A^\xd6`);
    assert.equal(decodeText(bytes, cs, 'PN'), 'Jérôme Лю^Ö');
    assert.equal(encodeText('Лю', cs, 'LO').toString('latin1'), `${ESC}-L\xbb\xee${ESC}-A`);
  });

  test('returns to ASCII before a space, a control character and the end of a value', () => {
    const cs = ['', 'ISO 2022 IR 87'];
    assert.equal(encodeText('山 田\r\n山', cs, 'LT').toString('latin1'),
      `${ESC}$B;3${ESC}(B ${ESC}$BED${ESC}(B\r\n${ESC}$B;3${ESC}(B`);
    assert.equal(encodeText('　', cs, 'LO').toString('latin1'), `${ESC}$B!!${ESC}(B`);
  });

  test('throws a CharsetError naming the character when it cannot be represented', () => {
    assert.throws(() => encodeText('Жан', 'ISO_IR 100', 'PN'), (err: unknown) => {
      assert.ok(err instanceof CharsetError);
      assert.equal(err.codePoint, 0x416);
      assert.equal(err.index, 0);
      assert.match(err.message, /^The character "Ж" \(U\+0416\) at position 0 cannot be represented in Specific Character Set "ISO_IR 100"\.$/);
      return true;
    });
    assert.throws(() => encodeText('Müller', undefined, 'PN'), /default repertoire/);
    assert.throws(() => encodeText('Müller', 'ISO_IR 100', 'CS'), CharsetError);
    assert.throws(() => encodeText('山', ['ISO 2022 IR 100'], 'LO'), CharsetError);
    assert.throws(() => encodeText('\ud800', 'ISO_IR 192', 'LO'), CharsetError);
    assert.throws(() => encodeText('😀', 'GBK', 'LO'), CharsetError);
    assert.throws(() => encodeText(`a${ESC}b`, ['', 'ISO 2022 IR 87'], 'LO'), CharsetError);
    // Without code extensions, a one-byte term only has its own G0 and G1.
    assert.throws(() => encodeText('Л', 'ISO_IR 100', 'LO'), CharsetError);
    assert.equal(canEncodeText('Лю', 'ISO_IR 144', 'LO'), true);
    assert.equal(canEncodeText('Лю', 'ISO_IR 100', 'LO'), false);
  });

  test('GB18030 covers all of Unicode, in two and four bytes', () => {
    assert.equal(hex(encodeText('王😀', 'GB18030', 'LO')), 'cdf59439fc36');
    // Every 37th BMP code point survives a round trip; left aside are surrogates, U+FFFD and the
    // private-use area, where the runtime's GB18030 table lacks 19 code points (they throw).
    const chars: string[] = [];
    for (let cp = 0x80; cp <= 0xfffc; cp += 37) if (cp < 0xd800 || cp > 0xf8ff) chars.push(String.fromCodePoint(cp));
    const text = chars.join('');
    assert.equal(decodeText(encodeText(text, 'GB18030', 'LT'), 'GB18030', 'LT'), text);
  });

  test('UTF-8 and GBK', () => {
    assert.equal(hex(encodeText('王^小東', 'ISO_IR 192', 'PN')), 'e78e8b5ee5b08fe69db1');
    assert.equal(hex(encodeText('王^小东', 'GBK', 'PN')), 'cdf55ed0a1b6ab');
  });

  test('every character of every code element survives decode, encode, decode', () => {
    const setsByTerms: Array<[string[], number, (typeof CODE_ELEMENTS)[keyof typeof CODE_ELEMENTS]]> = [
      [['', 'ISO 2022 IR 87'], 2, CODE_ELEMENTS.IR87],
      [['', 'ISO 2022 IR 159'], 2, CODE_ELEMENTS.IR159],
      [['', 'ISO 2022 IR 149'], 2, CODE_ELEMENTS.IR149],
      [['', 'ISO 2022 IR 58'], 2, CODE_ELEMENTS.IR58],
    ];
    for (const [cs, , element] of setsByTerms) {
      let mapped = 0;
      for (let row = 0x21; row <= 0x7e; row++) {
        for (let cell = 0x21; cell <= 0x7e; cell++) {
          const high = element.slot === 'G1' ? 0x80 : 0;
          const bytes = Buffer.from([...element.escape, row | high, cell | high]);
          const text = decodeText(bytes, cs, 'LO');
          if (text === '\ufffd') continue;
          mapped++;
          assert.equal(decodeText(encodeText(text, cs, 'LO'), cs, 'LO'), text, `${element.id} ${row.toString(16)}${cell.toString(16)}`);
        }
      }
      assert.ok(mapped > 5000, `${element.id}: ${mapped} characters`);
    }
    for (const term of ['ISO_IR 100', 'ISO_IR 101', 'ISO_IR 109', 'ISO_IR 110', 'ISO_IR 144', 'ISO_IR 127', 'ISO_IR 126',
      'ISO_IR 138', 'ISO_IR 148', 'ISO_IR 203', 'ISO_IR 166', 'ISO_IR 13']) {
      for (let b = 0xa0; b <= 0xff; b++) {
        const bytes = Buffer.from([b]);
        const text = decodeText(bytes, term, 'LO');
        if (text === '\ufffd') continue;
        assert.deepEqual(encodeText(text, term, 'LO'), bytes, `${term} ${b.toString(16)}`);
      }
    }
  });

  test('random mixed-script person names survive a round trip (property)', () => {
    const cs = ['ISO 2022 IR 13', 'ISO 2022 IR 87', 'ISO 2022 IR 159', 'ISO 2022 IR 100', 'ISO 2022 IR 144'];
    const pool = [...'AZaz09 -.^=\\', ...'ﾔﾏﾀﾞﾛｳ', ...'山田太郎やまだたろう丂　', ...'éôÖß', ...'ЛюкЖ'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pool), { maxLength: 24 }), (chars) => {
        const text = chars.join('');
        for (const vr of ['PN', 'LO', 'LT']) {
          assert.equal(decodeText(encodeText(text, cs, vr), cs, vr), text);
        }
      }),
      { seed: 20240501, numRuns: 300 },
    );
  });
});

test('charsetDecoder and charsetEncoder bind a character set for Dataset.string() and Dataset.set()', () => {
  const cs = ['', 'ISO 2022 IR 149'];
  const bytes = charsetEncoder(cs)('홍^길동', 'PN');
  assert.equal(bytes.toString('latin1'), `${ESC}$)C\xc8\xab^${ESC}$)C\xb1\xe6\xb5\xbf`);
  assert.equal(charsetDecoder(cs)(bytes, 'PN'), '홍^길동');
});

describe('terms', () => {
  test('normalizeCharsetTerms', () => {
    assert.deepEqual(normalizeCharsetTerms(undefined), []);
    assert.deepEqual(normalizeCharsetTerms(''), []);
    assert.deepEqual(normalizeCharsetTerms(['', '']), []);
    assert.deepEqual(normalizeCharsetTerms('ISO_IR 100'), ['ISO_IR 100']);
    assert.deepEqual(normalizeCharsetTerms(' iso ir 100 '), ['ISO_IR 100']);
    assert.deepEqual(normalizeCharsetTerms('ISO-IR 192'), ['ISO_IR 192']);
    assert.deepEqual(normalizeCharsetTerms('\\ISO 2022 IR 87'), ['', 'ISO 2022 IR 87']);
    assert.deepEqual(normalizeCharsetTerms(['ISO2022 IR 13', 'ISO 2022 IR87']), ['ISO 2022 IR 13', 'ISO 2022 IR 87']);
    assert.deepEqual(normalizeCharsetTerms(['ISO 2022 IR 100', '']), ['ISO 2022 IR 100']);
    assert.deepEqual(normalizeCharsetTerms('gb18030'), ['GB18030']);
  });

  test('isCharsetSupported', () => {
    for (const ok of [undefined, '', 'ISO_IR 100', 'ISO_IR 13', 'ISO_IR 166', 'ISO_IR 192', 'GB18030', 'GBK',
      ['', 'ISO 2022 IR 87', 'ISO 2022 IR 159'], ['ISO 2022 IR 13', 'ISO 2022 IR 87'], ['', 'ISO 2022 IR 149'],
      ['', 'ISO 2022 IR 58'], 'ISO 2022 IR 6', ['ISO 2022 IR 100', 'ISO 2022 IR 126']]) {
      assert.equal(isCharsetSupported(ok), true, JSON.stringify(ok));
    }
    for (const bad of ['ISO_IR 999', 'UTF-8', ['ISO_IR 192', 'GB18030'], ['', 'ISO_IR 192'], ['ISO_IR 100', 'ISO 2022 IR 87'],
      ['', 'ISO 2022 IR 999']]) {
      assert.equal(isCharsetSupported(bad), false, JSON.stringify(bad));
    }
  });
});

describe('person names', () => {
  test('component groups', () => {
    assert.deepEqual(splitPersonName('Yamada^Tarou=山田^太郎=やまだ^たろう'),
      { alphabetic: 'Yamada^Tarou', ideographic: '山田^太郎', phonetic: 'やまだ^たろう' });
    assert.deepEqual(splitPersonName('Wang^XiaoDong=王^小東='), { alphabetic: 'Wang^XiaoDong', ideographic: '王^小東', phonetic: '' });
    assert.deepEqual(splitPersonName('=山田'), { alphabetic: '', ideographic: '山田', phonetic: '' });
    assert.equal(joinPersonName({ alphabetic: 'Wang^XiaoDong', ideographic: '王^小東' }), 'Wang^XiaoDong=王^小東');
    assert.equal(joinPersonName({ ideographic: '山田' }), '=山田');
    assert.equal(joinPersonName({}), '');
  });

  test('components', () => {
    assert.deepEqual(splitNameComponents('Adams^John Robert Quincy^^Rev.^B.A. M.Div.'),
      { familyName: 'Adams', givenName: 'John Robert Quincy', middleName: '', namePrefix: 'Rev.', nameSuffix: 'B.A. M.Div.' });
    assert.deepEqual(splitNameComponents('Doe'), { familyName: 'Doe', givenName: '', middleName: '', namePrefix: '', nameSuffix: '' });
    assert.equal(joinNameComponents({ familyName: 'Doe', givenName: 'John' }), 'Doe^John');
    assert.equal(joinNameComponents({ familyName: 'Doe', namePrefix: 'Dr' }), 'Doe^^^Dr');
  });
});
