// "DICOM: Echo Node" from the command palette, as a person runs it.
import assert from 'node:assert/strict';
import { fixtures } from '../fixtures/index';
import { uiTest } from '../harness/uiRunner';
import { pickQuickItem, runCommand, toast, treeRow } from '../harness/workbench';
import { showNodes } from './shared';

uiTest('Echo from the palette reports success and marks the node', async ({ page, screenshot }) => {
  const name = fixtures().info.demoPacs.name;
  await runCommand(page, 'DICOM: Echo Node');
  await pickQuickItem(page, name);
  const message = toast(page, `Echo to ${name} succeeded`);
  await message.waitFor({ state: 'visible', timeout: 30_000 });
  assert.match(await message.innerText(), /Echo to Demo PACS succeeded in [\d.]+ ms\./);
  await showNodes(page, name);
  await treeRow(page, name).filter({ hasText: 'echo ok' }).waitFor({ state: 'visible', timeout: 10_000 });
  await screenshot('echo-from-palette');
});
