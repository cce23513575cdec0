// "Send via C-STORE" from the Explorer's context menu on a .dcm file, to DCMTK's storescp.
import assert from 'node:assert/strict';
import { copyFileSync, readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { fixtures } from '../fixtures/index';
import { uiTest } from '../harness/uiRunner';
import { contextMenu, openViewContainer, pickQuickItem, toast, treeRow } from '../harness/workbench';

uiTest('Send via C-STORE on a .dcm in the Explorer delivers it to DCMTK storescp', async ({ page, screenshot }) => {
  const f = fixtures();
  const ct = f.info.demoPacs.instances.find((i) => i.file.endsWith('CT_small.dcm'))!;
  await openViewContainer(page, 'Explorer');
  await contextMenu(page, treeRow(page, 'ct-sample.dcm'), 'Send via C-STORE');
  await pickQuickItem(page, f.info.storescp.name);
  await toast(page, 'Sent 1 of 1 file to DCMTK storescp.').waitFor({ state: 'visible', timeout: 30_000 });
  // storescp names each file after its modality and SOP Instance UID.
  const received = readdirSync(f.info.storescp.dir);
  assert.deepEqual(received, [`CT.${ct.sopInstanceUid}`]);
  await screenshot('send-via-c-store');
}, {
  prepare: (workspaceDir) => {
    const f = fixtures();
    for (const name of readdirSync(f.info.storescp.dir)) rmSync(path.join(f.info.storescp.dir, name), { force: true });
    copyFileSync(f.info.samples[0], path.join(workspaceDir, 'ct-sample.dcm'));
  },
});
