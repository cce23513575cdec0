// The "DICOM Network" log at trace level: set as a person does (Developer: Set Log Level…), it
// shows every PDU and DIMSE message of an echo, besides the info lines.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fixtures } from '../fixtures/index';
import { uiTest } from '../harness/uiRunner';
import { inlineAction, pickQuickItem, runCommand, toast, treeRow } from '../harness/workbench';
import { parkMouse, showNodes } from './shared';

/** The newest "DICOM Network.log" the server's extension hosts wrote. */
function newestLog(userDataDir: string): string | undefined {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory() && depth < 6) walk(p, depth + 1);
      else if (e.name === 'DICOM Network.log') found.push(p);
    }
  };
  walk(path.join(userDataDir, 'logs'), 0);
  return found.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

uiTest('at trace level the DICOM Network log shows every PDU and DIMSE message', async ({ page, server, screenshot }) => {
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
      await page.waitForTimeout(1_000);
    }
  }
  await pickQuickItem(page, 'Trace');
  await inlineAction(page, treeRow(page, info.demoPacs.name), 'Echo Node');
  await toast(page, `Echo to ${info.demoPacs.name} succeeded`).waitFor({ state: 'visible', timeout: 30_000 });
  const deadline = Date.now() + 15_000;
  let text = '';
  for (;;) {
    const file = newestLog(server.userDataDir);
    text = file ? readFileSync(file, 'utf8') : '';
    if (/\[trace\] \[DEMO-PACS\] << A-RELEASE-RP/.test(text) || Date.now() > deadline) break;
    await page.waitForTimeout(200);
  }
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
