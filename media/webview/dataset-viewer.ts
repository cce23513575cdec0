// Dataset viewer: the element tree (sequences, items, private creators, long values with "show
// all", search, copy), the file meta apart, and the image preview with window/level.

import './dataset-viewer.css';
import './lib/elements';
import { vscodeApi, onHostMessage } from './lib/vscode-api';
import { h, setText, clear } from './lib/dom';
import { TreeGrid } from './lib/tree-grid';
import { ImageView } from './lib/image-view';
import { searchRows } from '../../src/dicom/view-model/search';
import type { ElementRow, DatasetView } from '../../src/dicom/view-model/types';
import type { ImageSummary } from '../../src/dicom/pixels/frame-data';
import {
  RequestClient, FRAME_REQUEST_TIMEOUT_MS,
  type DatasetRequests, type DatasetViewerToHost, type HostToDatasetViewer, type CopyWhat,
} from '../../src/shared/webview-protocol';

const vscode = vscodeApi();
const post = (msg: DatasetViewerToHost) => vscode.postMessage(msg);
const requests = new RequestClient<DatasetRequests>((m) => post(m as DatasetViewerToHost));

let elements: TreeGrid | undefined;
let image: ImageView | undefined;

function copy(row: ElementRow, what: CopyWhat): void {
  post({ type: 'ds/copy', rowId: row.id, what });
}

/** The panel under a tree that shows a whole value. */
function detailsPane(): { element: HTMLElement; show(row: ElementRow): void; hide(): void } {
  const heading = h('span', { class: 'title' });
  const note = h('span', { class: 'muted' });
  const copyButton = h('vscode-button', { secondary: true, icon: 'copy', title: 'Copy the whole value' }, 'Copy');
  const close = h('vscode-button', { secondary: true, icon: 'close', title: 'Close (Escape)' }, 'Close');
  const pre = h('pre', { tabindex: 0, 'aria-label': 'Whole value' });
  const element = h('div', { class: 'details hidden', role: 'region', 'aria-label': 'Whole value' }, h('div', { class: 'toolbar' }, heading, note, h('span', { class: 'spacer' }), copyButton, close), pre);
  let current: ElementRow | undefined;
  let controller: AbortController | undefined;
  const hide = () => {
    controller?.abort();
    element.classList.add('hidden');
    current = undefined;
  };
  close.addEventListener('click', hide);
  copyButton.addEventListener('click', () => { if (current) copy(current, 'value'); });
  element.addEventListener('keydown', (e) => { if (e.key === 'Escape') { hide(); e.preventDefault(); } });
  return {
    element,
    hide,
    show(row: ElementRow) {
      controller?.abort();
      controller = new AbortController();
      current = row;
      setText(heading, `${row.tag} ${row.keyword || row.name}`);
      setText(note, 'loading…');
      setText(pre, '');
      element.classList.remove('hidden');
      const mine = controller;
      requests.request('fullValue', { id: row.id }, { signal: mine.signal }).then((v) => {
        if (mine.signal.aborted) return;
        setText(pre, v.text);
        setText(note, v.truncated ? `first ${v.text.length.toLocaleString()} characters (the value is longer)` : `${v.text.length.toLocaleString()} characters`);
        pre.focus();
      }, (e: Error) => {
        if (!mine.signal.aborted) setText(note, e.message);
      });
    },
  };
}

function treeTab(label: string, rows: ElementRow[], withSearch: boolean): { body: HTMLElement; grid: TreeGrid } {
  const details = detailsPane();
  const grid = new TreeGrid(label, { onShowAll: (row) => details.show(row), onCopy: copy });
  grid.setRows(rows);
  const bar = h('div', { class: 'toolbar' });
  if (withSearch) {
    const search = h('vscode-textfield', { placeholder: 'Search tag, keyword or value', 'aria-label': 'Search elements' }) as HTMLElement & { value: string };
    const found = h('span', { class: 'muted', 'aria-live': 'polite' });
    let matches: string[] = [];
    let at = -1;
    const go = (delta: number) => {
      if (!matches.length) return;
      at = (at + delta + matches.length) % matches.length;
      grid.focusRow(matches[at]!);
      setText(found, `${at + 1} of ${matches.length}`);
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    search.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const r = searchRows(rows, search.value ?? '');
        matches = r.matches;
        at = -1;
        grid.setMatches(r.matches, r.expand);
        setText(found, search.value ? (matches.length ? `${matches.length} match${matches.length === 1 ? '' : 'es'}` : 'no matches') : '');
      }, 120);
    });
    search.addEventListener('keydown', (e: KeyboardEvent) => {
      if (e.key === 'Enter' || e.key === 'F3') { go(e.shiftKey ? -1 : 1); e.preventDefault(); }
      else if (e.key === 'Escape') { search.value = ''; search.dispatchEvent(new Event('input')); }
    });
    bar.append(search, found);
  }
  const button = (icon: string, text: string, title: string, act: () => void) => {
    const b = h('vscode-button', { secondary: true, icon, title }, text);
    b.addEventListener('click', act);
    return b;
  };
  const onActive = (what: CopyWhat) => () => { const r = grid.activeRow; if (r) copy(r, what); };
  bar.append(
    h('span', { class: 'spacer' }),
    button('expand-all', 'Expand', 'Expand all sequences', () => grid.expandAll()),
    button('collapse-all', 'Collapse', 'Collapse all', () => grid.collapseAll()),
    button('symbol-key', 'Copy Tag', 'Copy the tag of the focused row (Ctrl+Shift+C)', onActive('tag')),
    button('copy', 'Copy Value', 'Copy the value of the focused row (Ctrl+C)', onActive('value')),
    button('list-flat', 'Copy Line', 'Copy the focused row as a dcmdump line (Ctrl+Alt+C)', onActive('line')),
  );
  const body = h('div', { class: 'tab-body' }, bar, grid.viewport, details.element);
  return { body, grid };
}

function render(fileName: string, view: DatasetView, summary: ImageSummary): void {
  clear(document.body);
  document.title = fileName;
  const header = h('div', { class: 'ds-header' },
    h('span', { class: 'file' }, fileName),
    h('span', {}, view.sopClass.name),
    h('span', { class: 'muted' }, view.transferSyntax.name),
    view.specificCharacterSet ? h('span', { class: 'muted' }, `Character set: ${view.specificCharacterSet}`) : '',
    h('span', { class: 'muted' }, `${view.rowCount.toLocaleString()} rows`));
  const main = treeTab('Elements', view.dataset, true);
  const meta = treeTab('File meta', view.meta, false);
  elements = main.grid;
  image = new ImageView(summary, (frame, signal) => requests.request('frame', { frame }, { signal, timeoutMs: FRAME_REQUEST_TIMEOUT_MS }));
  const frames = summary.hasImage ? `Image${summary.frames > 1 ? ` (${summary.frames} frames)` : ''}` : 'Image';
  const tabs = h('vscode-tabs', { panel: true },
    h('vscode-tab-header', { slot: 'header', 'data-tab': 'elements' }, 'Elements'),
    h('vscode-tab-panel', {}, main.body),
    h('vscode-tab-header', { slot: 'header', 'data-tab': 'meta' }, view.hasMeta ? 'File Meta' : 'File Meta (none)'),
    h('vscode-tab-panel', {}, meta.body),
    h('vscode-tab-header', { slot: 'header', 'data-tab': 'image' }, frames),
    h('vscode-tab-panel', {}, image.element));
  tabs.addEventListener('vsc-tabs-select', (e: Event) => {
    const index = (e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex;
    if (index === 2) image?.start();
  });
  document.body.append(header, tabs);
  // Frames decode in the host's worker: start at once so the image is ready when its tab opens.
  if (summary.hasImage) image.start();
}

onHostMessage((data) => {
  if (requests.handleMessage(data)) return;
  const msg = data as HostToDatasetViewer;
  switch (msg?.type) {
    case 'ds/init':
      render(msg.fileName, msg.view, msg.image);
      break;
    case 'ds/error':
      clear(document.body);
      document.body.append(h('p', { class: 'error-text no-image', role: 'alert' }, msg.message));
      break;
    default:
      break;
  }
});

window.addEventListener('unload', () => requests.dispose());
post({ type: 'ready' });

/** For tests and debugging: what the viewer holds. */
(window as unknown as { __datasetViewer: unknown }).__datasetViewer = {
  get elements() { return elements; },
  get image() { return image; },
};
