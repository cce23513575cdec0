// A UN element whose value starts with an item tag is, in practice, a sequence whose VR the writer
// did not know (a private SQ re-encoded from Implicit VR). PS3.5 6.2.2 says such items are Implicit
// VR Little Endian, so the viewer reads them as a sequence; values that do not parse stay binary.

import { Dataset, DataElement } from '../dataset-model';
import { parseDataset } from '../codec';
import { ImplicitVRLittleEndian } from '../transfer-syntaxes';

const cache = new WeakMap<DataElement, Dataset[] | null>();

function startsWithItemTag(b: Buffer): boolean {
  return b.length >= 8 && b[0] === 0xfe && b[1] === 0xff && b[2] === 0x00 && b[3] === 0xe0;
}

/** The items of a UN value that holds a sequence, or undefined. */
export function unSequenceItems(el: DataElement): Dataset[] | undefined {
  if (el.vr !== 'UN' || el.items || !el.value || !startsWithItemTag(el.value)) return undefined;
  const known = cache.get(el);
  if (known !== undefined) return known ?? undefined;
  let items: Dataset[] | null = null;
  try {
    // Wrap the value as an undefined-length element in Implicit VR, which the parser reads as a sequence.
    const head = Buffer.alloc(8);
    head.writeUInt16LE(el.tag >>> 16, 0);
    head.writeUInt16LE(el.tag & 0xffff, 2);
    head.writeUInt32LE(0xffffffff, 4);
    const tail = Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]);
    const ds = parseDataset(Buffer.concat([head, el.value, tail]), ImplicitVRLittleEndian, { maxDepth: 32 });
    const parsed = ds.get(el.tag);
    if (parsed?.items && ds.size === 1) items = parsed.items;
  } catch {
    items = null;
  }
  cache.set(el, items);
  return items ?? undefined;
}

/** The items of a sequence element, including a UN value read as one. */
export function itemsOf(el: DataElement): Dataset[] | undefined {
  return el.items ?? unSequenceItems(el);
}
