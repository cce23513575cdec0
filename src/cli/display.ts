// Showing identifiers (C-FIND and worklist answers) as table rows and DICOM JSON.
import { Dataset } from '../dicom/dataset-model';
import { charsetDecoder } from '../dicom/charset';
import { keywordOf } from '../dicom/dictionary';
import { Tag, Tags, formatTag } from '../dicom/tag';
import { isTextVr } from '../dicom/vr';
import { resolveKey } from '../services/query-keys';

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

/** A plain-text table: a header, a rule, one line per row; wide cells are cut with "…". */
export function formatTable(columns: readonly string[], rows: readonly string[][], maxWidth = 40): string {
  const label = columns.map((c) => c.split('.').pop()!);
  const widths = label.map((l, i) => Math.min(maxWidth, Math.max(l.length, ...rows.map((r) => (r[i] ?? '').length))));
  const cut = (s: string, w: number) => (s.length > w ? `${s.slice(0, w - 1)}…` : s.padEnd(w));
  const line = (cells: readonly string[]) => cells.map((c, i) => cut(c ?? '', widths[i])).join('  ').trimEnd();
  return [line(label), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
