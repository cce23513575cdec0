// The element tree as a virtualised tree grid: Tag | Name | VR | Length | Value, sequences and
// items expand and collapse, keyboard as in VS Code's trees (arrows, Enter, Home/End).

import { h, setText } from './dom';
import { VirtualList } from './virtual-list';
import type { ElementRow } from '../../../src/dicom/view-model/types';

const ROW_HEIGHT = 22;
const INDENT = 14;

export interface TreeGridEvents {
  onShowAll(row: ElementRow): void;
  onCopy(row: ElementRow, what: 'tag' | 'value' | 'line'): void;
  onActiveChange?(row: ElementRow | undefined): void;
}

interface Visible {
  row: ElementRow;
  parent?: ElementRow;
}

export class TreeGrid {
  readonly viewport: HTMLElement;
  private roots: ElementRow[] = [];
  private readonly expanded = new Set<string>();
  private visible: Visible[] = [];
  private active = -1;
  private matches = new Set<string>();
  private readonly list: VirtualList<Visible>;

  constructor(label: string, private readonly events: TreeGridEvents) {
    const header = h('div', { class: 'grid-row tree-row sticky-header', role: 'row' },
      ...['Tag', 'Name', 'VR', 'Length', 'Value'].map((t) => h('div', { class: 'cell header-cell', role: 'columnheader' }, t)));
    this.viewport = h('div', { class: 'viewport tree-grid', role: 'treegrid', tabindex: 0, 'aria-label': label }, header);
    this.list = new VirtualList<Visible>({
      viewport: this.viewport,
      rowHeight: ROW_HEIGHT,
      createRow: () => this.createRow(),
      updateRow: (el, v, i) => this.updateRow(el, v, i),
    });
    this.viewport.addEventListener('keydown', (e) => this.onKey(e));
    this.viewport.addEventListener('click', (e) => this.onClick(e));
  }

  setRows(rows: ElementRow[]): void {
    this.roots = rows;
    this.expanded.clear();
    this.active = -1;
    this.refresh();
  }

  /** Marks matches and opens what hides them. */
  setMatches(matches: readonly string[], expand: readonly string[]): void {
    this.matches = new Set(matches);
    for (const id of expand) this.expanded.add(id);
    this.refresh();
  }

  /** Focuses and reveals the row with this id (it must be visible: expand its ancestors first). */
  focusRow(id: string): void {
    const i = this.visible.findIndex((v) => v.row.id === id);
    if (i >= 0) this.setActive(i);
  }

  get activeRow(): ElementRow | undefined {
    return this.visible[this.active]?.row;
  }

  get renderedCount(): number {
    return this.list.renderedCount;
  }

  expandAll(): void {
    const walk = (rows: ElementRow[]) => {
      for (const r of rows) {
        if (r.children?.length) {
          this.expanded.add(r.id);
          walk(r.children);
        }
      }
    };
    walk(this.roots);
    this.refresh();
  }

  collapseAll(): void {
    this.expanded.clear();
    this.refresh();
  }

  private refresh(): void {
    const activeId = this.activeRow?.id;
    const out: Visible[] = [];
    const walk = (rows: ElementRow[], parent?: ElementRow) => {
      for (const row of rows) {
        out.push({ row, parent });
        if (row.children?.length && this.expanded.has(row.id)) walk(row.children, row);
      }
    };
    walk(this.roots);
    this.visible = out;
    this.active = activeId ? out.findIndex((v) => v.row.id === activeId) : -1;
    this.list.setItems(out);
    this.viewport.setAttribute('aria-rowcount', String(out.length + 1));
  }

  private createRow(): HTMLElement {
    const twisty = h('span', { class: 'twisty codicon', 'aria-hidden': 'true' });
    const tag = h('div', { class: 'cell tag', role: 'gridcell' }, twisty, h('span', { class: 'tag-text' }));
    const showAll = h('button', { class: 'link show-all', title: 'Show the whole value', tabindex: -1 }, 'show all');
    const value = h('div', { class: 'cell value', role: 'gridcell' }, h('span', { class: 'value-text' }), h('span', { class: 'hint muted' }), showAll);
    return h('div', { class: 'grid-row tree-row', role: 'row' },
      tag, h('div', { class: 'cell name', role: 'gridcell' }), h('div', { class: 'cell vr', role: 'gridcell' }), h('div', { class: 'cell length', role: 'gridcell' }), value);
  }

  private updateRow(el: HTMLElement, v: Visible, index: number): void {
    const r = v.row;
    const parent = (r.children?.length ?? 0) > 0;
    const open = parent && this.expanded.has(r.id);
    el.id = `${this.viewport.getAttribute('aria-label')?.replace(/\W/g, '') ?? 'tree'}-row-${index}`;
    el.dataset.index = String(index);
    el.dataset.rowId = r.id;
    el.setAttribute('aria-level', String(r.depth + 1));
    if (parent) el.setAttribute('aria-expanded', String(open));
    else el.removeAttribute('aria-expanded');
    el.classList.toggle('active', index === this.active);
    el.classList.toggle('selected', index === this.active);
    el.classList.toggle('match', this.matches.has(r.id));
    el.classList.toggle('private', r.privateCreator !== undefined || r.keyword === 'PrivateCreator');
    el.classList.toggle('item', r.kind === 'item' || r.kind === 'fragment');
    const [tagCell, nameCell, vrCell, lengthCell, valueCell] = Array.from(el.children) as HTMLElement[];
    const twisty = tagCell!.firstElementChild as HTMLElement;
    twisty.style.marginLeft = `${r.depth * INDENT}px`;
    twisty.className = `twisty codicon ${parent ? (open ? 'codicon-chevron-down' : 'codicon-chevron-right') : 'codicon-blank'}`;
    setText(tagCell!.lastElementChild!, r.kind === 'item' || r.kind === 'fragment' ? r.name : r.tag);
    setText(nameCell!, r.kind === 'item' || r.kind === 'fragment' ? '' : r.name);
    nameCell!.title = r.keyword ? `${r.keyword}${r.retired ? ' (retired)' : ''}` : r.name;
    setText(vrCell!, r.vr);
    setText(lengthCell!, r.length === null ? '' : String(r.length));
    setText(valueCell!.children[0]!, r.value);
    valueCell!.children[0]!.classList.toggle('truncated', r.truncated);
    setText(valueCell!.children[1]!, r.hint ? ` ${r.hint}` : '');
    (valueCell!.children[2] as HTMLElement).hidden = !r.truncated;
    valueCell!.title = r.truncated ? `${r.value}…` : r.value;
  }

  private setActive(index: number): void {
    if (this.visible.length === 0) return;
    this.active = Math.max(0, Math.min(this.visible.length - 1, index));
    this.list.reveal(this.active);
    this.list.render();
    const el = this.list.elementAt(this.active);
    if (el) this.viewport.setAttribute('aria-activedescendant', el.id);
    this.events.onActiveChange?.(this.activeRow);
  }

  private toggle(index: number, open?: boolean): void {
    const r = this.visible[index]?.row;
    if (!r?.children?.length) return;
    const now = open ?? !this.expanded.has(r.id);
    if (now) this.expanded.add(r.id);
    else this.expanded.delete(r.id);
    this.refresh();
  }

  private onClick(e: MouseEvent): void {
    const target = e.target as HTMLElement;
    const rowEl = target.closest<HTMLElement>('.virtual-row');
    if (!rowEl?.dataset.index) return;
    const index = Number(rowEl.dataset.index);
    this.setActive(index);
    if (target.closest('.show-all')) this.events.onShowAll(this.visible[index]!.row);
    else if (target.closest('.twisty')) this.toggle(index);
    this.viewport.focus();
  }

  private onKey(e: KeyboardEvent): void {
    const v = this.visible[this.active];
    const mod = e.ctrlKey || e.metaKey;
    switch (e.key) {
      case 'ArrowDown': this.setActive(this.active + 1); break;
      case 'ArrowUp': this.setActive(this.active < 0 ? 0 : this.active - 1); break;
      case 'PageDown': this.setActive(this.active + this.list.pageSize()); break;
      case 'PageUp': this.setActive(this.active - this.list.pageSize()); break;
      case 'Home': this.setActive(0); break;
      case 'End': this.setActive(this.visible.length - 1); break;
      case 'ArrowRight':
        if (!v) return;
        if (v.row.children?.length && !this.expanded.has(v.row.id)) this.toggle(this.active, true);
        else if (v.row.children?.length) this.setActive(this.active + 1);
        break;
      case 'ArrowLeft':
        if (!v) return;
        if (v.row.children?.length && this.expanded.has(v.row.id)) this.toggle(this.active, false);
        else if (v.parent) this.focusRow(v.parent.id);
        break;
      case 'Enter':
        if (!v) return;
        if (v.row.truncated) this.events.onShowAll(v.row);
        else this.toggle(this.active);
        break;
      case 'c':
      case 'C':
        if (!mod || !v) return;
        this.events.onCopy(v.row, e.shiftKey ? 'tag' : e.altKey ? 'line' : 'value');
        break;
      default:
        return;
    }
    e.preventDefault();
  }
}
