// The DICOM JSON Model (PS3.18 F.2): a Dataset to and from its JSON form. Text is decoded with
// the dataset's Specific Character Set, so the JSON is always Unicode; on the way back it is
// encoded in the character set the JSON names (or UTF-8 when it names none and needs one).
//
// Choices where the standard leaves room (F.2.3):
// - IS, DS, SV and UV are JSON numbers when the number denotes exactly the value of the text
//   ("1.0" gives 1, "007" gives 7), and JSON strings holding the trimmed text when it would not
//   (more digits than a double keeps, beyond ±2^53 for integers, or not a number at all).
// - FL values are written as the shortest decimal that reads back as the same 32-bit float.
//   NaN and the infinities, which JSON numbers cannot hold, are written as the strings
//   "NaN", "Infinity" and "-Infinity" (and read back from them).
// - Binary VRs (OB, OD, OF, OL, OV, OW, UN) are InlineBinary unless the caller's bulkData callback
//   gives a BulkDataURI. Encapsulated pixel data without a URI is inlined as its item stream.

import { Dataset, DataElement, decodeNumbers, encodeElement } from './dataset-model';
import { DicomError } from './errors';
import { decodeText, encodeText, joinPersonName, normalizeCharsetTerms, splitPersonName, type SpecificCharacterSet } from './charset';
import { formatTagHex, isGroupLength, type Tag } from './tag';
import { KNOWN_VRS, usesSpecificCharacterSet } from './vr';

// --- the JSON shapes ------------------------------------------------------------------------

export interface DicomJsonPersonName {
  Alphabetic?: string;
  Ideographic?: string;
  Phonetic?: string;
}

export type DicomJsonValue = string | number | DicomJsonPersonName | DicomJsonObject | null;

export interface DicomJsonAttribute {
  vr: string;
  Value?: DicomJsonValue[];
  InlineBinary?: string;
  BulkDataURI?: string;
}

/** One dataset: attributes keyed by eight upper-case hex digits, in ascending order. */
export type DicomJsonObject = { [tag: string]: DicomJsonAttribute };

/** A JSON document that is not a valid DICOM JSON Model object. */
export class DicomJsonError extends DicomError {
  constructor(message: string, readonly path?: string) {
    super(message);
  }
}

const SPECIFIC_CHARACTER_SET = 0x00080005;
const PIXEL_DATA = 0x7fe00010;
const MAX_DEPTH = 64;

// --- dataset to JSON ------------------------------------------------------------------------

/** What the bulkData callback is told about a binary value. */
export interface BulkDataElement {
  tag: Tag;
  vr: string;
  /** Tags and item indices from the top-level dataset, e.g. "00540016/0/00181072". */
  path: string;
  /** The value (little endian), absent for encapsulated pixel data. */
  value?: Buffer;
  /** Encapsulated pixel data: the Basic Offset Table, then each fragment. */
  fragments?: Buffer[];
}

export interface ToJsonOptions {
  /** Returns a BulkDataURI for a binary value, or undefined to inline it as base64. */
  bulkData?: (element: BulkDataElement) => string | undefined;
  /** Character set for a dataset without (0008,0005), e.g. the one of an enclosing message. */
  specificCharacterSet?: SpecificCharacterSet;
}

/** Converts a dataset to a DICOM JSON Model object. Group lengths are left out (F.2.2). */
export function datasetToJson(ds: Dataset, options: ToJsonOptions = {}): DicomJsonObject {
  return objectOf(ds, options, charsetOf(ds, options.specificCharacterSet), '', 0);
}

function charsetOf(ds: Dataset, inherited: SpecificCharacterSet): SpecificCharacterSet {
  const el = ds.get(SPECIFIC_CHARACTER_SET);
  if (!el?.value) return inherited;
  return normalizeCharsetTerms(el.value.toString('latin1'));
}

function objectOf(ds: Dataset, options: ToJsonOptions, charset: SpecificCharacterSet, prefix: string, depth: number): DicomJsonObject {
  if (depth > MAX_DEPTH) throw new DicomJsonError(`Sequences are nested more than ${MAX_DEPTH} deep at ${prefix}.`, prefix);
  const out: DicomJsonObject = {};
  const elements = [...ds.elements()].filter((el) => !isGroupLength(el.tag)).sort((a, b) => a.tag - b.tag);
  for (const el of elements) {
    const key = formatTagHex(el.tag);
    out[key] = attributeOf(el, options, charset, prefix + key, depth);
  }
  return out;
}

function attributeOf(el: DataElement, options: ToJsonOptions, charset: SpecificCharacterSet, path: string, depth: number): DicomJsonAttribute {
  if (el.items) {
    const items = el.items.map((item, i) => objectOf(item, options, charsetOf(item, charset), `${path}/${i}/`, depth + 1));
    return items.length > 0 ? { vr: 'SQ', Value: items } : { vr: 'SQ' };
  }
  const vr = el.vr;
  if (el.fragments) return binaryAttribute(vr, { tag: el.tag, vr, path, fragments: el.fragments }, encapsulate(el.fragments), options);
  const value = el.value ?? Buffer.alloc(0);
  if (value.length === 0) return { vr };
  switch (vr) {
    case 'AE': case 'AS': case 'CS': case 'DA': case 'DT': case 'LO': case 'LT': case 'SH': case 'ST':
    case 'TM': case 'UC': case 'UI': case 'UR': case 'UT':
      return withValues(vr, textValues(decodeText(value, charset, vr), vr));
    case 'PN':
      return withValues(vr, textValues(decodeText(value, charset, vr), vr).map((v) => (v === null ? null : personNameObject(v))));
    case 'DS': case 'IS':
      return withValues(vr, textValues(decodeText(value, charset, vr), vr).map((v) => (v === null ? null : decimalToJson(v))));
    case 'US': case 'SS': case 'UL': case 'SL': case 'FD':
      return withValues(vr, (decodeNumbers(vr, value) ?? []).map(floatToJson));
    case 'FL':
      return withValues(vr, (decodeNumbers(vr, value) ?? []).map(float32ToJson));
    case 'SV': case 'UV':
      return withValues(vr, bigIntegers(vr, value).map(bigIntegerToJson));
    case 'AT':
      return withValues(vr, (decodeNumbers(vr, value) ?? []).map((t) => formatTagHex(t)));
    default:
      return binaryAttribute(vr, { tag: el.tag, vr, path, value }, value, options);
  }
}

function withValues(vr: string, values: DicomJsonValue[]): DicomJsonAttribute {
  return values.length === 0 ? { vr } : { vr, Value: values };
}

function binaryAttribute(vr: string, element: BulkDataElement, bytes: Buffer, options: ToJsonOptions): DicomJsonAttribute {
  const uri = options.bulkData?.(element);
  if (uri !== undefined) return { vr, BulkDataURI: uri };
  return bytes.length === 0 ? { vr } : { vr, InlineBinary: bytes.toString('base64') };
}

/** Splits decoded text into values and removes the padding that PS3.5 Table 6.2-1 calls insignificant; '' becomes null. */
function textValues(text: string, vr: string): (string | null)[] {
  const single = vr === 'LT' || vr === 'ST' || vr === 'UT' || vr === 'UR';
  const parts = single ? [text] : text.split('\\');
  const trimLeading = !single && vr !== 'PN' && vr !== 'UC';
  const values = parts.map((part) => {
    let v = part.replace(/[ \0]+$/, '');
    if (trimLeading) v = v.replace(/^ +/, '');
    return v === '' ? null : v;
  });
  return values.length === 1 && values[0] === null ? [] : values;
}

function personNameObject(value: string): DicomJsonPersonName | null {
  const groups = splitPersonName(value);
  const out: DicomJsonPersonName = {};
  if (groups.alphabetic) out.Alphabetic = groups.alphabetic;
  if (groups.ideographic) out.Ideographic = groups.ideographic;
  if (groups.phonetic) out.Phonetic = groups.phonetic;
  return Object.keys(out).length > 0 ? out : null;
}

// --- numbers --------------------------------------------------------------------------------

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** A decimal's exact value as "sign digits e exponent" with no leading or trailing zeros, or undefined. */
function canonicalDecimal(text: string): string | undefined {
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  const whole = m[2] ?? '';
  const fraction = m[3] ?? '';
  if (whole === '' && fraction === '') return undefined;
  let digits = (whole + fraction).replace(/^0+/, '');
  if (digits === '') return '0';
  let exponent = Number(m[4] ?? '0') - fraction.length;
  const significant = digits.replace(/0+$/, '');
  exponent += digits.length - significant.length;
  digits = significant;
  return `${m[1] === '-' ? '-' : ''}${digits}e${exponent}`;
}

/** DS or IS text to a JSON number when that keeps its exact value, else the text itself. */
function decimalToJson(text: string): number | string {
  const n = Number(text);
  if (!Number.isFinite(n)) return text;
  const exact = canonicalDecimal(text);
  if (exact === undefined || exact !== canonicalDecimal(String(n))) return text;
  return n === 0 ? 0 : n; // no negative zero: JSON writes it as 0 anyway

}

function floatToJson(n: number): number | string {
  return Number.isFinite(n) ? n : String(n);
}

/** The shortest decimal that reads back as the same 32-bit float. */
function float32ToJson(n: number): number | string {
  if (!Number.isFinite(n)) return String(n);
  for (let precision = 1; precision <= 9; precision++) {
    const candidate = Number(n.toPrecision(precision));
    if (Math.fround(candidate) === n) return candidate;
  }
  return n;
}

function bigIntegers(vr: string, value: Buffer): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i + 8 <= value.length; i += 8) out.push(vr === 'SV' ? value.readBigInt64LE(i) : value.readBigUInt64LE(i));
  return out;
}

function bigIntegerToJson(n: bigint): number | string {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
}

/** A JSON number as DS text of at most 16 characters (PS3.5 Table 6.2-1). */
function formatDecimalString(n: number): string {
  const plain = String(n);
  if (plain.length <= 16) return plain;
  for (let precision = 16; precision > 0; precision--) {
    const text = Number(n.toPrecision(precision)).toString();
    if (text.length <= 16) return text;
    const exponential = n.toExponential(Math.max(0, precision - 1)).replace(/\.?0+e/, 'e');
    if (exponential.length <= 16) return exponential;
  }
  return n.toExponential(0);
}

// --- encapsulated pixel data ----------------------------------------------------------------

const ITEM = [0xfe, 0xff, 0x00, 0xe0];
const SEQUENCE_DELIMITER = [0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0];

function encapsulate(fragments: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const fragment of fragments) {
    const header = Buffer.from([...ITEM, 0, 0, 0, 0]);
    header.writeUInt32LE(fragment.length, 4);
    parts.push(header, fragment);
  }
  parts.push(Buffer.from(SEQUENCE_DELIMITER));
  return Buffer.concat(parts);
}

/** Reads an item stream back into fragments, or returns undefined when the bytes are not one. */
function decapsulate(bytes: Buffer): Buffer[] | undefined {
  const fragments: Buffer[] = [];
  let at = 0;
  while (at + 8 <= bytes.length) {
    const tag = bytes.readUInt32LE(at);
    const length = bytes.readUInt32LE(at + 4);
    if (tag === 0xe0ddfffe) return length === 0 && at + 8 === bytes.length ? fragments : undefined;
    if (tag !== 0xe000fffe || length > bytes.length - at - 8) return undefined;
    fragments.push(bytes.subarray(at + 8, at + 8 + length));
    at += 8 + length;
  }
  return undefined;
}

// --- JSON to dataset ------------------------------------------------------------------------

export interface FromJsonOptions {
  /**
   * Character set for the text of the dataset, written to (0008,0005). Without it the JSON's own
   * (0008,0005) is used, and when there is none and some text is not ASCII, ISO_IR 192 (UTF-8).
   */
  specificCharacterSet?: SpecificCharacterSet;
  /** Fetches the bytes behind a BulkDataURI; undefined leaves the attribute out. */
  bulkDataResolver?: (uri: string, element: { tag: Tag; vr: string; path: string }) => Buffer | undefined;
}

/**
 * Builds a dataset from a DICOM JSON Model object (a QIDO-RS result, a worklist item, a query).
 * @throws DicomJsonError when the document is not valid DICOM JSON.
 * @throws CharsetError when a text cannot be written in the character set.
 */
export function datasetFromJson(json: unknown, options: FromJsonOptions = {}): Dataset {
  const object = asObject(json, '');
  let charset: string[];
  if (options.specificCharacterSet !== undefined) {
    charset = normalizeCharsetTerms(options.specificCharacterSet);
  } else {
    const own = object[formatTagHex(SPECIFIC_CHARACTER_SET)];
    charset = own !== undefined ? charsetFromJson(own, formatTagHex(SPECIFIC_CHARACTER_SET)) : [];
    if (own === undefined && needsUnicode(object, 0)) charset = ['ISO_IR 192'];
  }
  const ds = datasetOf(object, options, charset, '', 0);
  if (charset.length > 0) {
    ds.add(encodeElement(SPECIFIC_CHARACTER_SET, 'CS', charset));
  } else if (options.specificCharacterSet !== undefined) {
    ds.delete(SPECIFIC_CHARACTER_SET);
  }
  return ds;
}

function asObject(json: unknown, path: string): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new DicomJsonError(`Expected a DICOM JSON object at ${path || 'the top level'}, found ${describe(json)}.`, path);
  }
  return json as Record<string, unknown>;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `the string ${JSON.stringify(value.slice(0, 40))}` : `a ${typeof value}`;
}

function charsetFromJson(attribute: unknown, path: string): string[] {
  const values = asObject(attribute, path)['Value'];
  if (values === undefined) return [];
  if (!Array.isArray(values) || !values.every((v) => v === null || typeof v === 'string')) {
    throw new DicomJsonError(`The Value of ${path} (Specific Character Set) must be an array of strings.`, path);
  }
  return normalizeCharsetTerms(values.map((v) => (v as string | null) ?? ''));
}

/** Whether any text of a VR that uses the Specific Character Set holds a non-ASCII character. */
function needsUnicode(object: Record<string, unknown>, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  return Object.values(object).some((attribute) => {
    if (typeof attribute !== 'object' || attribute === null) return false;
    const { vr, Value } = attribute as { vr?: unknown; Value?: unknown };
    if (!Array.isArray(Value)) return false;
    if (vr === 'SQ') return Value.some((item) => typeof item === 'object' && item !== null && needsUnicode(item as Record<string, unknown>, depth + 1));
    if (typeof vr !== 'string' || !usesSpecificCharacterSet(vr)) return false;
    return Value.some((v) => /[^\x00-\x7f]/.test(typeof v === 'string' ? v : JSON.stringify(v ?? '')));
  });
}

function datasetOf(object: Record<string, unknown>, options: FromJsonOptions, charset: SpecificCharacterSet, prefix: string, depth: number): Dataset {
  if (depth > MAX_DEPTH) throw new DicomJsonError(`Sequences are nested more than ${MAX_DEPTH} deep at ${prefix}.`, prefix);
  const ds = new Dataset();
  for (const [key, attribute] of Object.entries(object)) {
    const path = prefix + key;
    if (!/^[0-9A-Fa-f]{8}$/.test(key)) throw new DicomJsonError(`The key "${key}" at ${prefix || 'the top level'} is not eight hex digits.`, path);
    const tag = parseInt(key, 16) >>> 0;
    if (isGroupLength(tag)) continue;
    const element = elementOf(tag, asObject(attribute, path), options, charset, path, depth);
    if (element) ds.add(element);
  }
  return ds;
}

function elementOf(
  tag: Tag,
  attribute: Record<string, unknown>,
  options: FromJsonOptions,
  charset: SpecificCharacterSet,
  path: string,
  depth: number,
): DataElement | undefined {
  const vr = attribute['vr'];
  if (typeof vr !== 'string' || !KNOWN_VRS.has(vr)) {
    throw new DicomJsonError(`The attribute ${path} has ${vr === undefined ? 'no "vr"' : `the unknown vr ${JSON.stringify(vr)}`}.`, path);
  }
  const { Value: values, InlineBinary: inline, BulkDataURI: uri } = attribute;
  const present = [values, inline, uri].filter((x) => x !== undefined).length;
  if (present > 1) throw new DicomJsonError(`The attribute ${path} has more than one of Value, InlineBinary and BulkDataURI.`, path);

  if (uri !== undefined) {
    if (typeof uri !== 'string') throw new DicomJsonError(`The BulkDataURI of ${path} is not a string.`, path);
    if (!options.bulkDataResolver) {
      throw new DicomJsonError(`The attribute ${path} refers to bulk data at ${uri} and no bulkDataResolver was given.`, path);
    }
    const bytes = options.bulkDataResolver(uri, { tag, vr, path });
    return bytes === undefined ? undefined : binaryElement(tag, vr, bytes);
  }
  if (inline !== undefined) {
    if (typeof inline !== 'string' || !/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(inline)) {
      throw new DicomJsonError(`The InlineBinary of ${path} is not base64 text.`, path);
    }
    return binaryElement(tag, vr, Buffer.from(inline, 'base64'));
  }
  if (values === undefined) return encodeElement(tag, vr, null);
  if (!Array.isArray(values)) throw new DicomJsonError(`The Value of ${path} is not an array.`, path);

  switch (vr) {
    case 'SQ': {
      const items = values.map((item, i) => {
        const itemPath = `${path}/${i}/`;
        const object = asObject(item ?? {}, itemPath);
        const own = object[formatTagHex(SPECIFIC_CHARACTER_SET)];
        const itemCharset = own !== undefined ? charsetFromJson(own, itemPath + formatTagHex(SPECIFIC_CHARACTER_SET)) : charset;
        return datasetOf(object, options, itemCharset, itemPath, depth + 1);
      });
      return encodeElement(tag, vr, items);
    }
    case 'PN':
      return textElement(tag, vr, values.map((v, i) => personNameText(v, `${path}[${i}]`)), charset, path);
    case 'DS': case 'IS':
      return textElement(tag, vr, values.map((v, i) => decimalText(v, vr, `${path}[${i}]`)), charset, path);
    case 'US': case 'SS': case 'UL': case 'SL': case 'FL': case 'FD':
      return encodeElement(tag, vr, values.map((v, i) => numberOf(v, vr, `${path}[${i}]`)));
    case 'SV': case 'UV':
      return encodeElement(tag, vr, values.map((v, i) => bigIntegerOf(v, vr, `${path}[${i}]`)));
    case 'AT':
      return encodeElement(tag, vr, values.map((v, i) => attributeTagOf(v, `${path}[${i}]`)));
    case 'OB': case 'OD': case 'OF': case 'OL': case 'OV': case 'OW': case 'UN':
      throw new DicomJsonError(`The attribute ${path} has VR ${vr} and must use InlineBinary or BulkDataURI, not Value.`, path);
    default:
      return textElement(tag, vr, values.map((v, i) => {
        if (v === null) return '';
        if (typeof v !== 'string') throw new DicomJsonError(`The value ${path}[${i}] should be a string, found ${describe(v)}.`, path);
        return v;
      }), charset, path);
  }
}

function textElement(tag: Tag, vr: string, values: string[], charset: SpecificCharacterSet, path: string): DataElement {
  const single = vr === 'LT' || vr === 'ST' || vr === 'UT' || vr === 'UR';
  if (single && values.length > 1) throw new DicomJsonError(`The attribute ${path} has VR ${vr}, which holds one value, but ${values.length} were given.`, path);
  return encodeElement(tag, vr, values, (text, textVr) => encodeText(text, charset, textVr));
}

function binaryElement(tag: Tag, vr: string, bytes: Buffer): DataElement {
  if (tag === PIXEL_DATA && bytes.length >= 8 && bytes.readUInt32LE(0) === 0xe000fffe) {
    const fragments = decapsulate(bytes);
    if (fragments) return { tag, vr, fragments, undefinedLength: true };
  }
  if (bytes.length % 2 === 1) {
    const padded = Buffer.alloc(bytes.length + 1);
    bytes.copy(padded);
    return { tag, vr, value: padded };
  }
  return { tag, vr, value: bytes };
}

function personNameText(value: unknown, path: string): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new DicomJsonError(`The person name ${path} should be an object with Alphabetic, Ideographic or Phonetic, found ${describe(value)}.`, path);
  }
  const groups = value as Record<string, unknown>;
  for (const [key, group] of Object.entries(groups)) {
    if (key !== 'Alphabetic' && key !== 'Ideographic' && key !== 'Phonetic') {
      throw new DicomJsonError(`The person name ${path} has the unknown component group "${key}".`, path);
    }
    if (typeof group !== 'string') throw new DicomJsonError(`The ${key} group of ${path} is not a string.`, path);
  }
  return joinPersonName({
    alphabetic: groups['Alphabetic'] as string | undefined,
    ideographic: groups['Ideographic'] as string | undefined,
    phonetic: groups['Phonetic'] as string | undefined,
  });
}

function decimalText(value: unknown, vr: string, path: string): string {
  if (value === null) return '';
  if (typeof value === 'string') return value.trim();
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new DicomJsonError(`The ${vr} value ${path} should be a number, found ${describe(value)}.`, path);
  }
  if (vr === 'IS') {
    if (!Number.isInteger(value) || Math.abs(value) > 2 ** 31 - 1) {
      throw new DicomJsonError(`The IS value ${path} (${value}) is not an integer that IS can hold.`, path);
    }
    return String(value);
  }
  return formatDecimalString(value);
}

function numberOf(value: unknown, vr: string, path: string): number {
  const n = typeof value === 'string' && /^(NaN|-?Infinity)$/.test(value) && (vr === 'FL' || vr === 'FD') ? Number(value) : value;
  if (typeof n !== 'number' || (!Number.isFinite(n) && typeof value !== 'string')) {
    throw new DicomJsonError(`The ${vr} value ${path} should be a number, found ${describe(value)}.`, path);
  }
  if (vr === 'FL' || vr === 'FD') return n;
  const [min, max] = vr === 'US' ? [0, 0xffff] : vr === 'SS' ? [-0x8000, 0x7fff] : vr === 'UL' ? [0, 0xffffffff] : [-0x80000000, 0x7fffffff];
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new DicomJsonError(`The ${vr} value ${path} (${n}) is not an integer from ${min} to ${max}.`, path);
  }
  return n;
}

function bigIntegerOf(value: unknown, vr: string, path: string): bigint {
  let n: bigint | undefined;
  if (typeof value === 'number' && Number.isInteger(value)) n = BigInt(value);
  else if (typeof value === 'string' && /^[+-]?\d{1,20}$/.test(value.trim())) n = BigInt(value.trim());
  const [min, max] = vr === 'SV' ? [-(2n ** 63n), 2n ** 63n - 1n] : [0n, 2n ** 64n - 1n];
  if (n === undefined || n < min || n > max) {
    throw new DicomJsonError(`The ${vr} value ${path} should be an integer from ${min} to ${max}, found ${describe(value)}.`, path);
  }
  return n;
}

function attributeTagOf(value: unknown, path: string): number {
  if (typeof value !== 'string' || !/^[0-9A-Fa-f]{8}$/.test(value)) {
    throw new DicomJsonError(`The AT value ${path} should be eight hex digits, found ${describe(value)}.`, path);
  }
  return parseInt(value, 16) >>> 0;
}
