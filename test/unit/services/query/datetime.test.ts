import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseDate, parseTime, parseDateTime, parseDateTimeKey, splitRange, inSpan, US_PER_DAY,
} from '../../../../src/services/query/datetime';

const H = 3_600_000_000;
const M = 60_000_000;
const S = 1_000_000;
const day = (iso: string) => Date.parse(iso + 'T00:00:00Z') / 86_400_000;

describe('parseDate (DA)', () => {
  test('YYYYMMDD as a day number since 1970-01-01', () => {
    assert.equal(parseDate('19700101'), 0);
    assert.equal(parseDate('20240229'), day('2024-02-29'));
    assert.equal(parseDate(' 20240101 '), day('2024-01-01'));
  });
  test('the ACR-NEMA form YYYY.MM.DD is read too', () => {
    assert.equal(parseDate('2024.03.15'), day('2024-03-15'));
  });
  test('impossible and malformed dates are rejected', () => {
    for (const bad of ['20230229', '20241301', '20240100', '2024010', '202401011', '2024-01-01', 'abcdefgh', '']) {
      assert.equal(parseDate(bad), undefined, bad);
    }
  });
  test('years before 100 are not shifted into the 1900s', () => {
    assert.equal(parseDate('00500101')! < parseDate('19000101')!, true);
  });
});

describe('parseTime (TM) as the span a value of reduced precision names', () => {
  test('HH is the whole hour', () => {
    assert.deepEqual(parseTime('10'), { lo: 10 * H, hi: 11 * H - 1 });
  });
  test('HHMM is the whole minute, HHMMSS the whole second', () => {
    assert.deepEqual(parseTime('1030'), { lo: 10 * H + 30 * M, hi: 10 * H + 31 * M - 1 });
    assert.deepEqual(parseTime('103015'), { lo: 10 * H + 30 * M + 15 * S, hi: 10 * H + 30 * M + 16 * S - 1 });
  });
  test('fractions narrow the span to their last digit', () => {
    assert.deepEqual(parseTime('103015.5'), { lo: 10 * H + 30 * M + 15 * S + 500_000, hi: 10 * H + 30 * M + 15 * S + 599_999 });
    assert.deepEqual(parseTime('000000.000001'), { lo: 1, hi: 1 });
  });
  test('the ACR-NEMA form HH:MM:SS is read too, and a leap second is allowed', () => {
    assert.deepEqual(parseTime('10:30:15'), parseTime('103015'));
    assert.notEqual(parseTime('235960'), undefined);
  });
  test('malformed times are rejected', () => {
    for (const bad of ['24', '1060', '103', '1030.5', '103015.1234567', '10a0', '', '10:3']) {
      assert.equal(parseTime(bad), undefined, bad);
    }
  });
});

describe('parseDateTime (DT)', () => {
  test('a year is the whole year, a month the whole month (leap years counted)', () => {
    const y = parseDateTime('2024')!;
    assert.equal(y.lo, day('2024-01-01') * US_PER_DAY);
    assert.equal(y.hi, day('2025-01-01') * US_PER_DAY - 1);
    const feb = parseDateTime('202402')!;
    assert.equal(feb.hi - feb.lo + 1, 29 * US_PER_DAY);
    const dec = parseDateTime('202412')!;
    assert.equal(dec.hi + 1, day('2025-01-01') * US_PER_DAY);
  });
  test('a UTC offset is applied, a value without one takes the default offset', () => {
    const utc = parseDateTime('20240101120000')!;
    const plus1 = parseDateTime('20240101130000+0100')!;
    assert.equal(plus1.lo, utc.lo);
    assert.equal(plus1.hasOffset, true);
    const minus5 = parseDateTime('20240101070000-0500')!;
    assert.equal(minus5.lo, utc.lo);
    assert.equal(parseDateTime('20240101130000', 60)!.lo, utc.lo);
  });
  test('malformed datetimes and impossible offsets are rejected', () => {
    for (const bad of ['202', '20240230', '2024010112000', '20240101120000+1500', '20240101120000-1300', '20240101120000+0160', '2024.5']) {
      assert.equal(parseDateTime(bad), undefined, bad);
    }
  });
});

describe('parseDateTimeKey tells a range from a value with a negative offset', () => {
  test('a negative offset alone is a single value', () => {
    const k = parseDateTimeKey('20240101120000-0500')!;
    assert.equal(k.kind, 'single');
    assert.equal(k.span.lo, parseDateTime('20240101170000')!.lo);
  });
  test('ranges open on either end, and ranges whose ends carry offsets', () => {
    assert.equal(parseDateTimeKey('2024-2025')!.kind, 'range');
    const from = parseDateTimeKey('20240101-')!;
    assert.equal(from.kind, 'range');
    assert.equal(from.span.hi, Infinity);
    const to = parseDateTimeKey('-20240101')!;
    assert.equal(to.span.lo, -Infinity);
    assert.equal(to.span.hi, day('2024-01-02') * US_PER_DAY - 1);
    const both = parseDateTimeKey('20240101120000-0500-20240101130000-0500')!;
    assert.equal(both.kind, 'range');
    assert.equal(both.span.lo, parseDateTime('20240101170000')!.lo);
    assert.equal(both.span.hi, parseDateTime('20240101180000')!.hi);
  });
  test('a reversed range is kept as an empty range; garbage is undefined', () => {
    const r = parseDateTimeKey('2025-2024')!;
    assert.equal(r.kind, 'range');
    assert.ok(r.span.lo > r.span.hi);
    assert.equal(parseDateTimeKey('yesterday'), undefined);
    assert.equal(parseDateTimeKey('-'), undefined);
  });
});

describe('splitRange and inSpan', () => {
  test('splitRange', () => {
    assert.deepEqual(splitRange('20240101-20240131'), ['20240101', '20240131']);
    assert.deepEqual(splitRange('-20240131'), ['', '20240131']);
    assert.deepEqual(splitRange('20240101-'), ['20240101', '']);
    assert.equal(splitRange('20240101'), undefined);
  });
  test('inSpan is inclusive at both ends', () => {
    assert.equal(inSpan({ lo: 1, hi: 5 }, 5), true);
    assert.equal(inSpan({ lo: 1, hi: 5 }, 1), true);
    assert.equal(inSpan({ lo: 1, hi: 4 }, 5), false);
  });
});
