// Issue 20: silent, slow and idle peers never take a slot from a peer that speaks. The SCP is our
// DicomServer; the real peer is our SCU (DCMTK's echoscu and storescu in test/interop/hostile).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ApplicationEntity } from '../../../src/ae/client';
import { verificationContext } from '../../../src/ae/requestor';
import { DicomServer, SERVER_DEFAULT_IDLE_MS, ServerOptions } from '../../../src/ae/server';
import { DropCause } from '../../../src/ae/connection-gate';
import { Refusal } from '../../../src/ae/refusal-log';
import { ArchiveServices } from '../../../src/archive/archive-services';
import { CommandField, DATASET_PRESENT, encodeCommand } from '../../../src/dimse/command';
import { ExplicitVRLittleEndian } from '../../../src/dicom/transfer-syntaxes';
import { AssociationAbortedError, AssociationRejectedError } from '../../../src/net/errors';
import { makeCertificates } from '../../helpers/certificates';
import { datasetBytes, writeSyntheticInstance } from '../../helpers/dicom-files';
import { SilentConnection, openSilent, record } from '../../helpers/flood';
import { waitUntil, within } from '../../helpers/wait';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const servers: DicomServer[] = [];
const silents: SilentConnection[] = [];
const folders: string[] = [];
after(async () => {
  for (const s of silents) s.socket.destroy();
  for (const s of servers) await s.close(100);
  for (const f of folders) rmSync(f, { recursive: true, force: true });
});

async function start(options: Partial<ServerOptions>) {
  const server = new DicomServer({ aeTitle: 'SCP', port: 0, ...options });
  const dropped = record<[unknown, DropCause, string]>(server, 'dropped');
  const refused = record<[Refusal]>(server, 'refused');
  await server.listen();
  servers.push(server);
  return { server, dropped, refused };
}

async function flood(port: number, n: number): Promise<SilentConnection[]> {
  const opened: SilentConnection[] = [];
  for (let i = 0; i < n; i++) opened.push(await openSilent(port));
  silents.push(...opened);
  return opened;
}

const scu = new ApplicationEntity({ aeTitle: 'REAL', timeouts: { connectMs: 5000, acseMs: 5000, dimseMs: 5000 } });

describe('silent connections and --max-associations', () => {
  test('more silent connections than maxAssociations: our SCU is accepted at once', async () => {
    // An ARTIM far longer than the test: the silent connections are all still waiting when the
    // real associations are made, however slowly a loaded machine runs them.
    const { server, dropped, refused } = await start({ maxAssociations: 2, timeouts: { artimMs: 600_000 } });
    const silent = await flood(server.port, 10);
    await waitUntil('the server to count 10 waiting connections', () => server.waitingCount === 10);

    // Both association slots are free for peers that speak; a third association is over the limit.
    const first = await scu.associate({ host: '127.0.0.1', port: server.port, calledAeTitle: 'SCP', contexts: [verificationContext()] });
    const second = await scu.associate({ host: '127.0.0.1', port: server.port, calledAeTitle: 'SCP', contexts: [verificationContext()] });
    assert.equal((await first.echo()).status, 0);
    assert.equal(server.associationCount, 2);
    await assert.rejects(scu.echo({ host: '127.0.0.1', port: server.port, calledAeTitle: 'SCP' }),
      (e: Error) => e instanceof AssociationRejectedError && /local limit exceeded/i.test(e.message));
    await first.release();
    await second.release();
    assert.deepEqual(dropped, [], 'a silent connection was closed while the real associations were made');
    assert.ok(silent.every((c) => !c.isClosed()));
    assert.deepEqual(refused.map(([r]) => `${r.source} ${r.cause} ${r.count}`), ['127.0.0.1 association-limit 1']);
  });

  test('silent connections are closed by their own ARTIM timer, and logged once for the address', async () => {
    const { server, dropped, refused } = await start({ maxAssociations: 2, timeouts: { artimMs: 3000 } });
    const silent = await flood(server.port, 10);
    await within('the silent connections to be closed by the server', Promise.all(silent.map((s) => s.closed)));
    await waitUntil('10 dropped events', () => dropped.length === 10);
    assert.deepEqual(dropped.map(([, cause]) => cause), Array(10).fill('artim'));
    assert.match(dropped[0]![2], /no A-ASSOCIATE-RQ within 3 s \(ARTIM\)/);
    // Logged once for the address, not once per connection (the interval is a minute).
    assert.deepEqual(refused.map(([r]) => `${r.source} ${r.cause} ${r.count}`), ['127.0.0.1 artim 1']);
  });

  test('one ARTIM sweep for all: silent connections go oldest first, a peer that speaks meanwhile is untouched, and later ones get their own deadline', async () => {
    const { server, dropped } = await start({ timeouts: { artimMs: 1500 } });
    const ids = record<[{ id: number }]>(server, 'accepted');
    const first = await flood(server.port, 3);
    const echo = await scu.echo({ host: '127.0.0.1', port: server.port, calledAeTitle: 'SCP' });
    assert.equal(echo.status, 0);
    const second = await flood(server.port, 2);
    await within('the first silent connections to be closed by ARTIM', Promise.all([...first, ...second].map((s) => s.closed)));
    await waitUntil('5 dropped events', () => dropped.length === 5);
    assert.deepEqual(dropped.map(([, cause]) => cause), Array(5).fill('artim'));
    const order = dropped.map(([info]) => (info as { id: number }).id);
    assert.deepEqual(order, [...order].sort((a, b) => a - b), 'closed in the order they came');
    assert.equal(ids.length, 1, 'the peer that spoke was accepted');
    assert.ok(!order.includes(ids[0]![0].id), 'the peer that spoke was not dropped');
    // The room emptied; a connection that comes now is closed by its own deadline all the same.
    assert.equal(server.waitingCount, 0);
    const [late] = await flood(server.port, 1);
    await within('a later silent connection to be closed by ARTIM', late!.closed);
    await waitUntil('its dropped event', () => dropped.length === 6);
    assert.equal(dropped[5]![1], 'artim');
  });

  test('the per-source bound, where the flood and the real peer share 127.0.0.1: the oldest silent ones are closed and the real peer gets in', async () => {
    const { server, dropped, refused } = await start({ maxAssociations: 4, maxWaiting: 100, maxWaitingPerSource: 4, timeouts: { artimMs: 60_000 } });
    const silent: SilentConnection[] = [];
    for (let i = 0; i < 12; i++) {
      silent.push(...await flood(server.port, 1));
      await waitUntil(`connection ${i + 1} to be counted`, () => server.waitingCount + dropped.length === i + 1);
    }
    await within('the 8 oldest silent connections to be closed', Promise.all(silent.slice(0, 8).map((s) => s.closed)));
    assert.deepEqual(silent.map((s) => s.isClosed()), [...Array(8).fill(true), ...Array(4).fill(false)]);
    assert.equal(server.waitingCount, 4);

    const echo = await scu.echo({ host: '127.0.0.1', port: server.port, calledAeTitle: 'SCP' });
    assert.equal(echo.status, 0);
    // It pushed out at most the oldest silent one (none when it spoke before the bound was enforced).
    const closed = silent.filter((s) => s.isClosed()).length;
    assert.ok(closed <= 9, `${closed} silent connections were closed`);
    assert.deepEqual(silent.map((s) => s.isClosed()), [...Array(closed).fill(true), ...Array(12 - closed).fill(false)]);
    assert.ok(dropped.every(([, cause]) => cause === 'source-limit'));
    assert.equal(refused.length, 1, 'one log line for the address, not one per connection');
    assert.match(refused[0]![0].message, /too many connections from this address were waiting/);
  });

  test('with TLS the bounds hold from the TCP accept: silent TCP connections are counted and closed before any handshake, and a TLS peer gets in', async () => {
    const certs = makeCertificates();
    const pem = (f: string) => readFileSync(f);
    const { server, dropped } = await start({
      maxWaitingPerSource: 3, timeouts: { artimMs: 3000 },
      tls: { cert: pem(certs.serverCert), key: pem(certs.serverKey), ca: pem(certs.ca), requestCert: true, rejectUnauthorized: true },
    });
    const silent = await flood(server.port, 6);
    await within('the 3 oldest to be closed', Promise.all(silent.slice(0, 3).map((s) => s.closed)));
    assert.equal(server.waitingCount, 3);
    const echo = await scu.echo({
      host: '127.0.0.1', port: server.port, calledAeTitle: 'SCP',
      tls: { ca: pem(certs.ca), cert: pem(certs.clientCert), key: pem(certs.clientKey) },
    });
    assert.equal(echo.status, 0);
    await within('the silent connections to be closed by the handshake timer', Promise.all(silent.map((s) => s.closed)));
    await waitUntil('6 dropped events', () => dropped.length === 6);
    assert.deepEqual(dropped.map(([, cause]) => cause).sort(), ['artim', 'artim', 'source-limit', 'source-limit', 'source-limit', 'source-limit']);
    assert.ok(dropped.filter(([, cause]) => cause === 'artim').every(([, , m]) => /no TLS handshake within 3 s/.test(m)));
    // A client without a certificate is refused after the handshake, with that cause.
    await assert.rejects(scu.echo({ host: '127.0.0.1', port: server.port, calledAeTitle: 'SCP', tls: { ca: pem(certs.ca) } }));
    await waitUntil('the refused TLS client to be reported', () => dropped.some(([, cause, m]) => cause === 'tls' && /no client certificate/.test(m)));
    rmSync(certs.dir, { recursive: true, force: true });
  });
});

describe('idle associations', () => {
  test('the server has an idle timeout by default; an association that negotiates and then sends nothing is aborted', async () => {
    assert.ok(SERVER_DEFAULT_IDLE_MS > 0);
    assert.equal(new DicomServer({ aeTitle: 'SCP', port: 0 }).timeouts.idleMs, SERVER_DEFAULT_IDLE_MS);
    const { server } = await start({ timeouts: { idleMs: 300 } });
    const aborted = record<[unknown, Error]>(server, 'aborted');
    const client = await scu.associate({ host: '127.0.0.1', port: server.port, calledAeTitle: 'SCP', contexts: [verificationContext()] });
    const ended = await within('the server to end the idle association', client.association.whenClosed());
    assert.ok(ended instanceof AssociationAbortedError, `the association ended with ${ended}`);
    await waitUntil('the aborted event', () => aborted.length === 1);
    assert.match(aborted[0]![1].message, /idle for 0\.3 s/);
    assert.equal(server.associationCount, 0);
  });
});

describe('a C-STORE whose data set stops half-way', () => {
  async function archiveServer(idleMs: number) {
    const dir = mkdtempSync(path.join(tmpdir(), 'dicomnet-halfway-'));
    folders.push(dir);
    const archive = await ArchiveServices.open({ dir, aeTitle: 'SCP' });
    const { server } = await start({ services: archive.services, timeouts: { idleMs } });
    const aborted = record<[unknown, Error]>(server, 'aborted');
    return { dir, archive, server, aborted };
  }

  async function sendHalf(port: number, dir: string) {
    const instance = await writeSyntheticInstance(path.join(dir, '..', `${path.basename(dir)}-input.dcm`), 4 * 1024 * 1024);
    folders.push(instance.path);
    const data = await datasetBytes(instance.path);
    const client = await scu.associate({ host: '127.0.0.1', port, calledAeTitle: 'SCP', contexts: [{ abstractSyntax: CT, transferSyntaxes: [ExplicitVRLittleEndian] }] });
    const contextId = client.acceptedContexts[0]!.id;
    const command = encodeCommand({
      commandField: CommandField.CStoreRq, messageId: 1, priority: 0, affectedSopClassUid: CT,
      affectedSopInstanceUid: instance.sopInstanceUid, commandDataSetType: DATASET_PRESENT,
    });
    await client.association.sendPData([{ contextId, isCommand: true, isLast: true, data: command }]);
    const half = data.subarray(0, data.length >> 1);
    for (let at = 0; at < half.length; at += 64 * 1024) {
      await client.association.sendPData([{ contextId, isCommand: false, isLast: false, data: half.subarray(at, at + 64 * 1024) }]);
    }
    const incoming = path.join(dir, '.incoming');
    const partSize = () => readdirSync(incoming).reduce((n, f) => n + statSync(path.join(incoming, f)).size, 0);
    await waitUntil('half the data set to be in the temporary file', () => partSize() >= half.length - 256 * 1024);
    return { client, incoming };
  }

  test('the peer goes silent: the idle timeout ends the association and the temporary file goes', async () => {
    const { dir, archive, server, aborted } = await archiveServer(400);
    const { client, incoming } = await sendHalf(server.port, dir);
    await within('the server to abort the stalled association', client.association.whenClosed());
    await waitUntil('the aborted event', () => aborted.length === 1);
    assert.match(aborted[0]![1].message, /idle/);
    await waitUntil('the temporary file to be removed', () => readdirSync(incoming).length === 0);
    assert.equal(archive.index.stats().instances, 0);
    await archive.close();
  });

  test('the peer aborts half-way: the temporary file goes', async () => {
    const { dir, archive, server, aborted } = await archiveServer(60_000);
    const { client, incoming } = await sendHalf(server.port, dir);
    client.abort();
    await waitUntil('the aborted event', () => aborted.length === 1);
    await waitUntil('the temporary file to be removed', () => readdirSync(incoming).length === 0);
    assert.equal(archive.index.stats().instances, 0);
    await archive.close();
  });
});
