import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  MediaTypeError, formatMediaType, parseAccept, parseContentType, type MediaType,
} from '../../../src/dicomweb/multipart';

const plain = (mt: MediaType) => ({ type: mt.type, subtype: mt.subtype, params: { ...mt.params } });

describe('parseContentType', () => {
  test('a STOW-RS request Content-Type with quoted parameters', () => {
    const mt = parseContentType('Multipart/Related; type="application/dicom"; boundary="a b:c=d"; Transfer-Syntax=1.2.840.10008.1.2.4.50');
    assert.deepEqual(plain(mt), {
      type: 'multipart', subtype: 'related',
      params: { type: 'application/dicom', boundary: 'a b:c=d', 'transfer-syntax': '1.2.840.10008.1.2.4.50' },
    });
  });

  test('quoted-pairs, empty parameters, whitespace and an unquoted slash', () => {
    // RFC 7231 allows no whitespace around "=".
    assert.throws(() => parseContentType('text/plain; charset = "x"'), MediaTypeError);
    assert.deepEqual(plain(parseContentType('a/b; x="q\\"uo\\\\te";;  ; type=application/dicom ;')), {
      type: 'a', subtype: 'b', params: { x: 'q"uo\\te', type: 'application/dicom' },
    });
    assert.equal(parseContentType('application/dicom+json').params['charset'], undefined);
    assert.equal(parseContentType('multipart/related; boundary=Ab-Cd_09').params['boundary'], 'Ab-Cd_09');
  });

  test('malformed values are MediaTypeErrors with status 400 and one sentence', () => {
    for (const bad of ['', 'application', 'application/', '/dicom', 'a/b c', 'a/b; x', 'a/b; x="open', 'a/b; =v',
      'a/b; x=1; X=2', 'a/b; x="ctl\u0001"', 'a/b, c/d', 'a b/c']) {
      assert.throws(() => parseContentType(bad), (e: unknown) => {
        assert.ok(e instanceof MediaTypeError, `${JSON.stringify(bad)}: ${String(e)}`);
        assert.equal(e.status, 400);
        assert.match(e.message, /^The Content-Type header .*\.$/);
        return true;
      }, JSON.stringify(bad));
    }
    assert.throws(() => parseContentType('a/b; x=' + 'y'.repeat(9000)), /longer than 8192/);
  });

  test('formatMediaType quotes what is not a token, and parses back', () => {
    const mt = { type: 'multipart', subtype: 'related', params: { type: 'application/dicom', boundary: 'simple', q: 'a"b\\c' } };
    const text = formatMediaType(mt);
    assert.equal(text, 'multipart/related; type="application/dicom"; boundary=simple; q="a\\"b\\\\c"');
    assert.deepEqual(plain(parseContentType(text)), mt);
    assert.throws(() => formatMediaType({ type: 'a', subtype: 'b', params: { x: 'line\r\nbreak' } }), MediaTypeError);
    assert.throws(() => formatMediaType({ type: 'a b', subtype: 'c', params: {} }), MediaTypeError);
  });

  test('property: format then parse gives back type, subtype and parameters', () => {
    const token = fc.stringMatching(/^[a-z0-9!#$%&'*+\-.^_`|~]{1,12}$/);
    const value = fc.string({ unit: fc.constantFrom(...'abc XYZ/"\\;,=()09.-*\t'.split('')), maxLength: 20 });
    fc.assert(fc.property(token, token, fc.dictionary(token, value, { maxKeys: 4 }), (type, subtype, params) => {
      const mt = { type, subtype, params };
      assert.deepEqual(plain(parseContentType(formatMediaType(mt))), plain(mt));
    }), { numRuns: 500 });
  });
});

describe('parseAccept', () => {
  test('WADO-RS Accept with q-values, ordered by preference', () => {
    const entries = parseAccept(
      'multipart/related; type="application/dicom"; transfer-syntax=*; q=0.5, '
      + 'application/dicom+json, multipart/related; type="application/octet-stream"; q=0.9; level=1,,*/*;q=0',
    );
    assert.deepEqual(entries.map((e) => [e.type, e.subtype, { ...e.params }, e.q]), [
      ['application', 'dicom+json', {}, 1],
      ['multipart', 'related', { type: 'application/octet-stream' }, 0.9],
      ['multipart', 'related', { type: 'application/dicom', 'transfer-syntax': '*' }, 0.5],
      ['*', '*', {}, 0],
    ]);
  });

  test('ties keep header order; an empty header is an empty list', () => {
    assert.deepEqual(parseAccept('b/b;q=0.3, a/a;q=0.3, c/*').map((e) => e.type), ['c', 'b', 'a']);
    assert.deepEqual(parseAccept(''), []);
    assert.deepEqual(parseAccept(' , ,'), []);
    assert.equal(parseAccept('a/b;Q=0.25')[0].q, 0.25);
  });

  test('bad q-values and media ranges are 400s', () => {
    for (const bad of ['a/b;q=2', 'a/b;q=0.1234', 'a/b;q=x', 'a/b;q=-1', '*/b', 'a', 'a/b c/d', 'a/b;q=1.5']) {
      assert.throws(() => parseAccept(bad), (e: unknown) => e instanceof MediaTypeError && e.status === 400, bad);
    }
    assert.equal(parseAccept('a/b;q=1.000')[0].q, 1);
    assert.equal(parseAccept('a/b;q=0.')[0].q, 0);
  });
});
