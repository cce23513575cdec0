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

import { Tag, Tags, isPrivateCreator, isPrivateTag } from '../../dicom';
import { Dataset, DataElement, TextDecoderFn } from '../../dicom';
import { dictionaryVr } from '../../dicom';
import { charsetDecoder, normalizeCharsetTerms, SpecificCharacterSet } from '../../dicom';
import { VR, isTextVr, isMultiValuedTextVr } from '../../dicom';
import { QueryLevel, LEVELLESS_KEYS, NON_KEY_ATTRIBUTES } from './model';
import { validateIdentifier } from './validation';
import { QueryRecord } from './record';
import { parseDateTimeKey } from './datetime';
import { WILDCARD_VRS, trimValue, hasWildcard, personNameFold, PersonNameFolding } from './text-match';
import {
  MatchingType, CompiledKey, CompileOptions, CompiledQuery, Context, ValueTest, RangeParts, Key, ALWAYS,
} from './compiled-query';
import {
  isEmptyValue, someValue, candidateNumbers, compileTemporalValue, compileTextValue, combineDateTime,
} from './value-tests';

/** The attributes an archive index usually keeps lookup tables for. */
export const INDEXED_EQUALITY_TAGS: ReadonlySet<Tag> = new Set([
  Tags.StudyInstanceUID, Tags.PatientID, Tags.SeriesInstanceUID, Tags.SOPInstanceUID, Tags.AccessionNumber,
]);

const MULTIPLE_VALUE_VRS: ReadonlySet<VR> = new Set(['AE', 'AS', 'AT', 'CS', 'LO', 'PN', 'SH', 'UC']);
const BINARY_NUMBER_VRS: ReadonlySet<VR> = new Set(['US', 'SS', 'UL', 'SL', 'FL', 'FD', 'SV', 'UV', 'AT']);

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
