// Helpers of the webview UI tests: the visible webview's content, a file opened in the dataset
// viewer from the Explorer, the theme, the image canvas read back pixel by pixel, pydicom's values
// for the same image, and colour contrast.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { activityBarItem, openViewContainer, runCommand, treeRow, waitForState } from '../harness/workbench';

// Page-side code (evaluate) runs in the webview, where the DOM exists.
declare const window: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare function getComputedStyle(el: unknown): { color: string; backgroundColor: string };

/**
 * The content of the webview on screen (hidden editors keep their webview frames, so the first
 * `iframe.webview.ready` is not always the one shown).
 */
export function visibleWebview(page: Page): FrameLocator {
  return page.locator('iframe.webview.ready').filter({ visible: true }).first().contentFrame().frameLocator('iframe#active-frame');
}

/**
 * Opens a file of the workspace from the Explorer (a click, as a person would) and returns the
 * viewer's content. Right after the window loads, the activity-bar entry can show before the
 * workbench has registered the extension's custom editor, and a .dcm clicked in that gap opens as
 * binary text: then the tab is closed and the click repeated, for at most 30 s.
 */
export async function openFromExplorer(page: Page, name: string): Promise<FrameLocator> {
  await activityBarItem(page, 'DICOM').waitFor({ state: 'visible', timeout: 30_000 });
  await openViewContainer(page, 'Explorer');
  const row = treeRow(page, name);
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  const view = visibleWebview(page);
  const header = view.locator('.ds-header .file', { hasText: name });
  const asText = page.locator('.editor-group-container .monaco-editor-pane-placeholder, .editor-group-container .monaco-editor');
  const deadline = Date.now() + 30_000;
  for (;;) {
    await row.click();
    await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ state: 'visible', timeout: 30_000 });
    const shown = await Promise.race([
      header.waitFor({ state: 'visible', timeout: 30_000 }).then(() => 'viewer' as const),
      asText.first().waitFor({ state: 'visible', timeout: 30_000 }).then(() => 'text' as const),
    ]);
    if (shown === 'viewer') return view;
    if (Date.now() > deadline) throw new Error(`${name} keeps opening as text, not in the dataset viewer`);
    await runCommand(page, 'View: Close All Editors');
    await waitForState(page.locator('.tabs-container .tab').first(), 'hidden', `the editors to close before ${name} is opened again`, 10_000);
  }
}

/** Shows the dataset viewer's Image tab. */
export async function showImageTab(view: FrameLocator): Promise<void> {
  await view.locator('vscode-tab-header', { hasText: /^\s*Image/ }).first().click();
}

export type ThemeKind = 'vscode-light' | 'vscode-dark' | 'vscode-high-contrast' | 'vscode-high-contrast-light';

/**
 * Switches the window's colour theme (a workspace setting, so other tests keep theirs) and waits
 * until the webview on screen has it. `theme` is the setting's value, e.g. "Default Dark Modern".
 */
export async function switchTheme(page: Page, workspaceDir: string, theme: string, kind: ThemeKind): Promise<void> {
  const file = join(workspaceDir, '.vscode', 'settings.json');
  const settings = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> : {};
  settings['workbench.colorTheme'] = theme;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(settings, null, 2));
  await visibleWebview(page).locator(`body.${kind}`).waitFor({ state: 'attached', timeout: 20_000 });
  // The workbench around the webview repaints with the same change: wait for its theme class,
  // then for the frame that paints it.
  await page.locator(`.monaco-workbench.${WORKBENCH_THEME_CLASS[kind]}`).waitFor({ state: 'attached', timeout: 20_000 });
  await page.evaluate(() => new Promise<void>((resolve) => window.requestAnimationFrame(() => resolve())));
}

/** The class the workbench's root element carries for each kind of theme. */
const WORKBENCH_THEME_CLASS: Record<ThemeKind, string> = {
  'vscode-light': 'vs',
  'vscode-dark': 'vs-dark',
  'vscode-high-contrast': 'hc-black',
  'vscode-high-contrast-light': 'hc-light',
};

export interface CanvasPixels {
  width: number;
  height: number;
  /** The red channel of every pixel (the preview is gray). */
  gray: number[];
  center: number;
  windowWidth: number;
  /** How the frame's pixels crossed postMessage (a typed array's name when VS Code keeps them typed). */
  transport: string;
}

/** Waits for frame 0 on the image canvas, then reads it back; fails with the viewer's error when it shows one instead. */
export async function readCanvas(view: FrameLocator, timeoutMs = 30_000): Promise<CanvasPixels> {
  const canvas = view.locator('canvas.image-canvas[data-frame="0"]');
  const error = view.locator('.image-status.error-text');
  await waitForState(canvas.or(error).first(), 'visible', 'frame 0 on the image canvas (or the viewer\'s error)', timeoutMs);
  if (await error.isVisible()) throw new Error(`The dataset viewer could not show frame 0: ${(await error.innerText()).trim()}`);
  return canvas.evaluate((c: any) => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data as Uint8ClampedArray;
    const gray: number[] = [];
    for (let i = 0; i < data.length; i += 4) gray.push(data[i]!);
    return {
      width: c.width, height: c.height, gray,
      center: Number(c.dataset.center), windowWidth: Number(c.dataset.width),
      transport: String(window.__datasetViewer?.image?.transport),
    };
  });
}

export interface PydicomImage {
  rows: number;
  columns: number;
  /** Stored values through Rescale Slope/Intercept, row by row. */
  values: number[];
  patientName: string;
  windowCenter?: number;
  windowWidth?: number;
}

/** pydicom's reading of frame 0 (the independent oracle; /usr/bin/python3 has pydicom). */
export function pydicomImage(file: string): PydicomImage {
  const script = `
import json, sys, pydicom
d = pydicom.dcmread(sys.argv[1])
a = d.pixel_array.astype(float)
slope = float(d.get('RescaleSlope', 1) or 1)
intercept = float(d.get('RescaleIntercept', 0) or 0)
first = lambda v: None if v is None else float(v[0] if isinstance(v, pydicom.multival.MultiValue) else v)
print(json.dumps(dict(rows=int(d.Rows), columns=int(d.Columns), values=(a * slope + intercept).flatten().tolist(),
  patientName=str(d.PatientName), windowCenter=first(d.get('WindowCenter')), windowWidth=first(d.get('WindowWidth')))))
`;
  const out = execFileSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  const parsed = JSON.parse(out) as PydicomImage & { windowCenter: number | null; windowWidth: number | null };
  return { ...parsed, windowCenter: parsed.windowCenter ?? undefined, windowWidth: parsed.windowWidth ?? undefined };
}

/** PS3.3 C.11.2.1.2.1: the LINEAR VOI function onto 0..255. */
export function linearWindow(x: number, center: number, width: number): number {
  if (x <= center - 0.5 - (width - 1) / 2) return 0;
  if (x > center - 0.5 + (width - 1) / 2) return 255;
  return ((x - (center - 0.5)) / (width - 1) + 0.5) * 255;
}

/** Pixels of the canvas that differ from pydicom's values under the canvas's own window by more than one level. */
export function mismatches(canvas: CanvasPixels, oracle: PydicomImage): number {
  if (canvas.gray.length !== oracle.values.length) throw new Error(`the canvas has ${canvas.gray.length} pixels, pydicom ${oracle.values.length}`);
  let bad = 0;
  for (let i = 0; i < oracle.values.length; i++) {
    const expected = linearWindow(oracle.values[i]!, canvas.center, canvas.windowWidth);
    if (Math.abs(canvas.gray[i]! - expected) > 1) bad++;
  }
  return bad;
}

/** Number of distinct gray levels and their standard deviation: a blank canvas has 1 and 0. */
export function spread(gray: readonly number[]): { levels: number; stddev: number } {
  const mean = gray.reduce((a, b) => a + b, 0) / Math.max(1, gray.length);
  const variance = gray.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, gray.length);
  return { levels: new Set(gray).size, stddev: Math.sqrt(variance) };
}

function rgb(css: string): [number, number, number] {
  const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)/.exec(css);
  if (!m) throw new Error(`not an rgb() colour: ${css}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** WCAG 2 contrast ratio of two CSS colours. */
export function contrastRatio(a: string, b: string): number {
  const lum = (c: [number, number, number]) => {
    const [r, g, bl] = c.map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [x, y] = [lum(rgb(a)), lum(rgb(b))].sort((p, q) => q - p);
  return (x! + 0.05) / (y! + 0.05);
}

/**
 * The colour and background of what a selector names in the webview (the background of the first
 * ancestor that has one). A vscode-button is read where it paints: the .base of its shadow root.
 */
export async function colours(view: FrameLocator, selector: string): Promise<{ color: string; background: string }> {
  return view.locator(selector).first().evaluate((el: any) => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const painted = el.shadowRoot?.querySelector('.base') ?? el;
    const color = getComputedStyle(painted).color;
    let at = painted;
    let background = 'rgba(0, 0, 0, 0)';
    while (at) {
      const bg = getComputedStyle(at).backgroundColor;
      if (bg && !/rgba\(0, 0, 0, 0\)|transparent/.test(bg)) { background = bg; break; }
      at = at.parentElement ?? at.getRootNode()?.host;
    }
    return { color, background };
  });
}

/** Checks that text is readable on its background (WCAG AA: 4.5:1) for each selector; returns the ratios. */
export async function assertReadable(view: FrameLocator, theme: string, selectors: readonly string[]): Promise<Record<string, number>> {
  const ratios: Record<string, number> = {};
  for (const selector of selectors) {
    const c = await colours(view, selector);
    const ratio = contrastRatio(c.color, c.background);
    ratios[selector] = Math.round(ratio * 10) / 10;
    if (ratio < 4.5) throw new Error(`${theme}: ${selector} is ${c.color} on ${c.background} (contrast ${ratio.toFixed(2)}, less than 4.5)`);
  }
  return ratios;
}

/** Content Security Policy violations the page's frames logged (webviews included). */
export function collectCspViolations(page: Page): string[] {
  const found: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) found.push(m.text());
  });
  return found;
}

/**
 * Collects the webview resources (scripts, stylesheets, fonts, WebAssembly: anything under the
 * webviews' resource origin) that the page asked for and did not get: a failed request or an
 * error status, e.g. a file left out of the VSIX. Returns the live list.
 */
export function collectMissingWebviewResources(page: Page): string[] {
  const missing: string[] = [];
  const note = (url: string, why: string) => {
    if (!url.includes('.vscode-resource.')) return;
    const file = decodeURIComponent(new URL(url).pathname);
    if (!missing.some((m) => m.startsWith(`${file} (`))) missing.push(`${file} (${why})`);
  };
  page.context().on('response', (r) => r.status() >= 400 && note(r.url(), String(r.status())));
  page.context().on('requestfailed', (r) => note(r.url(), r.failure()?.errorText ?? 'failed'));
  return missing;
}

