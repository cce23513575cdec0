// Association negotiation end to end between our client and our server: presentation contexts and
// their results, role selection, extended negotiation, user identity types 1–5, max PDU.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationEntity } from '../../../src/ae/client';
import { verificationContext } from '../../../src/ae/requestor';
import { DicomServer, ServerOptions } from '../../../src/ae/server';
import { ContextResult } from '../../../src/net/pdu-types';
import { ScpService } from '../../../src/services/scp-service';

const servers: DicomServer[] = [];
after(async () => { for (const s of servers) await s.close(100); });

async function server(options: Partial<ServerOptions> = {}): Promise<DicomServer> {
  const s = new DicomServer({ aeTitle: 'SERVER', port: 0, ...options });
  await s.listen();
  servers.push(s);
  return s;
}

const ae = new ApplicationEntity({ aeTitle: 'CLIENT' });
const CT = '1.2.840.10008.5.1.4.1.1.2';

/** A service accepting CT Image Storage in Explicit then Implicit VR LE, granting the SCP role. */
const ctService: ScpService = {
  name: 'ct',
  contexts: () => new Map([[CT, ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2']]]),
  roles: (uid, proposed) => (uid === CT ? { scu: proposed.scuRole === 1, scp: true } : undefined),
  handles: () => false,
  handle: async () => undefined,
};

describe('presentation contexts', () => {
  test('every result 0–4 comes back for the right context, with odd IDs', async () => {
    const s = await server({ services: [ctService], preferProposerTransferSyntax: false });
    const client = await ae.associate({ host: '127.0.0.1', port: s.port, calledAeTitle: 'SERVER', contexts: [
      verificationContext(),
      { abstractSyntax: '1.2.3.4.5.6', transferSyntaxes: ['1.2.840.10008.1.2'] },
      { abstractSyntax: CT, transferSyntaxes: ['1.2.840.10008.1.2.4.50'] },
      { abstractSyntax: CT, transferSyntaxes: ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1'] },
    ] });
    const byId = [...client.association.contexts.values()].map((c) => [c.id, c.result, c.transferSyntax]);
    assert.deepEqual(byId, [
      [1, ContextResult.Acceptance, '1.2.840.10008.1.2.1'],
      [3, ContextResult.AbstractSyntaxNotSupported, ''],
      [5, ContextResult.TransferSyntaxesNotSupported, ''],
      // Our preference (Explicit first) wins over the proposer's order when configured so.
      [7, ContextResult.Acceptance, '1.2.840.10008.1.2.1'],
    ]);
    await client.release();
  });

  test("by default the proposer's first acceptable syntax is taken", async () => {
    const s = await server({ services: [ctService] });
    const client = await ae.associate({ host: '127.0.0.1', port: s.port, calledAeTitle: 'SERVER', contexts: [
      { abstractSyntax: CT, transferSyntaxes: ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1'] },
    ] });
    assert.equal(client.acceptedContexts[0].transferSyntax, '1.2.840.10008.1.2');
    await client.release();
  });

  test('128 contexts are accepted; 129 are refused before anything is sent', async () => {
    const s = await server();
    const contexts = Array.from({ length: 128 }, () => verificationContext());
    const client = await ae.associate({ host: '127.0.0.1', port: s.port, calledAeTitle: 'SERVER', contexts });
    assert.equal(client.acceptedContexts.length, 128);
    assert.equal(Math.max(...client.acceptedContexts.map((c) => c.id)), 255);
    await client.release();
    await assert.rejects(ae.associate({ host: '127.0.0.1', port: s.port, calledAeTitle: 'SERVER', contexts: [...contexts, verificationContext()] }), /at most 128/);
  });
});

describe('role selection', () => {
  test('a role is granted only when proposed and accepted', async () => {
    const s = await server({ services: [ctService] });
    const client = await ae.associate({ host: '127.0.0.1', port: s.port, calledAeTitle: 'SERVER',
      contexts: [{ abstractSyntax: CT, transferSyntaxes: ['1.2.840.10008.1.2.1'] }, verificationContext()],
      roles: [{ sopClassUid: CT, scuRole: 0, scpRole: 1 }, { sopClassUid: '1.2.840.10008.1.1', scuRole: 1, scpRole: 1 }] });
    assert.deepEqual(client.association.acceptance!.userInformation.roleSelections, [
      { sopClassUid: CT, scuRole: 0, scpRole: 1 },
      // Verification is not a service that grants roles: the default (SCU only) is answered.
      { sopClassUid: '1.2.840.10008.1.1', scuRole: 1, scpRole: 0 },
    ]);
    const ct = client.acceptedContexts.find((c) => c.abstractSyntax === CT)!;
    assert.deepEqual([ct.requestorScu, ct.requestorScp], [false, true]);
    await client.release();
  });
});

describe('extended negotiation', () => {
  test('SOP class extended negotiation items go to the callback and its answer comes back', async () => {
    const seen: string[] = [];
    const s = await server({ extendedNegotiation: (items) => {
      for (const i of items) seen.push(`${i.sopClassUid}:${i.serviceClassApplicationInformation.toString('hex')}`);
      return items.map((i) => ({ sopClassUid: i.sopClassUid, serviceClassApplicationInformation: Buffer.from([1]) }));
    } });
    const client = await ae.associate({ host: '127.0.0.1', port: s.port, calledAeTitle: 'SERVER', contexts: [verificationContext()],
      extendedNegotiation: [{ sopClassUid: '1.2.840.10008.5.1.4.1.2.2.1', serviceClassApplicationInformation: Buffer.from([1, 1, 0]) }],
      commonExtendedNegotiation: [{ sopClassUid: '1.2.3', serviceClassUid: '1.2.840.10008.4.2', relatedGeneralSopClassUids: ['1.2.4'] }] });
    assert.deepEqual(seen, ['1.2.840.10008.5.1.4.1.2.2.1:010100']);
    assert.deepEqual(client.association.acceptance!.userInformation.sopClassExtended,
      [{ sopClassUid: '1.2.840.10008.5.1.4.1.2.2.1', serviceClassApplicationInformation: Buffer.from([1]) }]);
    await client.release();
  });
});

describe('user identity', () => {
  const kinds = [
    { kind: 'username' as const, username: 'alice' },
    { kind: 'password' as const, username: 'alice', password: 's3cret' },
    { kind: 'kerberos' as const, token: Buffer.from([1, 2, 3]) },
    { kind: 'saml' as const, token: '<saml:Assertion/>' },
    { kind: 'jwt' as const, token: 'eyJ.eyJ.sig' },
  ];
  for (const [i, identity] of kinds.entries()) {
    test(`type ${i + 1} (${identity.kind}) reaches the callback; a requested response comes back`, async () => {
      const seen: { kind: string; primary: string; secondary: string }[] = [];
      const s = await server({ authenticate: (id) => {
        seen.push({ kind: id.kind, primary: id.primary, secondary: id.secondary });
        return { accept: true, serverResponse: Buffer.from(`ok-${id.typeCode}`) };
      } });
      const client = await ae.associate({ host: '127.0.0.1', port: s.port, calledAeTitle: 'SERVER', contexts: [verificationContext()],
        userIdentity: { ...identity, positiveResponseRequested: true } });
      assert.equal(seen[0].kind, identity.kind);
      if ('password' in identity) assert.equal(seen[0].secondary, 's3cret');
      assert.equal(client.userIdentityResponse?.toString(), `ok-${i + 1}`);
      await client.release();
    });
  }

  test('a refused identity is an A-ASSOCIATE-RJ that the caller reads as a sentence', async () => {
    const s = await server({ authenticate: (id) => id.secondary === 'right' });
    await assert.rejects(ae.associate({ host: '127.0.0.1', port: s.port, calledAeTitle: 'SERVER', contexts: [verificationContext()],
      userIdentity: { kind: 'password', username: 'bob', password: 'wrong' } }),
      { message: 'association rejected permanently by the service user: no reason given' });
  });
});

describe('AE titles and limits', () => {
  test('a called AE title that is not ours is rejected when required', async () => {
    const s = await server({ requireCalledAeTitle: true });
    await assert.rejects(ae.associate({ host: '127.0.0.1', port: s.port, calledAeTitle: 'OTHER', contexts: [verificationContext()] }),
      /called AE title not recognised/);
    const ok = await ae.associate({ host: '127.0.0.1', port: s.port, calledAeTitle: 'SERVER', contexts: [verificationContext()] });
    await ok.release();
  });

  test('max PDU: what each side advertised is what the other side sees', async () => {
    const s = await server({ maxPduLength: 4096 });
    const small = new ApplicationEntity({ aeTitle: 'CLIENT', maxPduLength: 131072 });
    const client = await small.associate({ host: '127.0.0.1', port: s.port, calledAeTitle: 'SERVER', contexts: [verificationContext()] });
    assert.equal(client.association.peerMaxPdu, 4096);
    assert.equal(client.channel.maxFragment, 4090);
    await client.release();
  });
});
