/// <reference types="mocha" />
// The association detail panel against the fixture peers: the Strict PACS's rejection of our echo
// shown with its reason and the contexts we proposed; Copy as DCMTK Command gives the echoscu line
// that DCMTK's own echoscu, run against the same PACS, gets rejected the same way; Export JSON
// writes the record; the panel is the one already open when asked again, and says when the record
// is no longer kept.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { ApplicationEntity, verificationContext } from '../../../src/ae';
import type { AssociationView, DetailSection } from '../../../src/shared/association-detail';
import { extensionApi, info, waitFor } from './helpers';

const fields = (s: DetailSection | undefined) => Object.fromEntries((s?.fields ?? []).map((f) => [f.label, f.value]));
const section = (view: AssociationView, id: string) => view.sections.find((s) => s.id === id);

/** Echoes the Strict PACS (rejected) and returns the id of the association it made, from the store. */
async function rejectedEcho(): Promise<string> {
  const api = await extensionApi();
  const before = new Set(api.associations.all().map((r) => r.id));
  const result = await vscode.commands.executeCommand<{ ok: boolean }>('dicomNetwork.echoNode', info().strictPacs.name);
  assert.equal(result?.ok, false);
  const record = await waitFor('the rejected echo in the association store', () =>
    api.associations.all().find((r) => !before.has(r.id) && r.calledAeTitle === info().strictPacs.aeTitle && r.outcome?.kind === 'rejected'));
  return record.id;
}

/** The view the panel of `id` has sent its webview, once `ready` holds for it. */
async function panelView(id: string, what: string, ready: (v: AssociationView, liveness: string) => boolean = () => true): Promise<AssociationView> {
  const api = await extensionApi();
  return waitFor(`the detail panel of association ${id} to show ${what}`, () => {
    const p = api.webviews.associationPanels().find((x) => x.recordId === id);
    return p?.posted && ready(p.posted, p.liveness) ? p.posted : undefined;
  }, 30_000);
}

describe('association detail panel', function () {
  this.timeout(90_000);

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Show Association on the Strict PACS\'s rejection: the reason in words and the proposed contexts', async () => {
    const id = await rejectedEcho();
    await vscode.commands.executeCommand('dicomNetwork.showAssociation', id);
    const view = await panelView(id, 'the rejection');
    assert.equal(view.title, `DICOMNET → ${info().strictPacs.aeTitle}`);
    assert.equal(view.summary, 'Rejected permanently by the service user: calling AE title not recognised');
    const header = fields(section(view, 'header'));
    assert.equal(header['Rejection reason'], 'calling AE title not recognised (3)');
    assert.equal(header['Rejection source'], 'service user (1)');
    assert.equal(header.Peer, `127.0.0.1:${info().strictPacs.port}`);
    const contexts = section(view, 'contexts')?.table;
    assert.ok(contexts, 'no presentation context table');
    assert.deepEqual(contexts.rows.map((r) => [r[1]!.text, r[3]!.text]), [['Verification SOP Class', 'not answered (association rejected)']]);
    assert.ok(contexts.rows[0]![2]!.text.length > 0, 'the proposed transfer syntaxes are listed');

    // Asked again: the same panel, in front.
    const api = await extensionApi();
    await vscode.commands.executeCommand('dicomNetwork.showAssociation', id);
    assert.equal(api.webviews.associationPanels().filter((p) => p.recordId === id).length, 1);
  });

  it('Copy as DCMTK Command puts the echoscu line on the clipboard; DCMTK\'s echoscu is rejected the same way', async () => {
    const id = await rejectedEcho();
    await vscode.env.clipboard.writeText('');
    await vscode.commands.executeCommand('dicomNetwork.copyAssociationDcmtk', id);
    const line = await waitFor('the DCMTK command on the clipboard', async () => (await vscode.env.clipboard.readText()) || undefined);
    const { strictPacs } = info();
    assert.match(line, new RegExp(`^echoscu -aet DICOMNET -aec ${strictPacs.aeTitle.replace(/[^\w]/g, '\\$&')} (-pdu \\d+ )?127\\.0\\.0\\.1 ${strictPacs.port}$`));
    const ran = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile('/bin/sh', ['-c', line], { timeout: 30_000 }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}` }));
    });
    assert.notEqual(ran.code, 0, ran.out);
    assert.match(ran.out, /Calling AE Title Not Recognized/i);

    // Copy as Text: the engine's text form, with the reason.
    await vscode.commands.executeCommand('dicomNetwork.copyAssociationText', id);
    const text = await waitFor('the record as text on the clipboard', async () => {
      const t = await vscode.env.clipboard.readText();
      return t.startsWith(`Association ${id}:`) ? t : undefined;
    });
    assert.match(text, /outcome: rejected: rejected permanently by the service user: calling AE title not recognised/);
  });

  it('Export JSON writes one line that parses as the record', async () => {
    const api = await extensionApi();
    const id = await rejectedEcho();
    const record = await waitFor(`association ${id} closed in the store`, () => { const r = api.associations.get(id); return r?.outcome ? r : undefined; });
    const target = vscode.Uri.file(join(mkdtempSync(join(tmpdir(), 'assoc-export-')), 'strict.json'));
    await vscode.commands.executeCommand('dicomNetwork.exportAssociationJson', id, target);
    const written = readFileSync(target.fsPath, 'utf8');
    assert.equal(written.split('\n').length, 2, 'one line and its newline');
    assert.deepEqual(JSON.parse(written), JSON.parse(JSON.stringify(record)));
  });

  it('follows an association while it is open: its messages as they come, then its release', async () => {
    // A modality (our engine, in this test) calls the extension's local SCP and holds the association open.
    const api = await extensionApi();
    assert.equal(await vscode.commands.executeCommand('dicomNetwork.startLocalScp'), true);
    const modality = new ApplicationEntity({ aeTitle: 'LIVE-MODALITY' });
    const client = await modality.associate({ host: '127.0.0.1', port: api.localScp.port(), calledAeTitle: 'DICOMNET', contexts: [verificationContext()] });
    let id: string | undefined;
    try {
      const open = await waitFor('the incoming association, open, in the store', () =>
        api.associations.all().find((r) => r.callingAeTitle === 'LIVE-MODALITY' && r.direction === 'inbound' && !r.outcome));
      id = open.id;
      await vscode.commands.executeCommand('dicomNetwork.showAssociation', id);
      const first = await panelView(id, 'the open association', (_, liveness) => liveness === 'open');
      assert.equal(first.summary, 'Open');
      assert.equal(first.livenessText, 'Open: this panel follows the association as it runs.');
      assert.equal(section(first, 'messages')?.table?.rows.length, 0);

      await client.echo();
      const echoed = await panelView(id, 'the C-ECHO while the association is open', (v, liveness) =>
        liveness === 'open' && (section(v, 'messages')?.table?.rows.length ?? 0) === 2);
      assert.deepEqual(section(echoed, 'messages')!.table!.rows.map((r) => `${r[1]!.text} ${r[2]!.text}`), ['← received C-ECHO-RQ', '→ sent C-ECHO-RSP']);
    } finally {
      await client.release();
    }
    const closed = await panelView(id, 'the release', (v, liveness) => liveness === 'closed' && v.summary === 'Released (the peer asked)');
    assert.equal(closed.livenessText, '');
  });

  it('says when the record is no longer kept', async () => {
    const api = await extensionApi();
    const config = vscode.workspace.getConfiguration('dicomNetwork');
    const id = await rejectedEcho();
    await vscode.commands.executeCommand('dicomNetwork.showAssociation', id);
    await panelView(id, 'the record');
    try {
      await config.update('associations.keep', 1, vscode.ConfigurationTarget.Workspace);
      await waitFor('the store to keep one association', () => api.associations.all().filter((r) => r.outcome).length <= 1);
      const next = await rejectedEcho();
      assert.notEqual(next, id);
      const view = await panelView(id, 'that it is no longer kept', (_, liveness) => liveness === 'dropped');
      assert.match(view.livenessText, /no longer kept/);
      assert.equal(view.summary, 'Rejected permanently by the service user: calling AE title not recognised', 'the record as last seen stays');
    } finally {
      await config.update('associations.keep', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('says so at once when Clear Associations lets the record go', async () => {
    const id = await rejectedEcho();
    await vscode.commands.executeCommand('dicomNetwork.showAssociation', id);
    await panelView(id, 'the record', (_, liveness) => liveness === 'closed');
    await vscode.commands.executeCommand('dicomNetwork.associations.clear');
    const view = await panelView(id, 'that it is no longer kept after Clear Associations', (_, liveness) => liveness === 'dropped');
    assert.match(view.livenessText, /no longer kept/);
  });
});
