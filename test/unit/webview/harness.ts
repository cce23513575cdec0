// Runs the webview bundles in headless Chromium as VS Code would show them: built by esbuild into a
// temporary folder, served from a fake webview origin, under the host's own HTML and CSP, with a
// fake acquireVsCodeApi that records what the page posts.

import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, extname } from 'node:path';
import { webviewHtml } from '../../../src/extension/webviews/html';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { chromium } = require('playwright-core') as typeof import('playwright-core');
// Page-side code (page.evaluate, addInitScript) runs in the browser, where these exist.
declare const window: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any

type Browser = import('playwright-core').Browser;
type Page = import('playwright-core').Page;

export const ORIGIN = 'https://webview.test';
const ROOT = join(__dirname, '..', '..', '..', '..');
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Builds the media bundles the way the extension build does (see the report for esbuild.mjs). */
export async function buildMedia(): Promise<string> {
  const esbuild = require(join(ROOT, 'node_modules', 'esbuild')) as typeof import('esbuild');
  const outdir = mkdtempSync(join(tmpdir(), 'webview-media-'));
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: {
      'query-results': 'media/webview/query-results.ts',
      'dataset-viewer': 'media/webview/dataset-viewer.ts',
      'association-detail': 'media/webview/association-detail.ts',
      codicon: 'media/webview/codicon.css',
    },
    outdir,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    loader: { '.ttf': 'file' },
    logLevel: 'error',
  });
  return outdir;
}

export function removeMedia(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
}

/** A few of the Dark Modern theme's variables, enough for screenshots to look like VS Code. */
const DARK_THEME: Record<string, string> = {
  '--vscode-font-family': 'system-ui, sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-editor-font-family': 'monospace',
  '--vscode-foreground': '#cccccc',
  '--vscode-descriptionForeground': '#9d9d9d',
  '--vscode-errorForeground': '#f85149',
  '--vscode-editor-background': '#1f1f1f',
  '--vscode-focusBorder': '#0078d4',
  '--vscode-panel-border': '#2b2b2b',
  '--vscode-list-hoverBackground': '#2a2d2e',
  '--vscode-list-activeSelectionBackground': '#04395e',
  '--vscode-list-activeSelectionForeground': '#ffffff',
  '--vscode-list-inactiveSelectionBackground': '#37373d',
  '--vscode-list-focusOutline': '#0078d4',
  '--vscode-button-background': '#0078d4',
  '--vscode-button-foreground': '#ffffff',
  '--vscode-button-secondaryBackground': '#313131',
  '--vscode-button-secondaryForeground': '#cccccc',
  '--vscode-textLink-foreground': '#4daafc',
  '--vscode-input-background': '#313131',
  '--vscode-input-foreground': '#cccccc',
  '--vscode-input-border': '#3c3c3c',
  '--vscode-dropdown-background': '#313131',
  '--vscode-dropdown-foreground': '#cccccc',
  '--vscode-editor-findMatchHighlightBackground': '#9e6a0366',
  '--vscode-editor-findMatchBackground': '#9e6a03',
  '--vscode-panelTitle-activeForeground': '#cccccc',
  '--vscode-panelTitle-activeBorder': '#0078d4',
};

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.html': 'text/html' };

/** What the page reported: messages it posted, CSP violations, uncaught errors. */
export interface PageRecord {
  errors: string[];
}

/**
 * One browser page that loads the views in turn (a new page costs seconds on a busy machine).
 * Every request outside the fake origin is refused, so the page has no network.
 */
export class ViewerHarness {
  private record: PageRecord = { errors: [] };
  private constructor(private readonly browser: Browser, readonly page: Page, private readonly mediaDir: string) {}

  static async start(): Promise<ViewerHarness> {
    const mediaDir = await buildMedia();
    const browser = await launch();
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const page = await context.newPage();
    const h = new ViewerHarness(browser, page, mediaDir);
    page.on('pageerror', (e) => h.record.errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') h.record.errors.push(`console: ${m.text()}`); });
    await page.addInitScript(INIT_SCRIPT, DARK_THEME);
    await page.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if (url.origin !== ORIGIN) return route.abort();
      const view = /^\/([\w-]+)\.html$/.exec(url.pathname)?.[1];
      if (view) return route.fulfill({ status: 200, contentType: 'text/html', body: pageHtml(view) });
      const name = url.pathname.slice(1);
      const file = join(mediaDir, name);
      if (!/^[\w.-]+$/.test(name) || !existsSync(file)) return route.fulfill({ status: 404, body: '' });
      return route.fulfill({ status: 200, contentType: TYPES[extname(file)] ?? 'application/octet-stream', body: readFileSync(file) });
    });
    return h;
  }

  /** Loads `view` (the bundle name) afresh under the production HTML; returns what the page reports. */
  async open(view: string): Promise<{ page: Page; record: PageRecord }> {
    this.record = { errors: [] };
    await this.page.goto(`${ORIGIN}/${view}.html`);
    return { page: this.page, record: this.record };
  }

  async close(): Promise<void> {
    await this.browser.close();
    removeMedia(this.mediaDir);
  }
}

function pageHtml(view: string): string {
  return webviewHtml({
    title: view, cspSource: ORIGIN, nonce: 'dGVzdC1ub25jZS0xMjM0NQ==',
    scriptUri: `${ORIGIN}/${view}.js`, styleUris: [`${ORIGIN}/${view}.css`], codiconUri: `${ORIGIN}/codicon.css`,
  });
}

/** Runs in the page before its scripts: the theme, a fake acquireVsCodeApi that records, CSP violations. */
function INIT_SCRIPT(theme: Record<string, string>): void {
  // VS Code sets its theme colours as CSS variables on <html>; do the same (through the CSSOM, which the CSP allows).
  const applyTheme = () => { for (const [name, value] of Object.entries(theme)) document.documentElement.style.setProperty(name, value); };
  if (document.documentElement) applyTheme();
  else document.addEventListener('DOMContentLoaded', applyTheme);
  const w = window as { __posted: unknown[]; __csp: string[]; acquireVsCodeApi: () => unknown };
  w.__posted = [];
  w.__csp = [];
  let state: unknown;
  let acquired = false;
  w.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi called twice');
    acquired = true;
    return { postMessage: (m: unknown) => { w.__posted.push(m); }, getState: () => state, setState: (v: unknown) => { state = v; } };
  };
  document.addEventListener('securitypolicyviolation', (e: { violatedDirective: string; blockedURI: string }) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
}

/** Posts a message to the page as the extension host would. */
export async function send(page: Page, message: unknown): Promise<void> {
  // As one JSON string: Playwright serialises a string far faster than a large object graph.
  await page.evaluate((json: string) => window.postMessage(JSON.parse(json), '*'), JSON.stringify(message));
}

/** Waits for the page to have posted a message matching `pred`, returns it. */
export async function waitForPosted<T>(page: Page, pred: (m: Record<string, unknown>) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const posted = await page.evaluate(() => (window as unknown as { __posted: Record<string, unknown>[] }).__posted);
    const hit = posted.find(pred);
    if (hit) return hit as T;
    if (Date.now() > deadline) throw new Error(`The page did not post ${what}; it posted ${JSON.stringify(posted).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
}
