// Value tests of attribute matching: one DA/TM/DT or text key value compiled into a test on
// candidate strings, how a candidate's values are read, and combined date/time range matching.

import { Tag } from '../../dicom';
import { tagForKeyword } from '../../dicom';
import { VR, isMultiValuedTextVr } from '../../dicom';
import { Status } from '../../dimse';
import { QueryIdentifierError, describeKey } from './validation';
import { AttributeValue } from './record';
import {
  Span, US_PER_DAY, parseDate, parseTime, parseDateTime, parseDateTimeKey, splitRange, inSpan,
} from './datetime';
import {
  WILDCARD_VRS, trimValue, hasWildcard, compileWildcard, compilePersonNameValue,
} from './text-match';
import { ALWAYS, Context, Key, RangeParts, ValueTest } from './compiled-query';

/**
 * Date and time attributes that combined datetime matching reads as one datetime. Resolved on
 * first use: naming them reads the dictionary, which loading the engine should not pay for.
 */
let dateTimePairs: ReadonlyArray<[Tag, Tag]> | undefined;
const DATE_TIME_PAIRS = (): ReadonlyArray<[Tag, Tag]> => (dateTimePairs ??= [
  'Study', 'Series', 'Acquisition', 'Content', 'InstanceCreation', 'PatientBirth',
  'ScheduledProcedureStepStart', 'ScheduledProcedureStepEnd', 'PerformedProcedureStepStart',
  'PerformedProcedureStepEnd', 'PresentationCreation',
].map((p): [Tag, Tag] => [tagForKeyword(`${p}Date`)!, tagForKeyword(`${p}Time`)!]));

export function isEmptyValue(v: AttributeValue | undefined): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v === 'string') return trimValue(v, 'LO') === '';
  if (typeof v === 'number' || typeof v === 'bigint') return false;
  if (v instanceof Uint8Array) return v.length === 0;
  for (const x of v as readonly unknown[]) {
    if (typeof x === 'string' ? trimValue(x, 'LO') !== '' : x !== null && x !== undefined) return false;
  }
  return true;
}

/** Runs a test over the string form of every value of a candidate attribute; true when one passes. */
export function someValue(v: AttributeValue | undefined, vr: VR, test: ValueTest): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'string') {
    if (v.includes('\\') && isMultiValuedTextVr(vr)) return v.split('\\').some(test);
    return test(v);
  }
  if (typeof v === 'number' || typeof v === 'bigint') return test(String(v));
  if (v instanceof Uint8Array) return test(Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('latin1'));
  for (const x of v as readonly unknown[]) {
    if (typeof x === 'string' ? test(x) : (typeof x === 'number' || typeof x === 'bigint') && test(String(x))) return true;
  }
  return false;
}

export function candidateNumbers(v: AttributeValue | undefined): number[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'number') return [v];
  if (typeof v === 'bigint') return [Number(v)];
  if (typeof v === 'string') return v.split('\\').map((s) => s.trim()).filter(Boolean).map(Number);
  if (v instanceof Uint8Array) return [];
  const out: number[] = [];
  for (const x of v as readonly unknown[]) {
    if (typeof x === 'number') out.push(x);
    else if (typeof x === 'bigint') out.push(Number(x));
    else if (typeof x === 'string' && x.trim() !== '') out.push(Number(x.trim()));
  }
  return out;
}

function invalid(t: Tag, value: string, expected: string): QueryIdentifierError {
  return new QueryIdentifierError(`${describeKey(t)} holds "${value}", which is not ${expected}.`, Status.IdentifierDoesNotMatchSopClass, [t]);
}

const DA_FORMS = 'a date (YYYYMMDD) or a date range (YYYYMMDD-YYYYMMDD, -YYYYMMDD, YYYYMMDD-)';
const TM_FORMS = 'a time (HH, HHMM, HHMMSS or HHMMSS.FFFFFF) or a time range (a-b, -b, a-)';
const DT_FORMS = 'a datetime (YYYYMMDDHHMMSS.FFFFFF&ZZXX, trailing parts optional) or a datetime range';

/** A DA/TM/DT key value as a test on one candidate value, plus its range parts when it is a range. */
export function compileTemporalValue(t: Tag, vr: VR, value: string, ctx: Context): { test: ValueTest; range?: RangeParts } {
  if (vr === 'DT') {
    const parsed = parseDateTimeKey(value, ctx.defaultOffset);
    if (!parsed) throw invalid(t, value, DT_FORMS);
    const q = parsed.span;
    if (q.lo > q.hi) ctx.warnings.push(`${describeKey(t)} range "${value}" ends before it starts; nothing matches it.`);
    return {
      test: (s) => {
        const c = parseDateTime(s, ctx.defaultOffset);
        return c !== undefined && inSpan(q, c.lo);
      },
    };
  }
  const parse = vr === 'DA'
    ? (s: string): Span | undefined => { const d = parseDate(s); return d === undefined ? undefined : { lo: d, hi: d }; }
    : parseTime;
  const forms = vr === 'DA' ? DA_FORMS : TM_FORMS;
  const range = splitRange(value);
  let q: Span;
  if (range) {
    const [left, right] = range;
    const a = left ? parse(left) : undefined;
    const b = right ? parse(right) : undefined;
    if ((left && !a) || (right && !b)) throw invalid(t, value, forms);
    q = { lo: a ? a.lo : -Infinity, hi: b ? b.hi : Infinity };
    if (q.lo > q.hi) {
      const why = vr === 'TM' ? 'range matching across midnight is not supported (C.2.2.2.5)' : 'nothing matches it';
      ctx.warnings.push(`${describeKey(t)} range "${value}" ends before it starts; ${why}.`);
    }
  } else {
    const single = parse(value);
    if (!single) throw invalid(t, value, forms);
    q = single;
  }
  let test: ValueTest;
  if (vr === 'DA') {
    // Days are points: no span to allocate per candidate.
    const { lo, hi } = q;
    test = (s) => {
      const d = parseDate(s);
      return d !== undefined && d >= lo && d <= hi;
    };
  } else {
    test = (s) => {
      const c = parseTime(s);
      return c !== undefined && inSpan(q, c.lo);
    };
  }
  return { test, range: range ? { left: range[0], right: range[1] } : undefined };
}

export function compileTextValue(vr: VR, value: string, ctx: Context): ValueTest {
  if (vr === 'PN') return compilePersonNameValue(value, ctx.pnFold);
  if (WILDCARD_VRS.has(vr) && hasWildcard(value)) {
    const match = compileWildcard(value);
    return (s) => match(trimValue(s, vr));
  }
  if (vr === 'IS' || vr === 'DS') {
    const n = Number(value);
    if (value !== '' && Number.isFinite(n)) {
      return (s) => {
        const c = s.trim();
        return c !== '' && Number(c) === n;
      };
    }
  }
  return (s) => trimValue(s, vr) === value;
}

/** Same form of range on both sides (C.2.2.2.5.1): "a-b" with "c-d", "-b" with "-d", "a-" with "c-". */
function sameRangeForm(a: RangeParts, b: RangeParts): boolean {
  return (a.left === '') === (b.left === '') && (a.right === '') === (b.right === '');
}

/**
 * Combined datetime matching: "StudyDate=20060705-20060707, StudyTime=1000-1800" is the span
 * from 2006-07-05 10:00 to 2006-07-07 18:00 (not 10:00-18:00 on each day). A candidate without
 * a time is taken at 00:00 of its day. Pairs whose ranges differ in form are matched separately.
 */
export function combineDateTime(keys: Key[], ctx: Context): void {
  for (const [dateTag, timeTag] of DATE_TIME_PAIRS()) {
    const dateKey = keys.find((k) => k.tag === dateTag);
    const timeKey = keys.find((k) => k.tag === timeTag);
    if (!dateKey?.rangeParts || !timeKey?.rangeParts || !dateKey.supported || !timeKey.supported) continue;
    const d = dateKey.rangeParts;
    const tm = timeKey.rangeParts;
    if (!sameRangeForm(d, tm)) continue;
    const lo = d.left ? parseDate(d.left)! * US_PER_DAY + (tm.left ? parseTime(tm.left)!.lo : 0) : -Infinity;
    const hi = d.right ? parseDate(d.right)! * US_PER_DAY + (tm.right ? parseTime(tm.right)!.hi : US_PER_DAY - 1) : Infinity;
    const q: Span = { lo, hi };
    if (lo > hi) ctx.warnings.push(`The combined ${describeKey(dateTag)} and ${describeKey(timeTag)} range ends before it starts; nothing matches it.`);
    dateKey.test = (r) => {
      const times: number[] = [];
      someValue(r.value(timeTag), 'TM', (s) => { const span = parseTime(s); if (span) times.push(span.lo); return false; });
      return someValue(r.value(dateTag), 'DA', (s) => {
        const day = parseDate(s);
        if (day === undefined) return false;
        const base = day * US_PER_DAY;
        // A candidate without a time is taken at the start of its day, as a TM of reduced precision is.
        if (times.length === 0) return inSpan(q, base);
        return times.some((t) => inSpan(q, base + t));
      });
    };
    timeKey.test = ALWAYS;
    dateKey.combinedWith = timeTag;
    timeKey.combinedWith = dateTag;
  }
}
