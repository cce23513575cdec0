// The DICOM activity-bar container, its Nodes tree and the "DICOM: Show Log" command, seen in
// the real workbench as a person would use them.
import assert from 'node:assert/strict';
import { uiTest } from '../harness/uiRunner';
import { openViewContainer, outputPanelText, runCommand, treeRow, viewPane } from '../harness/workbench';

uiTest('DICOM container shows the Nodes tree and "DICOM: Show Log" opens the log', async ({ page, screenshot }) => {
  await openViewContainer(page, 'DICOM');
  await viewPane(page, 'Nodes').waitFor({ state: 'visible', timeout: 30_000 });
  await treeRow(page, 'Local archive').waitFor({ state: 'visible', timeout: 30_000 });

  await runCommand(page, 'DICOM: Show Log');
  await page.locator('.part.panel .view-lines').filter({ hasText: 'DICOM Network activated' }).waitFor({ timeout: 20_000 });
  assert.match(await outputPanelText(page), /\[info\] DICOM Network activated/);

  await screenshot('dicom-view-and-log');
});
