// Private tags (PS3.5 7.8.1): in an odd group gggg, (gggg,00xx) holds the name of the creator that
// owns the block of elements (gggg,xx00)-(gggg,xxFF). Each dataset (and each item) has its own.

import { Dataset } from '../dataset-model';
import { Tag, isPrivateTag, isPrivateCreator } from '../tag';
import { SpecificCharacterSet, decodeText } from '../charset';

export type PrivateTagRole = 'creator' | 'data' | 'group-length' | 'illegal';

export function privateTagRole(t: Tag): PrivateTagRole {
  const e = t & 0xffff;
  if (e === 0) return 'group-length';
  if (isPrivateCreator(t)) return 'creator';
  if (e >= 0x1000) return 'data';
  // (gggg,0001)-(gggg,000F) are not allowed in private groups.
  return 'illegal';
}

/** The creator tag owning a private data element: (gggg,xx10) → (gggg,0010). */
export function creatorTagOf(t: Tag): Tag | undefined {
  if (!isPrivateTag(t) || privateTagRole(t) !== 'data') return undefined;
  const group = t >>> 16;
  const block = (t >>> 8) & 0xff;
  return ((group << 16) | block) >>> 0;
}

/**
 * The creator of a private data element as the dataset names it; '' when its (gggg,00xx) element
 * is missing, undefined for tags that are not private data elements.
 */
export function privateCreatorOf(ds: Dataset, t: Tag, charset: SpecificCharacterSet): string | undefined {
  const creatorTag = creatorTagOf(t);
  if (creatorTag === undefined) return undefined;
  const el = ds.get(creatorTag);
  if (!el?.value) return '';
  return decodeText(el.value, charset, 'LO').replace(/[\0 ]+$/, '').trim();
}
