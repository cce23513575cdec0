// Retrieve to Workspace from a study's context menu: a cancellable progress notification with
// counts while the demo PACS sends (slowed down by the proxy), then the files in dicom-inbox/;
// and Cancel, which stops the retrieval with C-CANCEL.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { fixtures } from '../fixtures/index';
import { uiTest } from '../harness/uiRunner';
import { contextMenu, toast, treeRow } from '../harness/workbench';
import { expand, ownLocalScpPort, parkMouse, publishScreenshot, showNodes, widenSideBar } from './shared';

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : e.name.endsWith('.dcm') ? [path.join(dir, e.name)] : []));
}

uiTest('Retrieve of a study puts its files into dicom-inbox/ of the workspace', async ({ page, workspaceDir, screenshot }) => {
  const f = fixtures();
  const generated = f.info.demoPacs.generated;
  f.proxy.rate = 150_000; // bytes per second: about 9 s for the 10 instances
  try {
    await showNodes(page, f.info.demoPacs.name);
    await widenSideBar(page);
    await expand(page, f.info.demoPacs.name);
    await contextMenu(page, treeRow(page, 'Demo^Retrieval'), 'Retrieve to Workspace');
    const progress = toast(page, /Retrieving Demo\^Retrieval \(2024-03-15\) from Demo PACS \(C-MOVE\)/);
    await progress.waitFor({ state: 'visible', timeout: 30_000 });
    await parkMouse(page);
    await progress.filter({ hasText: /[2-8] of 10 instances/ }).waitFor({ state: 'visible', timeout: 30_000 });
    publishScreenshot(await screenshot('retrieval-in-progress'));

    const done = toast(page, 'Retrieved 10 instances of Demo^Retrieval (2024-03-15) from Demo PACS into dicom-inbox.');
    await done.waitFor({ state: 'visible', timeout: 60_000 });
    const expected = generated.series.flatMap((s) => s.instances.map((sop) => path.join(workspaceDir, 'dicom-inbox', generated.studyInstanceUid, s.seriesInstanceUid, `${sop}.dcm`)));
    for (const file of expected) assert.ok(existsSync(file), `${file} is missing`);
    assert.equal(filesUnder(path.join(workspaceDir, 'dicom-inbox')).length, 10);
    await page.locator('.statusbar-item').filter({ hasText: /DICOM SCP :\d+ · 10 received/ }).waitFor({ state: 'visible', timeout: 10_000 });
    await screenshot('retrieval-done');
  } finally {
    f.proxy.rate = undefined;
  }
}, { timeoutMs: 150_000, prepare: async (dir) => { await ownLocalScpPort(dir); } });

uiTest('Cancel on the progress notification stops a retrieval', async ({ page, workspaceDir, screenshot }) => {
  const f = fixtures();
  f.proxy.rate = 60_000; // about 2 s per instance: the retrieval is far from done when cancelled
  try {
    await showNodes(page, f.info.demoPacs.name);
    await expand(page, f.info.demoPacs.name);
    await contextMenu(page, treeRow(page, 'Demo^Retrieval'), 'Retrieve to Workspace');
    const progress = toast(page, /Retrieving Demo\^Retrieval/);
    await progress.filter({ hasText: /[1-9] of 10 instances/ }).waitFor({ state: 'visible', timeout: 30_000 });
    await progress.getByRole('button', { name: 'Cancel' }).click();
    const cancelled = toast(page, /Retrieval of Demo\^Retrieval \(2024-03-15\) from Demo PACS cancelled: \d+ of 10 instances received into dicom-inbox\./);
    await cancelled.waitFor({ state: 'visible', timeout: 60_000 });
    const received = Number(/cancelled: (\d+) of 10/.exec(await cancelled.innerText())![1]);
    assert.ok(received >= 1 && received < 10, `${received} instances arrived before the cancel took effect`);
    assert.equal(filesUnder(path.join(workspaceDir, 'dicom-inbox')).length, received);
    await screenshot('retrieval-cancelled');
  } finally {
    f.proxy.rate = undefined;
  }
}, { timeoutMs: 150_000, prepare: async (dir) => { await ownLocalScpPort(dir); } });
