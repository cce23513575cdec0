// Attribute matching (PS3.4 C.2.2.2, K.2.2): a query identifier compiled once into predicates
// that are then run against many candidate records.
//
// What each key value does (after its Specific Character Set is decoded and insignificant
// padding removed):
// - empty, or "*" alone ............ Universal Matching: every entity matches (a return key).
// - '""' ........................... Empty Value Matching: entities whose attribute is absent or empty.
// - UI with "\" .................... List of UID Matching.
// - DA/TM/DT with "-" .............. Range Matching ("a-b", "-b", "a-"), by meaning (see datetime.ts).
// - "*" or "?" on AE CS LO LT PN SH ST UC UR UT ... Wild Card Matching (elsewhere they are literal).
// - SQ ............................. Sequence Matching: the query item's keys must all match one
//                                    candidate item; an empty sequence or item is a return key.
// - anything else .................. Single Value Matching: exact and case-sensitive, except PN
//                                    (options), dates and times (by meaning) and IS/DS/binary
//                                    numbers (by numeric value).
// Other VRs with several values ("CT\MR") match when any value matches (the common reading when
// Multiple Value Matching was not negotiated; with `multipleValueMatching` every value must).
// A multi-valued candidate matches when any of its values matches (C.2.2.3).
//
// Where the standard leaves room, DCMTK's dcmqrscp (3.6.7) was the yardstick; this differs from it
// on purpose in four places: PN ignores empty trailing components ("SMITH^ANNA" finds
// "SMITH^ANNA^^^"), a time or datetime key of reduced precision covers its whole span ("-10"
// includes 10:15), "*" alone is universal on every VR (DCMTK matches it literally on UI), and
// '""' is Empty Value Matching (DCMTK matches it literally).

import { Tag, Tags, isPrivateCreator, isPrivateTag } from '../../dicom/tag';
import { Dataset, DataElement, TextDecoderFn } from '../../dicom/dataset';
import { keywordOf, dictionaryVr, tagForKeyword } from '../../dicom/dictionary';
import { charsetDecoder, normalizeCharsetTerms, SpecificCharacterSet } from '../../dicom/charset';
import { VR, isTextVr, isMultiValuedTextVr } from '../../dicom/vr';
import { Status } from '../../dimse/status';
import { InformationModel, QueryLevel, QueryOperation, LEVELLESS_KEYS, NON_KEY_ATTRIBUTES } from './model';
import { QueryIdentifierError, validateIdentifier, describeKey } from './validation';
import { AttributeValue, QueryRecord } from './record';
import {
  Span, US_PER_DAY, parseDate, parseTime, parseDateTime, parseDateTimeKey, splitRange, inSpan,
} from './datetime';
import {
  WILDCARD_VRS, trimValue, hasWildcard, compileWildcard, compilePersonNameValue, personNameFold, PersonNameFolding,
} from './text-match';

export type MatchingType =
  | 'universal'
  | 'empty'
  | 'single'
  | 'uid-list'
  | 'wildcard'
  | 'range'
  | 'sequence'
  /** Several values of which one must match (not a UI key). */
  | 'any-of'
  /** Negotiated Multiple Value Matching (C.2.2.2.8): every value must match. */
  | 'all-of';

export interface CompiledKey {
  readonly tag: Tag;
  readonly keyword: string | undefined;
  readonly vr: VR;
  /** The model level the key belongs to (the query level for "all other" attributes); undefined inside items. */
  readonly level: QueryLevel | undefined;
  readonly matching: MatchingType;
  /** False when the SCP does not support matching on this key: it is then treated as universal. */
  readonly supported: boolean;
  /** The decoded key values, padding removed (empty for universal keys). */
  readonly values: readonly string[];
  /** Sequence keys: the keys of the query item (none when the whole items are asked for). */
  readonly itemKeys?: readonly CompiledKey[];
  /** Sequence keys: the query had no item, or an empty one (return the whole items). */
  readonly wholeItems?: boolean;
  /** Date or time key matched together with its partner as one datetime range (combined matching). */
  readonly combinedWith?: Tag;
  /** Whether the record satisfies this key (true for universal and unsupported keys). */
  test(record: QueryRecord): boolean;
  /** Sequence keys: whether one candidate item satisfies the item keys. */
  matchesItem?(item: QueryRecord): boolean;
}

export interface CompileOptions {
  model: InformationModel;
  /** Needed when the identifier has no Query/Retrieve Level (QIDO-RS); must agree with it otherwise. */
  level?: QueryLevel;
  /** Default 'find'. */
  operation?: QueryOperation;
  /** Relational queries were negotiated: keys above the level may be any keys. */
  relational?: boolean;
  /** Refuse keys below the level (A900) instead of ignoring them for matching. */
  strictLevels?: boolean;
  /** Case-insensitive Person Name matching (the standard allows it for PN only). */
  caseInsensitivePersonNames?: boolean;
  /** Fuzzy semantic matching of person names was negotiated: case- and accent-insensitive. */
  fuzzyPersonNames?: boolean;
  /** Combined date and time range matching was negotiated (C.2.2.2.5.1). */
  combinedDateTime?: boolean;
  /** Multiple Value Matching was negotiated (C.2.2.2.8). */
  multipleValueMatching?: boolean;
  /**
   * Which keys the SCP can match on; unsupported keys with a value become universal and are
   * listed in `unsupportedKeys`. Called with the key's level, or the query level for item keys.
   * Default: every standard key is supported, private keys are not.
   */
  isKeySupported?: (tag: Tag, level: QueryLevel) => boolean;
  /**
   * Minutes east of UTC for DT values without an offset. Default: the identifier's Timezone
   * Offset From UTC (0008,0201) when present, else 0 (values without offsets compare as they are).
   */
  timezoneOffsetMinutes?: number;
}

export interface CompiledQuery {
  readonly model: InformationModel;
  readonly level: QueryLevel;
  readonly operation: QueryOperation;
  /** The request's Specific Character Set terms ([] = default repertoire). */
  readonly characterSet: readonly string[];
  /** Whether the request held Specific Character Set (0008,0005). */
  readonly requestedCharacterSet: boolean;
  /** Every top-level key in identifier order: what a response holds. */
  readonly keys: readonly CompiledKey[];
  /** The keys that can reject a record, cheapest first. */
  readonly matchingKeys: readonly CompiledKey[];
  /**
   * Keys that a matching record must equal exactly (Single Value or List of UID Matching on
   * case-sensitive text), by tag, with the values one of which it must hold: the index can look
   * these up instead of scanning. `matches` checks them again anyway.
   */
  readonly equalityKeys: ReadonlyMap<Tag, readonly string[]>;
  /** The equality keys on INDEXED_EQUALITY_TAGS (Study/Series/SOP Instance UID, Patient ID, Accession Number). */
  readonly indexKeys: ReadonlyMap<Tag, readonly string[]>;
  /** Keys with a value that the SCP does not support matching on (answer Pending FF01). */
  readonly unsupportedKeys: readonly Tag[];
  /** Things worth logging: ignored attributes, ranges that nothing falls in. */
  readonly warnings: readonly string[];
  /** Private creator elements of the request, copied into responses as they came. */
  readonly privateCreators: readonly DataElement[];
  /** The request's Timezone Offset From UTC, if any. */
  readonly timezoneOffsetFromUtc?: string;
  /** Whether the record satisfies every key. */
  matches(record: QueryRecord): boolean;
  /** Whether the record satisfies the keys of one level (to prune a hierarchy level by level). */
  matchesLevel(level: QueryLevel, record: QueryRecord): boolean;
  keysAt(level: QueryLevel): readonly CompiledKey[];
}

/** The attributes an archive index usually keeps lookup tables for. */
export const INDEXED_EQUALITY_TAGS: ReadonlySet<Tag> = new Set([
  Tags.StudyInstanceUID, Tags.PatientID, Tags.SeriesInstanceUID, Tags.SOPInstanceUID, Tags.AccessionNumber,
]);

/** Date and time attributes that combined datetime matching reads as one datetime. */
const DATE_TIME_PAIRS: ReadonlyArray<[Tag, Tag]> = [
  'Study', 'Series', 'Acquisition', 'Content', 'InstanceCreation', 'PatientBirth',
  'ScheduledProcedureStepStart', 'ScheduledProcedureStepEnd', 'PerformedProcedureStepStart',
  'PerformedProcedureStepEnd', 'PresentationCreation',
].map((p): [Tag, Tag] => [tagForKeyword(`${p}Date`)!, tagForKeyword(`${p}Time`)!]);

const MULTIPLE_VALUE_VRS: ReadonlySet<VR> = new Set(['AE', 'AS', 'AT', 'CS', 'LO', 'PN', 'SH', 'UC']);
const BINARY_NUMBER_VRS: ReadonlySet<VR> = new Set(['US', 'SS', 'UL', 'SL', 'FL', 'FD', 'SV', 'UV', 'AT']);

interface Context {
  readonly options: CompileOptions;
  readonly pnFold: (s: string) => string;
  readonly defaultOffset: number;
  readonly warnings: string[];
  readonly unsupported: Tag[];
  readonly level: QueryLevel;
}

/** A value test on one candidate string. */
type ValueTest = (s: string) => boolean;

/** Internal: what range keys remember for combined date/time matching. */
interface RangeParts { left: string; right: string }

class Key implements CompiledKey {
  combinedWith?: Tag;
  itemKeys?: readonly CompiledKey[];
  wholeItems?: boolean;
  rangeParts?: RangeParts;
  constructor(
    readonly tag: Tag,
    readonly vr: VR,
    readonly level: QueryLevel | undefined,
    public matching: MatchingType,
    readonly values: readonly string[],
    public test: (record: QueryRecord) => boolean,
    public supported = true,
  ) {}

  get keyword(): string | undefined {
    return keywordOf(this.tag);
  }

  matchesItem?(item: QueryRecord): boolean;
}

const ALWAYS = () => true;

function isEmptyValue(v: AttributeValue | undefined): boolean {
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
function someValue(v: AttributeValue | undefined, vr: VR, test: ValueTest): boolean {
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

function candidateNumbers(v: AttributeValue | undefined): number[] {
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
function compileTemporalValue(t: Tag, vr: VR, value: string, ctx: Context): { test: ValueTest; range?: RangeParts } {
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

function compileTextValue(vr: VR, value: string, ctx: Context): ValueTest {
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

/** Decoded, padding-free values of a text key; LT/ST/UT/UR are never split. */
function keyValues(ds: Dataset, el: DataElement, vr: VR, decode: TextDecoderFn): string[] {
  const whole = ds.string(el.tag, decode) ?? '';
  const parts = isMultiValuedTextVr(vr) ? whole.split('\\') : [whole];
  // Empty trailing component groups of a name say nothing ("Wang^XiaoDong=王^小東=").
  return parts.map((p) => (vr === 'PN' ? trimValue(p, vr).replace(/=+$/, '') : trimValue(p, vr)));
}

/** The VR to match with: the request's, unless it is UN or missing and the dictionary knows better. */
function effectiveVr(el: DataElement): VR {
  if (el.items) return 'SQ';
  if (el.vr !== 'UN') return el.vr;
  const dict = dictionaryVr(el.tag);
  if (dict === 'UN' || dict === 'na') return 'UN';
  if (dict === 'xs' || dict === 'lt') return 'US';
  if (dict === 'ox') return 'OB';
  if (dict === 'up') return 'UL';
  return dict;
}

function compileElement(ds: Dataset, el: DataElement, decode: TextDecoderFn, charset: SpecificCharacterSet,
  ctx: Context, level: QueryLevel | undefined, depth: number): Key {
  const t = el.tag;
  const vr = effectiveVr(el);

  if (vr === 'SQ') return compileSequence(el, charset, ctx, level, depth);

  if (BINARY_NUMBER_VRS.has(vr)) {
    // Ambiguous binary VRs in implicit VR requests are read as US; the bytes still decode right for UL/SL/FL/FD by size.
    const nums = el.value && el.value.length ? (ds.numbers(t) ?? []) : [];
    if (nums.length === 0) return new Key(t, vr, level, 'universal', [], ALWAYS);
    const same = vr === 'FL' ? (a: number, b: number) => Math.fround(a) === Math.fround(b) : (a: number, b: number) => a === b;
    return new Key(t, vr, level, nums.length > 1 ? 'any-of' : 'single', nums.map(String), (r) => {
      for (const c of candidateNumbers(r.value(t))) for (const n of nums) if (same(c, n)) return true;
      return false;
    });
  }

  if (!isTextVr(vr)) {
    // OB/OW/UN and the like: only an exact byte match makes sense.
    const bytes = el.value ?? Buffer.alloc(0);
    if (bytes.length === 0) return new Key(t, vr, level, 'universal', [], ALWAYS);
    const want = bytes.toString('latin1');
    return new Key(t, vr, level, 'single', [want], (r) => someValue(r.value(t), vr, (s) => s === want));
  }

  // The request's timezone says how to read its times; it is returned, never matched.
  if (t === Tags.TimezoneOffsetFromUTC && depth === 0) return new Key(t, vr, level, 'universal', [], ALWAYS);

  const values = keyValues(ds, el, vr, decode);
  const whole = values.join('\\');
  if (whole === '' || whole === '*' || /^\*+$/.test(whole)) return new Key(t, vr, level, 'universal', [], ALWAYS);
  if (whole === '""') {
    return new Key(t, vr, level, 'empty', [], (r) => isEmptyValue(r.value(t)));
  }
  const nonEmpty = values.filter((v) => v !== '');
  if (nonEmpty.length === 0) return new Key(t, vr, level, 'universal', [], ALWAYS);

  if (vr === 'UI') {
    if (nonEmpty.length > 1) {
      const set = new Set(nonEmpty);
      return new Key(t, vr, level, 'uid-list', nonEmpty, (r) => someValue(r.value(t), vr, (s) => set.has(trimValue(s, vr))));
    }
    const want = nonEmpty[0]!;
    return new Key(t, vr, level, 'single', nonEmpty, (r) => someValue(r.value(t), vr, (s) => trimValue(s, vr) === want));
  }

  let valueTests: ValueTest[];
  let kind: MatchingType;
  let rangeParts: RangeParts | undefined;
  if (vr === 'DA' || vr === 'TM' || vr === 'DT') {
    const compiled = nonEmpty.map((v) => compileTemporalValue(t, vr, v, ctx));
    valueTests = compiled.map((c) => c.test);
    const isRange = vr === 'DT'
      ? nonEmpty.some((v) => parseDateTimeKey(v, ctx.defaultOffset)?.kind === 'range')
      : compiled.some((c) => c.range !== undefined);
    kind = isRange ? 'range' : 'single';
    if (compiled.length === 1) rangeParts = compiled[0]!.range;
  } else {
    valueTests = nonEmpty.map((v) => compileTextValue(vr, v, ctx));
    kind = WILDCARD_VRS.has(vr) && nonEmpty.some(hasWildcard) ? 'wildcard' : 'single';
  }

  let key: Key;
  if (valueTests.length === 1) {
    const test = valueTests[0]!;
    key = new Key(t, vr, level, kind, nonEmpty, (r) => someValue(r.value(t), vr, test));
  } else if (ctx.options.multipleValueMatching && MULTIPLE_VALUE_VRS.has(vr)) {
    key = new Key(t, vr, level, 'all-of', nonEmpty, (r) => {
      const v = r.value(t);
      return valueTests.every((test) => someValue(v, vr, test));
    });
  } else {
    key = new Key(t, vr, level, nonEmpty.length > 1 ? 'any-of' : kind, nonEmpty, (r) => {
      const v = r.value(t);
      return valueTests.some((test) => someValue(v, vr, test));
    });
  }
  key.rangeParts = rangeParts;
  return key;
}

function compileSequence(el: DataElement, charset: SpecificCharacterSet, ctx: Context,
  level: QueryLevel | undefined, depth: number): Key {
  const t = el.tag;
  const item = el.items![0];
  if (!item || item.size === 0) {
    const key = new Key(t, 'SQ', level, 'universal', [], ALWAYS);
    key.wholeItems = true;
    key.itemKeys = [];
    return key;
  }
  const itemKeys = compileScope(item, charset, ctx, undefined, depth + 1).keys;
  const matching = itemKeys.filter((k) => k.matching !== 'universal' && k.supported);
  const matchesItem = (candidate: QueryRecord) => {
    for (const k of matching) if (!k.test(candidate)) return false;
    return true;
  };
  const key = new Key(t, 'SQ', level, matching.length ? 'sequence' : 'universal', [], matching.length ? (r) => {
    const v = r.value(t);
    if (!Array.isArray(v)) return false;
    for (const candidate of v) {
      if (typeof candidate === 'object' && candidate !== null && typeof (candidate as QueryRecord).value === 'function'
        && matchesItem(candidate as QueryRecord)) return true;
    }
    return false;
  } : ALWAYS);
  key.itemKeys = itemKeys;
  key.matchesItem = matchesItem;
  return key;
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
function combineDateTime(keys: Key[], ctx: Context): void {
  for (const [dateTag, timeTag] of DATE_TIME_PAIRS) {
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

interface Scope {
  keys: Key[];
  privateCreators: DataElement[];
}

function compileScope(ds: Dataset, inherited: SpecificCharacterSet, ctx: Context, levelOf: ((t: Tag) => QueryLevel) | undefined, depth: number): Scope {
  const own = ds.strings(Tags.SpecificCharacterSet);
  const charset: SpecificCharacterSet = own && own.length ? own : inherited;
  const decode = charsetDecoder(charset) as TextDecoderFn;
  const keys: Key[] = [];
  const privateCreators: DataElement[] = [];
  for (const el of ds.elements()) {
    const t = el.tag;
    if (t >>> 16 < 0x0008 || (t & 0xffff) === 0) continue;
    if (NON_KEY_ATTRIBUTES.has(t)) continue;
    if (isPrivateCreator(t)) {
      privateCreators.push(el);
      continue;
    }
    const level = levelOf?.(t);
    const key = compileElement(ds, el, decode, charset, ctx, level, depth);
    const supported = isPrivateTag(t)
      ? ctx.options.isKeySupported?.(t, level ?? ctx.level) ?? false
      : ctx.options.isKeySupported?.(t, level ?? ctx.level) ?? true;
    if (!supported && key.matching !== 'universal') {
      key.supported = false;
      key.test = ALWAYS;
      ctx.unsupported.push(t);
    }
    keys.push(key);
  }
  if (ctx.options.combinedDateTime) combineDateTime(keys, ctx);
  return { keys, privateCreators };
}

const COST: Record<MatchingType, number> = {
  'uid-list': 0, single: 1, empty: 2, 'any-of': 3, 'all-of': 3, range: 4, wildcard: 5, sequence: 6, universal: 9,
};

function keyCost(k: CompiledKey): number {
  // Person names fold and split into groups; put them after plain strings.
  if (k.vr === 'UI' && (k.matching === 'single' || k.matching === 'uid-list')) return 0;
  return COST[k.matching] + (k.vr === 'PN' ? 2 : 0);
}

/**
 * Validates an identifier against the model and compiles it.
 * @throws QueryIdentifierError (status A900 or C000, with the offending elements) when the
 *   identifier does not fit the model or a key value cannot be read.
 */
export function compileQuery(identifier: Dataset, options: CompileOptions): CompiledQuery {
  const operation = options.operation ?? 'find';
  const validation = validateIdentifier(identifier, {
    model: options.model, operation, level: options.level, relational: options.relational, strictLevels: options.strictLevels,
  });
  if (!validation.ok) throw validation.error;
  const level = validation.level;
  const model = options.model;

  const charsetValue = identifier.strings(Tags.SpecificCharacterSet);
  const characterSet = normalizeCharsetTerms(charsetValue ?? undefined);
  const tzText = identifier.string(Tags.TimezoneOffsetFromUTC)?.trim();
  let defaultOffset = options.timezoneOffsetMinutes ?? 0;
  if (options.timezoneOffsetMinutes === undefined && tzText) {
    const m = /^([+-])(\d\d)(\d\d)$/.exec(tzText);
    if (m) defaultOffset = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  }
  const folding: PersonNameFolding = options.fuzzyPersonNames ? 'fuzzy' : options.caseInsensitivePersonNames ? 'case-insensitive' : 'exact';
  const ctx: Context = {
    options, pnFold: personNameFold(folding), defaultOffset, warnings: [...validation.warnings], unsupported: [], level,
  };
  const levelOf = (t: Tag): QueryLevel => (LEVELLESS_KEYS.has(t) ? level : model.attributes.get(t)?.level ?? level);
  const scope = compileScope(identifier, charsetValue && charsetValue.length ? charsetValue : undefined, ctx, levelOf, 0);
  const keys = scope.keys;
  // Keys below the level, and non-unique keys of a retrieval (C.4.2.1.4.1), are returned but not matched.
  const ignored = new Set(validation.ignoredKeys);
  for (const k of keys) if (ignored.has(k.tag)) k.test = ALWAYS;

  const matchingKeys = keys
    .filter((k) => k.test !== ALWAYS)
    .sort((a, b) => keyCost(a) - keyCost(b));
  const equalityKeys = new Map<Tag, readonly string[]>();
  for (const k of matchingKeys) {
    const exact = k.matching === 'single' || k.matching === 'uid-list' || (k.matching === 'any-of' && !k.values.some(hasWildcard));
    if (exact && k.supported && isTextVr(k.vr) && !['PN', 'DA', 'TM', 'DT', 'IS', 'DS'].includes(k.vr)) {
      equalityKeys.set(k.tag, k.values);
    }
  }
  const byLevel = new Map<QueryLevel, Key[]>();
  for (const k of matchingKeys) {
    const l = k.level ?? level;
    const list = byLevel.get(l) ?? [];
    list.push(k);
    byLevel.set(l, list);
  }
  const tests = matchingKeys.map((k) => k.test);
  const keysAtLevel = new Map<QueryLevel, CompiledKey[]>();
  for (const k of keys) {
    const l = k.level ?? level;
    keysAtLevel.set(l, [...(keysAtLevel.get(l) ?? []), k]);
  }

  return {
    model, level, operation, characterSet,
    requestedCharacterSet: identifier.has(Tags.SpecificCharacterSet),
    keys, matchingKeys, equalityKeys,
    indexKeys: new Map([...equalityKeys].filter(([t]) => INDEXED_EQUALITY_TAGS.has(t))),
    unsupportedKeys: ctx.unsupported,
    warnings: ctx.warnings,
    privateCreators: scope.privateCreators,
    timezoneOffsetFromUtc: tzText || undefined,
    matches(record) {
      for (let i = 0; i < tests.length; i++) if (!tests[i]!(record)) return false;
      return true;
    },
    matchesLevel(l, record) {
      const list = byLevel.get(l);
      if (!list) return true;
      for (const k of list) if (!k.test(record)) return false;
      return true;
    },
    keysAt: (l) => keysAtLevel.get(l) ?? [],
  };
}
