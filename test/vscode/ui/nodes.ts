// The Nodes view as a person sees it: the demo PACS with its studies, series and instances, the
// node's inline Echo, and the reason a PACS that does not accept our AE title gives; the DICOM
// Associations view below it lists the associations those made (docs/screenshots/sidebar.png).
import assert from 'node:assert/strict';
import { fixtures } from '../fixtures/index';
import { uiTest } from '../harness/uiRunner';
import { waitUntil } from '../../helpers/wait';
import { inlineAction, toast, treeRow, waitForState } from '../harness/workbench';
import { expand, parkMouse, publishScreenshot, showAssociationsPane, showNodes, widenSideBar } from './shared';

uiTest('the Nodes view lists the demo PACS; expanding it shows its studies, series and instances', async ({ page, screenshot }) => {
  const info = fixtures().info;
  await showNodes(page, info.demoPacs.name);
  for (const name of ['Local archive', info.strictPacs.name, info.storescp.name]) {
    await treeRow(page, name).waitFor({ state: 'visible', timeout: 10_000 });
  }
  await expand(page, info.demoPacs.name);
  const patients = [...new Set(info.demoPacs.instances.map((i) => i.patientName))];
  for (const patient of patients) await treeRow(page, patient).waitFor({ state: 'visible', timeout: 30_000 });
  const study = treeRow(page, 'Demo^Retrieval');
  assert.match(await study.innerText(), /DEMO-001 · 2024-03-15 · CT · Chest CT \(generated\) · 2 series, 10 instances/);
  await expand(page, 'Demo^Retrieval');
  await expand(page, 'Series 1 · CT');
  for (let n = 1; n <= 5; n++) await treeRow(page, `Instance ${n}`).waitFor({ state: 'visible', timeout: 30_000 });
  await parkMouse(page);
  await screenshot('nodes-demo-pacs');
});

uiTest('a node whose AE title is not accepted shows the rejection reason in the tree', async ({ page, screenshot }) => {
  const info = fixtures().info;
  await showNodes(page, info.strictPacs.name);
  await widenSideBar(page);
  // The inline Echo marks the node.
  await inlineAction(page, treeRow(page, info.demoPacs.name), 'Echo Node');
  await toast(page, `Echo to ${info.demoPacs.name} succeeded`).waitFor({ state: 'visible', timeout: 30_000 });
  await treeRow(page, info.demoPacs.name).filter({ hasText: 'echo ok' }).waitFor({ state: 'visible', timeout: 10_000 });
  await expand(page, info.demoPacs.name);
  await expand(page, 'Demo^Retrieval');
  await treeRow(page, 'Series 2 · CT').waitFor({ state: 'visible', timeout: 30_000 });
  await expand(page, info.strictPacs.name);
  const reason = treeRow(page, 'association rejected: calling AE title not recognised — add DICOMNET to the PACS');
  await reason.waitFor({ state: 'visible', timeout: 30_000 });
  // Below the tree, the associations the echo, the listing and the rejection made, newest first.
  const rows = (await showAssociationsPane(page)).locator('.monaco-list-row[role="treeitem"]');
  await waitForState(rows.first().filter({ hasText: `DICOMNET → ${info.strictPacs.aeTitle}` }).filter({ hasText: 'rejected: calling AE title not recognised' }),
    'visible', 'the Strict PACS\'s rejection heading the DICOM Associations view', 30_000);
  await waitForState(rows.filter({ hasText: `DICOMNET → ${info.demoPacs.aeTitle}` }).filter({ hasText: 'C-ECHO · released' }).first(), 'visible', 'the demo PACS\'s echo in the DICOM Associations view', 10_000);
  await waitUntil('the demo PACS\'s C-FINDs listing the tree in the DICOM Associations view',
    async () => (await rows.filter({ hasText: `DICOMNET → ${info.demoPacs.aeTitle}` }).filter({ hasText: 'C-FIND' }).count()) >= 2, { timeoutMs: 10_000, intervalMs: 100 });
  await page.locator('.notification-toast').first().waitFor({ state: 'hidden', timeout: 30_000 }).catch(() => undefined);
  await parkMouse(page);
  publishScreenshot(await screenshot('sidebar'));
});
