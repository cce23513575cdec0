// The dataset viewer as a person uses it: a .dcm opened from the Explorer shows its elements and
// its image (read back from the canvas and compared with pydicom's pixels), in light, dark and
// high-contrast themes; JPEG 2000 and RLE samples render the same pixels as the uncompressed one.
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { PYDICOM_FILES } from '../fixtures/demo-data';
import { waitUntil } from '../../helpers/wait';
import { uiTest } from '../harness/uiRunner';
import { runCommand, visibleToasts } from '../harness/workbench';
import { parkMouse, publishScreenshot } from './shared';
import {
  assertReadable, collectCspViolations, mismatches, openFromExplorer, pydicomImage, readCanvas, showImageTab, spread, switchTheme,
} from './webview-helpers';

/** Finds an element with the viewer's search box and returns the text of its row. */
async function findRow(view: FrameLocator, page: Page, keyword: string): Promise<string> {
  const search = view.locator('vscode-textfield[aria-label="Search elements"]').first();
  await search.click();
  await page.keyboard.type(keyword);
  await view.locator('.toolbar .muted', { hasText: /\d+ match/ }).first().waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.press('Enter');
  const active = view.locator('.tree-grid .virtual-row.active').first();
  await active.waitFor({ state: 'visible', timeout: 10_000 });
  return active.innerText();
}

const ELEMENT_TEXT = ['.ds-header .file', '.ds-header .muted', '.tree-grid .virtual-row .cell.name', '.tree-grid .virtual-row .value-text', '.tree-grid .header-cell'];
const IMAGE_TEXT = ['.ds-header .file', '.image-toolbar .wl'];

uiTest('CT_small.dcm opened from the Explorer shows its elements and its image, readable in light, dark and high-contrast themes', async ({ page, workspaceDir, screenshot }) => {
  const csp = collectCspViolations(page);
  const file = path.join(workspaceDir, 'CT_small.dcm');
  const oracle = pydicomImage(file);
  const view = await openFromExplorer(page, 'CT_small.dcm');
  await switchTheme(page, workspaceDir, 'Default Light Modern', 'vscode-light');
  // The header names the SOP class and transfer syntax; the element tree has the patient.
  await view.locator('.ds-header', { hasText: 'CT Image Storage' }).waitFor({ state: 'visible', timeout: 10_000 });
  const row = await findRow(view, page, 'PatientName');
  assert.match(row, /\(0010,0010\)/);
  assert.ok(row.includes(oracle.patientName), `the PatientName row reads "${row}", pydicom reads ${oracle.patientName}`);
  await assertReadable(view, 'Light Modern', ELEMENT_TEXT);
  // *.dcm has one default editor, ours: no "multiple default editors" prompt.
  assert.deepEqual((await visibleToasts(page)).filter((t) => /default editor/i.test(t)), []);
  await parkMouse(page);
  publishScreenshot(await screenshot('dataset-viewer-light'));

  // The image: 128×128, the same pixels as pydicom under the window the viewer chose.
  await showImageTab(view);
  const canvas = await readCanvas(view);
  assert.equal(canvas.width, oracle.columns);
  assert.equal(canvas.height, oracle.rows);
  const { levels, stddev } = spread(canvas.gray);
  assert.ok(levels >= 64 && stddev > 20, `the canvas looks blank: ${levels} gray levels, standard deviation ${stddev.toFixed(1)}`);
  assert.equal(mismatches(canvas, oracle), 0, 'pixels differ from pydicom by more than one gray level');
  // VS Code's postMessage keeps typed arrays typed: the frame arrives as an Int16Array, not a plain object.
  assert.equal(canvas.transport, 'Int16Array');

  // Keyboard: arrows change the window, R resets it.
  // Each key goes to the canvas itself (press() focuses it first: the workbench can take the focus
  // back between two steps, and a key pressed then never reaches the webview) and is pressed again
  // until its effect shows.
  const imageCanvas = view.locator('canvas.image-canvas');
  const shownWidth = async () => Number(await imageCanvas.getAttribute('data-width'));
  await waitUntil('ArrowRight on the image to widen the window', async () => {
    await imageCanvas.press('ArrowRight');
    return (await shownWidth()) > canvas.windowWidth;
  }, { intervalMs: 200, detail: () => `the window width stayed ${canvas.windowWidth}` });
  await waitUntil('R on the image to reset the window', async () => {
    await imageCanvas.press('r');
    return (await shownWidth()) === canvas.windowWidth;
  }, { intervalMs: 200, detail: () => `the file's window width is ${canvas.windowWidth}` });

  await switchTheme(page, workspaceDir, 'Default Dark Modern', 'vscode-dark');
  await assertReadable(view, 'Dark Modern', IMAGE_TEXT);
  await parkMouse(page);
  publishScreenshot(await screenshot('dataset-viewer-dark'));
  await view.locator('vscode-tab-header', { hasText: /^\s*Elements/ }).first().click();
  await assertReadable(view, 'Dark Modern', ELEMENT_TEXT);

  await switchTheme(page, workspaceDir, 'Default High Contrast', 'vscode-high-contrast');
  await assertReadable(view, 'Dark High Contrast', ELEMENT_TEXT);
  await parkMouse(page);
  publishScreenshot(await screenshot('dataset-viewer-high-contrast'));
  await switchTheme(page, workspaceDir, 'Default High Contrast Light', 'vscode-high-contrast-light');
  await assertReadable(view, 'Light High Contrast', ELEMENT_TEXT);
  await screenshot('dataset-viewer-high-contrast-light');
  assert.deepEqual(csp, [], 'the webview broke its Content Security Policy');
}, {
  timeoutMs: 180_000,
  prepare: (dir) => { copyFileSync(path.join(PYDICOM_FILES, 'CT_small.dcm'), path.join(dir, 'CT_small.dcm')); },
});

uiTest('JPEG 2000 and RLE samples render the same pixels as the uncompressed MR_small.dcm', async ({ page, workspaceDir, screenshot }) => {
  const oracle = pydicomImage(path.join(workspaceDir, 'MR_small.dcm'));
  for (const name of ['MR_small_jp2klossless.dcm', 'MR_small_RLE.dcm']) {
    const view = await openFromExplorer(page, name);
    await view.locator('.ds-header', { hasText: name.includes('RLE') ? 'RLE Lossless' : 'JPEG 2000' }).waitFor({ state: 'visible', timeout: 10_000 });
    await showImageTab(view);
    const canvas = await readCanvas(view);
    assert.equal(canvas.width, oracle.columns);
    assert.equal(canvas.height, oracle.rows);
    // The file's own window (C 600, W 1600) is the first one shown.
    assert.equal(canvas.center, oracle.windowCenter);
    assert.equal(canvas.windowWidth, oracle.windowWidth);
    const { levels } = spread(canvas.gray);
    assert.ok(levels >= 64, `${name}: the canvas has only ${levels} gray levels`);
    assert.equal(mismatches(canvas, oracle), 0, `${name}: pixels differ from pydicom's MR_small.dcm`);
    await parkMouse(page);
    await screenshot(`dataset-viewer-${name.replace(/\.dcm$/, '')}`);
    await runCommand(page, 'View: Close All Editors');
  }
}, {
  timeoutMs: 150_000,
  prepare: (dir) => {
    for (const name of ['MR_small.dcm', 'MR_small_jp2klossless.dcm', 'MR_small_RLE.dcm']) copyFileSync(path.join(PYDICOM_FILES, name), path.join(dir, name));
  },
});
