// Turning the raw header values of an instance into the values the index keeps: text decoded
// to Unicode with the instance's Specific Character Set, padding removed, split into values;
// binary numbers as numbers. Repeated values are shared through an Interner.

import { Tag, Tags } from '../../dicom';
import { ScannedElement } from '../../dicom';
import { decodeText, normalizeCharsetTerms } from '../../dicom';
import { decodeNumbers } from '../../dicom';
import { KNOWN_VRS, isMultiValuedTextVr, isTextVr, usesSpecificCharacterSet } from '../../dicom';
import { trimValue } from '../../services';
import { Column, INDEX_LEVELS, LEVEL_COLUMNS } from './columns';

/**
 * One kept value: a string or number for one value, an array for several. '' means present but
 * empty; an absent attribute is `undefined` in the entity's value array.
 */
export type StoredValue = string | number | readonly string[] | readonly number[];

export type StoredValues = (StoredValue | undefined)[];

/** Specific Character Set terms ([] = default repertoire), one shared array per distinct value. */
export type CharacterSet = readonly string[];

/** Keeps one copy of each distinct string (and string list) it is given. */
export class Interner {
  private readonly strings = new Map<string, string>();
  private readonly lists = new Map<string, readonly string[]>();
  private readonly charsets = new Map<string, CharacterSet>();

  string(s: string): string {
    const hit = this.strings.get(s);
    if (hit !== undefined) return hit;
    this.strings.set(s, s);
    return s;
  }

  value(v: StoredValue): StoredValue {
    if (typeof v === 'string') return this.string(v);
    if (typeof v === 'number' || v.length === 0 || typeof v[0] !== 'string') return v;
    const key = (v as readonly string[]).join('\\');
    const hit = this.lists.get(key);
    if (hit) return hit;
    const list = Object.freeze((v as readonly string[]).map((s) => this.string(s)));
    this.lists.set(key, list);
    return list;
  }

  /** The shared array for terms joined by "\\" ('' = default repertoire). */
  charsetText(text: string): CharacterSet {
    return this.charsets.get(text) ?? this.charset(text === '' ? [] : text.split('\\'));
  }

  /** The shared array for these terms (already normalized). */
  charset(terms: readonly string[]): CharacterSet {
    const key = terms.join('\\');
    const hit = this.charsets.get(key);
    if (hit) return hit;
    const frozen = Object.freeze([...terms]);
    this.charsets.set(key, frozen);
    return frozen;
  }
}

/** The text of a value in the default repertoire (UIDs, codes), padding removed on both ends. */
export function asciiText(el: ScannedElement | undefined): string | undefined {
  const v = el?.value;
  if (!v) return el && el.length === 0 ? '' : undefined;
  let end = v.length;
  while (end > 0 && (v[end - 1] === 0x20 || v[end - 1] === 0)) end--;
  let start = 0;
  while (start < end && v[start] === 0x20) start++;
  return v.toString('latin1', start, end);
}

/** The Specific Character Set terms of a header, normalized ([] when absent or empty). */
export function characterSetOf(elements: ReadonlyMap<Tag, ScannedElement>): string[] {
  const text = asciiText(elements.get(Tags.SpecificCharacterSet));
  return text ? normalizeCharsetTerms(text) : [];
}

function stripTrailingPadding(s: string): string {
  let end = s.length;
  while (end > 0 && (s.charCodeAt(end - 1) === 0x20 || s.charCodeAt(end - 1) === 0)) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** An IS/DS text as a number when the number prints back as the same text (so nothing is lost). */
function numericText(s: string): StoredValue {
  const n = Number(s);
  return s !== '' && Number.isFinite(n) && String(n) === s ? n : s;
}

/**
 * One header element as a kept value, or undefined when it cannot be kept (a sequence, bulk
 * data, a value too long to have been read).
 */
export function decodeValue(el: ScannedElement, dictionaryVr: string, charset: CharacterSet): StoredValue | undefined {
  const vr = el.vr === 'UN' || !KNOWN_VRS.has(el.vr) ? dictionaryVr : el.vr;
  if (el.value === undefined) return el.length === 0 && vr !== 'SQ' ? '' : undefined;
  if (isTextVr(vr)) {
    // Only SH, LO, ST, LT, UC, UT and PN use the character set; the rest read as decodeText would.
    const raw = usesSpecificCharacterSet(vr) ? decodeText(el.value, charset, vr) : el.value.toString('latin1');
    const whole = stripTrailingPadding(raw);
    if (!isMultiValuedTextVr(vr)) return whole;
    // One value (most of them) makes no array: arrays of numbers come in several element kinds
    // (small integers, doubles), and each new one seen here threw this function's optimized code
    // away (three TurboFan compilations per 1,000 received instances, ~40 ms each).
    if (!whole.includes('\\')) return oneTextValue(whole, vr);
    const parts: string[] = [];
    for (const part of whole.split('\\')) parts.push(oneText(part, vr));
    if (vr === 'IS' || vr === 'DS') {
      const values: number[] = [];
      for (const part of parts) {
        const x = numericText(part);
        if (typeof x !== 'number') return parts;
        values.push(x);
      }
      return values;
    }
    return parts;
  }
  if (vr === 'OB' || vr === 'UN' || vr === 'SQ') return undefined;
  const numbers = decodeNumbers(vr, el.value);
  if (numbers === undefined) return undefined;
  if (numbers.length === 0) return '';
  return numbers.length === 1 ? numbers[0]! : numbers;
}

/** One value of a multi-valued text VR, trimmed (a name without empty trailing component groups). */
function oneText(text: string, vr: string): string {
  const trimmed = trimValue(text, vr);
  // Empty trailing component groups of a name say nothing ("Wang^XiaoDong=王^小東=").
  return vr === 'PN' ? trimmed.replace(/=+$/, '') : trimmed;
}

function oneTextValue(text: string, vr: string): StoredValue {
  const value = oneText(text, vr);
  return vr === 'IS' || vr === 'DS' ? numericText(value) : value;
}

/** Where each indexed tag goes: which level's values, at which position. */
const SLOTS: ReadonlyMap<Tag, { level: number; position: number; column: Column }> = /* @__PURE__ */ (() => new Map(
  INDEX_LEVELS.flatMap((level, l) => LEVEL_COLUMNS[level].columns.map((column, position): [Tag, { level: number; position: number; column: Column }] =>
    [column.tag, { level: l, position, column }])),
))();

/** Decoding values is most of indexing an instance, and the patient, study and series values of
 * one series' instances are the same bytes again and again: the last ones decoded per level are
 * remembered, and identical bytes (in the same character set) give a copy of the same values. */
export class LevelMemo {
  charsets: (CharacterSet | undefined)[] = [undefined, undefined, undefined];
  tags: Tag[][] = [[], [], []];
  elements: ScannedElement[][] = [[], [], []];
  values: StoredValues[] = [[], [], []];
}

type Slot = { level: number; position: number; column: Column };

function sameBytes(a: ScannedElement, b: ScannedElement): boolean {
  if (a.vr !== b.vr || a.length !== b.length) return false;
  if (a.value === undefined || b.value === undefined) return a.value === b.value;
  return a.value.equals(b.value);
}

/**
 * The values of every level's columns found in a header, in INDEX_LEVELS order (patient, study,
 * series, image); shared values interned. Each array ends at its last present value.
 */
export function decodeLevels(elements: ReadonlyMap<Tag, ScannedElement>, charset: CharacterSet, interner: Interner, memo?: LevelMemo): StoredValues[] {
  // First the elements of each level (and no intermediate objects holding values of changing
  // types: such objects change shape as they go, and the optimized code of this hot function was
  // thrown away and rebuilt several times per run).
  const tags: Tag[][] = [[], [], [], []];
  const found: ScannedElement[][] = [[], [], [], []];
  for (const [tag, el] of elements) {
    const slot = SLOTS.get(tag);
    if (slot === undefined) continue;
    tags[slot.level]!.push(tag);
    found[slot.level]!.push(el);
  }
  const out: StoredValues[] = [];
  for (let level = 0; level < 4; level++) {
    const levelTags = tags[level]!;
    const levelElements = found[level]!;
    if (memo && level < 3 && memo.charsets[level] === charset && sameElements(memo.tags[level]!, memo.elements[level]!, levelTags, levelElements)) {
      out.push(memo.values[level]!.slice());
      continue;
    }
    const values = decodeLevel(levelTags, levelElements, charset, interner);
    if (memo && level < 3) {
      memo.charsets[level] = charset;
      memo.tags[level] = levelTags;
      memo.elements[level] = levelElements;
      memo.values[level] = values.slice();
    }
    out.push(values);
  }
  return out;
}

function sameElements(tagsA: Tag[], elementsA: ScannedElement[], tagsB: Tag[], elementsB: ScannedElement[]): boolean {
  if (tagsA.length !== tagsB.length) return false;
  for (let i = 0; i < tagsA.length; i++) if (tagsA[i] !== tagsB[i] || !sameBytes(elementsA[i]!, elementsB[i]!)) return false;
  return true;
}

/** One level's values from its elements, in column order, ending at the last present value. */
function decodeLevel(tags: Tag[], elements: ScannedElement[], charset: CharacterSet, interner: Interner): StoredValues {
  let size = 0;
  for (const tag of tags) size = Math.max(size, (SLOTS.get(tag) as Slot).position + 1);
  // Sized up front: arrays grown by push() keep up to twice the room they need, per entity.
  const values = new Array<StoredValue | undefined>(size).fill(undefined);
  let last = -1;
  for (let i = 0; i < tags.length; i++) {
    const slot = SLOTS.get(tags[i]!) as Slot;
    const v = decodeValue(elements[i]!, slot.column.vr, charset);
    if (v === undefined) continue;
    values[slot.position] = slot.column.shared ? interner.value(v) : v;
    if (slot.position > last) last = slot.position;
  }
  // A column whose value could not be kept is absent: the array ends at the last present one.
  if (values.length !== last + 1) values.length = last + 1;
  return values;
}

/** Whether two value lists hold the same values where both are present. */
export function sameValue(a: StoredValue | undefined, b: StoredValue | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || typeof a !== 'object' || typeof b !== 'object') return false;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
