import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  wildcardMatch, compileWildcard, compilePersonNameValue, personNameFold, trimValue, hasWildcard,
} from '../../../../src/services/query/text-match';
import { cpuTimeOf } from '../../../helpers/cpu-time';

describe('wildcardMatch (C.2.2.2.4)', () => {
  const cases: Array<[string, string, boolean]> = [
    ['*', '', true],
    ['*', 'anything', true],
    ['?', '', false],
    ['?', 'a', true],
    ['?', 'ab', false],
    ['CT?', 'CT', false],
    ['CT?', 'CTA', true],
    ['DOE*', 'DOE^JOHN', true],
    ['DOE*', 'DO', false],
    ['*JOHN', 'DOE^JOHN', true],
    ['*OE^J*', 'DOE^JOHN', true],
    ['D*E*N', 'DOE^JOHN', true],
    ['D*E*N', 'DOE^JOHNX', false],
    ['a*b*c', 'aXbYbZc', true],
    ['a*b*c', 'acb', false],
    ['**a**', 'bab', true],
    ['?*?', 'ab', true],
    ['?*?', 'a', false],
    ['abc', 'abc', true],
    ['abc', 'ABC', false],
    // The standard has no escape: a backslash is an ordinary character and "*" after it is still a wild card.
    ['a\\*', 'a\\xyz', true],
    ['a\\*', 'a*', false],
  ];
  for (const [pattern, text, expected] of cases) {
    test(`"${pattern}" vs "${text}" → ${expected}`, () => {
      assert.equal(wildcardMatch(pattern, text), expected);
      assert.equal(compileWildcard(pattern)(text), expected);
    });
  }

  test('"?" takes one character, also outside the BMP', () => {
    assert.equal(wildcardMatch('?', '😀'), true);
    assert.equal(wildcardMatch('??', '😀'), false);
    assert.equal(wildcardMatch('*?X', '😀X'), true);
    assert.equal(wildcardMatch('山?', '山田'), true);
  });

  test('a hostile pattern against a long text finishes quickly', () => {
    const text = 'a'.repeat(20_000);
    const { result, cpuMs } = cpuTimeOf(() => wildcardMatch('*a*a*a*a*a*a*a*a*a*a*b', text));
    assert.equal(result, false);
    assert.ok(cpuMs < 2000, `took ${cpuMs} ms of CPU`);
  });
});

describe('trimValue and hasWildcard', () => {
  test('trailing spaces and NULs go; leading spaces go except for LT/ST/UT/UR', () => {
    assert.equal(trimValue('  CT  ', 'CS'), 'CT');
    assert.equal(trimValue('1.2.3\0', 'UI'), '1.2.3');
    assert.equal(trimValue('  text  ', 'LT'), '  text');
    assert.equal(trimValue('', 'LO'), '');
  });
  test('hasWildcard', () => {
    assert.equal(hasWildcard('DOE*'), true);
    assert.equal(hasWildcard('DO?'), true);
    assert.equal(hasWildcard('DOE'), false);
  });
});

describe('compilePersonNameValue', () => {
  const exact = personNameFold('exact');
  const ci = personNameFold('case-insensitive');
  const fuzzy = personNameFold('fuzzy');
  const ja = 'Yamada^Tarou=山田^太郎=やまだ^たろう';

  test('single value matching ignores empty trailing components and padding', () => {
    const m = compilePersonNameValue('DOE^JOHN', exact);
    assert.equal(m('DOE^JOHN'), true);
    assert.equal(m('DOE^JOHN^^^'), true);
    assert.equal(m('DOE^JOHN  '), true);
    assert.equal(m('DOE^JOHNNY'), false);
    assert.equal(m('doe^john'), false);
    assert.equal(compilePersonNameValue('DOE^JOHN^^', exact)('DOE^JOHN'), true);
  });

  test('case-insensitive and fuzzy (accent-insensitive) folding', () => {
    assert.equal(compilePersonNameValue('doe^john', ci)('DOE^JOHN'), true);
    assert.equal(compilePersonNameValue('buc^jerome', ci)('Buc^Jérôme'), false);
    assert.equal(compilePersonNameValue('buc^jerome', fuzzy)('Buc^Jérôme'), true);
    assert.equal(compilePersonNameValue('ΔΙΟΝΥΣΙΟΣ', ci)('Διονυσιος'), true);
    assert.equal(compilePersonNameValue('BUC*', fuzzy)('büc^Jérôme'), true);
  });

  test('a key without "=" matches any component group of the candidate', () => {
    assert.equal(compilePersonNameValue('Yamada^Tarou', exact)(ja), true);
    assert.equal(compilePersonNameValue('山田^太郎', exact)(ja), true);
    assert.equal(compilePersonNameValue('やまだ*', exact)(ja), true);
    assert.equal(compilePersonNameValue('山田', exact)(ja), false);
    assert.equal(compilePersonNameValue('山田*', exact)(ja), true);
  });

  test('a key with "=" matches group by group; an empty key group matches anything', () => {
    assert.equal(compilePersonNameValue('=山田^太郎', exact)(ja), true);
    assert.equal(compilePersonNameValue('Yamada*=山田*', exact)(ja), true);
    assert.equal(compilePersonNameValue('Yamada*=田中*', exact)(ja), false);
    assert.equal(compilePersonNameValue('==やまだ^たろう', exact)(ja), true);
    assert.equal(compilePersonNameValue('=山田^太郎', exact)('Yamada^Tarou'), false);
    assert.equal(compilePersonNameValue('==', exact)('anything'), true);
  });

  test('a pattern that spells out "^" also finds names with fewer components', () => {
    assert.equal(compilePersonNameValue('DOE^*', exact)('DOE'), true);
    assert.equal(compilePersonNameValue('DOE^J*', exact)('DOE'), false);
    assert.equal(compilePersonNameValue('*^JOHN', exact)('DOE^JOHN^^^'), true);
  });
});
