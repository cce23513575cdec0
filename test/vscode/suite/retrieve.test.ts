/// <reference types="mocha" />
// Retrieving into the workspace: C-MOVE from our SCP to the extension's local SCP (started on
// demand), C-GET, the A801 answer of a PACS that does not know us, Open and Copy UID.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TreeElement } from '../../../src/extension/tree/elements';
import { children, extensionApi, info, pydicomUids, root, setNodeFilter, waitFor, workspaceDir } from './helpers';

interface Result { ok: boolean; cancelled: boolean; completed: number; failed: number; files: string[]; message: string }

async function study(nodeName: string, studyInstanceUid: string): Promise<TreeElement> {
  const api = await extensionApi();
  const rows = await children(api, await root(api, nodeName));
  const found = rows.find((r) => r.kind === 'study' && r.study.studyInstanceUid === studyInstanceUid);
  assert.ok(found, `study ${studyInstanceUid} is not listed under ${nodeName}: ${JSON.stringify(rows.map((r) => r.kind))}`);
  return found;
}

function inboxPath(...parts: string[]): string {
  return path.join(workspaceDir(), 'dicom-inbox', ...parts);
}

describe('retrieve', function () {
  this.timeout(60_000);

  before(async () => {
    await setNodeFilter(info().demoPacs.name, { studyDate: 'any' });
    await setNodeFilter(info().lonelyPacs.name, { studyDate: 'any' });
  });

  it('C-MOVE starts the local SCP when needed and puts the study into dicom-inbox/', async () => {
    const api = await extensionApi();
    await vscode.commands.executeCommand('dicomNetwork.stopLocalScp');
    const ct = info().demoPacs.instances.find((e) => e.file.endsWith('CT_small.dcm'))!;
    const result = await vscode.commands.executeCommand<Result>('dicomNetwork.retrieveItem', await study(info().demoPacs.name, ct.studyInstanceUid));
    assert.ok(result);
    assert.equal(result.ok, true, result.message);
    assert.equal(result.completed, 1);
    assert.equal(api.localScp.state(), 'running');
    const file = inboxPath(ct.studyInstanceUid, ct.seriesInstanceUid, `${ct.sopInstanceUid}.dcm`);
    assert.deepEqual(result.files, [file]);
    assert.ok(existsSync(file), `${file} is missing`);
    assert.deepEqual((await pydicomUids([file])).map((u) => u.sop), [ct.sopInstanceUid]);
    // The data set arrived bit for bit (same transfer syntax: the file meta is ours, the rest is the sample's).
    // Compared with the sample itself: the PACS's copy is the archive's to replace (the STOW-RS
    // test sends the same instance again, and the archive keeps it at its own path).
    const source = readFileSync(info().samples.find((f) => f.endsWith('CT_small.dcm'))!);
    const received = readFileSync(file);
    assert.ok(received.subarray(received.length - 32 * 1024).equals(source.subarray(source.length - 32 * 1024)));
    assert.match(result.message, /^Retrieved 1 instance of CompressedSamples\^CT1 \(2004-01-19\) from Demo PACS into dicom-inbox\.$/);
    await waitFor('the status bar count', () => /· [1-9]\d* received$/.test(api.localScp.statusBarText() ?? ''));
    // The local archive now lists it.
    const local = await waitFor('the local archive listing', async () => {
      const rows = await children(api, await root(api, 'Local archive'));
      return rows.some((r) => r.kind === 'study' && r.study.studyInstanceUid === ct.studyInstanceUid) && rows;
    });
    assert.ok(local.length >= 1);
  });

  it('C-GET retrieves a series over the same association', async () => {
    const api = await extensionApi();
    const generated = info().demoPacs.generated;
    const studyRow = await study(info().demoPacs.name, generated.studyInstanceUid);
    const series = await children(api, studyRow);
    const second = series[1];
    assert.equal(second.kind, 'series');
    const result = await vscode.commands.executeCommand<Result>('dicomNetwork.retrieve', {
      node: info().demoPacs.name, studyInstanceUid: generated.studyInstanceUid, seriesInstanceUid: generated.series[1].seriesInstanceUid, method: 'C-GET', label: 'the coronal series',
    });
    assert.equal(result?.ok, true, result?.message);
    assert.equal(result.completed, 5);
    const files = generated.series[1].instances.map((sop) => inboxPath(generated.studyInstanceUid, generated.series[1].seriesInstanceUid, `${sop}.dcm`));
    assert.deepEqual([...result.files].sort(), [...files].sort());
    assert.deepEqual((await pydicomUids(files)).map((u) => u.sop), generated.series[1].instances);
  });

  it('says what to do when the PACS does not know our AE (A801), and C-GET works instead', async () => {
    const api = await extensionApi();
    const ct = info().lonelyPacs.instances[0];
    const before = api.recentMessages().length;
    const result = await vscode.commands.executeCommand<Result>('dicomNetwork.retrieve', {
      node: info().lonelyPacs.name, studyInstanceUid: ct.studyInstanceUid, method: 'C-MOVE', label: 'the CT study',
    });
    assert.equal(result?.ok, false);
    assert.equal(result.message, 'Lonely PACS does not know the move destination DICOMNET (status A801) — add DICOMNET to its AE configuration, or retrieve with C-GET.');
    const shown = api.recentMessages().slice(before).at(-1)!;
    assert.deepEqual(shown.actions, ['Copy AE Configuration', 'Retrieve with C-GET', 'Show Association', 'Show Log']);
    const viaGet = await vscode.commands.executeCommand<Result>('dicomNetwork.retrieve', {
      node: info().lonelyPacs.name, studyInstanceUid: ct.studyInstanceUid, method: 'C-GET', label: 'the CT study',
    });
    assert.equal(viaGet?.ok, true, viaGet?.message);
    assert.equal(viaGet.completed, 1);
  });

  it('Open shows a retrieved instance; Copy UID copies it', async () => {
    const api = await extensionApi();
    const generated = info().demoPacs.generated;
    const studyRow = await study(info().demoPacs.name, generated.studyInstanceUid);
    const series = await children(api, studyRow);
    const instances = await children(api, series[1]);
    const opened = await vscode.commands.executeCommand<string>('dicomNetwork.openItem', instances[0]);
    assert.equal(opened, inboxPath(generated.studyInstanceUid, generated.series[1].seriesInstanceUid, `${generated.series[1].instances[0]}.dcm`));
    // It opens in the dataset viewer, the custom editor of .dcm files.
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    assert.ok(input instanceof vscode.TabInputCustom, 'Open did not show a custom editor');
    assert.equal(input.viewType, 'dicomNetwork.datasetViewer');
    assert.equal(input.uri.fsPath, opened);
    const copied = await vscode.commands.executeCommand<string>('dicomNetwork.copyUid', studyRow);
    assert.equal(copied, generated.studyInstanceUid);
    assert.equal(await vscode.env.clipboard.readText(), generated.studyInstanceUid);
  });

  after(async () => {
    await vscode.commands.executeCommand('dicomNetwork.stopLocalScp');
  });
});
