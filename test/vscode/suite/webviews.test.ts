/// <reference types="mocha" />
// The webviews from the extension host: the dataset viewer is the default editor of *.dcm and
// decodes off the extension host's thread (a 50 MB multi-frame file opens while the host keeps
// answering), "Open in DICOM Viewer" takes any file, and Find…/Worklist…/QIDO-RS answers fill
// the query results panel.
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { DatasetSessionInfo } from '../../../src/extension/webviews/dataset-session';
import { writeMultiframeFile } from './big-file';
import { extensionApi, info, waitFor, workspaceDir } from './helpers';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

async function closeAll(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

function activeCustomViewType(): string | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom ? input.viewType : undefined;
}

/** Waits until the viewer of `uri` has shown its file (or failed) and, when it has an image, answered frame 0. */
async function viewerOf(uri: vscode.Uri, timeoutMs = 30_000): Promise<DatasetSessionInfo> {
  const api = await extensionApi();
  return waitFor(`the dataset viewer of ${path.basename(uri.fsPath)}`, () => {
    const s = api.webviews.datasetSessions().find((x) => x.uri === uri.toString());
    if (!s || s.state === 'loading') return undefined;
    if (s.state === 'failed' || s.frameCount === 0) return s;
    return s.frames.some((f) => f.frame === 0 && f.answeredAt !== undefined) && s;
  }, timeoutMs);
}

describe('dataset viewer', function () {
  this.timeout(120_000);
  afterEach(closeAll);

  it('is the default editor of *.dcm, read-only, and shows the file with its first frame decoded', async () => {
    const ext = vscode.extensions.getExtension('dicomnet.dicom-network')!;
    const editors = ext.packageJSON.contributes.customEditors as { viewType: string; priority: string; selector: { filenamePattern: string }[] }[];
    assert.deepEqual(editors.map((e) => [e.viewType, e.priority, e.selector.map((s) => s.filenamePattern)]), [
      ['dicomNetwork.datasetViewer', 'default', ['*.dcm', '*.dicom']],
      ['dicomNetwork.datasetViewer.anyFile', 'option', ['*']],
    ]);
    const file = path.join(workspaceDir(), 'viewer-ct.dcm');
    copyFileSync(path.join(PYDICOM, 'CT_small.dcm'), file);
    const uri = vscode.Uri.file(file);
    await vscode.commands.executeCommand('vscode.open', uri);
    assert.equal(activeCustomViewType(), 'dicomNetwork.datasetViewer');
    const s = await viewerOf(uri);
    assert.equal(s.state, 'shown', s.error);
    assert.equal(s.frameCount, 1);
    const first = s.frames.find((f) => f.frame === 0)!;
    assert.equal(first.ok, true, first.error);
    // Read-only: no dirty state, nothing to save.
    assert.equal(vscode.window.tabGroups.activeTabGroup.activeTab?.isDirty, false);
  });

  it('opens an extensionless file with "Open in DICOM Viewer", and says why a file that is not DICOM cannot be shown', async () => {
    const api = await extensionApi();
    const plain = path.join(workspaceDir(), 'MRSLICE');
    copyFileSync(path.join(PYDICOM, 'MR_small.dcm'), plain);
    await vscode.commands.executeCommand('dicomNetwork.openDatasetViewer', vscode.Uri.file(plain));
    assert.equal(activeCustomViewType(), 'dicomNetwork.datasetViewer.anyFile');
    const mr = await viewerOf(vscode.Uri.file(plain));
    assert.equal(mr.state, 'shown', mr.error);
    assert.equal(mr.frames.find((f) => f.frame === 0)?.ok, true);

    const notes = path.join(workspaceDir(), 'notes.dcm');
    writeFileSync(notes, 'These are my notes, not a DICOM file at all.\n');
    await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(notes));
    const failed = await viewerOf(vscode.Uri.file(notes));
    assert.equal(failed.state, 'failed');
    assert.match(failed.error ?? '', /notes\.dcm is not a DICOM file/);
    assert.equal(api.webviews.datasetSessions().filter((x) => x.state === 'failed').length, 1);
  });

  it('opens a 50 MB multi-frame file while the extension host keeps answering: frames decode in a worker', async () => {
    const file = path.join(workspaceDir(), 'big-multiframe.dcm');
    const { bytes, frames } = writeMultiframeFile(file, { rows: 512, columns: 512, frames: 100 });
    assert.ok(bytes >= 50 * 1024 * 1024, `${bytes} bytes`);
    const uri = vscode.Uri.file(file);

    // A command round trip to the workbench, again and again, while the file opens and frame 0 decodes.
    const beats: number[] = [];
    let beating = true;
    const heartbeat = (async () => {
      for (let n = 0; beating; n++) {
        await vscode.commands.executeCommand('setContext', 'dicomNetwork.test.heartbeat', n);
        beats.push(performance.now());
      }
    })();
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const started = performance.now();
    let s: DatasetSessionInfo;
    try {
      await vscode.commands.executeCommand('vscode.open', uri);
      s = await viewerOf(uri, 90_000);
    } finally {
      beating = false;
      await heartbeat;
      delay.disable();
    }
    assert.equal(s.state, 'shown', s.error);
    assert.equal(s.frameCount, frames);
    const first = s.frames.find((f) => f.frame === 0)!;
    assert.equal(first.ok, true, first.error);
    // The host answered round trips while the worker read, parsed and decoded the 50 MB file:
    // a decode on the host's own thread would leave none in that interval.
    const during = beats.filter((t) => t > first.requestedAt && t < first.answeredAt!).length;
    console.log(`      50 MB: frame 0 decoded ${Math.round(first.answeredAt! - first.requestedAt)} ms after the request, shown ${Math.round(first.answeredAt! - started)} ms after opening; `
      + `${during} round trips meanwhile, ${beats.length} in all; longest event-loop stall ${Math.round(delay.max / 1e6)} ms`);
    assert.ok(during >= 1, `no command round trip completed while frame 0 was decoding (${beats.length} in all)`);
  });
});

describe('query results panel', function () {
  this.timeout(60_000);
  afterEach(closeAll);

  it('Find… shows the demo PACS\'s studies in the panel and returns the same answer', async () => {
    const api = await extensionApi();
    const table = await vscode.commands.executeCommand<{ rows: string[][]; json: unknown[]; cancelled: boolean }>('dicomNetwork.find',
      { node: info().demoPacs.name, level: 'STUDY', keys: [] });
    const studies = new Set(info().demoPacs.instances.map((i) => i.studyInstanceUid));
    assert.equal(table?.rows.length, studies.size);
    const panel = api.webviews.queryPanels().at(-1);
    assert.ok(panel, 'no query results panel');
    assert.equal(panel.title, 'Studies on Demo PACS');
    assert.equal(panel.level, 'STUDY');
    assert.equal(panel.state, 'done');
    assert.equal(panel.matches, studies.size);
    assert.match(panel.message ?? '', new RegExp(`^${studies.size} matches in [\\d.]+ s\\.$`));
  });

  it('Worklist… and a QIDO-RS Find… fill panels too; a refused connection ends the panel with the reason', async () => {
    const api = await extensionApi();
    await vscode.commands.executeCommand('dicomNetwork.worklist', { node: info().demoPacs.name, modality: 'CT', station: 'CT01', date: info().worklistDate });
    const wl = api.webviews.queryPanels().at(-1)!;
    assert.deepEqual([wl.title, wl.level, wl.state, wl.matches], [`Worklist of Demo PACS: Modality=CT ScheduledStationAETitle=CT01 ScheduledProcedureStepStartDate=${info().worklistDate}`, 'WORKLIST', 'done', 2]);

    await vscode.commands.executeCommand('dicomNetwork.editNode', { node: info().demoWeb.name, field: 'secret', value: info().demoWeb.token });
    const generated = info().demoPacs.generated;
    await vscode.commands.executeCommand('dicomNetwork.find', { node: info().demoWeb.name, level: 'SERIES', keys: [`StudyInstanceUID=${generated.studyInstanceUid}`] });
    const qido = api.webviews.queryPanels().at(-1)!;
    assert.deepEqual([qido.title, qido.level, qido.state, qido.matches], [`Series on Demo DICOMweb: StudyInstanceUID=${generated.studyInstanceUid} (QIDO-RS)`, 'SERIES', 'done', 2]);

    const refused = await vscode.commands.executeCommand('dicomNetwork.find', { node: info().offline.name, level: 'STUDY', keys: ['PatientName=X'] });
    assert.equal(refused, undefined);
    const failed = api.webviews.queryPanels().at(-1)!;
    assert.equal(failed.state, 'failed');
    assert.equal(failed.message, `Connection refused at 127.0.0.1:${info().offline.port} — is the peer running, and is the port right?`);
  });

  it('a Find… the Strict PACS rejects ends the panel with the reason and names the rejected association (its Show Association)', async () => {
    const api = await extensionApi();
    const before = new Set(api.associations.all().map((r) => r.id));
    const rejected = await vscode.commands.executeCommand('dicomNetwork.find', { node: info().strictPacs.name, level: 'STUDY', keys: [] });
    assert.equal(rejected, undefined);
    const panel = api.webviews.queryPanels().at(-1)!;
    assert.equal(panel.state, 'failed');
    assert.match(panel.message ?? '', /calling AE title not recognised/);
    const record = api.associations.all().find((r) => !before.has(r.id) && r.calledAeTitle === info().strictPacs.aeTitle);
    assert.ok(record, 'the rejected association in the store');
    assert.equal(record.outcome?.kind, 'rejected');
    assert.equal(panel.associationId, record.id, 'the panel knows the association that failed');
  });
});
