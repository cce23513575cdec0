// What a query is matched against: a light, read-only view of one entity (a patient, study,
// series, instance or worklist item) whose values are already decoded. The archive index
// implements it over its own tables; `objectRecord` and `datasetRecord` are ready-made ones.

import { Tag, Tags } from '../../dicom';
import { resolveTag } from '../../dicom';
import { Dataset } from '../../dicom';
import { charsetDecoder, SpecificCharacterSet } from '../../dicom';
import { isTextVr } from '../../dicom';

/**
 * One attribute's value: a string (one value), strings (one per value, already split at "\"),
 * numbers for binary and numeric VRs (IS/DS may also come as strings), records for the items of a
 * sequence, raw bytes for OB/OW/UN. `null`, `''` and `[]` all mean "present but empty".
 * Text is Unicode (already decoded from its Specific Character Set); trailing padding is ignored.
 */
export type AttributeValue =
  | string
  | number
  | bigint
  | readonly string[]
  | readonly number[]
  | readonly QueryRecord[]
  | Uint8Array
  | null;

export interface QueryRecord {
  /** The attribute's value; undefined when the entity does not have the attribute at all. */
  value(tag: Tag): AttributeValue | undefined;
  /** Every tag the entity has; only needed to return whole sequence items (empty-item return keys). */
  tags?(): Iterable<Tag>;
  /** The VR of a tag the data dictionary does not know (private tags), for building responses. */
  vr?(tag: Tag): string | undefined;
}

/** Plain data for `objectRecord`: keyword or tag ("PatientName", "00100010", "0010,0010") to value. */
export interface RecordObject {
  [keywordOrTag: string]: AttributeValue | readonly RecordObject[] | undefined;
}

function isRecordArray(v: unknown): v is readonly QueryRecord[] {
  return Array.isArray(v) && v.length > 0 && typeof v[0] === 'object' && v[0] !== null && typeof (v[0] as QueryRecord).value === 'function';
}

/** A record over a plain object; arrays of objects become sequences of records. */
export function objectRecord(values: RecordObject): QueryRecord {
  const map = new Map<Tag, AttributeValue>();
  for (const [key, raw] of Object.entries(values)) {
    if (raw === undefined) continue;
    let v: AttributeValue;
    if (Array.isArray(raw) && raw.length > 0 && typeof raw[0] === 'object' && raw[0] !== null && !isRecordArray(raw)) {
      v = (raw as readonly RecordObject[]).map((item) => objectRecord(item));
    } else {
      v = raw as AttributeValue;
    }
    map.set(resolveTag(key), v);
  }
  return {
    value: (t) => map.get(t),
    tags: () => map.keys(),
  };
}

/**
 * A record over a Dataset (a worklist file, a stored instance): text values decoded with the
 * dataset's Specific Character Set (items may override it), split into values, padding removed;
 * binary values as numbers. Values are decoded on first use and kept.
 */
export function datasetRecord(ds: Dataset, inheritedCharset?: SpecificCharacterSet): QueryRecord {
  const own = ds.strings(Tags.SpecificCharacterSet);
  const charset: SpecificCharacterSet = own && own.length ? own : inheritedCharset;
  const decode = charsetDecoder(charset);
  const cache = new Map<Tag, AttributeValue | undefined>();
  const read = (t: Tag): AttributeValue | undefined => {
    const el = ds.get(t);
    if (!el) return undefined;
    if (el.items) return el.items.map((item) => datasetRecord(item, charset));
    if (el.fragments) return null;
    if (isTextVr(el.vr)) {
      const values = ds.strings(t, decode) ?? [];
      return values.length === 1 ? values[0]! : values;
    }
    if (el.vr === 'UN' || el.vr === 'OB') return el.value ?? null;
    return ds.numbers(t) ?? el.value ?? null;
  };
  return {
    value(t) {
      if (cache.has(t)) return cache.get(t);
      const v = read(t);
      cache.set(t, v);
      return v;
    },
    tags: () => ds.tags(),
    vr: (t) => ds.get(t)?.vr,
  };
}
