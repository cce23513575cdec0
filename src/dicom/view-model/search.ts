// Search and copy over the view's rows. Pure functions over plain data: the webview bundle runs
// them too.

import type { ElementRow } from './types';

export interface SearchResult {
  /** Ids of the rows that match, in tree order. */
  matches: string[];
  /** Ids of the sequences and items to expand so that every match is visible. */
  expand: string[];
}

const TAG_QUERY = /^\(?([0-9a-f]{1,4})(?:[,\s]?([0-9a-f]{0,4}))?\)?$/i;

/** How a query reads as (part of) a tag: "0010", "0010,00", "(0010,0010)", "00100010". */
function tagPrefixes(query: string): string[] {
  const q = query.trim();
  const out: string[] = [];
  const compact = q.replace(/[(),\s]/g, '');
  if (/^[0-9a-f]{5,8}$/i.test(compact)) out.push(`(${compact.slice(0, 4)},${compact.slice(4)}`.toUpperCase());
  const m = TAG_QUERY.exec(q);
  if (m) {
    const group = m[1]!.toUpperCase();
    out.push(m[2] !== undefined && (m[2].length > 0 || /[,\s]/.test(q)) ? `(${group.padStart(4, '0')},${m[2].toUpperCase()}` : `(${group}`);
  }
  return out;
}

/** A row matches when its tag starts with the query read as a tag, or its keyword, name or value contains it. */
export function rowMatches(row: ElementRow, query: string, prefixes = tagPrefixes(query)): boolean {
  const q = query.trim().toLowerCase();
  if (q === '') return false;
  if (prefixes.some((p) => row.tag.startsWith(p))) return true;
  return row.keyword.toLowerCase().includes(q)
    || row.name.toLowerCase().includes(q)
    || row.value.toLowerCase().includes(q)
    || (row.hint !== undefined && row.hint.toLowerCase().includes(q))
    || (row.privateCreator !== undefined && row.privateCreator.toLowerCase().includes(q));
}

/** Every row matching `query`, with the ancestors to open so they show. */
export function searchRows(rows: readonly ElementRow[], query: string): SearchResult {
  const matches: string[] = [];
  const expand = new Set<string>();
  if (query.trim() === '') return { matches, expand: [] };
  const prefixes = tagPrefixes(query);
  const walk = (list: readonly ElementRow[], ancestors: string[]) => {
    for (const row of list) {
      if (rowMatches(row, query, prefixes)) {
        matches.push(row.id);
        for (const a of ancestors) expand.add(a);
      }
      if (row.children?.length) walk(row.children, [...ancestors, row.id]);
    }
  };
  walk(rows, []);
  return { matches, expand: [...expand] };
}

export type CopyWhat = 'tag' | 'value' | 'line';

/**
 * Text for the clipboard: the tag "(0010,0010)", the value, or a dcmdump-like line
 * "(0010,0010) PN [DOE^JOHN] # PatientName". `fullValue` replaces a truncated value.
 */
export function copyText(row: ElementRow, what: CopyWhat, fullValue?: string): string {
  const value = fullValue ?? row.value;
  if (what === 'tag') return row.tag;
  if (what === 'value') return value;
  const label = row.keyword || row.name;
  if (row.kind === 'sequence' || row.kind === 'item') return `${row.tag} ${row.vr || 'na'} (${value}) # ${label}`.replace('  ', ' ');
  return `${row.tag} ${row.vr} [${value}] # ${label}`;
}

/** Visits every row (depth first, tree order). */
export function forEachRow(rows: readonly ElementRow[], visit: (row: ElementRow, parent: ElementRow | undefined) => void, parent?: ElementRow): void {
  for (const row of rows) {
    visit(row, parent);
    if (row.children) forEachRow(row.children, visit, row);
  }
}

/** The row with this id, or undefined. */
export function findRow(rows: readonly ElementRow[], id: string): ElementRow | undefined {
  for (const row of rows) {
    if (row.id === id) return row;
    if (row.children && id.startsWith(row.id + '/')) {
      const hit = findRow(row.children, id);
      if (hit) return hit;
    }
  }
  return undefined;
}
