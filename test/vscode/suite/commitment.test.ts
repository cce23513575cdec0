/// <reference types="mocha" />
// Storage Commitment after Send via C-STORE (the report on a new association to the local SCP, and
// on the request's own), and what the local archive lists of the MPPS and commitment requests it
// received from a modality (our CLI playing the modality).
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DicomNetworkApi } from '../../../src/extension/extension';
import type { CommitResult } from '../../../src/extension/commands/commit';
import { dicomnet } from '../../helpers/processes';
import { children, extensionApi, info, label, pydicomUids, root, waitFor } from './helpers';

interface SendWithCommitment {
  sent: number;
  message: string;
  commitment?: CommitResult;
}

/** The local archive's folder of records with that label, once it lists a record `matches` accepts. */
async function recordRow(api: DicomNetworkApi, group: string, matches: (l: { label: string; description: string }) => boolean, what: string) {
  return waitFor(what, async () => {
    const rows = await children(api, await root(api, 'Local archive'));
    const folders = await Promise.all(rows.map(async (r) => ({ r, l: await label(api, r) })));
    const folder = folders.find((f) => f.l.label === group)?.r;
    if (!folder) return undefined;
    for (const record of await children(api, folder)) {
      const l = await label(api, record);
      if (matches(l)) return { element: record, ...l, item: await api.tree.getTreeItem(record) };
    }
    return undefined;
  }, 20_000);
}

/** The tooltip's text with Markdown's escapes taken out. */
function tooltipText(item: vscode.TreeItem): string {
  const t = item.tooltip;
  return (typeof t === 'string' ? t : t?.value ?? '').replace(/\\(.)/g, '$1');
}

function local(): string[] {
  return ['127.0.0.1', String(info().localScpPort), '--aec', 'DICOMNET'];
}

describe('storage commitment and MPPS', () => {
  it('Send via C-STORE to a node set to "always" requests storage commitment; the report comes on a new association to the local SCP', async () => {
    const api = await extensionApi();
    const result = await vscode.commands.executeCommand<SendWithCommitment>('dicomNetwork.sendViaCStore',
      { paths: info().samples, node: info().commitPacs.name });
    assert.equal(result?.sent, 2, result?.message);
    const commitment = result.commitment;
    assert.ok(commitment, 'no storage commitment was requested after the send');
    const expected = (await pydicomUids(info().samples)).map((u) => u.sop).sort();
    assert.deepEqual([...commitment.committed].sort(), expected);
    assert.deepEqual(commitment.failed, []);
    assert.equal(commitment.sameAssociation, false);
    assert.equal(commitment.severity, 'info');
    assert.equal(commitment.message, 'Commit PACS committed to all 2 instances (report on a new association).');
    assert.ok(api.recentMessages().some((m) => m.message === commitment.message), 'the outcome was not shown');
    // The report came to the local SCP, which the request started.
    assert.equal(api.localScp.state(), 'running');
  });

  it('Request Storage Commitment names the instance the node does not hold and why', async () => {
    const api = await extensionApi();
    // Lonely PACS holds CT_small.dcm only, and reports on the request's association.
    const result = await vscode.commands.executeCommand<CommitResult>('dicomNetwork.requestStorageCommitment',
      { paths: info().samples, node: info().lonelyPacs.name });
    assert.ok(result);
    const [ct, mr] = await pydicomUids(info().samples.filter((f) => /CT_small|MR_small/.test(f)).sort());
    assert.deepEqual(result.committed, [ct.sop]);
    assert.deepEqual(result.failed.map((f) => [f.sopInstanceUid, f.reason]), [[mr.sop, 'no such object instance (0x0112)']]);
    assert.equal(result.sameAssociation, true);
    assert.equal(result.severity, 'error');
    assert.equal(result.message, `Lonely PACS committed to 1 of 2 instances (report on the same association); 1 failed — ${path.basename(mr.file)}: no such object instance (0x0112).`);
    const shown = api.recentMessages().find((m) => m.message === result.message);
    assert.equal(shown?.severity, 'error');
  });

  it('lists an MPPS a modality sent to the local SCP, and its completion', async () => {
    const api = await extensionApi();
    assert.equal(await vscode.commands.executeCommand('dicomNetwork.startLocalScp'), true);
    const uid = `2.25.${BigInt(Date.now()) * 1000n + BigInt(Math.floor(Math.random() * 1000))}`;
    const create = await dicomnet(['mpps', 'create', ...local(), '--aet', 'MODALITY1', '--uid', uid,
      '-k', 'PatientName=Mpps^Tree', '-k', 'PatientID=MPPS-1', '-k', 'PerformedProcedureStepID=PPS-7', '-k', 'Modality=CT',
      '-k', 'PerformedProcedureStepStartDate=20240201', '-k', 'PerformedProcedureStepStartTime=101500']);
    assert.equal(create.code, 0, create.stderr);
    const inProgress = await recordRow(api, 'MPPS received', (l) => l.label === 'Mpps^Tree', 'the MPPS in the local archive');
    assert.equal(inProgress.description, 'IN PROGRESS · step PPS-7 · CT · 2024-02-01 10:15');
    const tip = tooltipText(inProgress.item);
    assert.ok(tip.includes('Patient ID: MPPS-1') && tip.includes('Procedure step ID: PPS-7') && tip.includes(`SOP Instance UID: \`${uid}\``), tip);
    const set = await dicomnet(['mpps', 'set', ...local(), '--aet', 'MODALITY1', '--uid', uid, '--status', 'COMPLETED',
      '-k', 'PerformedProcedureStepEndDate=20240201', '-k', 'PerformedProcedureStepEndTime=103000', info().samples[0]]);
    assert.equal(set.code, 0, set.stderr);
    const completed = await recordRow(api, 'MPPS received', (l) => l.label === 'Mpps^Tree' && l.description.startsWith('COMPLETED'), 'the MPPS completed in the local archive');
    assert.equal(completed.description, 'COMPLETED · step PPS-7 · CT · 2024-02-01 10:15 – 2024-02-01 10:30');
    assert.match(tooltipText(completed.item), /Performed: 1 series, 1 instance/);
    assert.match(tooltipText(completed.item), /N-SET from MODALITY1 at \S+: COMPLETED/);
  });

  it('lists a storage commitment request the local SCP answered', async () => {
    const api = await extensionApi();
    assert.equal(await vscode.commands.executeCommand('dicomNetwork.startLocalScp'), true);
    const ct = info().samples.find((f) => f.endsWith('CT_small.dcm'))!;
    const sent = await vscode.commands.executeCommand<{ sent: number }>('dicomNetwork.sendViaCStore', { paths: [ct], node: 'Local archive' });
    assert.equal(sent?.sent, 1);
    const missing = `2.25.${Date.now()}1`;
    const commit = await dicomnet(['commit', ...local(), '--aet', 'MODALITY2', ct, '--instance', `1.2.840.10008.5.1.4.1.1.2:${missing}`]);
    assert.equal(commit.code, 1, `one instance is not held: ${commit.stdout}${commit.stderr}`);
    const uid = /Storage commitment (\S+):/.exec(commit.stdout)?.[1];
    assert.ok(uid, commit.stdout);
    const row = await recordRow(api, 'Storage commitment requests answered', (l) => l.label === 'From MODALITY2', 'the answered request in the local archive');
    assert.match(row.description, /^1 committed · 1 failed · /);
    const tip = tooltipText(row.item);
    assert.ok(tip.includes(`Transaction UID: \`${uid}\``), tip);
    assert.ok(tip.includes(`\`${missing}\`: no such object instance (0x0112)`), tip);
    assert.ok(tip.includes(`Report: on the same association`), tip);
  });
});
