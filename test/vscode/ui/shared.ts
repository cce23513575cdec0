// Helpers of the UI tests: the fixture peers, what several tests do the same way (the Nodes view,
// Echo and Find… from the palette), and the README screenshots.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { fixtures } from '../fixtures/index';
import { freePort } from '../../helpers/peers';
import { repoRoot } from '../harness/tools';
import { openViewContainer, pickQuickItem, quickInput, runCommand, toast, treeRow, viewPane, waitForState } from '../harness/workbench';
import { visibleWebview } from './webview-helpers';

/**
 * Copies a screenshot the test saved into docs/screenshots/ (the README shows those) when
 * DICOMNET_UPDATE_SCREENSHOTS=1; otherwise a test run leaves the tracked images alone.
 */
export function publishScreenshot(file: string, name = basename(file)): string | undefined {
  if (process.env.DICOMNET_UPDATE_SCREENSHOTS !== '1') return undefined;
  const dir = join(repoRoot, 'docs', 'screenshots');
  mkdirSync(dir, { recursive: true });
  const to = join(dir, name);
  copyFileSync(file, to);
  return to;
}

/** Opens the DICOM container and waits for the Nodes view to list `node`. */
export async function showNodes(page: Page, node = 'Demo PACS'): Promise<void> {
  await openViewContainer(page, 'DICOM');
  await viewPane(page, 'Nodes').waitFor({ state: 'visible', timeout: 30_000 });
  await treeRow(page, node).waitFor({ state: 'visible', timeout: 30_000 });
}

/**
 * The DICOM Associations view in the DICOM container, expanded. Found by its title alone: the
 * header also shows the active filter.
 */
export async function showAssociationsPane(page: Page): Promise<Locator> {
  const pane = page.locator('.part.sidebar .pane').filter({ has: page.locator('.pane-header .title', { hasText: /^DICOM Associations$/ }) }).first();
  await waitForState(pane, 'visible', 'the DICOM Associations view in the DICOM container', 30_000);
  const header = pane.locator('.pane-header');
  if (await header.getAttribute('aria-expanded') === 'false') await header.click();
  await waitForState(header.and(page.locator('[aria-expanded="true"]')), 'visible', 'the DICOM Associations view expanded', 10_000);
  return pane;
}

/**
 * "DICOM: Echo Node" from the palette on `node`: waits for the success toast and for the node's
 * row to show "echo ok"; returns the toast's text.
 */
export async function echoFromPalette(page: Page, node: string): Promise<string> {
  await runCommand(page, 'DICOM: Echo Node');
  await pickQuickItem(page, node);
  const message = toast(page, `Echo to ${node} succeeded`);
  await message.waitFor({ state: 'visible', timeout: 30_000 });
  const text = await message.innerText();
  assert.match(text, new RegExp(`Echo to ${node.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} succeeded in [\\d.]+ ms\\.`));
  await showNodes(page, node);
  await treeRow(page, node).filter({ hasText: 'echo ok' }).waitFor({ state: 'visible', timeout: 10_000 });
  return text;
}

/**
 * "DICOM: Find…" from the palette: every study on `node` (no keys). Returns the results panel's
 * content once it shows the query's title.
 */
export async function findFromPalette(page: Page, node: string): Promise<FrameLocator> {
  await runCommand(page, 'DICOM: Find…');
  await pickQuickItem(page, node);
  await pickQuickItem(page, 'Study');
  // Keys: none (every study, default return keys).
  await quickInput(page).locator('.quick-input-title', { hasText: `Find study on ${node}` }).waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.press('Enter');

  const view = visibleWebview(page);
  await view.locator('.toolbar .title', { hasText: `Studies on ${node}` }).waitFor({ state: 'visible', timeout: 30_000 });
  return view;
}

/**
 * "DICOM: Find…" from the palette: every study on `node` (no keys). Waits until the results
 * panel says it is done with `matches` matches, and returns the panel's content.
 */
export async function findStudies(page: Page, node: string, matches: number): Promise<FrameLocator> {
  const view = await findFromPalette(page, node);
  const status = view.locator('.status');
  await status.filter({ hasText: /^Done\. \d+ match(es)? in [\d.]+ s\.$/ }).waitFor({ state: 'visible', timeout: 30_000 });
  assert.match(await status.innerText(), new RegExp(`^Done\\. ${matches} match`));
  await view.locator('.count', { hasText: `${matches} results` }).waitFor({ state: 'visible', timeout: 10_000 });
  return view;
}

/** The first column (patient name) of every row of the results table, sorted. */
export async function resultPatients(view: FrameLocator): Promise<string[]> {
  return (await view.locator('.qr-table .virtual-row .cell:first-child').allInnerTexts()).map((t) => t.trim()).sort();
}

/** Expands a collapsed tree row (a click on a collapsible row toggles it). */
export async function expand(page: Page, label: string): Promise<void> {
  const row = treeRow(page, label);
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
  await page.waitForFunction((el) => el?.getAttribute('aria-expanded') === 'true', await row.elementHandle(), { timeout: 10_000 });
}

/**
 * Gives the test's workspace its own local SCP port (an extension host of an earlier test may
 * still hold the shared one for a while) and sends the demo PACS's C-MOVEs there.
 */
export async function ownLocalScpPort(workspaceDir: string): Promise<number> {
  const port = await freePort();
  mkdirSync(join(workspaceDir, '.vscode'), { recursive: true });
  writeFileSync(join(workspaceDir, '.vscode', 'settings.json'), JSON.stringify({ 'dicomNetwork.localScp.port': port }, null, 2));
  fixtures().proxy.target = port;
  return port;
}

/** Drags the side bar's edge so rows are readable in screenshots. */
export async function widenSideBar(page: Page, width = 640): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box || box.width >= width) return;
  const x = box.x + box.width + 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(box.x + width, y, { steps: 8 });
  await page.mouse.up();
  await page.mouse.move(box.x + width + 300, y + 200); // no hover tooltip in the picture
}

/** Moves the pointer to an empty part of the editor area (hovers make tooltips). */
export async function parkMouse(page: Page): Promise<void> {
  const box = await page.locator('.part.editor').boundingBox();
  if (box) await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.3);
  // A tooltip already shown stays a moment after the pointer leaves: wait for it to go.
  await page.locator('.workbench-hover-container, .monaco-hover:not(.hidden)').first().waitFor({ state: 'hidden', timeout: 3_000 }).catch(() => undefined);
}
