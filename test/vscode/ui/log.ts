// The "DICOM Network" log at trace level: set as a person does (Developer: Set Log Level…), it
// shows every PDU and DIMSE message of an echo, besides the info lines.
import assert from 'node:assert/strict';
import { fixtures } from '../fixtures/index';
import { uiTest } from '../harness/uiRunner';
import { inlineAction, pickQuickItem, quickInput, runCommand, toast, treeRow, waitForState } from '../harness/workbench';
import { parkMouse, showNodes } from './shared';

uiTest('at trace level the DICOM Network log shows every PDU and DIMSE message', async ({ page, log, screenshot }) => {
  const info = fixtures().info;
  await showNodes(page, info.demoPacs.name);
  // The log level picker lists a channel once the workbench knows its logger: ask again until it does.
  for (let attempt = 1; ; attempt++) {
    await runCommand(page, 'Developer: Set Log Level');
    try {
      await pickQuickItem(page, 'DICOM Network', 5_000);
      break;
    } catch (error) {
      if (attempt >= 6) throw error;
      await page.keyboard.press('Escape');
      await waitForState(quickInput(page), 'hidden', 'the log level picker to close', 5_000);
    }
  }
  await pickQuickItem(page, 'Trace');
  await inlineAction(page, treeRow(page, info.demoPacs.name), 'Echo Node');
  await toast(page, `Echo to ${info.demoPacs.name} succeeded`).waitFor({ state: 'visible', timeout: 30_000 });
  await log.waitForLine(/\[trace\] \[DEMO-PACS\] << A-RELEASE-RP/, 'the echo\'s A-RELEASE-RP in the log at trace level', 15_000);
  const text = log.text();
  assert.match(text, /\[info\] association DICOMNET → DEMO-PACS@127\.0\.0\.1:\d+ for C-ECHO: accepted/);
  assert.match(text, /\[trace\] \[DEMO-PACS\] >> A-ASSOCIATE-RQ \(\d+ bytes\)/);
  assert.match(text, /\[trace\] \[DEMO-PACS\] << A-ASSOCIATE-AC \(\d+ bytes\)/);
  assert.match(text, /\[trace\] \[DEMO-PACS\] >> C-ECHO-RQ, id \d+/);
  assert.match(text, /\[trace\] \[DEMO-PACS\] << C-ECHO-RSP/);
  assert.match(text, /\[trace\] \[DEMO-PACS\] << A-RELEASE-RP/);
  await runCommand(page, 'DICOM: Show Log');
  await page.locator('.part.panel .view-lines').filter({ hasText: 'A-RELEASE-RP' }).waitFor({ timeout: 20_000 });
  await parkMouse(page);
  await screenshot('log-at-trace-level');
});
