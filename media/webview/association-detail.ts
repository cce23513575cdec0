// The association detail panel: the header, the negotiation tables, the message timeline and the
// PDUs of one association, as the host laid them out (every string goes in as text). Each table is
// one tab stop, navigated cell by cell with the arrow keys (the ARIA grid pattern); the actions
// are buttons.

import './association-detail.css';
import { vscodeApi, onHostMessage } from './lib/vscode-api';
import { h, setText } from './lib/dom';
import type {
  AssociationAction, AssociationDetailToHost, AssociationView, DetailCell, DetailField, DetailSection, DetailTable, DetailTone, HostToAssociationDetail,
} from '../../src/shared/association-detail';

const vscode = vscodeApi();
const post = (msg: AssociationDetailToHost) => vscode.postMessage(msg);

const TONE_ICON: Record<DetailTone, string> = { ok: 'pass', error: 'error', warning: 'warning', pending: 'clock', neutral: '' };

const ACTIONS: { action: AssociationAction; label: string; icon: string; title: string }[] = [
  { action: 'copyText', label: 'Copy as Text', icon: 'copy', title: 'Copy the whole record as text' },
  { action: 'exportJson', label: 'Export JSON', icon: 'json', title: 'Save the record as one line of JSON (as dicomnet --record writes it)' },
  { action: 'copyDcmtk', label: 'Copy as DCMTK Command', icon: 'terminal', title: 'Copy the echoscu/findscu/movescu/getscu/storescu line that repeats this association' },
];

// ---- layout ------------------------------------------------------------------------------------

const title = h('h1', { class: 'ad-title' });
const summaryIcon = h('span', { class: 'codicon', 'aria-hidden': 'true' });
const summaryText = h('span', { class: 'ad-summary-text' });
const summary = h('p', { class: 'ad-summary' }, summaryIcon, summaryText);
const liveness = h('p', { class: 'ad-liveness muted', role: 'status', 'aria-live': 'polite' });
const actionBar = h('div', { class: 'ad-actions', role: 'toolbar', 'aria-label': 'Actions on this association' },
  ...ACTIONS.map((a) => {
    const b = h('button', { type: 'button', class: 'ad-button', 'data-action': a.action, title: a.title },
      h('span', { class: `codicon codicon-${a.icon}`, 'aria-hidden': 'true' }), a.label);
    b.addEventListener('click', () => post({ type: 'ad/action', action: a.action }));
    return b;
  }));
const header = h('header', { class: 'ad-header' }, h('div', { class: 'ad-heading' }, title, summary, liveness), actionBar);
const body = h('main', { class: 'ad-body', 'aria-label': 'Association record' });
document.body.append(header, body);

// ---- rendering ----------------------------------------------------------------------------------

function toneIcon(tone: DetailTone | undefined): HTMLElement | undefined {
  const icon = tone ? TONE_ICON[tone] : '';
  return icon ? h('span', { class: `codicon codicon-${icon} tone-${tone}`, 'aria-hidden': 'true' }) : undefined;
}

function fieldList(fields: DetailField[]): HTMLElement {
  const list = h('dl', { class: 'ad-fields' });
  for (const f of fields) {
    const value = h('dd', { class: f.mono ? 'mono' : undefined });
    const icon = toneIcon(f.tone);
    if (icon) value.append(icon);
    value.append(f.value);
    list.append(h('dt', {}, f.label), value);
  }
  return list;
}

function cellContent(el: HTMLElement, c: DetailCell): void {
  const first = h('div', { class: c.mono ? 'cell-text mono' : 'cell-text' });
  const icon = toneIcon(c.tone);
  if (icon) first.append(icon);
  first.append(c.text);
  el.append(first);
  for (const line of c.lines ?? []) el.append(h('div', { class: c.mono ? 'cell-line muted mono' : 'cell-line muted' }, line));
  if (c.hint) el.title = c.hint;
}

function grid(sectionId: string, table: DetailTable): HTMLElement {
  const t = h('table', { class: 'ad-grid', role: 'grid', 'aria-label': table.label, 'aria-rowcount': table.rows.length + 1, 'data-section': sectionId });
  const head = h('tr', { role: 'row', 'aria-rowindex': 1 });
  table.columns.forEach((name, i) => head.append(h('th', { role: 'columnheader', scope: 'col', tabindex: -1, 'aria-colindex': i + 1 }, name)));
  const tbody = h('tbody');
  table.rows.forEach((row, r) => {
    const tr = h('tr', { role: 'row', 'aria-rowindex': r + 2 });
    row.forEach((c, i) => {
      const td = h('td', { role: 'gridcell', tabindex: -1, 'aria-colindex': i + 1, class: table.nowrap?.includes(i) ? 'nowrap' : undefined });
      cellContent(td, c);
      tr.append(td);
    });
    tbody.append(tr);
  });
  t.append(h('thead', {}, head), tbody);
  // One tab stop per table: the first data cell (or the header when there are no rows).
  const start = (t.querySelector('tbody td') ?? t.querySelector('th')) as HTMLElement | null;
  start?.setAttribute('tabindex', '0');
  return t;
}

function section(s: DetailSection): HTMLElement {
  const headingId = `h-${s.id}`;
  const el = h('section', { class: 'ad-section', 'aria-labelledby': headingId, 'data-section': s.id }, h('h2', { id: headingId }, s.heading));
  if (s.fields?.length) el.append(fieldList(s.fields));
  if (s.table) {
    if (s.table.rows.length) el.append(h('div', { class: 'ad-grid-scroll' }, grid(s.id, s.table)));
    else if (s.table.empty) el.append(h('p', { class: 'ad-empty muted' }, s.table.empty));
  }
  for (const note of s.notes ?? []) el.append(h('p', { class: 'ad-note muted' }, note));
  return el;
}

/** Where the keyboard focus was, to put it back after an update of a live association. */
function focusPosition(): { section: string; row: number; col: number } | undefined {
  const cell = document.activeElement as HTMLElement | null;
  const table = cell?.closest<HTMLElement>('table.ad-grid');
  if (!cell || !table || !(cell instanceof HTMLTableCellElement)) return undefined;
  const row = (cell.parentElement as HTMLTableRowElement).rowIndex;
  return { section: table.dataset.section ?? '', row, col: cell.cellIndex };
}

function render(view: AssociationView): void {
  const focus = focusPosition();
  const scroll = body.scrollTop;
  setText(title, view.title);
  document.title = view.title;
  summary.className = `ad-summary tone-text-${view.summaryTone}`;
  summaryIcon.className = `codicon codicon-${TONE_ICON[view.summaryTone] || 'info'} tone-${view.summaryTone}`;
  setText(summaryText, view.summary);
  setText(liveness, view.livenessText);
  liveness.hidden = view.livenessText === '';
  document.body.dataset.liveness = view.liveness;
  body.replaceChildren(...view.sections.map(section));
  body.scrollTop = scroll;
  if (focus) {
    const table = body.querySelector<HTMLTableElement>(`table.ad-grid[data-section="${CSS.escape(focus.section)}"]`);
    const row = table?.rows[Math.min(focus.row, table.rows.length - 1)];
    const cell = row?.cells[Math.min(focus.col, row.cells.length - 1)];
    if (table && cell) moveTo(table, cell);
  }
}

// ---- keyboard: the grid pattern -------------------------------------------------------------

function moveTo(table: HTMLTableElement, cell: HTMLTableCellElement): void {
  for (const c of table.querySelectorAll<HTMLElement>('[tabindex="0"]')) c.setAttribute('tabindex', '-1');
  cell.setAttribute('tabindex', '0');
  cell.focus();
  cell.scrollIntoView({ block: 'nearest', inline: 'nearest' });
}

const PAGE_ROWS = 10;

body.addEventListener('keydown', (e: KeyboardEvent) => {
  const cell = e.target as HTMLElement;
  if (!(cell instanceof HTMLTableCellElement)) return;
  const table = cell.closest('table') as HTMLTableElement;
  const rowIndex = (cell.parentElement as HTMLTableRowElement).rowIndex;
  const last = table.rows.length - 1;
  let row = rowIndex;
  let col = cell.cellIndex;
  const ctrl = e.ctrlKey || e.metaKey;
  switch (e.key) {
    case 'ArrowDown': row++; break;
    case 'ArrowUp': row--; break;
    case 'ArrowRight': col++; break;
    case 'ArrowLeft': col--; break;
    case 'PageDown': row += PAGE_ROWS; break;
    case 'PageUp': row -= PAGE_ROWS; break;
    case 'Home': col = 0; if (ctrl) row = 0; break;
    case 'End': col = Number.MAX_SAFE_INTEGER; if (ctrl) row = last; break;
    default: return;
  }
  e.preventDefault();
  row = Math.max(0, Math.min(last, row));
  const target = table.rows[row]!;
  col = Math.max(0, Math.min(target.cells.length - 1, col));
  moveTo(table, target.cells[col]!);
});

body.addEventListener('click', (e) => {
  const cell = (e.target as HTMLElement).closest('td, th');
  if (cell instanceof HTMLTableCellElement) moveTo(cell.closest('table') as HTMLTableElement, cell);
});

// ---- messages from the host -----------------------------------------------------------------

onHostMessage((data) => {
  const msg = data as HostToAssociationDetail;
  if (msg?.type === 'ad/view' && msg.view && Array.isArray(msg.view.sections)) render(msg.view);
});

post({ type: 'ready' });
