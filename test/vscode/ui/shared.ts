// Helpers of the UI tests: the fixture peers and the README screenshots.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Page } from 'playwright-core';
import { fixtures } from '../fixtures/index';
import { freePort } from '../../helpers/peers';
import { repoRoot } from '../harness/tools';
import { openViewContainer, treeRow, viewPane } from '../harness/workbench';

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
