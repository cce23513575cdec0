// The identifier of a C-FIND response (PS3.4 C.4.1.1.3.2, K.4.1.1.3.2) for one matching record:
// exactly the keys of the request, with the record's values (zero-length when it has none),
// plus Query/Retrieve Level for the Q/R models and Specific Character Set when the values need
// one. Sequence keys answer with the matching items only, each holding the requested item keys
// (C.2.2.2.6); an empty query item asks for the whole items.

import { Tag, Tags } from '../../dicom';
import { Dataset, DataElement, TextEncoderFn, encodeElement } from '../../dicom';
import { dictionaryVr } from '../../dicom';
import {
  CharsetError, encodeText, normalizeCharsetTerms, SpecificCharacterSet,
} from '../../dicom';
import { VR, isTextVr, usesSpecificCharacterSet, binaryValueSize } from '../../dicom';
import { AttributeValue, QueryRecord } from './record';
import { CompiledKey, CompiledQuery } from './compiled-query';

export interface ResponseOptions {
  /**
   * The character set to write text values in, e.g. the one the matched instance was stored
   * in. Default: the request's. When a value cannot be written in it, the whole response is
   * written in ISO_IR 192 (UTF-8) instead.
   */
  characterSet?: SpecificCharacterSet;
}

const UTF8_TERMS = ['ISO_IR 192'];

function isRecordList(v: unknown): v is readonly QueryRecord[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'object' && x !== null && typeof (x as QueryRecord).value === 'function');
}

/** Removes trailing padding from one text value (leading spaces are the record's business). */
function trimEndPadding(s: string): string {
  let end = s.length;
  while (end > 0 && (s.charCodeAt(end - 1) === 0x20 || s.charCodeAt(end - 1) === 0x00)) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** Text for VRs outside the Specific Character Set: written as Latin-1, "?" for anything beyond. */
function latin1Lossy(text: string): Buffer {
  return Buffer.from(text.replace(/[^\u0000-\u00ff]/g, '?'), 'latin1');
}

function textEncoder(terms: readonly string[]): TextEncoderFn {
  return (text, vr) => {
    if (usesSpecificCharacterSet(vr)) return encodeText(text, terms, vr);
    try {
      return encodeText(text, terms, vr);
    } catch (e) {
      if (e instanceof CharsetError) return latin1Lossy(text);
      throw e;
    }
  };
}

function resolveVr(tag: Tag, fallback: VR, record: QueryRecord): VR {
  if (fallback !== 'UN') return fallback;
  const fromRecord = record.vr?.(tag);
  if (fromRecord) return fromRecord;
  const dict = dictionaryVr(tag);
  if (dict === 'xs' || dict === 'lt') return 'US';
  if (dict === 'ox') return 'OB';
  if (dict === 'up') return 'UL';
  return dict === 'na' ? 'UN' : dict;
}

function numberFrom(x: unknown): number | bigint | undefined {
  if (typeof x === 'number' || typeof x === 'bigint') return x;
  if (typeof x === 'string' && x.trim() !== '') {
    const n = Number(x.trim());
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** One non-sequence element from a record value. */
function valueElement(tag: Tag, vr: VR, v: AttributeValue | undefined, encode: TextEncoderFn): DataElement {
  if (v === undefined || v === null || isRecordList(v) && v.length > 0) return encodeElement(tag, vr, null, encode);
  if (v instanceof Uint8Array) return { tag, vr, value: Buffer.from(v.buffer, v.byteOffset, v.byteLength) };
  const list: unknown[] = Array.isArray(v) ? [...v] : [v];
  if (isTextVr(vr)) {
    const texts = list.map((x) => (typeof x === 'string' ? trimEndPadding(x) : typeof x === 'number' && vr === 'DS' ? x : String(x)));
    if (texts.length === 0 || texts.every((x) => x === '')) return encodeElement(tag, vr, null, encode);
    return encodeElement(tag, vr, texts as string[], encode);
  }
  if (binaryValueSize(vr) !== undefined) {
    const nums = list.map(numberFrom).filter((n): n is number | bigint => n !== undefined);
    return encodeElement(tag, vr, nums.length ? (nums as number[]) : null, encode);
  }
  // UN or another byte VR with a text value: the text's bytes.
  const text = list.map(String).join('\\');
  return encodeElement(tag, vr, latin1Lossy(text), encode);
}

/** A whole item, for return keys that asked for entire sequence items. */
function wholeItem(item: QueryRecord, encode: TextEncoderFn): Dataset {
  const ds = new Dataset();
  if (!item.tags) return ds;
  for (const t of item.tags()) {
    // Item-level Specific Character Set no longer applies: the response has one for everything.
    if (t === Tags.SpecificCharacterSet) continue;
    const v = item.value(t);
    if (isRecordList(v) && (v.length > 0 || dictionaryVr(t) === 'SQ')) {
      ds.add({ tag: t, vr: 'SQ', items: v.map((x) => wholeItem(x, encode)), undefinedLength: false });
      continue;
    }
    const vr = resolveVr(t, item.vr?.(t) ?? dictionaryVr(t), item);
    if (vr === 'SQ') {
      ds.add({ tag: t, vr: 'SQ', items: [], undefinedLength: false });
      continue;
    }
    ds.add(valueElement(t, vr, v, encode));
  }
  return ds;
}

function addKeys(ds: Dataset, keys: readonly CompiledKey[], record: QueryRecord, encode: TextEncoderFn): void {
  for (const key of keys) {
    const tag = key.tag;
    const v = record.value(tag);
    if (key.vr === 'SQ') {
      const candidates = isRecordList(v) ? v : [];
      let items: Dataset[];
      if (key.wholeItems) {
        items = candidates.map((c) => wholeItem(c, encode));
      } else {
        const chosen = key.matchesItem && key.matching === 'sequence' ? candidates.filter((c) => key.matchesItem!(c)) : candidates;
        items = chosen.map((c) => {
          const item = new Dataset();
          addKeys(item, key.itemKeys ?? [], c, encode);
          return item;
        });
      }
      ds.add({ tag, vr: 'SQ', items, undefinedLength: false });
      continue;
    }
    ds.add(valueElement(tag, resolveVr(tag, key.vr, record), v, encode));
  }
}

function build(query: CompiledQuery, record: QueryRecord, terms: readonly string[]): Dataset {
  const encode = textEncoder(terms);
  const ds = new Dataset();
  addKeys(ds, query.keys, record, encode);
  for (const el of query.privateCreators) ds.add(el);
  if (query.model.hierarchical) ds.set(Tags.QueryRetrieveLevel, query.level);
  // The default repertoire is said by leaving Specific Character Set out (it may not be empty).
  if (terms.length > 0) ds.set(Tags.SpecificCharacterSet, [...terms]);
  if (query.timezoneOffsetFromUtc && ds.has(Tags.TimezoneOffsetFromUTC) && !ds.get(Tags.TimezoneOffsetFromUTC)!.value?.length) {
    ds.set(Tags.TimezoneOffsetFromUTC, query.timezoneOffsetFromUtc);
  }
  return ds;
}

/**
 * The response identifier for one record that matched `query`. Text is written in
 * `options.characterSet` (default: the request's), or in ISO_IR 192 when some value cannot be.
 */
export function buildResponseIdentifier(query: CompiledQuery, record: QueryRecord, options: ResponseOptions = {}): Dataset {
  const terms = normalizeCharsetTerms(options.characterSet ?? query.characterSet);
  try {
    return build(query, record, terms);
  } catch (e) {
    if (!(e instanceof CharsetError) || (terms.length === 1 && terms[0] === 'ISO_IR 192')) throw e;
    return build(query, record, UTF8_TERMS);
  }
}
