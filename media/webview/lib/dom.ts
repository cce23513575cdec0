// Building DOM without innerHTML: text always goes in as text nodes. Styles are never set as
// attributes (the CSP forbids inline styles); positions are set through the CSSOM.

type Attr = string | number | boolean | undefined | null;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Record<string, Attr>, ...children: Array<Node | string>): HTMLElementTagNameMap[K];
export function h(tag: string, attrs?: Record<string, Attr>, ...children: Array<Node | string>): HTMLElement;
export function h(tag: string, attrs: Record<string, Attr> = {}, ...children: Array<Node | string>): HTMLElement {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'style') throw new Error('Inline styles are not allowed by the webview CSP.');
    if (name === 'class') el.className = String(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const c of children) el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

const numberFormat = new Intl.NumberFormat();
export function formatCount(n: number): string {
  return numberFormat.format(n);
}

/** Calls fn at most once per animation frame. */
export function frameThrottle(fn: () => void): () => void {
  let scheduled = false;
  return () => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      fn();
    });
  };
}
