// What a scenario measures and how its samples are summed up: medians, min/max, throughput,
// peak RSS, and the ratio of ours to each peer measured in the same run.

/** One timed run of one row. */
export interface Sample {
  ms: number;
  /** Items moved or answered (instances, responses, round trips). */
  items?: number;
  /** Payload bytes moved. */
  bytes?: number;
  rssSenderKb?: number;
  rssReceiverKb?: number;
  /** Set when the run did not complete: the sample then counts as a failure, not a time. */
  error?: string;
}

export type Kind = 'throughput' | 'latency';

export interface RowSpec {
  id: string;
  label: string;
  /** Our implementation (the reference of the ratios). */
  ours?: boolean;
  note?: string;
  /** Repetitions for this row when fewer than the scenario's (e.g. a very slow peer). */
  maxReps?: number;
}

export interface RowResult extends RowSpec {
  samples: Sample[];
}

export interface TableResult {
  title: string;
  kind: Kind;
  /** The unit of `items` ("instances", "responses", "round trips"). */
  itemName: string;
  /** The row the ratios compare against. */
  reference: string;
  rows: RowResult[];
  notes: string[];
}

export interface TargetResult {
  text: string;
  /** Measured value, as text (e.g. "1.23×", "84 MB"). */
  measured: string;
  met: boolean | null;
}

export interface ScenarioResult {
  id: number;
  title: string;
  skipped?: string;
  error?: string;
  tables: TableResult[];
  targets: TargetResult[];
  notes: string[];
  seconds: number;
}

export interface RowSummary {
  id: string;
  label: string;
  ours: boolean;
  note?: string;
  runs: number;
  failures: number;
  errors: string[];
  medianMs?: number;
  minMs?: number;
  maxMs?: number;
  /** Median items per second (items of the run / its time). */
  itemsPerSecond?: number;
  /** Median MB/s (10^6 bytes). */
  mbPerSecond?: number;
  items?: number;
  bytes?: number;
  /** Peak over the runs, MiB. */
  rssSenderMb?: number;
  rssReceiverMb?: number;
  /**
   * How many times faster ours is than this row (ours' median speed / this row's): above 1 ours
   * is faster. Speeds are per byte (or per item), so rows that moved less still compare.
   */
  oursFaster?: number;
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function max(values: readonly (number | undefined)[]): number | undefined {
  const v = values.filter((x): x is number => x !== undefined);
  return v.length ? Math.max(...v) : undefined;
}

/**
 * Median time per unit: per byte when every run of both rows knows its bytes (rows that moved
 * instances of other sizes still compare), else per item. What ratios compare.
 */
function msPerUnit(row: RowResult, perByte: boolean): number | undefined {
  const ok = row.samples.filter((s) => !s.error);
  return median(ok.map((s) => s.ms / Math.max(1, (perByte ? s.bytes : s.items) ?? 1)));
}

function knowsBytes(row: RowResult | undefined): boolean {
  return !!row && row.samples.some((s) => !s.error) && row.samples.every((s) => s.error || s.bytes !== undefined);
}

export function summarizeRow(row: RowResult, reference: RowResult | undefined): RowSummary {
  const ok = row.samples.filter((s) => !s.error);
  const times = ok.map((s) => s.ms);
  const summary: RowSummary = {
    id: row.id, label: row.label, ours: row.ours ?? false, note: row.note,
    runs: row.samples.length, failures: row.samples.length - ok.length,
    errors: [...new Set(row.samples.filter((s) => s.error).map((s) => s.error!))],
  };
  if (ok.length === 0) return summary;
  summary.medianMs = median(times);
  summary.minMs = Math.min(...times);
  summary.maxMs = Math.max(...times);
  if (ok.every((s) => s.items !== undefined)) {
    summary.itemsPerSecond = median(ok.map((s) => (s.items! * 1000) / s.ms));
    summary.items = median(ok.map((s) => s.items!));
  }
  if (ok.every((s) => s.bytes !== undefined)) {
    summary.mbPerSecond = median(ok.map((s) => (s.bytes! / 1e6) / (s.ms / 1000)));
    summary.bytes = median(ok.map((s) => s.bytes!));
  }
  const sender = max(row.samples.map((s) => s.rssSenderKb));
  const receiver = max(row.samples.map((s) => s.rssReceiverKb));
  if (sender !== undefined) summary.rssSenderMb = sender / 1024;
  if (receiver !== undefined) summary.rssReceiverMb = receiver / 1024;
  const perByte = knowsBytes(reference) && knowsBytes(row);
  const ours = reference ? msPerUnit(reference, perByte) : undefined;
  const theirs = msPerUnit(row, perByte);
  if (ours !== undefined && theirs !== undefined && ours > 0) summary.oursFaster = theirs / ours;
  return summary;
}

export function summarizeTable(table: TableResult): RowSummary[] {
  const reference = table.rows.find((r) => r.id === table.reference);
  return table.rows.map((r) => summarizeRow(r, reference));
}

export function findRow(table: TableResult | undefined, id: string): RowSummary | undefined {
  if (!table) return undefined;
  return summarizeTable(table).find((r) => r.id === id);
}
