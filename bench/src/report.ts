// Console tables and the markdown summary of the results.
import { RowSummary, ScenarioResult, Sample, TableResult, summarizeTable } from './results';

export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

function num(n: number | undefined, digits = 0): string {
  if (n === undefined || !Number.isFinite(n)) return '—';
  if (n >= 100) return n.toFixed(0);
  if (n >= 10) return n.toFixed(Math.min(digits, 1));
  return n.toFixed(Math.max(digits, 1));
}

export function formatRatio(r: number | undefined): string {
  if (r === undefined || !Number.isFinite(r)) return '—';
  return r >= 10 ? `${r.toFixed(1)}×` : `${r.toFixed(2)}×`;
}

function mb(n: number | undefined): string {
  return n === undefined ? '—' : `${n.toFixed(0)} MB`;
}

/** One progress line for a finished run. */
export function describeSample(s: Sample, itemName: string): string {
  if (s.error) return `FAILED: ${s.error}`;
  const parts = [formatMs(s.ms)];
  if (s.items !== undefined && s.items > 1) parts.push(`${num((s.items * 1000) / s.ms, 1)} ${itemName}/s`);
  if (s.bytes !== undefined) parts.push(`${num(s.bytes / 1e6 / (s.ms / 1000), 1)} MB/s`);
  if (s.rssSenderKb !== undefined) parts.push(`RSS send ${(s.rssSenderKb / 1024).toFixed(0)} MB`);
  if (s.rssReceiverKb !== undefined) parts.push(`recv ${(s.rssReceiverKb / 1024).toFixed(0)} MB`);
  return parts.join(', ');
}

interface Column {
  title: string;
  align: 'left' | 'right';
  cell: (r: RowSummary) => string;
  /** Shown only when some row has a value. */
  present?: (r: RowSummary) => boolean;
}

function columns(table: TableResult): Column[] {
  // Item counts and rates say nothing when every run moved one item (e.g. one large instance).
  const perItem = table.kind === 'throughput' && table.rows.some((r) => r.samples.some((s) => (s.items ?? 0) > 1));
  const all: Column[] = [
    { title: 'implementation', align: 'left', cell: (r) => `${r.label}${r.ours ? ' *' : ''}` },
    { title: 'runs', align: 'right', cell: (r) => (r.failures ? `${r.runs - r.failures}/${r.runs}` : String(r.runs)) },
    { title: table.kind === 'latency' ? 'median' : 'median wall', align: 'right', cell: (r) => formatMs(r.medianMs) },
    { title: 'min–max', align: 'right', cell: (r) => (r.minMs === undefined ? '—' : `${formatMs(r.minMs)} – ${formatMs(r.maxMs)}`) },
    { title: table.itemName, align: 'right', cell: (r) => (r.items === undefined ? '—' : String(Math.round(r.items))), present: (r) => perItem && r.items !== undefined },
    { title: `${table.itemName}/s`, align: 'right', cell: (r) => num(r.itemsPerSecond, 1), present: (r) => perItem && r.itemsPerSecond !== undefined },
    { title: 'MB/s', align: 'right', cell: (r) => num(r.mbPerSecond, 1), present: (r) => r.mbPerSecond !== undefined },
    { title: 'RSS sender', align: 'right', cell: (r) => mb(r.rssSenderMb), present: (r) => r.rssSenderMb !== undefined },
    { title: 'RSS receiver', align: 'right', cell: (r) => mb(r.rssReceiverMb), present: (r) => r.rssReceiverMb !== undefined },
    { title: 'speed ours/row', align: 'right', cell: (r) => (r.id === table.reference ? 'ref' : formatRatio(r.oursFaster)) },
  ];
  return all;
}

function layout(table: TableResult): { head: string[]; rows: string[][]; align: ('left' | 'right')[]; summaries: RowSummary[] } {
  const summaries = summarizeTable(table);
  const cols = columns(table).filter((c) => !c.present || summaries.some(c.present));
  return {
    head: cols.map((c) => c.title),
    rows: summaries.map((s) => cols.map((c) => c.cell(s))),
    align: cols.map((c) => c.align),
    summaries,
  };
}

export function consoleTable(table: TableResult): string {
  const { head, rows, align, summaries } = layout(table);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (align[i] === 'left' ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const out = [`  ${table.title}`, `  ${line(head)}`, `  ${widths.map((w) => '-'.repeat(w)).join('  ')}`, ...rows.map((r) => `  ${line(r)}`)];
  for (const s of summaries) for (const e of s.errors) out.push(`  ! ${s.label}: ${e}`);
  for (const s of summaries) if (s.note) out.push(`  - ${s.label}: ${s.note}`);
  for (const n of table.notes) out.push(`  - ${n}`);
  return out.join('\n');
}

export function markdownTable(table: TableResult): string {
  const { head, rows, align, summaries } = layout(table);
  const out = [
    `**${table.title}**`,
    '',
    `| ${head.join(' | ')} |`,
    `|${align.map((a) => (a === 'left' ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows.map((r) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`),
    '',
  ];
  const notes = [
    ...summaries.flatMap((s) => s.errors.map((e) => `${s.label} failed: ${e}`)),
    ...summaries.filter((s) => s.note).map((s) => `${s.label}: ${s.note}`),
    ...table.notes,
  ];
  for (const n of notes) out.push(`- ${n}`);
  if (notes.length) out.push('');
  return out.join('\n');
}

export function consoleScenario(s: ScenarioResult): string {
  const out = ['', `== Scenario ${s.id}: ${s.title} (${s.seconds.toFixed(0)} s)`];
  if (s.skipped) out.push(`  SKIPPED: ${s.skipped}`);
  if (s.error) out.push(`  ERROR: ${s.error}`);
  for (const t of s.tables) out.push(consoleTable(t), '');
  for (const n of s.notes) out.push(`  note: ${n}`);
  if (s.targets.length) {
    out.push('  Targets:');
    for (const t of s.targets) out.push(`    ${t.met === null ? 'N/A    ' : t.met ? 'MET    ' : 'NOT MET'}  ${t.text}: ${t.measured}`);
  }
  return out.join('\n');
}

export function markdownScenario(s: ScenarioResult): string {
  const out = [`## Scenario ${s.id}: ${s.title}`, ''];
  if (s.skipped) out.push(`Skipped: ${s.skipped}`, '');
  if (s.error) out.push(`Error: ${s.error}`, '');
  for (const t of s.tables) out.push(markdownTable(t));
  for (const n of s.notes) out.push(`- ${n}`);
  if (s.notes.length) out.push('');
  if (s.targets.length) {
    out.push('| target | measured | |', '| --- | ---: | --- |');
    for (const t of s.targets) out.push(`| ${t.text} | ${t.measured} | ${t.met === null ? 'n/a' : t.met ? 'MET' : 'NOT MET'} |`);
    out.push('');
  }
  return out.join('\n');
}
