// The extension as a user gets it: run.ts installs release/<name>-<version>.vsix into a fresh
// extensions folder with `code-server --install-extension` and opens one workbench window without
// the development folder. Through the UI: the Nodes view lists the demo PACS, Echo succeeds, Find…
// fills the results panel (its webview bundle and styles come from the VSIX), and CT_small.dcm
// opens in the dataset viewer with its pixels decoded by the worker and its WebAssembly codecs
// (pydicom's values, pixel by pixel). A file the extension needs that the VSIX leaves out fails one
// of these. Then VS Code's activation time of the installed copy goes to the record bench reads.
import assert from 'node:assert/strict';
import { copyFileSync, lstatSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fixtures } from '../fixtures/index';
import { PYDICOM_FILES } from '../fixtures/demo-data';
import { repoRoot } from '../harness/tools';
import { uiTest } from '../harness/uiRunner';
import { runCommand, runningExtensionActivationMs, waitForState } from '../harness/workbench';
import { echoFromPalette, findStudies, ownLocalScpPort, parkMouse, resultPatients, showNodes } from '../ui/shared';
import { collectMissingWebviewResources, mismatches, openFromExplorer, pydicomImage, readCanvas, showImageTab, spread } from '../ui/webview-helpers';
import { fileSizes, packagedRunFile, packagedVsix, PACKAGED_TEST_NAME, writePackagedRun } from './record';

uiTest(PACKAGED_TEST_NAME, async ({ page, server, log, workspaceDir, screenshot }) => {
  const missing = collectMissingWebviewResources(page);
  rmSync(packagedRunFile(repoRoot), { force: true }); // the record is of a passing run only
  const installed = server.installedExtensionDir;
  assert.ok(installed, 'the server was started without a VSIX');
  // The installed copy is the only extension: a real folder, not a link to the development tree.
  assert.deepEqual(readdirSync(server.extensionsDir).filter((n) => n !== 'extensions.json'), [path.basename(installed)]);
  assert.ok(!lstatSync(installed).isSymbolicLink(), `${installed} is a symbolic link`);
  const manifest = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')) as { displayName: string; version: string };

  const info = fixtures().info;
  const node = info.demoPacs.name;
  await showNodes(page, node);
  await echoFromPalette(page, node);

  const patients = [...new Set(info.demoPacs.instances.map((i) => i.patientName))].sort();
  const results = await findStudies(page, node, patients.length);
  assert.deepEqual(await resultPatients(results), patients);
  assert.deepEqual(missing, [], 'the results panel asked for files the extension does not have');
  await runCommand(page, 'View: Close All Editors');
  await waitForState(page.locator('.tabs-container .tab').first(), 'hidden', 'the results panel to close', 10_000);

  const view = await openFromExplorer(page, 'CT_small.dcm');
  await view.locator('.ds-header', { hasText: 'CT Image Storage' }).waitFor({ state: 'visible', timeout: 10_000 });
  await showImageTab(view);
  const canvas = await readCanvas(view);
  const oracle = pydicomImage(path.join(workspaceDir, 'CT_small.dcm'));
  assert.equal(canvas.width, oracle.columns);
  assert.equal(canvas.height, oracle.rows);
  const { levels } = spread(canvas.gray);
  assert.ok(levels >= 64, `the canvas has only ${levels} gray levels`);
  assert.equal(mismatches(canvas, oracle), 0, 'pixels differ from pydicom by more than one gray level');
  assert.deepEqual(missing, [], 'the dataset viewer asked for files the extension does not have');
  await parkMouse(page);
  await screenshot('packaged-extension');

  const activationMs = await runningExtensionActivationMs(page, manifest.displayName);
  const own = /activated in ([\d.]+) ms/.exec(log.text())?.[1];
  const vsix = packagedVsix(repoRoot);
  const record = {
    version: manifest.version,
    measuredAt: new Date().toISOString(),
    vsixBytes: statSync(vsix).size,
    activationMs,
    activateCallMs: own === undefined ? undefined : Number(own),
    bundles: fileSizes(installed, path.join(installed, 'dist')),
  };
  const file = writePackagedRun(repoRoot, record);
  console.log(
    `      activation of the installed ${path.basename(vsix)}: ${activationMs} ms (VS Code's measure: code loading + activate()); ` +
      `activate() alone ${own ?? '?'} ms (the extension's log); ${path.relative(repoRoot, file)}`,
  );
}, {
  timeoutMs: 150_000,
  prepare: async (dir) => {
    copyFileSync(path.join(PYDICOM_FILES, 'CT_small.dcm'), path.join(dir, 'CT_small.dcm'));
    await ownLocalScpPort(dir);
  },
});
