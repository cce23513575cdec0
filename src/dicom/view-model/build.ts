// A parsed Part 10 file → the rows the dataset viewer shows: one per element, with sequences,
// items and pixel-data fragments as children, private elements named after their creator, and
// text decoded in the character set in force where it sits.

import { Dataset, DataElement } from '../dataset-model';
import { Part10File } from '../part10';
import { lookupTag } from '../dictionary';
import { formatTag, isPrivateTag, Tags } from '../tag';
import { SpecificCharacterSet } from '../charset';
import { sopClassName } from '../sop-classes';
import { transferSyntaxName } from '../transfer-syntaxes';
import { DatasetView, ElementRow } from './types';
import { elementValueText, valueLength, ValueLimits, ROW_LIMITS } from './value-text';
import { elementId, itemId, fragmentId } from './element-path';
import { privateCreatorOf, privateTagRole } from './private-creators';
import { itemsOf } from './un-sequence';

export interface BuildOptions {
  limits?: ValueLimits;
}

const ITEM_TAG_TEXT = formatTag(Tags.Item);

function charsetOf(ds: Dataset, inherited: SpecificCharacterSet): SpecificCharacterSet {
  return ds.has(Tags.SpecificCharacterSet) ? ds.strings(Tags.SpecificCharacterSet) ?? inherited : inherited;
}

interface Counter {
  rows: number;
}

function describe(ds: Dataset, el: DataElement, charset: SpecificCharacterSet): Pick<ElementRow, 'keyword' | 'name' | 'privateCreator' | 'retired'> {
  if (isPrivateTag(el.tag)) {
    switch (privateTagRole(el.tag)) {
      case 'creator': return { keyword: 'PrivateCreator', name: 'Private Creator' };
      case 'group-length': return { keyword: '', name: 'Private Group Length' };
      case 'illegal': return { keyword: '', name: 'Illegal private element' };
      default: {
        const creator = privateCreatorOf(ds, el.tag, charset) ?? '';
        const block = ((el.tag >>> 8) & 0xff).toString(16).toUpperCase().padStart(2, '0');
        return {
          keyword: '',
          name: creator ? `Private (${creator}, block ${block})` : `Private (no creator for block ${block})`,
          privateCreator: creator,
        };
      }
    }
  }
  const entry = lookupTag(el.tag);
  if (!entry) return { keyword: '', name: 'Unknown element' };
  return entry.retired ? { keyword: entry.keyword, name: entry.name, retired: true } : { keyword: entry.keyword, name: entry.name };
}

function fragmentRows(el: DataElement, id: string, depth: number, counter: Counter): ElementRow[] {
  const rows: ElementRow[] = [];
  el.fragments!.forEach((f, i) => {
    counter.rows++;
    const head = Array.from(f.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join(' ');
    rows.push({
      id: fragmentId(id, i),
      kind: 'fragment',
      depth,
      tag: ITEM_TAG_TEXT,
      keyword: i === 0 ? 'BasicOffsetTable' : 'Fragment',
      name: i === 0 ? 'Basic Offset Table' : `Fragment ${i}`,
      vr: '',
      length: f.length,
      value: f.length > 16 ? `${head} …` : head,
      truncated: false,
    });
  });
  return rows;
}

function elementRows(ds: Dataset, parentId: string, depth: number, inherited: SpecificCharacterSet, limits: ValueLimits, counter: Counter): ElementRow[] {
  const charset = charsetOf(ds, inherited);
  const rows: ElementRow[] = [];
  for (const el of ds.elements()) {
    counter.rows++;
    const id = elementId(parentId, el.tag);
    const base = { id, depth, tag: formatTag(el.tag), vr: el.vr, length: valueLength(el), ...describe(ds, el, charset) };
    const items = itemsOf(el);
    if (items) {
      const n = items.length;
      const children = items.map((item, i): ElementRow => {
        counter.rows++;
        const iid = itemId(id, i);
        return {
          id: iid, kind: 'item', depth: depth + 1, tag: ITEM_TAG_TEXT, keyword: 'Item', name: `Item ${i + 1}`,
          vr: '', length: null, value: `${item.size} element${item.size === 1 ? '' : 's'}`, truncated: false,
          children: elementRows(item, iid, depth + 2, charset, limits, counter),
        };
      });
      const row: ElementRow = { ...base, kind: 'sequence', length: el.items ? null : base.length, value: `${n} item${n === 1 ? '' : 's'}`, truncated: false, children };
      if (!el.items) row.hint = 'UN value read as a sequence';
      rows.push(row);
      continue;
    }
    const v = elementValueText(el, charset, limits);
    const row: ElementRow = { ...base, kind: 'element', value: v.text, truncated: v.truncated };
    if (v.hint) row.hint = v.hint;
    if (el.fragments) row.children = fragmentRows(el, id, depth + 1, counter);
    rows.push(row);
  }
  return rows;
}

/** Rows of one dataset (or item) at the given id prefix; `charset` is the one inherited. */
export function buildElementRows(ds: Dataset, idPrefix: 'd' | 'm' | string, charset: SpecificCharacterSet = undefined, opts: BuildOptions = {}): ElementRow[] {
  return elementRows(ds, idPrefix, 0, charset, opts.limits ?? ROW_LIMITS, { rows: 0 });
}

/** The whole view of a parsed file: file meta apart, then the dataset. */
export function buildDatasetView(file: Part10File, opts: BuildOptions = {}): DatasetView {
  const limits = opts.limits ?? ROW_LIMITS;
  const counter: Counter = { rows: 0 };
  const meta = elementRows(file.metaDataset, 'm', 0, undefined, limits, counter);
  const dataset = elementRows(file.dataset, 'd', 0, undefined, limits, counter);
  const ts = file.transferSyntaxUid;
  const sop = file.dataset.string(Tags.SOPClassUID) || (typeof file.meta.MediaStorageSOPClassUID === 'string' ? file.meta.MediaStorageSOPClassUID : '');
  const scs = file.dataset.strings(Tags.SpecificCharacterSet) ?? [];
  return {
    meta,
    dataset,
    transferSyntax: { uid: ts, name: transferSyntaxName(ts) ?? ts },
    sopClass: { uid: sop, name: sopClassName(sop) ?? (sop || 'unknown') },
    specificCharacterSet: scs.join('\\'),
    hasMeta: file.hasMeta,
    rowCount: counter.rows,
  };
}
