// The peer profile: one description of a peer (address, AE titles, TLS, user identity, timeouts,
// max PDU) turned into the ApplicationEntity's and associate()'s options, used against our server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { verificationContext } from '../../../src/ae/requestor';
import {
  PeerProfile, PemFileError, aeOptionsOf, applicationEntityOf, associateOptionsOf, connectionOptionsOf, describePeer, tlsOptionsOf,
} from '../../../src/ae/peer-profile';
import { DicomServer } from '../../../src/ae/server';
import { PresentedIdentity } from '../../../src/ae/user-identity';
import { TestCertificates, makeCertificates } from '../../helpers/certificates';

const peer: PeerProfile = { host: '127.0.0.1', port: 104, calledAeTitle: 'PACS', callingAeTitle: 'ME' };
const contexts = [verificationContext()];

describe('peer profile → engine options', () => {
  test('AE title, max PDU and one timeout for connecting, association and DIMSE answers', () => {
    assert.deepEqual(aeOptionsOf({ ...peer, timeoutSeconds: 2.5, maxPduLength: 65536 }),
      { aeTitle: 'ME', maxPduLength: 65536, timeouts: { connectMs: 2500, acseMs: 2500, dimseMs: 2500 } });
    const ae = applicationEntityOf(peer);
    assert.equal(ae.aeTitle, 'ME');
    assert.equal(ae.maxPduLength, 262_144, 'the engine default');
    assert.throws(() => aeOptionsOf({ ...peer, timeoutSeconds: 0 }), RangeError);
    assert.throws(() => applicationEntityOf({ ...peer, callingAeTitle: 'A-TITLE-LONGER-THAN-16' }), RangeError);
  });

  test('associate() options: the address, both AE titles, the contexts, roles and signal of the request', () => {
    const signal = new AbortController().signal;
    const roles = [{ sopClassUid: '1.2.3', scuRole: 1, scpRole: 1 }];
    const options = associateOptionsOf(peer, { contexts, roles, signal });
    assert.deepEqual({ ...options, signal: undefined }, {
      host: '127.0.0.1', port: 104, calledAeTitle: 'PACS', callingAeTitle: 'ME', contexts, roles, userIdentity: undefined, tls: undefined, signal: undefined,
    });
    assert.equal(options.signal, signal);
    assert.equal('contexts' in connectionOptionsOf(peer), false);
  });

  test('user identity: a username alone or with a password, always asking for a positive response', () => {
    const identity = (password?: string) => associateOptionsOf({ ...peer, identity: { username: 'alice', password } }, { contexts }).userIdentity;
    assert.deepEqual(identity(), { kind: 'username', username: 'alice', positiveResponseRequested: true });
    assert.deepEqual(identity(''), { kind: 'username', username: 'alice', positiveResponseRequested: true });
    assert.deepEqual(identity('s3cret'), { kind: 'password', username: 'alice', password: 's3cret', positiveResponseRequested: true });
  });

  test('TLS from PEM files or from buffers; an unreadable file is one sentence with a stable code', () => {
    const pem = Buffer.from('-----BEGIN CERTIFICATE-----\n');
    assert.deepEqual(tlsOptionsOf({ ca: { pem } }), { ca: pem, cert: undefined, key: undefined, rejectUnauthorized: true });
    assert.deepEqual(tlsOptionsOf({ ca: { file: __filename }, rejectUnauthorized: false }).ca, readFileSync(__filename));
    assert.equal(tlsOptionsOf({ rejectUnauthorized: false }).rejectUnauthorized, false);
    assert.throws(() => associateOptionsOf({ ...peer, tls: { key: { file: '/nonexistent/client.key' } } }, { contexts }), (error: unknown) => {
      assert.ok(error instanceof PemFileError);
      assert.equal(error.code, 'PEM_FILE_UNREADABLE');
      assert.equal(error.message, 'the TLS key file /nonexistent/client.key cannot be read (ENOENT)');
      return true;
    });
  });

  test('describePeer names both AE titles and the address', () => {
    assert.equal(describePeer(peer), 'ME → PACS@127.0.0.1:104');
  });
});

describe('peer profile against our server', () => {
  let certs: TestCertificates;
  const servers: DicomServer[] = [];
  before(() => { certs = makeCertificates(); });
  after(async () => { for (const s of servers) await s.close(100); });

  async function listen(server: DicomServer): Promise<number> {
    await server.listen();
    servers.push(server);
    return server.port;
  }

  test('the identity arrives with a response requested, and the response comes back', async () => {
    const seen: PresentedIdentity[] = [];
    const port = await listen(new DicomServer({ aeTitle: 'PACS', port: 0, authenticate: (id) => { seen.push(id); return { accept: true, serverResponse: Buffer.from('welcome') }; } }));
    const profile: PeerProfile = { ...peer, port, identity: { username: 'alice', password: 's3cret' }, timeoutSeconds: 10 };
    const client = await applicationEntityOf(profile).associate(associateOptionsOf(profile, { contexts }));
    try {
      assert.deepEqual(seen.map((i) => [i.kind, i.primary, i.secondary, i.positiveResponseRequested]), [['password', 'alice', 's3cret', true]]);
      assert.equal(client.userIdentityResponse?.toString(), 'welcome');
      assert.equal(client.localAeTitle, 'ME');
    } finally {
      await client.release();
    }
  });

  test('DICOM over TLS with the certificates given as files, and as PEM buffers', async () => {
    const port = await listen(new DicomServer({
      aeTitle: 'PACS', port: 0,
      tls: { cert: readFileSync(certs.serverCert), key: readFileSync(certs.serverKey), ca: readFileSync(certs.ca), requestCert: true, rejectUnauthorized: true },
    }));
    const fromFiles: PeerProfile = { ...peer, port, tls: { ca: { file: certs.ca }, cert: { file: certs.clientCert }, key: { file: certs.clientKey } } };
    const fromBuffers: PeerProfile = { ...peer, port, tls: { ca: { pem: readFileSync(certs.ca) }, cert: { pem: readFileSync(certs.clientCert) }, key: { pem: readFileSync(certs.clientKey, 'utf8') } } };
    for (const profile of [fromFiles, fromBuffers]) {
      const client = await applicationEntityOf(profile).associate(associateOptionsOf(profile, { contexts }));
      try {
        assert.equal((await client.echo()).status, 0);
      } finally {
        await client.release();
      }
    }
    // Without our CA the server's certificate is not trusted.
    const untrusted: PeerProfile = { ...peer, port, timeoutSeconds: 10, tls: { cert: { file: certs.clientCert }, key: { file: certs.clientKey } } };
    await assert.rejects(applicationEntityOf(untrusted).associate(associateOptionsOf(untrusted, { contexts })));
  });
});
