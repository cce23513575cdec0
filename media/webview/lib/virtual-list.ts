// A list that keeps only the rows in view (plus a few) in the DOM, whatever the item count: rows
// have a fixed height, a spacer gives the scrollbar its length, and row elements are reused.

export interface VirtualListOptions<T> {
  /** The scrolling element. */
  viewport: HTMLElement;
  rowHeight: number;
  createRow(): HTMLElement;
  updateRow(el: HTMLElement, item: T, index: number): void;
  /** Rows rendered above and below the visible ones. */
  overscan?: number;
}

export class VirtualList<T> {
  private items: readonly T[] = [];
  private readonly spacer: HTMLElement;
  private readonly pool: HTMLElement[] = [];
  private readonly overscan: number;
  private first = 0;
  private scheduled = false;

  constructor(private readonly opts: VirtualListOptions<T>) {
    this.overscan = opts.overscan ?? 8;
    this.spacer = document.createElement('div');
    this.spacer.className = 'virtual-spacer';
    opts.viewport.append(this.spacer);
    opts.viewport.addEventListener('scroll', () => this.schedule(), { passive: true });
    new ResizeObserver(() => this.schedule()).observe(opts.viewport);
  }

  setItems(items: readonly T[]): void {
    this.items = items;
    this.spacer.style.height = `${items.length * this.opts.rowHeight}px`;
    this.render();
  }

  get length(): number {
    return this.items.length;
  }

  /** Row elements in the DOM now. */
  get renderedCount(): number {
    return this.pool.filter((el) => !el.hidden).length;
  }

  /** The element showing item `index`, when it is rendered. */
  elementAt(index: number): HTMLElement | undefined {
    const el = this.pool[index - this.first];
    return el && !el.hidden ? el : undefined;
  }

  /** Scrolls the least needed to show item `index`. */
  reveal(index: number): void {
    const { viewport, rowHeight } = this.opts;
    const top = index * rowHeight;
    const visible = viewport.clientHeight - this.headerOffset();
    if (top < viewport.scrollTop) viewport.scrollTop = top;
    else if (top + rowHeight > viewport.scrollTop + visible) viewport.scrollTop = top + rowHeight - visible;
    this.render();
  }

  /** How many rows a page holds. */
  pageSize(): number {
    return Math.max(1, Math.floor((this.opts.viewport.clientHeight - this.headerOffset()) / this.opts.rowHeight) - 1);
  }

  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.render();
    });
  }

  render(): void {
    const { viewport, rowHeight } = this.opts;
    const height = viewport.clientHeight || rowHeight * 20;
    const n = this.items.length;
    const first = Math.max(0, Math.floor(viewport.scrollTop / rowHeight) - this.overscan);
    const last = Math.min(n, Math.ceil((viewport.scrollTop + height) / rowHeight) + this.overscan);
    const count = Math.max(0, last - first);
    while (this.pool.length < count) {
      const el = this.opts.createRow();
      el.classList.add('virtual-row');
      el.style.height = `${rowHeight}px`;
      this.spacer.append(el);
      this.pool.push(el);
    }
    this.first = first;
    for (let i = 0; i < this.pool.length; i++) {
      const el = this.pool[i]!;
      if (i < count) {
        el.hidden = false;
        el.style.top = `${(first + i) * rowHeight}px`;
        this.opts.updateRow(el, this.items[first + i]!, first + i);
      } else if (!el.hidden) {
        el.hidden = true;
        // A hidden row must not be found by the index it showed last.
        delete el.dataset.index;
        el.removeAttribute('id');
      }
    }
  }

  /** A sticky header inside the viewport takes room from the rows. */
  private headerOffset(): number {
    const header = this.opts.viewport.querySelector<HTMLElement>(':scope > .sticky-header');
    return header ? header.offsetHeight : 0;
  }
}
