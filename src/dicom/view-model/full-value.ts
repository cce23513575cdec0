// "Show all": the whole value of one row, up to FULL_LIMITS.

import { Dataset } from '../dataset-model';
import { resolveRowId } from './element-path';
import { elementValueText, FULL_LIMITS, ValueLimits } from './value-text';
import { FullValue } from './types';
import { itemsOf } from './un-sequence';

/**
 * The full text of the row `id` names in these datasets.
 * @throws UnknownRowError when the id names nothing.
 */
export function fullValueOf(id: string, roots: { meta: Dataset; dataset: Dataset }, limits: ValueLimits = FULL_LIMITS): FullValue {
  const r = resolveRowId(id, roots);
  if (r.kind === 'element' && r.element && !itemsOf(r.element)) {
    const v = elementValueText(r.element, r.charset, limits);
    return { id, text: v.text, truncated: v.truncated };
  }
  if (r.kind === 'fragment' && r.fragment) {
    const count = Math.min(r.fragment.length, limits.maxValues);
    const parts = new Array<string>(count);
    for (let i = 0; i < count; i++) parts[i] = r.fragment[i]!.toString(16).padStart(2, '0');
    return { id, text: parts.join(' '), truncated: count < r.fragment.length };
  }
  // Sequences and items have no value of their own.
  return { id, text: '', truncated: false };
}
