/// <reference types="mocha" />
// The Nodes view's data provider against the demo PACS (our SCP over pydicom samples and a
// generated study): studies, then series, then instances, as pydicom reads the seeded files;
// failures as rows that say why.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { TreeElement } from '../../../src/extension/tree/elements';
import { children, extensionApi, info, label, root, roots, setNodeFilter, waitFor } from './helpers';

function uniq<T>(values: T[]): T[] {
  return [...new Set(values)].sort() as T[];
}

describe('Nodes view', () => {
  before(async () => {
    await setNodeFilter(info().demoPacs.name, { studyDate: 'any' });
  });

  it('lists the local archive and the configured nodes', async () => {
    const api = await extensionApi();
    const names = (await roots(api)).filter((e) => e.kind === 'node').map((e) => (e as Extract<TreeElement, { kind: 'node' }>).node.name);
    const f = info();
    assert.deepEqual(names, ['Local archive', f.demoPacs.name, f.demoWeb.name, f.storescp.name, f.strictPacs.name, f.lonelyPacs.name, f.commitPacs.name, f.offline.name]);
    const demo = await label(api, await root(api, f.demoPacs.name));
    assert.equal(demo.contextValue, 'dicomNode.dimse');
    assert.match(demo.description, new RegExp(`^DEMO-PACS@127\\.0\\.0\\.1:${f.demoPacs.port}`));
  });

  it('expands the demo PACS into its studies, as pydicom reads them', async () => {
    const api = await extensionApi();
    const expected = info().demoPacs.instances;
    const studies = await children(api, await root(api, info().demoPacs.name));
    assert.ok(studies.every((s) => s.kind === 'study'), `not only studies: ${JSON.stringify(studies.map((s) => s.kind))}`);
    const got = studies.map((s) => (s as Extract<TreeElement, { kind: 'study' }>).study);
    assert.deepEqual(uniq(got.map((s) => s.studyInstanceUid)), uniq(expected.map((e) => e.studyInstanceUid)));
    for (const s of got) {
      const mine = expected.filter((e) => e.studyInstanceUid === s.studyInstanceUid);
      assert.equal(s.patientName, mine[0].patientName);
      assert.equal(s.patientId, mine[0].patientId);
      assert.equal(s.studyDate, mine[0].studyDate);
      assert.equal(s.numberOfInstances, mine.length, `instances of ${s.studyInstanceUid}`);
      assert.equal(s.numberOfSeries, uniq(mine.map((e) => e.seriesInstanceUid)).length, `series of ${s.studyInstanceUid}`);
      assert.deepEqual(uniq(s.modalities), uniq(mine.map((e) => e.modality)));
    }
    // Newest first, labelled with the patient name.
    assert.deepEqual(got.map((s) => s.studyDate), [...got.map((s) => s.studyDate)].sort().reverse());
    const first = await label(api, studies[0]);
    assert.equal(first.label, got[0].patientName);
    assert.match(first.description, /\d+ series, \d+ instances?/);
  });

  it('expands a study into its series and a series into its instances', async () => {
    const api = await extensionApi();
    const generated = info().demoPacs.generated;
    const studies = await children(api, await root(api, info().demoPacs.name));
    const study = studies.find((s) => s.kind === 'study' && s.study.studyInstanceUid === generated.studyInstanceUid);
    assert.ok(study, 'the generated study is listed');
    const series = await children(api, study);
    assert.deepEqual(series.map((s) => s.kind === 'series' && s.series.seriesInstanceUid), generated.series.map((s) => s.seriesInstanceUid));
    assert.deepEqual(await Promise.all(series.map(async (s) => (await label(api, s)).label)), ['Series 1 · CT', 'Series 2 · CT']);
    const instances = await children(api, series[1]);
    assert.deepEqual(instances.map((i) => i.kind === 'instance' && i.instance.sopInstanceUid), generated.series[1].instances);
    const item = await label(api, instances[0]);
    assert.equal(item.label, 'Instance 1');
    assert.equal(item.description, 'CT Image Storage');
    assert.equal(item.contextValue, 'dicomInstance');
  });

  it('lists only what the node filter matches (Query…)', async () => {
    const api = await extensionApi();
    const name = info().demoPacs.name;
    const ct = info().demoPacs.instances.find((e) => e.file.endsWith('CT_small.dcm'))!;
    try {
      await setNodeFilter(name, { studyDate: 'any', patientId: ct.patientId });
      const studies = await children(api, await root(api, name));
      assert.deepEqual(studies.map((s) => s.kind === 'study' && s.study.studyInstanceUid), [ct.studyInstanceUid]);
      await setNodeFilter(name, { studyDate: '19000101-19000102' });
      const none = await children(api, await root(api, name));
      assert.equal(none.length, 1);
      assert.equal(none[0].kind, 'message');
      assert.match((await label(api, none[0])).label, /^No studies match \(1900-01-01 to 1900-01-02\) — use Query… to change$/);
    } finally {
      await setNodeFilter(name, { studyDate: 'any' });
    }
  });

  it('shows why a node refuses us: the rejection reason, not an empty tree', async () => {
    const api = await extensionApi();
    const rows = await children(api, await root(api, info().strictPacs.name));
    assert.equal(rows.length, 1);
    assert.equal(rows[0].kind, 'message');
    const row = await label(api, rows[0]);
    assert.equal(row.label, 'association rejected: calling AE title not recognised — add DICOMNET to the PACS');
    assert.equal(row.contextValue, 'dicomMessage.error');
  });

  it('shows a refused connection as a row', async () => {
    const api = await extensionApi();
    const rows = await children(api, await root(api, info().offline.name));
    assert.equal(rows.length, 1);
    assert.equal((await label(api, rows[0])).label, `connection refused at 127.0.0.1:${info().offline.port} — is the peer running, and is the port right?`);
  });

  it('shows an unusable node setting as a warning row instead of dropping it silently', async () => {
    const api = await extensionApi();
    const config = vscode.workspace.getConfiguration('dicomNetwork');
    const before = config.inspect<unknown[]>('nodes')?.globalValue ?? [];
    try {
      await config.update('nodes', [...before, { name: 'Half Node', host: '127.0.0.1' }, { name: info().demoPacs.name, aeTitle: 'X', host: 'h', port: 1 }], vscode.ConfigurationTarget.Global);
      const rows = await waitFor('the warning rows', async () => {
        const all = await roots(api);
        return all.filter((r) => r.kind === 'message').length === 2 && all;
      });
      const messages = await Promise.all(rows.filter((r) => r.kind === 'message').map(async (r) => (await label(api, r)).label));
      assert.deepEqual(messages, ['Node "Half Node" needs aeTitle, host and port.', `The node name "${info().demoPacs.name}" is used twice; the later one is left out.`]);
    } finally {
      await config.update('nodes', before, vscode.ConfigurationTarget.Global);
    }
  });

  it('offers to start the local SCP when the local archive is expanded while it is stopped', async () => {
    const api = await extensionApi();
    if (api.localScp.state() === 'running') return; // another test left it running: nothing to show
    const rows = await children(api, await root(api, 'Local archive'));
    assert.equal(rows.length, 1);
    assert.equal((await label(api, rows[0])).label, 'The local SCP is stopped — click to start it');
  });
});
