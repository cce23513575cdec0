// The Nodes view as a person sees it: the demo PACS with its studies, series and instances, the
// node's inline Echo, and the reason a PACS that does not accept our AE title gives.
import assert from 'node:assert/strict';
import { fixtures } from '../fixtures/index';
import { uiTest } from '../harness/uiRunner';
import { inlineAction, toast, treeRow } from '../harness/workbench';
import { expand, parkMouse, publishScreenshot, showNodes, widenSideBar } from './shared';

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
  await page.locator('.notification-toast').first().waitFor({ state: 'hidden', timeout: 30_000 }).catch(() => undefined);
  await parkMouse(page);
  publishScreenshot(await screenshot('sidebar'));
});
