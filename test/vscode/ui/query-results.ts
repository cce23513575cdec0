// Find… against the demo PACS as a person runs it: the palette, the node, the level, no keys; the
// results panel lists the studies pydicom read from the seeded files; a row chosen with the
// keyboard and retrieved from the table lands in dicom-inbox/.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { fixtures } from '../fixtures/index';
import { uiTest } from '../harness/uiRunner';
import { toast } from '../harness/workbench';
import { findStudies, ownLocalScpPort, parkMouse, publishScreenshot, resultPatients } from './shared';
import { collectCspViolations } from './webview-helpers';

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
