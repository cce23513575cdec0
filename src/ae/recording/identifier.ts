// A short summary of a C-FIND / C-MOVE / C-GET identifier: the keys asked and their values. The
// data set is read once here and never kept.
import { parseDataset } from '../../dicom';
import { Dataset } from '../../dicom';
import { keywordOf } from '../../dicom';
import { Tags, formatTag } from '../../dicom';
import { IdentifierKey, IdentifierSummary } from './record';

const MAX_KEYS = 32;
const MAX_VALUE = 64;
/** Binary VRs: the value is shown as its length, not decoded. */
const BINARY_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'UN']);

export function summariseIdentifier(bytes: Buffer, transferSyntaxUid: string): IdentifierSummary {
  let dataset: Dataset;
  try {
    dataset = parseDataset(bytes, transferSyntaxUid);
  } catch (error) {
    return { keys: [], error: `the identifier could not be read: ${(error as Error).message}` };
  }
  const keys: IdentifierKey[] = [];
  let total = 0;
  for (const element of dataset.elements()) {
    if (element.tag === Tags.QueryRetrieveLevel || element.tag === Tags.SpecificCharacterSet) continue;
    total++;
    if (keys.length >= MAX_KEYS) continue;
    keys.push({ tag: formatTag(element.tag).replace(/[()]/g, ''), keyword: keywordOf(element.tag), value: valueText(dataset, element.tag) });
  }
  const level = dataset.string(Tags.QueryRetrieveLevel)?.trim();
  return { ...(level ? { level } : {}), keys, ...(total > keys.length ? { moreKeys: total - keys.length } : {}) };
}

function valueText(dataset: Dataset, tag: number): string {
  const element = dataset.get(tag)!;
  if (element.items) return `(${element.items.length} item${element.items.length === 1 ? '' : 's'})`;
  if (BINARY_VRS.has(element.vr)) return `(${element.value?.length ?? 0} bytes)`;
  const text = (dataset.strings(tag) ?? dataset.numbers(tag)?.map(String) ?? []).join('\\').trim();
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}
