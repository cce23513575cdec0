/// <reference types="mocha" />
// Commands run against our SCP and DCMTK as the palette and the tree run them (arguments stand in
// for the answers a person would pick), and report what the UI shows.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ShownMessage } from '../../../src/extension/ui/notify';
import { extensionApi, info, label, pydicomUids, root, waitFor } from './helpers';

async function lastMessage(after: number): Promise<ShownMessage> {
  const api = await extensionApi();
  return waitFor('a notification', () => api.recentMessages().slice(after).at(-1));
}

describe('commands', () => {
  it('registers every contributed command', async () => {
    const api = await extensionApi();
    const ext = vscode.extensions.getExtension('dicomnet.dicom-network')!;
    const contributed = (ext.packageJSON.contributes.commands as { command: string; category: string }[]);
    const registered = await vscode.commands.getCommands(true);
    for (const c of contributed) {
      assert.ok(registered.includes(c.command), `${c.command} is not registered`);
      assert.equal(c.category, 'DICOM');
    }
    assert.deepEqual([...api.commandIds()].sort(), contributed.map((c) => c.command).sort());
  });

  it('Echo Node reports success and marks the node', async () => {
    const api = await extensionApi();
    for (const name of [info().demoPacs.name, info().storescp.name]) {
      const before = api.recentMessages().length;
      const result = await vscode.commands.executeCommand<{ ok: boolean; message: string }>('dicomNetwork.echoNode', name);
      assert.equal(result?.ok, true, result?.message);
      const shown = await lastMessage(before);
      assert.equal(shown.severity, 'info');
      assert.match(shown.message, new RegExp(`^Echo to ${name} succeeded in [\\d.]+ ms\\.$`));
      assert.match((await label(api, await root(api, name))).description, / · echo ok$/);
    }
  });

  it('Echo Node reports a rejection as the UI shows it', async () => {
    const api = await extensionApi();
    const before = api.recentMessages().length;
    const result = await vscode.commands.executeCommand<{ ok: boolean; message: string }>('dicomNetwork.echoNode', info().strictPacs.name);
    assert.equal(result?.ok, false);
    const shown = await lastMessage(before);
    assert.equal(shown.severity, 'error');
    assert.equal(shown.message, 'Echo to Strict PACS failed: Association rejected: calling AE title not recognised — add DICOMNET to the PACS.');
    assert.deepEqual(shown.actions, ['Copy AE Configuration', 'Show Association', 'Edit Node…', 'Show Log']);
    assert.match((await label(api, await root(api, info().strictPacs.name))).description, / · echo failed$/);
  });

  it('Find… queries any level with keys and answers a table', async () => {
    const ct = info().demoPacs.instances.find((e) => e.file.endsWith('CT_small.dcm'))!;
    const table = await vscode.commands.executeCommand<{ columns: string[]; rows: string[][]; json: unknown[] }>('dicomNetwork.find',
      { node: info().demoPacs.name, level: 'SERIES', keys: [`StudyInstanceUID=${ct.studyInstanceUid}`], show: false });
    assert.ok(table);
    assert.equal(table.rows.length, 1);
    const col = table.columns.indexOf('SeriesInstanceUID');
    assert.equal(table.rows[0][col], ct.seriesInstanceUid);
    assert.equal(table.rows[0][table.columns.indexOf('Modality')], 'CT');
    assert.equal((table.json[0] as Record<string, { Value: string[] }>)['0020000E'].Value[0], ct.seriesInstanceUid);
  });

  it('Find… reports a bad key without sending anything', async () => {
    const api = await extensionApi();
    const before = api.recentMessages().length;
    const table = await vscode.commands.executeCommand('dicomNetwork.find', { node: info().offline.name, level: 'STUDY', keys: ['PatientName=X'], show: false });
    assert.equal(table, undefined);
    const shown = await lastMessage(before);
    assert.equal(shown.message, `C-FIND STUDY on Offline PACS failed: Connection refused at 127.0.0.1:${info().offline.port} — is the peer running, and is the port right?`);
  });

  it('Worklist… filters by modality, station and date', async () => {
    const table = await vscode.commands.executeCommand<{ columns: string[]; rows: string[][] }>('dicomNetwork.worklist',
      { node: info().demoPacs.name, modality: 'CT', station: 'CT01', date: info().worklistDate, show: false });
    assert.ok(table);
    const names = table.rows.map((r) => r[table.columns.indexOf('PatientName')]).sort();
    assert.deepEqual(names, ['Worklist^Alpha', 'Worklist^Beta']);
    const mr = await vscode.commands.executeCommand<{ rows: string[][] }>('dicomNetwork.worklist',
      { node: info().demoPacs.name, modality: 'MR', station: '', date: '', show: false });
    assert.equal(mr?.rows.length, 1);
  });

  it('Add, Edit and Remove Node keep settings free of secrets', async () => {
    const api = await extensionApi();
    const added = await vscode.commands.executeCommand<{ name: string }>('dicomNetwork.addNode', {
      kind: 'dimse', name: 'Test Node', host: '127.0.0.1', port: info().demoPacs.port, aeTitle: 'DEMO-PACS', retrieveMethod: 'C-GET',
      username: 'alice', secret: 's3cret-password', echo: true,
    });
    assert.equal(added?.name, 'Test Node');
    const inSettings = JSON.stringify(vscode.workspace.getConfiguration('dicomNetwork').get('nodes'));
    assert.match(inSettings, /"name":"Test Node"/);
    assert.match(inSettings, /"retrieveMethod":"C-GET"/);
    assert.doesNotMatch(inSettings, /s3cret/);
    // The wizard ends with a test echo (user identity sent, our SCP ignores it).
    await waitFor('the test echo mark', async () => / · echo ok$/.test((await label(api, await root(api, 'Test Node'))).description));

    await vscode.commands.executeCommand('dicomNetwork.editNode', { node: 'Test Node', field: 'name', value: 'Renamed Node' });
    await vscode.commands.executeCommand('dicomNetwork.editNode', { node: 'Renamed Node', field: 'port', value: '104' });
    const edited = (vscode.workspace.getConfiguration('dicomNetwork').get<{ name: string; port: number }[]>('nodes') ?? []).find((n) => n.name === 'Renamed Node');
    assert.equal(edited?.port, 104);

    const removed = await vscode.commands.executeCommand('dicomNetwork.removeNode', { node: 'Renamed Node', confirmed: true });
    assert.equal(removed, true);
    const names = (vscode.workspace.getConfiguration('dicomNetwork').get<{ name: string }[]>('nodes') ?? []).map((n) => n.name);
    assert.ok(!names.includes('Renamed Node'));
    assert.ok(names.includes(info().demoPacs.name));
  });

  it('Send via C-STORE delivers files to DCMTK storescp', async () => {
    const api = await extensionApi();
    const before = api.recentMessages().length;
    const result = await vscode.commands.executeCommand<{ sent: number; total: number; failed: unknown[] }>('dicomNetwork.sendViaCStore',
      { paths: info().samples, node: info().storescp.name });
    assert.equal(result?.total, 2);
    assert.equal(result?.sent, 2);
    const shown = await lastMessage(before);
    assert.equal(shown.message, 'Sent 2 of 2 files to DCMTK storescp.');
    const expected = (await pydicomUids(info().samples)).map((u) => u.sop).sort();
    const received = readdirSync(info().storescp.dir).map((f) => path.join(info().storescp.dir, f));
    const got = (await pydicomUids(received)).map((u) => u.sop);
    for (const sop of expected) assert.ok(got.includes(sop), `storescp did not receive ${sop}`);
  });

  it('Start Local SCP offers the next free port when its port is taken', async () => {
    const api = await extensionApi();
    await vscode.commands.executeCommand('dicomNetwork.stopLocalScp');
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(info().localScpPort, '127.0.0.1', () => resolve()));
    try {
      const before = api.recentMessages().length;
      const ok = await vscode.commands.executeCommand('dicomNetwork.startLocalScp');
      assert.equal(ok, false);
      const shown = await lastMessage(before);
      assert.equal(shown.severity, 'error');
      assert.equal(shown.message, `The local SCP cannot listen on port ${info().localScpPort}: it is already in use on 127.0.0.1 (another DICOM server, or the SCP of another window).`);
      assert.match(shown.actions[0], /^Use Port \d+$/);
      assert.equal(api.localScp.state(), 'stopped');
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
    assert.equal(await vscode.commands.executeCommand('dicomNetwork.startLocalScp'), true);
    assert.equal(api.localScp.state(), 'running');
    assert.equal(api.localScp.statusBarText(), `$(radio-tower) DICOM SCP :${info().localScpPort} · 0 received`);
  });

  it('Copy AE Configuration puts what the PACS must know on the clipboard', async () => {
    const text = await vscode.commands.executeCommand<string>('dicomNetwork.copyAeConfiguration');
    assert.match(text ?? '', new RegExp(`^AE title: DICOMNET\\nHost: 127\\.0\\.0\\.1\\nPort: ${info().localScpPort}\\n`));
    assert.equal(await vscode.env.clipboard.readText(), text);
  });

  it('every contributed setting has a description', () => {
    const ext = vscode.extensions.getExtension('dicomnet.dicom-network')!;
    const props = ext.packageJSON.contributes.configuration.properties as Record<string, { description?: string; markdownDescription?: string }>;
    for (const [key, p] of Object.entries(props)) assert.ok(p.description || p.markdownDescription, `${key} has no description`);
    assert.ok(readFileSync(path.join(ext.extensionPath, 'media', 'walkthrough', 'add-node.md'), 'utf8').length > 0);
  });
});

describe('log', () => {
  function logText(folder: string): string {
    const files = readdirSync(folder).filter((f) => f.endsWith('.log'));
    return files.map((f) => readFileSync(path.join(folder, f), 'utf8')).join('\n');
  }

  it('has one line per association and per operation at info level', async () => {
    const api = await extensionApi();
    const f = info();
    await vscode.commands.executeCommand('dicomNetwork.echoNode', f.demoPacs.name);
    const at = `DEMO-PACS@127\\.0\\.0\\.1:${f.demoPacs.port}`;
    const text = await waitFor('the log lines', () => {
      const t = logText(api.logFolder());
      return new RegExp(`association DICOMNET → ${at}: released`).test(t) && t;
    });
    assert.match(text, new RegExp(`\\[info\\] association DICOMNET → ${at} for C-ECHO: accepted \\(1 of 1 presentation contexts\\)\\n.*\\[info\\] C-ECHO ${at}: 0x0000 \\(Success\\) in [\\d.]+ ms\\n.*\\[info\\] association DICOMNET → ${at}: released`));
    // A C-FIND: the association, the operation with its keys and match count, the release.
    await vscode.commands.executeCommand('dicomNetwork.find', { node: f.demoPacs.name, level: 'STUDY', keys: ['PatientID=1CT1'], show: false });
    const after = await waitFor('the C-FIND lines', () => {
      const t = logText(api.logFolder());
      return /C-FIND STUDY on DEMO-PACS \(PatientID=1CT1\): 1 match in \d+ ms/.test(t) && t;
    });
    assert.match(after, new RegExp(`association DICOMNET → ${at} for C-FIND STUDY: accepted`));
  });
});
