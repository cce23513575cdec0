// Row ids: where an element, item or fragment sits in a file, as text that survives the trip to
// the webview and back. "d/300A00B0/0/300A0111" is the (300A,0111) element of the first item of
// the top-level (300A,00B0) sequence; "m/00020010" is in the file meta; "d/7FE00010/f2" is the
// third fragment of encapsulated Pixel Data.

import { Dataset, DataElement } from '../dataset-model';
import { Tag, Tags, formatTagHex, tag as makeTag } from '../tag';
import { DicomError } from '../errors';
import { SpecificCharacterSet } from '../charset';
import { itemsOf } from './un-sequence';

export type PathScope = 'm' | 'd';

export function elementId(parent: string, t: Tag): string {
  return `${parent}/${formatTagHex(t)}`;
}

export function itemId(sequenceId: string, index: number): string {
  return `${sequenceId}/${index}`;
}

export function fragmentId(elementIdText: string, index: number): string {
  return `${elementIdText}/f${index}`;
}

export interface ResolvedRow {
  kind: 'element' | 'item' | 'fragment';
  /** The element itself (for fragments: the Pixel Data element). */
  element?: DataElement;
  item?: Dataset;
  fragment?: Buffer;
  /** The dataset holding the element (or the item itself). */
  container: Dataset;
  /** The Specific Character Set in force where the row sits. */
  charset: SpecificCharacterSet;
}

export class UnknownRowError extends DicomError {}

const TAG_SEGMENT = /^[0-9A-F]{8}$/;
const INDEX_SEGMENT = /^(0|[1-9][0-9]{0,8})$/;
const FRAGMENT_SEGMENT = /^f(0|[1-9][0-9]{0,8})$/;
const MAX_SEGMENTS = 2 * 64 + 2;

function charsetOf(ds: Dataset, inherited: SpecificCharacterSet): SpecificCharacterSet {
  return ds.has(Tags.SpecificCharacterSet) ? ds.strings(Tags.SpecificCharacterSet) ?? inherited : inherited;
}

/**
 * Finds the element, item or fragment a row id names.
 * @throws UnknownRowError when the id is malformed or names nothing in these datasets.
 */
export function resolveRowId(id: string, roots: { meta: Dataset; dataset: Dataset }): ResolvedRow {
  if (typeof id !== 'string' || id.length > 2000) throw new UnknownRowError('The row id is not valid.');
  const parts = id.split('/');
  const scope = parts[0];
  if ((scope !== 'm' && scope !== 'd') || parts.length < 2 || parts.length > MAX_SEGMENTS) {
    throw new UnknownRowError(`The row id "${id.slice(0, 80)}" is not valid.`);
  }
  const unknown = () => new UnknownRowError(`The row "${id.slice(0, 80)}" is not in this file.`);
  let container = scope === 'm' ? roots.meta : roots.dataset;
  let charset: SpecificCharacterSet = scope === 'm' ? undefined : charsetOf(container, undefined);
  let element: DataElement | undefined;
  for (let i = 1; i < parts.length; i++) {
    const seg = parts[i]!;
    const expectTag = i % 2 === 1;
    if (expectTag) {
      if (!TAG_SEGMENT.test(seg)) throw unknown();
      const t = makeTag(parseInt(seg.slice(0, 4), 16), parseInt(seg.slice(4), 16));
      element = container.get(t);
      if (!element) throw unknown();
      if (i === parts.length - 1) return { kind: 'element', element, container, charset };
    } else if (FRAGMENT_SEGMENT.test(seg)) {
      const n = Number(seg.slice(1));
      const fragment = element?.fragments?.[n];
      if (!fragment || i !== parts.length - 1) throw unknown();
      return { kind: 'fragment', element, fragment, container, charset };
    } else {
      if (!INDEX_SEGMENT.test(seg)) throw unknown();
      const item = element ? itemsOf(element)?.[Number(seg)] : undefined;
      if (!item) throw unknown();
      container = item;
      charset = charsetOf(item, charset);
      if (i === parts.length - 1) return { kind: 'item', item, container, charset };
    }
  }
  throw unknown();
}
