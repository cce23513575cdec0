// Find… against the demo PACS as a person runs it: the palette, the node, the level, no keys; the
// results panel lists the studies pydicom read from the seeded files; a row chosen with the
// keyboard and retrieved from the table lands in dicom-inbox/. Find… on the Strict PACS fails in
// the panel, whose Show Association (reached with the keyboard) opens the rejected association.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { fixtures } from '../fixtures/index';
import { uiTest } from '../harness/uiRunner';
import { toast, waitForState } from '../harness/workbench';
import { findFromPalette, findStudies, ownLocalScpPort, parkMouse, publishScreenshot, resultPatients } from './shared';
import { assertReadable, collectCspViolations, switchTheme, visibleWebview } from './webview-helpers';

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : e.name.endsWith('.dcm') ? [path.join(dir, e.name)] : []));
}

uiTest('Find… on the demo PACS shows its studies in the results panel; Retrieve from the table fills dicom-inbox/', async ({ page, workspaceDir, screenshot }) => {
  const csp = collectCspViolations(page);
  const f = fixtures();
  const generated = f.info.demoPacs.generated;
  const patients = [...new Set(f.info.demoPacs.instances.map((i) => i.patientName))].sort();

  const view = await findStudies(page, f.info.demoPacs.name, patients.length);
  assert.deepEqual(await resultPatients(view), patients);

  // Keyboard: filter, then down into the table, which selects the first row shown.
  await view.locator('vscode-textfield.qr-filter').click();
  await page.keyboard.type('Retrieval');
  await view.locator('.count', { hasText: `1 of ${patients.length} results` }).waitFor({ state: 'visible', timeout: 10_000 });
  // Rows filtered out are gone from the screen, not only from the count.
  assert.deepEqual((await view.locator('.qr-table .virtual-row').filter({ visible: true }).allInnerTexts()).map((t) => t.split(/\s+/)[0]), ['Demo^Retrieval']);
  await page.keyboard.press('ArrowDown');
  const selected = view.locator('.qr-table .virtual-row.selected');
  await selected.waitFor({ state: 'visible', timeout: 10_000 });
  assert.match(await selected.innerText(), /Demo\^Retrieval[\s\S]*DEMO-001[\s\S]*2024-03-15/);
  assert.ok((await selected.innerText()).includes(generated.studyInstanceUid));
  await view.locator('.count', { hasText: '1 selected' }).waitFor({ state: 'visible', timeout: 10_000 });
  await parkMouse(page);
  publishScreenshot(await screenshot('query-results'));

  await view.locator('vscode-button[data-action="retrieve"]').click();
  const done = toast(page, 'Retrieved 10 instances of Demo^Retrieval (2024-03-15) from Demo PACS into dicom-inbox.');
  await done.waitFor({ state: 'visible', timeout: 60_000 });
  const expected = generated.series.flatMap((s) => s.instances.map((sop) => path.join(workspaceDir, 'dicom-inbox', generated.studyInstanceUid, s.seriesInstanceUid, `${sop}.dcm`)));
  for (const file of expected) assert.ok(existsSync(file), `${file} is missing`);
  assert.equal(filesUnder(path.join(workspaceDir, 'dicom-inbox')).length, 10);
  await screenshot('query-results-retrieved');
  assert.deepEqual(csp, [], 'the webview broke its Content Security Policy');
}, { timeoutMs: 150_000, prepare: async (dir) => { await ownLocalScpPort(dir); } });

uiTest('Find… on the Strict PACS fails in the panel; its Show Association, from the keyboard, opens the rejected association', async ({ page, workspaceDir, screenshot }) => {
  const csp = collectCspViolations(page);
  const strict = fixtures().info.strictPacs;
  const view = await findFromPalette(page, strict.name);
  await waitForState(view.locator('.status', { hasText: 'Failed.' }).filter({ hasText: 'calling AE title not recognised' }), 'visible', 'the rejection in the panel', 30_000);
  const button = view.locator('.status vscode-button', { hasText: 'Show Association' });
  await waitForState(button, 'visible', 'Show Association next to the failure', 10_000);
  // The keyboard: from the filter field, Tab through the table and its column headers to the button.
  await view.locator('vscode-textfield.qr-filter input').focus();
  const focused = () => button.evaluate((el) => el === el.ownerDocument.activeElement);
  for (let tabs = 0; !(await focused()); tabs++) {
    assert.ok(tabs < 20, `Show Association has no focus after ${tabs} presses of Tab`);
    await page.keyboard.press('Tab');
  }
  await parkMouse(page);
  // The reason and the focused button, readable in every kind of theme.
  const text = ['.status [role=status]', '.status vscode-button'];
  await switchTheme(page, workspaceDir, 'Default Dark Modern', 'vscode-dark');
  await assertReadable(view, 'Dark Modern', text);
  await switchTheme(page, workspaceDir, 'Default Light Modern', 'vscode-light');
  await assertReadable(view, 'Light Modern', text);
  await switchTheme(page, workspaceDir, 'Default High Contrast', 'vscode-high-contrast');
  await assertReadable(view, 'Dark High Contrast', text);
  await switchTheme(page, workspaceDir, 'Default High Contrast Light', 'vscode-high-contrast-light');
  await assertReadable(view, 'Light High Contrast', text);
  await screenshot('query-results-failed');
  assert.equal(await focused(), true, 'the button kept the focus through the theme changes');
  await page.keyboard.press('Enter');

  // The association detail panel of that rejection, in front.
  const detail = visibleWebview(page);
  await waitForState(detail.locator('.ad-summary', { hasText: 'calling AE title not recognised' }), 'visible', 'the detail panel of the rejected association', 30_000);
  assert.equal((await detail.locator('.ad-title').innerText()).trim(), `DICOMNET → ${strict.aeTitle}`);
  assert.match(await detail.locator('table[data-section="contexts"] tbody tr').first().innerText(), /Study Root Query\/Retrieve Information Model - FIND/);
  await screenshot('query-results-show-association');
  assert.deepEqual(csp, [], 'the webview broke its Content Security Policy');
});
