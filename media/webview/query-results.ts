// Query results panel: a sortable, filterable, multi-select table that takes pending matches as
// they arrive and stays responsive with tens of thousands of rows (only the visible ones are in
// the DOM).

import './query-results.css';
import './lib/elements';
import { vscodeApi, onHostMessage } from './lib/vscode-api';
import { h, setText, formatCount, frameThrottle } from './lib/dom';
import { VirtualList } from './lib/virtual-list';
import type {
  HostToQueryResults, QueryAction, QueryColumn, QueryResultsToHost, QueryRowData, QueryRunState,
} from '../../src/shared/webview-protocol';

const ROW_HEIGHT = 22;
const vscode = vscodeApi();
const post = (msg: QueryResultsToHost) => vscode.postMessage(msg);

const ACTION_LABELS: Record<QueryAction, { label: string; icon: string; needsSelection: boolean }> = {
  retrieve: { label: 'Retrieve', icon: 'cloud-download', needsSelection: true },
  open: { label: 'Open', icon: 'go-to-file', needsSelection: true },
  copyUids: { label: 'Copy UIDs', icon: 'copy', needsSelection: true },
  exportJson: { label: 'Export JSON', icon: 'json', needsSelection: false },
  exportCsv: { label: 'Export CSV', icon: 'export', needsSelection: false },
};

const COLUMN_WIDTHS: Record<QueryColumn['kind'], string> = {
  text: 'minmax(120px, 1.4fr)',
  date: 'minmax(92px, 0.6fr)',
  time: 'minmax(80px, 0.5fr)',
  number: 'minmax(70px, 0.4fr)',
  uid: 'minmax(160px, 1.6fr)',
};

interface State {
  title: string;
  columns: QueryColumn[];
  actions: QueryAction[];
  rows: QueryRowData[];
  /** Positions in `rows` of the rows shown, filtered and sorted. */
  view: number[];
  selected: Set<number>;
  /** Index in `view` of the focused row. */
  active: number;
  anchor: number;
  sort?: { column: number; descending: boolean };
  filter: string;
  state: QueryRunState;
  message?: string;
}

const s: State = { title: '', columns: [], actions: [], rows: [], view: [], selected: new Set(), active: -1, anchor: -1, filter: '', state: 'running' };

// ---- layout ------------------------------------------------------------------------------------

const title = h('span', { class: 'title' });
const count = h('span', { class: 'count muted', 'aria-live': 'polite' });
const ring = h('vscode-progress-ring', { class: 'ring' });
const cancel = h('vscode-button', { secondary: true, icon: 'debug-stop', title: 'Cancel the query' }, 'Cancel');
const filter = h('vscode-textfield', { class: 'qr-filter', placeholder: 'Filter rows', 'aria-label': 'Filter rows' }) as HTMLElement & { value: string };
const actionBar = h('span', { class: 'actions', role: 'group', 'aria-label': 'Actions on the selected rows' });
const toolbar = h('div', { class: 'toolbar' }, title, ring, count, cancel, h('span', { class: 'spacer' }), filter, actionBar);
const header = h('div', { class: 'grid-row sticky-header', role: 'row', 'aria-rowindex': 1 });
const viewport = h('div', { class: 'viewport qr-table', role: 'grid', tabindex: 0, 'aria-multiselectable': 'true', 'aria-label': 'Query results' });
// A failure: the error icon in the theme's error colour, the sentence in the text colour (the error
// colour of some themes, Light Modern's among them, is too pale for text on the editor background).
const statusIcon = h('span', { class: 'codicon codicon-error error-text hidden', 'aria-hidden': 'true' });
const statusText = h('span', { role: 'status' });
// Shown only after a failure whose association the host knows; in the DOM only then.
const showAssociation = h('vscode-button', {
  secondary: true, icon: 'plug', class: 'show-association', title: 'Open the association the query used: its negotiation, messages and how it ended',
}, 'Show Association');
const status = h('div', { class: 'status muted' }, statusIcon, statusText);
viewport.append(header);
document.body.append(toolbar, viewport, status);

let template = '';
const list = new VirtualList<number>({
  viewport,
  rowHeight: ROW_HEIGHT,
  overscan: 6,
  createRow: () => {
    const el = h('div', { class: 'grid-row', role: 'row' });
    el.style.gridTemplateColumns = template;
    return el;
  },
  updateRow: (el, rowIndex, index) => {
    const row = s.rows[rowIndex]!;
    el.id = `row-${index}`;
    el.dataset.rowId = String(row.id);
    el.dataset.index = String(index);
    el.setAttribute('aria-rowindex', String(index + 2));
    el.setAttribute('aria-selected', String(s.selected.has(row.id)));
    el.classList.toggle('selected', s.selected.has(row.id));
    el.classList.toggle('active', index === s.active);
    if (el.style.gridTemplateColumns !== template) el.style.gridTemplateColumns = template;
    while (el.childElementCount < s.columns.length) el.append(h('div', { class: 'cell', role: 'gridcell' }));
    while (el.childElementCount > s.columns.length) el.lastElementChild!.remove();
    for (let c = 0; c < s.columns.length; c++) {
      const cell = el.children[c] as HTMLElement;
      const text = row.cells[c] ?? '';
      setText(cell, text);
      if (cell.title !== text) cell.title = text;
    }
  },
});

// ---- header, sort, filter ---------------------------------------------------------------------

function buildHeader(): void {
  template = s.columns.map((c) => COLUMN_WIDTHS[c.kind]).join(' ');
  header.style.gridTemplateColumns = template;
  header.replaceChildren(...s.columns.map((c, i) => {
    const sorted = s.sort?.column === i;
    const icon = h('span', { class: `codicon ${sorted ? (s.sort!.descending ? 'codicon-arrow-down' : 'codicon-arrow-up') : ''}`, 'aria-hidden': 'true' });
    const b = h('button', {
      class: 'cell header-cell', role: 'columnheader', 'data-column': i, title: `Sort by ${c.label}`,
      'aria-sort': sorted ? (s.sort!.descending ? 'descending' : 'ascending') : 'none',
    }, c.label, ' ', icon);
    b.addEventListener('click', () => sortBy(i));
    return b;
  }));
  viewport.setAttribute('aria-colcount', String(s.columns.length));
}

function sortBy(column: number): void {
  s.sort = s.sort?.column === column ? { column, descending: !s.sort.descending } : { column, descending: false };
  buildHeader();
  rebuildView();
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function compareRows(a: number, b: number): number {
  const sort = s.sort!;
  const x = s.rows[a]!.cells[sort.column] ?? '';
  const y = s.rows[b]!.cells[sort.column] ?? '';
  let r: number;
  if (s.columns[sort.column]?.kind === 'number') {
    const nx = x === '' ? -Infinity : Number(x);
    const ny = y === '' ? -Infinity : Number(y);
    r = nx === ny ? 0 : nx < ny ? -1 : 1;
  } else {
    r = collator.compare(x, y);
  }
  return (sort.descending ? -r : r) || a - b;
}

function matchesFilter(row: QueryRowData, needle: string): boolean {
  for (const c of row.cells) if (c.toLowerCase().includes(needle)) return true;
  return false;
}

/** Recomputes the shown rows, keeping the focused row when it is still shown. */
function rebuildView(): void {
  const activeRow = s.active >= 0 ? s.view[s.active] : undefined;
  const needle = s.filter.trim().toLowerCase();
  const view: number[] = [];
  for (let i = 0; i < s.rows.length; i++) if (!needle || matchesFilter(s.rows[i]!, needle)) view.push(i);
  if (s.sort) view.sort(compareRows);
  s.view = view;
  s.active = activeRow !== undefined ? view.indexOf(activeRow) : -1;
  list.setItems(view);
  updateCounts();
}

const scheduleRebuild = frameThrottle(rebuildView);

function appendRows(rows: QueryRowData[]): void {
  const start = s.rows.length;
  for (const r of rows) s.rows.push(r);
  if (!s.sort && !s.filter.trim()) {
    // Unsorted and unfiltered: new rows go at the end, no need to rebuild.
    for (let i = start; i < s.rows.length; i++) s.view.push(i);
    scheduleListUpdate();
  } else {
    scheduleRebuild();
  }
}

const scheduleListUpdate = frameThrottle(() => {
  list.setItems(s.view);
  updateCounts();
});

// ---- counts, state, actions ---------------------------------------------------------------

function updateCounts(): void {
  const total = s.rows.length;
  const shown = s.view.length;
  const parts = [shown === total ? `${formatCount(total)} result${total === 1 ? '' : 's'}` : `${formatCount(shown)} of ${formatCount(total)} results`];
  if (s.selected.size) parts.push(`${formatCount(s.selected.size)} selected`);
  setText(count, parts.join(' · '));
  viewport.setAttribute('aria-rowcount', String(shown + 1));
  for (const b of actionBar.children) {
    const action = (b as HTMLElement).dataset.action as QueryAction;
    const needs = ACTION_LABELS[action].needsSelection;
    (b as HTMLElement & { disabled: boolean }).disabled = needs ? s.selected.size === 0 : shown === 0;
  }
}

function setRunState(state: QueryRunState, message?: string, canShowAssociation = false): void {
  s.state = state;
  s.message = message;
  ring.classList.toggle('hidden', state !== 'running');
  cancel.classList.toggle('hidden', state !== 'running');
  const text = state === 'running' ? 'Receiving results…'
    : state === 'cancelled' ? 'Cancelled.'
      : state === 'failed' ? 'Failed.' : 'Done.';
  setText(statusText, message ? `${text} ${message}` : text);
  statusIcon.classList.toggle('hidden', state !== 'failed');
  status.classList.toggle('muted', state !== 'failed');
  if (state === 'failed' && canShowAssociation) {
    if (!showAssociation.isConnected) status.append(showAssociation);
  } else {
    showAssociation.remove();
  }
}

function buildActions(): void {
  actionBar.replaceChildren(...s.actions.map((a) => {
    const info = ACTION_LABELS[a];
    const b = h('vscode-button', { secondary: true, icon: info.icon, 'data-action': a, title: info.needsSelection ? `${info.label} (selected rows)` : `${info.label} (selected rows, or all shown)` }, info.label);
    b.addEventListener('click', () => runAction(a));
    return b;
  }));
}

function runAction(action: QueryAction): void {
  let ids = s.view.map((i) => s.rows[i]!.id).filter((id) => s.selected.has(id));
  if (ids.length === 0 && !ACTION_LABELS[action].needsSelection) ids = s.view.map((i) => s.rows[i]!.id);
  if (ids.length === 0) return;
  post({ type: 'qr/action', action, rowIds: ids });
}

cancel.addEventListener('click', () => post({ type: 'qr/cancel' }));
showAssociation.addEventListener('click', () => post({ type: 'qr/showAssociation' }));

let filterTimer: ReturnType<typeof setTimeout> | undefined;
filter.addEventListener('input', () => {
  clearTimeout(filterTimer);
  filterTimer = setTimeout(() => {
    s.filter = filter.value ?? '';
    rebuildView();
  }, 80);
});
filter.addEventListener('keydown', (e: KeyboardEvent) => {
  if (e.key === 'Escape') {
    filter.value = '';
    s.filter = '';
    rebuildView();
  } else if (e.key === 'ArrowDown' || e.key === 'Enter') {
    e.preventDefault();
    viewport.focus();
    if (s.active < 0 && s.view.length) setActive(0, 'select');
  }
});

// ---- selection and keyboard ---------------------------------------------------------------

function rowIdAt(index: number): number {
  return s.rows[s.view[index]!]!.id;
}

function setActive(index: number, mode: 'select' | 'extend' | 'move'): void {
  if (s.view.length === 0) return;
  index = Math.max(0, Math.min(s.view.length - 1, index));
  s.active = index;
  if (mode === 'select') {
    s.selected = new Set([rowIdAt(index)]);
    s.anchor = index;
  } else if (mode === 'extend') {
    if (s.anchor < 0) s.anchor = index;
    const [a, b] = s.anchor < index ? [s.anchor, index] : [index, s.anchor];
    s.selected = new Set();
    for (let i = a; i <= b; i++) s.selected.add(rowIdAt(i));
  }
  viewport.setAttribute('aria-activedescendant', `row-${index}`);
  list.reveal(index);
  list.render();
  updateCounts();
}

function toggle(index: number): void {
  const id = rowIdAt(index);
  if (s.selected.has(id)) s.selected.delete(id);
  else s.selected.add(id);
  s.active = index;
  s.anchor = index;
  list.render();
  updateCounts();
}

viewport.addEventListener('click', (e) => {
  const rowEl = (e.target as HTMLElement).closest<HTMLElement>('.virtual-row');
  if (!rowEl?.dataset.index) return;
  const index = Number(rowEl.dataset.index);
  if (e.ctrlKey || e.metaKey) toggle(index);
  else setActive(index, e.shiftKey ? 'extend' : 'select');
  viewport.focus();
});
viewport.addEventListener('dblclick', (e) => {
  const rowEl = (e.target as HTMLElement).closest<HTMLElement>('.virtual-row');
  if (rowEl?.dataset.index && s.actions.includes('open')) runAction('open');
});

viewport.addEventListener('keydown', (e: KeyboardEvent) => {
  if ((e.target as HTMLElement).closest('.sticky-header')) return;
  const mode = e.shiftKey ? 'extend' : e.ctrlKey || e.metaKey ? 'move' : 'select';
  const page = list.pageSize();
  switch (e.key) {
    case 'ArrowDown': setActive(s.active + 1, mode); break;
    case 'ArrowUp': setActive(s.active < 0 ? 0 : s.active - 1, mode); break;
    case 'PageDown': setActive(s.active + page, mode); break;
    case 'PageUp': setActive(s.active - page, mode); break;
    case 'Home': setActive(0, mode); break;
    case 'End': setActive(s.view.length - 1, mode); break;
    case ' ': if (s.active >= 0) toggle(s.active); break;
    case 'Enter': if (s.selected.size && s.actions.includes('open')) runAction('open'); break;
    case 'Escape':
      s.selected.clear();
      list.render();
      updateCounts();
      break;
    case 'a':
    case 'A':
      if (!(e.ctrlKey || e.metaKey)) return;
      s.selected = new Set(s.view.map((i) => s.rows[i]!.id));
      list.render();
      updateCounts();
      break;
    case 'c':
      if (!(e.ctrlKey || e.metaKey) || !s.selected.size || !s.actions.includes('copyUids')) return;
      runAction('copyUids');
      break;
    default:
      return;
  }
  e.preventDefault();
});

// ---- messages from the host -----------------------------------------------------------------

onHostMessage((data) => {
  const msg = data as HostToQueryResults;
  switch (msg?.type) {
    case 'qr/init':
      s.title = msg.title;
      s.columns = msg.columns;
      s.actions = msg.actions;
      s.rows = [];
      s.selected.clear();
      s.active = -1;
      setText(title, msg.title);
      document.title = msg.title;
      buildHeader();
      buildActions();
      rebuildView();
      setRunState(msg.state, msg.message, msg.canShowAssociation);
      break;
    case 'qr/rows':
      if (Array.isArray(msg.rows)) appendRows(msg.rows);
      break;
    case 'qr/state':
      setRunState(msg.state, msg.message, msg.canShowAssociation);
      break;
    default:
      break;
  }
});

post({ type: 'ready' });
