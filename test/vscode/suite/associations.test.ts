/// <reference types="mocha" />
// The DICOM Associations view against the fixture peers: the Strict PACS's rejection listed with its
// reason (and offered from the failure's notification), a C-MOVE into the local SCP with its
// sub-operation counts and the local SCP's incoming association with its C-STOREs, the filters
// and the number of associations kept (a setting).
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { AssociationRecord } from '../../../src/ae/recording';
import { extensionApi, info, setNodeFilter, waitFor } from './helpers';

interface ItemText { label: string; description: string; contextValue: string; tooltip: string; command?: vscode.Command }

async function itemOf(record: AssociationRecord): Promise<ItemText> {
  const api = await extensionApi();
  const item = api.associationsView.getTreeItem(record);
  const label = typeof item.label === 'string' ? item.label : item.label?.label ?? '';
  const tooltip = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : String(item.tooltip ?? '');
  return { label, description: String(item.description ?? ''), contextValue: item.contextValue ?? '', tooltip, command: item.command };
}

/** The record the view lists with this id, once it is closed. */
async function shownClosed(id: string): Promise<AssociationRecord> {
  const api = await extensionApi();
  return waitFor(`association ${id} listed as closed in the view`, () => api.associationsView.getChildren().find((r) => r.id === id && r.outcome !== undefined));
}

describe('DICOM Associations view', function () {
  this.timeout(60_000);

  afterEach(async () => {
    await vscode.commands.executeCommand('dicomNetwork.associations.clearFilters');
  });

  it('lists the Strict PACS rejecting our echo, with the reason, and the notification offers it', async () => {
    const api = await extensionApi();
    const before = api.recentMessages().length;
    const result = await vscode.commands.executeCommand<{ ok: boolean; associationId?: string }>('dicomNetwork.echoNode', info().strictPacs.name);
    assert.equal(result?.ok, false);
    assert.ok(result.associationId, 'the echo names the association it used');
    const record = await shownClosed(result.associationId);
    assert.equal(record.outcome?.kind, 'rejected');
    assert.equal(record.outcome?.rejection?.reasonText, 'calling AE title not recognised');
    const item = await itemOf(record);
    assert.equal(item.label, `↑ DICOMNET → ${info().strictPacs.aeTitle}`);
    assert.match(item.description, new RegExp(`^rejected: calling AE title not recognised · \\d+ ms · 127\\.0\\.0\\.1:${info().strictPacs.port}$`));
    assert.equal(item.contextValue, 'association.rejected');
    assert.match(item.tooltip, /Outcome: rejected permanently by the service user: calling AE title not recognised/);
    assert.match(item.tooltip, /Proposed: Verification SOP Class/);
    assert.deepEqual(item.command && { command: item.command.command, arguments: item.command.arguments }, { command: 'dicomNetwork.showAssociation', arguments: [record.id] });
    assert.equal(api.associationsView.getChildren()[0].id, record.id, 'the newest association comes first');
    const shown = api.recentMessages().slice(before).find((m) => m.message.startsWith(`Echo to ${info().strictPacs.name} failed`));
    assert.ok(shown?.actions.includes('Show Association'), JSON.stringify(shown));

    await vscode.commands.executeCommand('dicomNetwork.associations.filterByOutcome', ['rejected']);
    await vscode.commands.executeCommand('dicomNetwork.associations.filterByNode', info().strictPacs.name);
    assert.ok(api.associationsView.getChildren().every((r) => r.outcome?.kind === 'rejected' && r.calledAeTitle === info().strictPacs.aeTitle));
    assert.match(api.associationsView.description ?? '', new RegExp(`^node ${info().strictPacs.name} · rejected \\(\\d+ of \\d+\\)$`));
    await vscode.commands.executeCommand('dicomNetwork.associations.filterByOutcome', ['aborted']);
    assert.deepEqual(api.associationsView.getChildren(), []);
    assert.match(api.associationsView.message ?? '', /^No association matches the filters \(node Strict PACS · aborted\)\. Clear Filters shows all \d+\.$/);
    await vscode.commands.executeCommand('dicomNetwork.associations.clearFilters');
    assert.equal(api.associationsView.description, undefined);
    assert.ok(api.associationsView.getChildren().some((r) => r.id === record.id));
  });

  it('shows a C-MOVE with its sub-operation counts and the local SCP receiving its C-STOREs', async () => {
    const api = await extensionApi();
    await setNodeFilter(info().demoPacs.name, { studyDate: 'any' });
    const generated = info().demoPacs.generated;
    const series = generated.series[0];
    const result = await vscode.commands.executeCommand<{ ok: boolean; message: string; completed: number; associationId?: string }>('dicomNetwork.retrieve', {
      node: info().demoPacs.name, studyInstanceUid: generated.studyInstanceUid, seriesInstanceUid: series.seriesInstanceUid, method: 'C-MOVE', label: 'the axial series',
    });
    assert.equal(result?.ok, true, result?.message);
    assert.equal(result.completed, series.instances.length);
    assert.ok(result.associationId, 'the retrieval names its C-MOVE association');
    const move = await shownClosed(result.associationId);
    const n = series.instances.length;
    const moveItem = await itemOf(move);
    assert.equal(moveItem.label, `↑ DICOMNET → ${info().demoPacs.aeTitle}`);
    assert.match(moveItem.description, new RegExp(`^C-MOVE ${n}/${n} · released · `));
    assert.equal(moveItem.contextValue, 'association.released');
    const pendings = move.messages.filter((m) => m.command === 'C-MOVE-RSP' && m.status?.class === 'pending');
    assert.ok(pendings.length > 0 && pendings.every((m) => m.suboperations?.remaining !== undefined), JSON.stringify(move.messages));
    assert.equal(move.messages.find((m) => m.command === 'C-MOVE-RQ')?.moveDestination, 'DICOMNET');

    // The PACS's sub-association into the local SCP: found by the instances it stored.
    const wanted = new Set(series.instances);
    const incoming = await waitFor('the local SCP\'s incoming association with the series', () => api.associationsView.getChildren().find((r) =>
      r.direction === 'inbound' && r.outcome && r.messages.some((m) => m.command === 'C-STORE-RQ' && wanted.has(m.sopInstanceUid ?? ''))));
    const stored = incoming.messages.filter((m) => m.command === 'C-STORE-RQ').map((m) => m.sopInstanceUid);
    assert.deepEqual([...stored].sort(), [...series.instances].sort());
    assert.ok(incoming.messages.filter((m) => m.command === 'C-STORE-RSP').every((m) => m.status?.class === 'success'));
    const inItem = await itemOf(incoming);
    assert.equal(inItem.label, `↓ ${info().demoPacs.aeTitle} → DICOMNET`);
    assert.match(inItem.description, new RegExp(`^C-STORE ×${n} · released · `));
    assert.equal(inItem.contextValue, 'association.released');

    // Filtered to the local archive: what the local SCP received, the incoming association among it.
    await vscode.commands.executeCommand('dicomNetwork.associations.filterByNode', 'Local archive');
    const local = api.associationsView.getChildren();
    assert.ok(local.some((r) => r.id === incoming.id));
    assert.ok(!local.some((r) => r.id === move.id), 'the C-MOVE went to the demo PACS, not to the local archive');
    await vscode.commands.executeCommand('dicomNetwork.associations.filterByAeTitle', info().demoPacs.aeTitle);
    assert.deepEqual(api.associationsView.getChildren().map((r) => r.id).includes(incoming.id), true);
    assert.match(api.associationsView.description ?? '', new RegExp(`^node Local archive · AE ${info().demoPacs.aeTitle} \\(`));
  });

  it('keeps as many finished associations as dicomNetwork.associations.keep says, applied when changed', async () => {
    const api = await extensionApi();
    const config = vscode.workspace.getConfiguration('dicomNetwork');
    try {
      await config.update('associations.keep', 2, vscode.ConfigurationTarget.Global);
      await waitFor('the store to take the new capacity', () => api.associations.capacity === 2);
      assert.ok(api.associations.all().filter((r) => r.outcome).length <= 2);
      for (let i = 0; i < 3; i++) {
        const r = await vscode.commands.executeCommand<{ ok: boolean; associationId?: string }>('dicomNetwork.echoNode', info().demoPacs.name);
        assert.equal(r?.ok, true);
        await shownClosed(r.associationId!);
      }
      const closed = api.associations.all().filter((r) => r.outcome);
      assert.equal(closed.length, 2);
    } finally {
      await config.update('associations.keep', undefined, vscode.ConfigurationTarget.Global);
      await waitFor('the default capacity back', () => api.associations.capacity === 100);
    }
  });

  it('Clear Associations empties the view and says where associations come from', async () => {
    const api = await extensionApi();
    await waitFor('no association still running', () => api.associations.all().every((r) => r.outcome));
    await vscode.commands.executeCommand('dicomNetwork.associations.clear');
    assert.deepEqual(api.associationsView.getChildren(), []);
    assert.match(api.associationsView.message ?? '', /^No associations yet\./);
  });
});
