// The association detail panel's messages and the view it shows. The host turns a record into
// this view (display strings only, src/extension/webviews/association-view.ts); the webview puts
// every string in as text. No vscode, no Node imports.

/** How a value reads: the webview colours it with the theme's matching colour. */
export type DetailTone = 'ok' | 'warning' | 'error' | 'pending' | 'neutral';

export interface DetailField {
  label: string;
  value: string;
  tone?: DetailTone;
  /** A UID, hex or a command line: shown in the editor's monospace font. */
  mono?: boolean;
}

export interface DetailCell {
  text: string;
  /** Further lines under the text (e.g. the keys of a query, the UIDs behind names). */
  lines?: string[];
  tone?: DetailTone;
  mono?: boolean;
  /** A tooltip (e.g. the UIDs behind the names shown). */
  hint?: string;
}

export interface DetailTable {
  /** For the grid's accessible name. */
  label: string;
  columns: string[];
  rows: DetailCell[][];
  /** Said instead of the table when it has no rows. */
  empty: string;
  /** Columns of short values that read best on one line (times, commands, sizes). */
  nowrap?: number[];
}

export interface DetailSection {
  /** Stable: the webview keeps focus and scroll per section across updates. */
  id: string;
  heading: string;
  fields?: DetailField[];
  table?: DetailTable;
  /** Sentences under the section (e.g. "12 more messages not listed"). */
  notes?: string[];
}

/** Whether the association is still running, ended, or its record is no longer kept. */
export type RecordLiveness = 'open' | 'closed' | 'dropped';

export interface AssociationView {
  recordId: string;
  /** "DICOMNET → PACS". */
  title: string;
  /** The outcome in words (or "Open" while it runs). */
  summary: string;
  summaryTone: DetailTone;
  liveness: RecordLiveness;
  /** One sentence on the liveness (following the open association, or dropped from the list). */
  livenessText: string;
  sections: DetailSection[];
}

export type AssociationAction = 'copyText' | 'exportJson' | 'copyDcmtk';

export type HostToAssociationDetail = { type: 'ad/view'; view: AssociationView };

export type AssociationDetailToHost =
  | { type: 'ready' }
  | { type: 'ad/action'; action: AssociationAction };

const ACTIONS: ReadonlySet<string> = new Set<AssociationAction>(['copyText', 'exportJson', 'copyDcmtk']);

/** A message from the association detail webview, or undefined when it is not one. */
export function parseAssociationDetailMessage(x: unknown): AssociationDetailToHost | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const m = x as Record<string, unknown>;
  if (m.type === 'ready') return { type: 'ready' };
  if (m.type === 'ad/action' && typeof m.action === 'string' && ACTIONS.has(m.action)) return { type: 'ad/action', action: m.action as AssociationAction };
  return undefined;
}
