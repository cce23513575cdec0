// Find… and Worklist… answers in an editor: a text table, and the DICOM JSON on request.
import * as vscode from 'vscode';
import type { QueryTable } from '../engine/types';
import { notify } from './notify';

/** A plain-text table; wide cells are cut with "…". */
export function formatTable(columns: readonly string[], rows: readonly string[][], maxWidth = 40): string {
  const labels = columns.map((c) => c.split('.').pop() ?? c);
  const widths = labels.map((l, i) => Math.min(maxWidth, Math.max(l.length, ...rows.map((r) => (r[i] ?? '').length))));
  const cut = (s: string, w: number) => (s.length > w ? `${s.slice(0, w - 1)}…` : s.padEnd(w));
  const line = (cells: readonly string[]) => cells.map((c, i) => cut(c ?? '', widths[i])).join('  ').trimEnd();
  return [line(labels), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Opens the answer as a text table in a new editor; offers the DICOM JSON. */
export async function showQueryTable(heading: string, table: QueryTable): Promise<vscode.TextDocument> {
  const count = `${table.rows.length} match${table.rows.length === 1 ? '' : 'es'}${table.cancelled ? ' (cancelled)' : table.warning ? ' (limit reached or warning status)' : ''}`;
  const content = `${heading}\n${count}\n\n${table.rows.length > 0 ? formatTable(table.columns, table.rows) : '(no matches)'}\n`;
  const doc = await vscode.workspace.openTextDocument({ content, language: 'plaintext' });
  await vscode.window.showTextDocument(doc, { preview: false });
  void notify('info', `${heading.replace(/^# /, '')}: ${count}.`, 'Open as DICOM JSON').then(async (choice) => {
    if (!choice) return;
    const json = await vscode.workspace.openTextDocument({ content: JSON.stringify(table.json, null, 2), language: 'json' });
    await vscode.window.showTextDocument(json, { preview: false });
  });
  return doc;
}
