// The dataset as the viewer shows it: plain JSON-able rows (no Buffers, no classes), so the same
// shapes cross into the webview. Pure types: the webview bundle imports this file.

export type RowKind = 'element' | 'sequence' | 'item' | 'fragment';

export interface ElementRow {
  /** Stable address of the row in its file (see element-path.ts): "d/300A00B0/0/300A0111". */
  id: string;
  kind: RowKind;
  /** 0 for top-level elements; items and their elements go one level deeper each. */
  depth: number;
  /** "(0010,0010)"; items "(FFFE,E000)". */
  tag: string;
  /** Dictionary keyword, '' for private and unknown tags. */
  keyword: string;
  /** Human-readable name: dictionary name, "Item 2", "Private Creator", or "Private (creator …)". */
  name: string;
  vr: string;
  /** Value length in bytes; null for sequences and items (their encoded length is not kept). */
  length: number | null;
  /** Value as text, cut to the row limit when `truncated`. Sequences: "3 items". */
  value: string;
  /** The value was cut: the full text is fetched on request (full-value.ts). */
  truncated: boolean;
  /** An explanation shown beside the value: a UID's name, a transfer syntax, "retired". */
  hint?: string;
  /** Private data elements: the creator of their block ((gggg,00xx) value), '' when missing. */
  privateCreator?: string;
  retired?: boolean;
  /** Sequences: their items; items: their elements; encapsulated pixel data: its fragments. */
  children?: ElementRow[];
}

export interface DatasetView {
  /** Group 0002, shown apart from the dataset. */
  meta: ElementRow[];
  dataset: ElementRow[];
  transferSyntax: { uid: string; name: string };
  sopClass: { uid: string; name: string };
  /** Specific Character Set (0008,0005) of the top-level dataset, "" for the default repertoire. */
  specificCharacterSet: string;
  hasMeta: boolean;
  /** Rows in the whole tree (meta and dataset, every depth). */
  rowCount: number;
}

export interface FullValue {
  id: string;
  text: string;
  /** Even the full value was cut (it exceeds the full-value limit; Pixel Data is never expanded). */
  truncated: boolean;
}
