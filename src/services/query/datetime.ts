// DA, TM and DT values for single value and range matching by meaning (PS3.4 C.2.2.2.1 note:
// dates and times match by what they mean, not as strings; C.2.2.2.5 ranges).
//
// A key value of reduced precision stands for the whole span it names: TM "10" is 10:00:00 to
// 10:59:59.999999, so "-10" includes 10:15 and the single value "1015" finds 101530. A candidate
// value stands for the moment it starts at ("08" is 08:00:00, DT "2024" is 2024-01-01 00:00),
// as DCMTK reads it, so it matches when that moment lies in the key's span.
//
// Units: DA in days since 1970-01-01, TM in microseconds since midnight, DT in microseconds since
// 1970-01-01T00:00 UTC (exact to the microsecond from 1685 to 2255; outside that span the order
// stays right and only the last microseconds round).

export interface Span {
  lo: number;
  hi: number;
}

export const US_PER_DAY = 86_400_000_000;
const US_PER_MINUTE = 60_000_000;

function digitsAt(s: string, start: number, count: number): number {
  let n = 0;
  for (let i = start; i < start + count; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

function allDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days since 1970-01-01 of a proleptic Gregorian date; undefined when the date does not exist. */
function dayNumber(year: number, month: number, day: number): number | undefined {
  if (month < 1 || month > 12 || day < 1) return undefined;
  if (day > (month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!)) return undefined;
  // Days from the civil calendar, counting years from March so the leap day comes last.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** A DA value (YYYYMMDD, or the ACR-NEMA form YYYY.MM.DD) as a day number; undefined when invalid. */
export function parseDate(text: string): number | undefined {
  if (text.length === 8) {
    const y = digitsAt(text, 0, 4);
    const m = digitsAt(text, 4, 2);
    const d = digitsAt(text, 6, 2);
    return y < 0 || m < 0 || d < 0 ? undefined : dayNumber(y, m, d);
  }
  let s = text.trim();
  if (s.length === 10 && s[4] === '.' && s[7] === '.') s = s.slice(0, 4) + s.slice(5, 7) + s.slice(8);
  if (s.length !== 8 || !allDigits(s)) return undefined;
  return dayNumber(digitsAt(s, 0, 4), digitsAt(s, 4, 2), digitsAt(s, 6, 2));
}

/**
 * A TM value (HH, HHMM, HHMMSS, HHMMSS.F to HHMMSS.FFFFFF; also the ACR-NEMA form HH:MM:SS.frac)
 * as the span of microseconds it names; undefined when invalid.
 */
export function parseTime(text: string): Span | undefined {
  let s = text.trim();
  if (s.includes(':')) {
    if (!/^\d\d:\d\d(:\d\d(\.\d{1,6})?)?$/.test(s)) return undefined;
    s = s.replace(/:/g, '');
  }
  const dot = s.indexOf('.');
  const main = dot < 0 ? s : s.slice(0, dot);
  const frac = dot < 0 ? '' : s.slice(dot + 1);
  if (!allDigits(main) || !allDigits(frac)) return undefined;
  if (main.length !== 2 && main.length !== 4 && main.length !== 6) return undefined;
  if (dot >= 0 && (main.length !== 6 || frac.length < 1 || frac.length > 6)) return undefined;
  const hh = digitsAt(main, 0, 2);
  const mm = main.length >= 4 ? digitsAt(main, 2, 2) : 0;
  const ss = main.length >= 6 ? digitsAt(main, 4, 2) : 0;
  // Seconds may be 60 (leap second).
  if (hh > 23 || mm > 59 || ss > 60) return undefined;
  let unit: number;
  if (frac.length) unit = 10 ** (6 - frac.length);
  else if (main.length === 6) unit = 1_000_000;
  else if (main.length === 4) unit = US_PER_MINUTE;
  else unit = 60 * US_PER_MINUTE;
  const lo = ((hh * 60 + mm) * 60 + ss) * 1_000_000 + (frac ? Number(frac) * 10 ** (6 - frac.length) : 0);
  return { lo, hi: lo + unit - 1 };
}

/** Whether a DT text ends with a UTC offset (&ZZXX), which it then splits off. */
function splitOffset(s: string): { body: string; offsetMinutes?: number } | undefined {
  const n = s.length;
  if (n >= 5 && (s[n - 5] === '+' || s[n - 5] === '-')) {
    const zz = digitsAt(s, n - 4, 2);
    const xx = digitsAt(s, n - 2, 2);
    if (zz < 0 || xx < 0 || xx > 59) return undefined;
    const minutes = zz * 60 + xx;
    // PS3.5: offsets run from -1200 to +1400.
    if (s[n - 5] === '-' ? minutes > 12 * 60 : minutes > 14 * 60) return undefined;
    return { body: s.slice(0, n - 5), offsetMinutes: s[n - 5] === '-' ? -minutes : minutes };
  }
  return { body: s };
}

export interface DateTimeSpan extends Span {
  /** Whether the value carried its own UTC offset. */
  hasOffset: boolean;
}

/**
 * A DT value (YYYY[MM[DD[HH[MM[SS[.F{1-6}]]]]]][&ZZXX]) as the span of microseconds since the
 * epoch, in UTC: a value with its own offset is converted with it, one without is taken to be at
 * `defaultOffsetMinutes` east of UTC. Undefined when invalid.
 */
export function parseDateTime(text: string, defaultOffsetMinutes = 0): DateTimeSpan | undefined {
  const split = splitOffset(text.trim());
  if (!split) return undefined;
  const s = split.body;
  const dot = s.indexOf('.');
  const main = dot < 0 ? s : s.slice(0, dot);
  const frac = dot < 0 ? '' : s.slice(dot + 1);
  if (!allDigits(main) || !allDigits(frac)) return undefined;
  if (![4, 6, 8, 10, 12, 14].includes(main.length)) return undefined;
  if (dot >= 0 && (main.length !== 14 || frac.length < 1 || frac.length > 6)) return undefined;
  const year = digitsAt(main, 0, 4);
  const month = main.length >= 6 ? digitsAt(main, 4, 2) : 1;
  const day = main.length >= 8 ? digitsAt(main, 6, 2) : 1;
  const hh = main.length >= 10 ? digitsAt(main, 8, 2) : 0;
  const mm = main.length >= 12 ? digitsAt(main, 10, 2) : 0;
  const ss = main.length >= 14 ? digitsAt(main, 12, 2) : 0;
  if (hh > 23 || mm > 59 || ss > 60) return undefined;
  const start = dayNumber(year, month, day);
  if (start === undefined) return undefined;
  let end: number;
  // The first microsecond after the span, for spans measured in months and years.
  if (main.length === 4) end = dayNumber(year + 1, 1, 1)! * US_PER_DAY;
  else if (main.length === 6) end = (month === 12 ? dayNumber(year + 1, 1, 1)! : dayNumber(year, month + 1, 1)!) * US_PER_DAY;
  else end = Number.NaN;
  const fracUs = frac ? Number(frac) * 10 ** (6 - frac.length) : 0;
  const lo0 = start * US_PER_DAY + ((hh * 60 + mm) * 60 + ss) * 1_000_000 + fracUs;
  let unit: number;
  if (frac) unit = 10 ** (6 - frac.length);
  else if (main.length === 14) unit = 1_000_000;
  else if (main.length === 12) unit = US_PER_MINUTE;
  else if (main.length === 10) unit = 60 * US_PER_MINUTE;
  else if (main.length === 8) unit = US_PER_DAY;
  else unit = end - lo0;
  const offset = (split.offsetMinutes ?? defaultOffsetMinutes) * US_PER_MINUTE;
  return { lo: lo0 - offset, hi: lo0 + unit - 1 - offset, hasOffset: split.offsetMinutes !== undefined };
}

/** A DA day as a span of DT microseconds (for combined date and time matching). */
export function daySpan(day: number): Span {
  return { lo: day * US_PER_DAY, hi: (day + 1) * US_PER_DAY - 1 };
}

/** Whether a moment lies in a span, both ends included. */
export function inSpan(span: Span, moment: number): boolean {
  return moment >= span.lo && moment <= span.hi;
}

/** A range key "a-b", "-b" or "a-": its two sides (either may be ''), or undefined when there is no "-". */
export function splitRange(text: string): [string, string] | undefined {
  const dash = text.indexOf('-');
  if (dash < 0) return undefined;
  return [text.slice(0, dash).trim(), text.slice(dash + 1).trim()];
}

/**
 * A DT key, which may hold a range and whose values may also carry negative UTC offsets
 * ("20240101120000-0500"): every "-" is tried as the range separator, and a reading as a range
 * whose sides are valid and in order wins over a reading as a single value.
 */
export function parseDateTimeKey(text: string, defaultOffsetMinutes = 0):
  { kind: 'single'; span: DateTimeSpan } | { kind: 'range'; span: Span } | undefined {
  const s = text.trim();
  let reversed: Span | undefined;
  for (let i = s.indexOf('-'); i >= 0; i = s.indexOf('-', i + 1)) {
    const left = s.slice(0, i).trim();
    const right = s.slice(i + 1).trim();
    if (!left && !right) continue;
    const a = left ? parseDateTime(left, defaultOffsetMinutes) : undefined;
    const b = right ? parseDateTime(right, defaultOffsetMinutes) : undefined;
    if ((left && !a) || (right && !b)) continue;
    const span = { lo: a ? a.lo : -Infinity, hi: b ? b.hi : Infinity };
    if (span.lo > span.hi) {
      reversed ??= span;
      continue;
    }
    return { kind: 'range', span };
  }
  const single = parseDateTime(s, defaultOffsetMinutes);
  if (single) return { kind: 'single', span: single };
  // A range given the wrong way round is a range that nothing falls in.
  return reversed ? { kind: 'range', span: reversed } : undefined;
}
