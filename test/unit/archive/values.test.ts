// Decoding one header element into the value the archive index keeps.

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { decodeValue } from '../../../src/archive/archive-index/values';

const el = (vr: string, text: string) => {
  const value = Buffer.from(text, 'latin1');
  return { vr, length: value.length, value };
};
const decode = (vr: string, text: string) => decodeValue(el(vr, text), vr, []);

describe('decodeValue', () => {
  test('one value of a multi-valued text VR is a plain value; several are an array', () => {
    assert.equal(decode('IS', '12 '), 12);
    assert.equal(decode('DS', ' 0.5'), 0.5);
    assert.equal(decode('DS', '1e3 '), '1e3', 'a number not written as JavaScript writes it stays text');
    assert.equal(decode('IS', ''), '');
    assert.deepEqual(decode('DS', '1\\2.5\\-3 '), [1, 2.5, -3]);
    assert.deepEqual(decode('IS', '1\\x'), ['1', 'x'], 'one part that is no number keeps them all as text');
    assert.equal(decode('CS', ' CT '), 'CT');
    assert.deepEqual(decode('CS', 'ORIGINAL\\PRIMARY '), ['ORIGINAL', 'PRIMARY']);
    assert.equal(decode('PN', 'DOE^JOHN=='), 'DOE^JOHN', 'empty trailing component groups are dropped');
    assert.deepEqual(decode('PN', 'A^B=\\C^D= '), ['A^B', 'C^D']);
    assert.equal(decode('ST', 'a\\b '), 'a\\b', 'a single-valued VR keeps its backslashes');
  });

  test('values of every shape, one after another, decode the same however often the function ran', () => {
    const cases: [string, string, unknown][] = [
      ['IS', '7', 7], ['DS', '0.25', 0.25], ['DS', '1\\2', [1, 2]], ['DS', '1.5\\2', [1.5, 2]],
      ['IS', '3\\y', ['3', 'y']], ['CS', 'A\\B', ['A', 'B']], ['PN', 'X^Y=', 'X^Y'], ['DS', '-0.5\\1e2', ['-0.5', '1e2']],
    ];
    for (let round = 0; round < 3000; round++) {
      const [vr, text, expected] = cases[round % cases.length]!;
      assert.deepEqual(decode(vr, text), expected, `${vr} ${text} (round ${round})`);
    }
  });
});
