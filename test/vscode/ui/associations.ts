// The DICOM Associations view as a person sees it: an echo the Strict PACS rejects appears in the
// view with the rejection's reason, the failure's notification offers "Show Association", and the
// view filters by node from the palette (keyboard only) with the filter named in its header.
import assert from 'node:assert/strict';
import { fixtures } from '../fixtures/index';
import { uiTest } from '../harness/uiRunner';
import { pickQuickItem, runCommand, toast, waitForState } from '../harness/workbench';
import { parkMouse, publishScreenshot, showAssociationsPane, showNodes, widenSideBar } from './shared';

uiTest('the DICOM Associations view lists a rejected echo with its reason and filters by node', async ({ page, screenshot }) => {
  const info = fixtures().info;
  await showNodes(page, info.strictPacs.name);
  const pane = await showAssociationsPane(page);
  const header = pane.locator('.pane-header');

  for (const node of [info.demoPacs.name, info.strictPacs.name]) {
    await runCommand(page, 'DICOM: Echo Node');
    await pickQuickItem(page, node);
  }
  const failure = toast(page, `Echo to ${info.strictPacs.name} failed`);
  await waitForState(failure, 'visible', 'the notification of the rejected echo', 30_000);
  await waitForState(failure.locator('.monaco-button', { hasText: 'Show Association' }), 'visible', 'the notification\'s Show Association button', 10_000);

  const rows = pane.locator('.monaco-list-row[role="treeitem"]');
  const rejected = rows.filter({ hasText: 'rejected: calling AE title not recognised' }).first();
  await waitForState(rejected, 'visible', 'the rejected association in the view', 30_000);
  const text = await rejected.innerText();
  assert.match(text, new RegExp(`↑ DICOMNET → ${info.strictPacs.aeTitle}`));
  assert.match(text, new RegExp(`127\\.0\\.0\\.1:${info.strictPacs.port}`));
  await waitForState(rows.filter({ hasText: `DICOMNET → ${info.demoPacs.aeTitle}` }).filter({ hasText: 'C-ECHO · released' }).first(),
    'visible', 'the demo PACS\'s released echo in the view', 30_000);
  // Newest first: the rejected echo ran last.
  assert.match(await rows.first().innerText(), /rejected: calling AE title not recognised/);

  await runCommand(page, 'DICOM: Filter Associations by Node…');
  await pickQuickItem(page, info.strictPacs.name);
  await waitForState(header.filter({ hasText: `node ${info.strictPacs.name}` }), 'visible', 'the node filter named in the view\'s header', 10_000);
  await waitForState(rows.filter({ hasText: 'C-ECHO' }).first(), 'hidden', 'the demo PACS\'s echo filtered out', 10_000);
  await waitForState(rejected, 'visible', 'the rejected association still listed', 10_000);

  await widenSideBar(page);
  await page.locator('.notification-toast').first().waitFor({ state: 'hidden', timeout: 30_000 }).catch(() => undefined);
  await parkMouse(page);
  publishScreenshot(await screenshot('associations-view'));
});
