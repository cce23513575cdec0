// Playwright helpers for the VS Code workbench served by code-server.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import type { CodeServer } from './codeServer';
import { extensionLogOf } from './extensionLog';
import { repoRoot } from './tools';
import { remaining, waitUntil } from '../../helpers/wait';

export interface WorkbenchUrlOptions {
  /** Absolute folder to open. */
  folder?: string;
  /** Loads this extension folder as under development (honoured only with the smoke-test driver on). */
  extensionDevelopmentPath?: string;
  /** Runs this test module (exports `run()`) in the extension host (smoke-test driver only). */
  extensionTestsPath?: string;
  /** Log levels of extensions' log channels in this window, e.g. { 'publisher.name': 'debug' }. */
  extensionLogLevels?: Record<string, string>;
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
  const levels = Object.entries(options.extensionLogLevels ?? {}).map(([id, level]) => `${id}:${level}`);
  if (levels.length > 0) payload.push(['logLevel', levels.join(',')]);
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
 * Waits for `locator` to reach `state`; on time-out the error names `what` (a sentence, not a
 * selector).
 */
export async function waitForState(locator: Locator, state: 'visible' | 'hidden' | 'attached', what: string, timeoutMs: number): Promise<void> {
  try {
    await locator.waitFor({ state, timeout: timeoutMs });
  } catch (error) {
    throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`, { cause: error });
  }
}

/** Resolves true once `locator` reaches `state` within `timeoutMs`, false otherwise. */
async function reaches(locator: Locator, state: 'visible' | 'hidden', timeoutMs: number): Promise<boolean> {
  return locator.waitFor({ state, timeout: timeoutMs }).then(() => true, () => false);
}

/** How long a pick may take to close its menu or quick input before it counts as not taken. */
const PICK_TAKEN_MS = 3_000;
/** Picks of one entry before giving up: the first by mouse or Enter, the others by keyboard. */
const MAX_PICKS = 3;

/**
 * Resolves true when the quick input no longer shows `typed`: it closed, or the next quick
 * input (the command's own) replaced it. False when it still shows `typed` after `timeoutMs`.
 */
async function quickInputMovedOn(page: Page, typed: string, timeoutMs: number): Promise<boolean> {
  return page
    .waitForFunction((value) => {
      // Runs in the page (no DOM types in this project's compiler settings).
      const doc = (globalThis as { document?: { querySelector(s: string): unknown } }).document;
      const w = doc?.querySelector('.quick-input-widget') as { offsetParent: unknown; style: { display: string }; querySelector(s: string): unknown } | null;
      const input = w?.querySelector('.quick-input-box input') as { value: string } | null;
      const shown = !!w && w.offsetParent !== null && w.style.display !== 'none';
      return !shown || input?.value !== value;
    }, typed, { timeout: timeoutMs })
    .then(() => true, () => false);
}

/**
 * Runs a command from the palette as a person would: F1, type, wait until the first row is
 * the command (its label starts with `title`, e.g. "DICOM: Show Log"), Enter. Done when the
 * palette has closed (or the command's own quick input replaced it) and, for this extension's
 * commands, when the command has logged its start; an Enter the palette did not take is pressed
 * again, at most three times in all.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const widget = quickInput(page);
  const box = widget.locator('.quick-input-box input');
  const log = extensionLogOf(page);
  const command = log?.commandForPaletteTitle(title);
  const startsBefore = command ? log!.commandStarts(command) : 0;
  const firstRow = widget.locator('.quick-input-list .monaco-list-row').first();
  // Right after the page loads, the palette may not list extension commands yet ("No matching
  // commands"), and the workbench can take the focus back and close it before the title is typed
  // (a view or notification opening): close it if open and ask again until the deadline.
  for (let attempt = 1; ; attempt++) {
    await page.locator('.monaco-workbench').focus().catch(() => undefined);
    await page.keyboard.press('F1');
    await waitForState(widget, 'visible', 'the command palette to open', remaining(deadline));
    const typed = await box.fill(`>${title}`, { timeout: Math.min(5_000, remaining(deadline)) }).then(() => true, () => false);
    if (typed && await reaches(firstRow.filter({ hasText: title }), 'visible', Math.min(5_000, remaining(deadline)))) break;
    if (await widget.isVisible()) {
      await page.keyboard.press('Escape');
      await waitForState(widget, 'hidden', 'the command palette to close after Escape', remaining(deadline));
    }
    if (Date.now() >= deadline) {
      throw new Error(`The palette did not offer "${title}" within ${timeoutMs} ms (${attempt} attempts${typed ? '' : '; the last closed before the title could be typed'}).`);
    }
  }
  const label = (await firstRow.getAttribute('aria-label')) ?? (await firstRow.innerText());
  if (!label.toLowerCase().startsWith(title.toLowerCase())) {
    throw new Error(`The palette's first match for "${title}" is "${label}".`);
  }
  for (let press = 1; ; press++) {
    await box.press('Enter');
    if (await quickInputMovedOn(page, `>${title}`, Math.min(PICK_TAKEN_MS, remaining(deadline)))) break;
    if (press >= MAX_PICKS || Date.now() >= deadline) {
      throw new Error(`The palette still showed "${title}" after Enter was pressed ${press} times.`);
    }
  }
  if (command) await log!.waitForCommandStart(command, startsBefore, remaining(deadline));
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
  let seen: string[] = [];
  return waitUntil(
    `a notification containing "${text}"`,
    async () => {
      seen = await readNotifications(page);
      return seen.find((m) => m.includes(text));
    },
    { timeoutMs, intervalMs: 250, detail: () => `the notification center held ${JSON.stringify(seen)}` },
  );
}

/** A tree row (any tree or list in the side bar/panel) whose label is exactly `text`. */
export function treeRow(page: Page, text: string, scope = '.monaco-workbench'): Locator {
  return page
    .locator(`${scope} .monaco-list-row[role="treeitem"]`)
    .filter({ has: page.locator('.label-name, .monaco-highlighted-label', { hasText: exactText(text) }) })
    .first();
}

/** The context menu on screen (VS Code draws it in the page, in a context view). */
export function openMenu(page: Page): Locator {
  return page.locator('.context-view .monaco-menu');
}

/**
 * VS Code arms a menu entry's mouse-up handler 100 ms after rendering it (menu.ts,
 * runOnceToEnableMouseUp): a click before that is lost and the menu stays open. A page timer of
 * the same delay, started after the entry is on screen, runs after that one (timers of equal
 * delay run in the order they were started), so once it has run the entry takes clicks. Under
 * load both timers run late together: this waits for the menu's state, not for a guessed time.
 */
async function menuTakesClicks(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((resolve) => setTimeout(resolve, 100)));
}

/** Gives keyboard focus to the open menu's entry `label`: hovered, then moved to with the arrows if needed. */
async function focusMenuEntry(page: Page, entry: Locator, label: string, timeoutMs: number): Promise<void> {
  const menu = openMenu(page);
  const focused = menu.locator('.action-item.focused .action-label').first();
  const focusedLabel = async () => ((await focused.textContent({ timeout: 1_000 }).catch(() => null)) ?? '').trim();
  await entry.hover({ timeout: timeoutMs }).catch(() => undefined);
  const entries = await menu.locator('.action-item').count();
  for (let presses = 0; (await focusedLabel()) !== label; presses++) {
    if (presses > entries) throw new Error(`The context menu's keyboard focus never reached "${label}" (it is on "${await focusedLabel()}").`);
    await page.keyboard.press('ArrowDown');
  }
}

/**
 * Right-clicks `row` and picks the context-menu entry whose label is `label`. Done when the menu
 * has closed and, for this extension's commands, when the command has logged its start. A pick
 * the menu did not take (it is still open) is repeated by keyboard, the entry focused and Enter,
 * at most three picks in all.
 */
export async function contextMenu(page: Page, row: Locator, label: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await waitForState(row, 'visible', `the row to right-click for "${label}"`, timeoutMs);
  const menu = openMenu(page);
  const entry = menu.locator('.action-item a.action-menu-item', { has: page.locator('.action-label', { hasText: exactText(label) }) }).first();
  const log = extensionLogOf(page);
  const command = log?.commandForMenuTitle(label);
  const startsBefore = command ? log!.commandStarts(command) : 0;
  // A menu opened before the extension's contributions are known lacks its entries: reopen it.
  for (let attempt = 1; ; attempt++) {
    await row.click({ button: 'right', timeout: remaining(deadline) });
    if (await reaches(entry, 'visible', Math.min(3_000, remaining(deadline)))) break;
    await page.keyboard.press('Escape');
    await waitForState(menu, 'hidden', 'the context menu to close after Escape', remaining(deadline));
    if (Date.now() >= deadline) throw new Error(`The context menu offered no "${label}" within ${timeoutMs} ms (${attempt} attempts).`);
  }
  await menuTakesClicks(page);
  await entry.click({ timeout: remaining(deadline) });
  for (let pick = 1; !(await reaches(menu, 'hidden', Math.min(PICK_TAKEN_MS, remaining(deadline)))); pick++) {
    if (pick >= MAX_PICKS || Date.now() >= deadline) {
      throw new Error(`The context menu stayed open after ${pick} picks of "${label}".`);
    }
    await focusMenuEntry(page, entry, label, remaining(deadline));
    await page.keyboard.press('Enter');
  }
  if (command) await log!.waitForCommandStart(command, startsBefore, remaining(deadline));
}

/**
 * Clicks an inline action (the icons a tree row shows on hover) by its title, e.g. "Echo Node";
 * for this extension's commands, done when the command has logged its start.
 */
export async function inlineAction(page: Page, row: Locator, title: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await waitForState(row, 'visible', `the row with the inline "${title}" action`, timeoutMs);
  const log = extensionLogOf(page);
  const command = log?.commandForMenuTitle(title);
  const startsBefore = command ? log!.commandStarts(command) : 0;
  await row.hover({ timeout: remaining(deadline) });
  const action = row.locator(`.actions .action-label[aria-label^="${cssString(title)}"]`).first();
  await waitForState(action, 'visible', `the row's inline "${title}" action`, remaining(deadline));
  await action.click({ timeout: remaining(deadline) });
  if (command) await log!.waitForCommandStart(command, startsBefore, remaining(deadline));
}

/**
 * Picks the quick-pick row whose label is `label`: types it as a filter, makes that row the
 * active one, Enter. Done when the quick input has closed or the next one replaced it; an Enter
 * it did not take is pressed again, at most three times in all.
 */
export async function pickQuickItem(page: Page, label: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const widget = page.locator('.quick-input-widget:not(.quick-input-widget-closing)');
  await waitForState(widget, 'visible', `a quick pick to choose "${label}" from`, timeoutMs);
  const box = widget.locator('.quick-input-box input');
  await box.fill(label);
  const rows = widget.locator('.quick-input-list .monaco-list-row');
  const row = rows.filter({ has: page.locator('.label-name, .monaco-highlighted-label', { hasText: exactText(label) }) }).first();
  await waitForState(row, 'visible', `the quick pick to list "${label}"`, remaining(deadline));
  const active = () => row.evaluate((el) => el.classList.contains('focused')).catch(() => false);
  for (let press = 1; ; press++) {
    // Enter accepts the active row: move it to ours when the filter left another one first.
    const count = await rows.count();
    for (let moves = 0; !(await active()); moves++) {
      if (moves > count) throw new Error(`The quick pick's active row never reached "${label}".`);
      await box.press('ArrowDown');
    }
    await box.press('Enter');
    if (await quickInputMovedOn(page, label, Math.min(PICK_TAKEN_MS, remaining(deadline)))) return;
    if (press >= MAX_PICKS || Date.now() >= deadline) {
      throw new Error(`The quick pick still showed "${label}" after Enter was pressed ${press} times.`);
    }
  }
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

/**
 * VS Code's own activation time of an extension (code loading plus the activate() call, in ms),
 * as "Developer: Show Running Extensions" shows it ("Activation: 12ms") for the row whose name
 * is `displayName`. Leaves that editor open.
 */
export async function runningExtensionActivationMs(page: Page, displayName: string, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  await runCommand(page, 'Developer: Show Running Extensions', timeoutMs);
  const row = page
    .locator('.runtime-extensions-editor .monaco-list-row')
    .filter({ has: page.locator('.name', { hasText: exactText(displayName) }) })
    .first();
  const time = row.locator('.activation-time');
  const list = page.locator('.runtime-extensions-editor .monaco-list').first();
  let shown = '';
  let scrolls = 0;
  return waitUntil(
    `the Running Extensions editor to show the activation time of ${displayName}`,
    async () => {
      if (await row.count() === 0) {
        // The list is sorted by activation time and renders only the rows in view: when other
        // extensions took longer, ours is further down. Scroll down a page at a time, and back to
        // the top after a full pass (the list may still be filling in).
        shown = `(not in view after ${scrolls} scrolls)`;
        if (await list.count() === 0) return undefined;
        await list.hover({ timeout: Math.min(1_000, remaining(deadline)) }).catch(() => undefined);
        await page.mouse.wheel(0, ++scrolls % 12 === 0 ? -100_000 : 300);
        return undefined;
      }
      shown = (await time.innerText({ timeout: Math.min(1_000, remaining(deadline)) }).catch(() => '')).trim();
      const ms = /Activation: ([\d.]+)\s*ms/.exec(shown)?.[1];
      return ms === undefined ? undefined : Number(ms);
    },
    { timeoutMs: remaining(deadline), intervalMs: 100, detail: () => `its row read "${shown}"` },
  );
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
