// Query answers as a plain-text table on the terminal.

/** A header, a rule, one line per row; wide cells are cut with "…". */
export function formatTable(columns: readonly string[], rows: readonly string[][], maxWidth = 40): string {
  const label = columns.map((c) => c.split('.').pop()!);
  const widths = label.map((l, i) => Math.min(maxWidth, Math.max(l.length, ...rows.map((r) => (r[i] ?? '').length))));
  const cut = (s: string, w: number) => (s.length > w ? `${s.slice(0, w - 1)}…` : s.padEnd(w));
  const line = (cells: readonly string[]) => cells.map((c, i) => cut(c ?? '', widths[i])).join('  ').trimEnd();
  return [line(label), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
