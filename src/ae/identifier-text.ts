// C-FIND and worklist answers as text: the columns an identifier asks for, and a response's
// value at a column (what the CLI's tables and the extension's results show).
import { Dataset } from '../dicom';
import { charsetDecoder } from '../dicom';
import { keywordOf } from '../dicom';
import { Tag, Tags, formatTag } from '../dicom';
import { isTextVr } from '../dicom';
import { resolveKey } from '../services';

/** The column paths of an identifier: its keys (sequences as Sequence.Key of their first item). */
export function columnsOf(identifier: Dataset): string[] {
  const columns: string[] = [];
  for (const el of identifier.elements()) {
    if (el.tag === Tags.SpecificCharacterSet || el.tag === Tags.QueryRetrieveLevel) continue;
    const name = keywordOf(el.tag) ?? formatTag(el.tag);
    if (el.vr === 'SQ') {
      const item = el.items?.[0];
      if (item) for (const sub of item.elements()) columns.push(`${name}.${keywordOf(sub.tag) ?? formatTag(sub.tag)}`);
      continue;
    }
    columns.push(name);
  }
  return columns;
}

function charsetOf(ds: Dataset, inherited?: string[]): string[] | undefined {
  const own = ds.strings(Tags.SpecificCharacterSet);
  return own && own.length ? own : inherited;
}

/** The text of a column path in a response (multi-values joined with "\\"). */
export function cellText(ds: Dataset, path: string, inherited?: string[]): string {
  const parts = path.split('.');
  const charset = charsetOf(ds, inherited);
  const t: Tag = resolveKey(parts[0]);
  const el = ds.get(t);
  if (!el) return '';
  if (parts.length > 1) {
    return (el.items ?? []).map((item) => cellText(item, parts.slice(1).join('.'), charset)).filter(Boolean).join(' | ');
  }
  if (el.vr === 'SQ') return `${el.items?.length ?? 0} item(s)`;
  if (isTextVr(el.vr)) return (ds.strings(t, charsetDecoder(charset)) ?? []).join('\\');
  const numbers = ds.numbers(t);
  if (numbers) return numbers.join('\\');
  return el.value ? `${el.value.length} bytes` : '';
}
