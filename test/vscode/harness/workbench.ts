// Playwright helpers for the VS Code workbench served by code-server.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import type { CodeServer } from './codeServer';
import { repoRoot } from './tools';

export interface WorkbenchUrlOptions {
  /** Absolute folder to open. */
  folder?: string;
  /** Loads this extension folder as under development (honoured only with the smoke-test driver on). */
  extensionDevelopmentPath?: string;
  /** Runs this test module (exports `run()`) in the extension host (smoke-test driver only). */
  extensionTestsPath?: string;
}

/** `vscode-remote://127.0.0.1:PORT/abs/path`: how the browser workbench names files on the server. */
export function remoteUri(server: Pick<CodeServer, 'authority'>, absPath: string): string {
  return `vscode-remote://${server.authority}${resolve(absPath)}`;
}

export function workbenchUrl(server: Pick<CodeServer, 'url' | 'authority'>, options: WorkbenchUrlOptions = {}): string {
  const params: string[] = [];
  if (options.folder) params.push(`folder=${encodeURIComponent(resolve(options.folder))}`);
  const payload: [string, string][] = [];
  if (options.extensionDevelopmentPath) {
    payload.push(['extensionDevelopmentPath', remoteUri(server, options.extensionDevelopmentPath)]);
  }
  if (options.extensionTestsPath) payload.push(['extensionTestsPath', remoteUri(server, options.extensionTestsPath)]);
  if (payload.length > 0) params.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
  return `${server.url}/${params.length > 0 ? `?${params.join('&')}` : ''}`;
}

/** Waits until the workbench shell (activity bar, side bar, status bar) is on screen. */
export async function waitForShell(page: Page, timeoutMs = 60_000): Promise<void> {
  await page.locator('.monaco-workbench .part.activitybar').waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
}

/** Opens the workbench (optionally with a folder and a development extension) and waits for the shell. */
export async function openWorkbench(page: Page, server: CodeServer, options: WorkbenchUrlOptions = {}): Promise<void> {
  await page.goto(workbenchUrl(server, { folder: server.workspaceDir, ...options }));
  await waitForShell(page);
}

/**
 * The activity-bar tab of a view container whose aria-label starts with `label` (e.g. "DICOM",
 * "Explorer"). VS Code 1.139 labels the link inside the tab; older versions label the tab itself.
 */
export function activityBarItem(page: Page, label: string): Locator {
  const labelled = `[aria-label^="${cssString(label)}"]`;
  const tabs = page.locator('.part.activitybar [role="tab"]');
  return tabs.filter({ has: page.locator(labelled) }).or(page.locator(`.part.activitybar [role="tab"]${labelled}`)).first();
}

/** Shows a view container from the activity bar (does not toggle it closed when already shown). */
export async function openViewContainer(page: Page, label: string, timeoutMs = 30_000): Promise<void> {
  const item = activityBarItem(page, label);
  await item.waitFor({ state: 'visible', timeout: timeoutMs });
  const sidebarTitle = page.locator('.part.sidebar .composite.title');
  const alreadyShown =
    (await item.getAttribute('aria-selected')) === 'true' && (await page.locator('.part.sidebar').isVisible());
  if (!alreadyShown) await item.click();
  await sidebarTitle.filter({ hasText: label }).waitFor({ state: 'visible', timeout: timeoutMs });
}

/** The quick-input widget (command palette, quick picks). */
export function quickInput(page: Page): Locator {
  return page.locator('.quick-input-widget');
}

/**
 * Runs a command from the palette as a person would: F1, type, wait until the first row is
 * the command (its label starts with `title`, e.g. "DICOM: Show Log"), Enter.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 20_000): Promise<void> {
  const widget = quickInput(page);
  const deadline = Date.now() + timeoutMs;
  // Right after the page loads, the palette may not list extension commands yet ("No matching
  // commands"): close it and ask again until the deadline.
  for (let attempt = 1; ; attempt++) {
    await page.locator('.monaco-workbench').focus().catch(() => undefined);
    await page.keyboard.press('F1');
    await widget.waitFor({ state: 'visible', timeout: timeoutMs });
    const box = widget.locator('.quick-input-box input');
    await box.fill(`>${title}`);
    const firstRow = widget.locator('.quick-input-list .monaco-list-row').first();
    try {
      await firstRow.filter({ hasText: title }).waitFor({ state: 'visible', timeout: Math.min(5_000, Math.max(1, deadline - Date.now())) });
    } catch (error) {
      await page.keyboard.press('Escape');
      await widget.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
      if (Date.now() >= deadline) throw new Error(`The palette did not offer "${title}" within ${timeoutMs} ms (${attempt} attempts).`);
      await page.waitForTimeout(500);
      continue;
    }
    const label = (await firstRow.getAttribute('aria-label')) ?? (await firstRow.innerText());
    if (!label.toLowerCase().startsWith(title.toLowerCase())) {
      throw new Error(`The palette's first match for "${title}" is "${label}".`);
    }
    await box.press('Enter');
    // The palette closes, or the command's own quick input takes its place at once.
    await page.waitForFunction((typed) => {
      // Runs in the page (no DOM types in this project's compiler settings).
      const doc = (globalThis as { document?: { querySelector(s: string): unknown } }).document;
      const w = doc?.querySelector('.quick-input-widget') as { offsetParent: unknown; style: { display: string }; querySelector(s: string): unknown } | null;
      const input = w?.querySelector('.quick-input-box input') as { value: string } | null;
      const shown = !!w && w.offsetParent !== null && w.style.display !== 'none';
      return !shown || input?.value !== typed;
    }, `>${title}`, { timeout: timeoutMs });
    return;
  }
}

/** Messages of the notification toasts on screen now (there are none in smoke-test-driver mode). */
export async function visibleToasts(page: Page): Promise<string[]> {
  return page.locator('.notification-toast .notification-list-item-message').allInnerTexts();
}

/**
 * All notifications, read from the notification center ("Notifications: Show Notifications"):
 * works in smoke-test-driver mode too, where toasts are suppressed. Leaves the center open.
 */
export async function readNotifications(page: Page, timeoutMs = 10_000): Promise<string[]> {
  const center = page.locator('.notifications-center');
  if (!(await center.isVisible())) {
    await runCommand(page, 'Notifications: Show Notifications', timeoutMs);
    await center.waitFor({ state: 'visible', timeout: timeoutMs });
  }
  return center.locator('.notification-list-item-message').allInnerTexts();
}

/** Polls readNotifications until one contains `text`; returns it. */
export async function waitForNotification(page: Page, text: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await readNotifications(page)).find((m) => m.includes(text));
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`No notification containing "${text}" within ${timeoutMs} ms.`);
    await page.waitForTimeout(250);
  }
}

/** A tree row (any tree or list in the side bar/panel) whose label is exactly `text`. */
export function treeRow(page: Page, text: string, scope = '.monaco-workbench'): Locator {
  return page
    .locator(`${scope} .monaco-list-row[role="treeitem"]`)
    .filter({ has: page.locator('.label-name, .monaco-highlighted-label', { hasText: exactText(text) }) })
    .first();
}

/**
 * Right-clicks `row` and picks the context-menu entry whose label is `label` (VS Code draws its
 * menus in the page, in a shadow root that Playwright's CSS locators pierce).
 */
export async function contextMenu(page: Page, row: Locator, label: string, timeoutMs = 20_000): Promise<void> {
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  const item = page.locator('.monaco-menu .action-item a.action-menu-item', { has: page.locator('.action-label', { hasText: exactText(label) }) }).first();
  const deadline = Date.now() + timeoutMs;
  // A menu opened before the extension's contributions are known lacks its entries: reopen it.
  for (;;) {
    await row.click({ button: 'right' });
    try {
      await item.waitFor({ state: 'visible', timeout: Math.min(3_000, Math.max(1, deadline - Date.now())) });
      break;
    } catch (error) {
      await page.keyboard.press('Escape');
      if (Date.now() >= deadline) throw new Error(`The context menu offered no "${label}" within ${timeoutMs} ms.`);
      await page.waitForTimeout(500);
    }
  }
  await item.click();
}

/** Clicks an inline action (the icons a tree row shows on hover) by its title, e.g. "Echo Node". */
export async function inlineAction(_page: Page, row: Locator, title: string, timeoutMs = 20_000): Promise<void> {
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  await row.hover();
  const action = row.locator(`.actions .action-label[aria-label^="${cssString(title)}"]`).first();
  await action.waitFor({ state: 'visible', timeout: timeoutMs });
  await action.click();
}

/** Picks the quick-pick row whose label is `label` (after typing it as a filter). */
export async function pickQuickItem(page: Page, label: string, timeoutMs = 20_000): Promise<void> {
  const widget = page.locator('.quick-input-widget:not(.quick-input-widget-closing)');
  await widget.waitFor({ state: 'visible', timeout: timeoutMs });
  await widget.locator('.quick-input-box input').fill(label);
  const row = widget.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name, .monaco-highlighted-label', { hasText: exactText(label) }) }).first();
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  await row.click();
  // The widget closes, or the next quick input replaces this list.
  await row.waitFor({ state: 'hidden', timeout: timeoutMs });
}

/** A notification toast whose message contains `text` (toasts show without the smoke-test driver). */
export function toast(page: Page, text: string | RegExp): Locator {
  return page.locator('.notification-toast').filter({ has: page.locator('.notification-list-item-message', { hasText: text }) }).first();
}

/** The pane (view) in the side bar whose header reads `title`, e.g. "Nodes". */
export function viewPane(page: Page, title: string): Locator {
  return page
    .locator('.part.sidebar .pane')
    .filter({ has: page.locator('.pane-header', { hasText: exactText(title) }) })
    .first();
}

/**
 * The content frame of a webview (panel or view): VS Code hosts it two frames deep.
 * `index` picks among several visible webviews.
 */
export function webviewFrame(page: Page, index = 0): FrameLocator {
  return page.frameLocator('iframe.webview.ready').nth(index).frameLocator('iframe#active-frame');
}

/**
 * The output panel's text as rendered (after e.g. "DICOM: Show Log"); only the lines on screen,
 * with Monaco's non-breaking spaces made plain.
 */
export async function outputPanelText(page: Page): Promise<string> {
  return (await page.locator('.part.panel .view-lines').innerText()).replace(/\u00a0/g, ' ');
}

/** Saves a full-window PNG under test-results/vscode/<name>.png and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  const dir = join(repoRoot, 'test-results', 'vscode');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name.replace(/[^A-Za-z0-9._-]+/g, '-')}.png`);
  await page.screenshot({ path: file });
  return file;
}

function cssString(s: string): string {
  return s.replace(/["\\]/g, '\\$&');
}

function exactText(s: string): RegExp {
  return new RegExp(`^\\s*${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}
