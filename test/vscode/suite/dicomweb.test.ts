/// <reference types="mocha" />
// A DICOMweb node (the demo PACS's archive served by our DICOMweb server, bearer token
// required): QIDO-RS browsing, the token kept in secret storage, WADO-RS retrieval, STOW-RS send.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TreeElement } from '../../../src/extension/tree/elements';
import { children, extensionApi, info, label, pydicomUids, root, workspaceDir } from './helpers';

describe('DICOMweb node', function () {
  this.timeout(60_000);

  it('shows the server\'s refusal while no token is stored', async () => {
    const api = await extensionApi();
    await vscode.commands.executeCommand('dicomNetwork.editNode', { node: info().demoWeb.name, field: 'secret', value: '' });
    await vscode.commands.executeCommand('dicomNetwork.refresh', await root(api, info().demoWeb.name));
    const rows = await children(api, await root(api, info().demoWeb.name));
    assert.equal(rows.length, 1);
    assert.equal(rows[0].kind, 'message');
    assert.match((await label(api, rows[0])).label, /401/);
  });

  it('lists the same studies over QIDO-RS once the token is in secret storage', async () => {
    const api = await extensionApi();
    await vscode.commands.executeCommand('dicomNetwork.editNode', { node: info().demoWeb.name, field: 'secret', value: info().demoWeb.token });
    assert.doesNotMatch(JSON.stringify(vscode.workspace.getConfiguration('dicomNetwork').get('nodes')), new RegExp(info().demoWeb.token));
    await vscode.commands.executeCommand('dicomNetwork.refresh', await root(api, info().demoWeb.name));
    const studies = await children(api, await root(api, info().demoWeb.name));
    const uids = studies.map((s) => (s.kind === 'study' ? s.study.studyInstanceUid : `(${s.kind})`)).sort();
    assert.deepEqual(uids, [...new Set(info().demoPacs.instances.map((i) => i.studyInstanceUid))].sort());
    const generated = info().demoPacs.generated;
    const study = studies.find((s) => s.kind === 'study' && s.study.studyInstanceUid === generated.studyInstanceUid) as Extract<TreeElement, { kind: 'study' }>;
    assert.equal(study.study.numberOfInstances, 10);
    const series = await children(api, study);
    assert.deepEqual(series.map((s) => s.kind === 'series' && s.series.seriesInstanceUid), generated.series.map((s) => s.seriesInstanceUid));
    const instances = await children(api, series[0]);
    assert.deepEqual(instances.map((i) => i.kind === 'instance' && i.instance.sopInstanceUid), generated.series[0].instances);
  });

  it('answers the check (the echo of a DICOMweb node)', async () => {
    const result = await vscode.commands.executeCommand<{ ok: boolean; message: string }>('dicomNetwork.echoNode', info().demoWeb.name);
    assert.equal(result?.ok, true, result?.message);
    assert.match(result.message, /^Demo DICOMweb answered a QIDO-RS search in \d+ ms\.$/);
  });

  it('retrieves a series with WADO-RS into dicom-inbox/', async () => {
    const generated = info().demoPacs.generated;
    const s = generated.series[0];
    const result = await vscode.commands.executeCommand<{ ok: boolean; completed: number; files: string[]; message: string }>('dicomNetwork.retrieve', {
      node: info().demoWeb.name, studyInstanceUid: generated.studyInstanceUid, seriesInstanceUid: s.seriesInstanceUid, label: 'the axial series',
    });
    assert.equal(result?.ok, true, result?.message);
    assert.equal(result.completed, 5);
    const files = s.instances.map((sop) => path.join(workspaceDir(), 'dicom-inbox', generated.studyInstanceUid, s.seriesInstanceUid, `${sop}.dcm`));
    for (const f of files) assert.ok(existsSync(f), `${f} is missing`);
    assert.deepEqual([...result.files].sort(), [...files].sort());
    assert.deepEqual((await pydicomUids(files)).map((u) => u.sop), s.instances);
    assert.equal(result.message, 'Retrieved 5 instances of the axial series from Demo DICOMweb into dicom-inbox.');
  });

  it('sends files with STOW-RS', async () => {
    const result = await vscode.commands.executeCommand<{ sent: number; total: number; message: string }>('dicomNetwork.sendViaCStore',
      { paths: info().samples, node: info().demoWeb.name });
    assert.equal(result?.total, 2);
    assert.equal(result?.sent, 2, result?.message);
    assert.equal(result?.message, 'Sent 2 of 2 files to Demo DICOMweb.');
  });
});
