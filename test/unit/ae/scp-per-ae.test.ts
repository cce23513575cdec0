// maxAssociationsPerAe on our DicomServer with our SCU as the peers: a calling AE's request beyond
// its share waits for one of its associations to end, another AE is accepted at once meanwhile,
// and a wait that runs out is a transient "local limit exceeded"; the default fair share holds
// only while another AE is served and accepts when its wait runs out (DCMTK's echoscu in
// test/interop/hostile.test.ts).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationEntity } from '../../../src/ae/client';
import { verificationContext } from '../../../src/ae/requestor';
import { DicomServer, ServerOptions } from '../../../src/ae/server';
import { Refusal } from '../../../src/ae/refusal-log';
import { AssociationRejectedError } from '../../../src/net/errors';
import { encodePdu } from '../../../src/net/pdu-encode';
import { openSilent, record } from '../../helpers/flood';
import { waitUntil } from '../../helpers/wait';

const servers: DicomServer[] = [];
after(async () => {
  for (const s of servers) await s.close(100);
});

async function start(options: Partial<ServerOptions>) {
  const server = new DicomServer({ aeTitle: 'SCP', port: 0, ...options });
  const queued = record<[{ callingAeTitle: string }, string]>(server, 'queued');
  const refused = record<[Refusal]>(server, 'refused');
  await server.listen();
  servers.push(server);
  return { server, queued, refused };
}

const timeouts = { connectMs: 5000, acseMs: 20_000, dimseMs: 5000 };
const busy = new ApplicationEntity({ aeTitle: 'BUSY', timeouts });
const other = new ApplicationEntity({ aeTitle: 'OTHER', timeouts });
const target = (server: DicomServer) => ({ host: '127.0.0.1', port: server.port, calledAeTitle: 'SCP', contexts: [verificationContext()] });

describe('maxAssociationsPerAe', () => {
  test('a request beyond its AE\'s share waits for one to end; another AE is accepted meanwhile', async () => {
    const { server, queued } = await start({ maxAssociationsPerAe: 1, perAeWaitMs: 60_000 });
    const first = await busy.associate(target(server));
    let secondSettled = false;
    const second = busy.associate(target(server));
    void second.then(() => { secondSettled = true; }, () => { secondSettled = true; });
    await waitUntil('the second BUSY request to wait for its share', () => queued.length === 1);
    assert.match(queued[0]![1], /BUSY at 127\.0\.0\.1 has 1 associations established \(the per-AE limit\); waiting up to 60 s/);

    const echoed = await other.echo(target(server));
    assert.equal(echoed.status, 0, 'another calling AE at the same address is served at once');
    await waitUntil('OTHER\'s association to end on the server, leaving only BUSY\'s first', () => server.associationCount === 1);
    assert.equal(secondSettled, false, 'BUSY\'s second association was accepted while its first was open');

    await first.release();
    const opened = await second;
    assert.equal((await opened.echo()).status, 0);
    await opened.release();
    assert.equal(queued.length, 1);
  });

  test('a wait that runs out is rejected transiently with "local limit exceeded", logged as ae-limit', async () => {
    const { server, refused } = await start({ maxAssociationsPerAe: 1, perAeWaitMs: 200 });
    const first = await busy.associate(target(server));
    await assert.rejects(busy.associate(target(server)),
      (e: Error) => e instanceof AssociationRejectedError && /transient/i.test(e.message) && /local limit exceeded/i.test(e.message));
    assert.deepEqual(refused.map(([r]) => `${r.source} ${r.cause} ${r.count}`), ['127.0.0.1 ae-limit 1']);
    assert.match(refused[0]![0].message, /BUSY at 127\.0\.0\.1 has 1 associations established \(the per-AE limit\)/);
    await first.release();
    const again = await busy.associate(target(server));
    await again.release();
  });

  test('a waiting request whose peer gives up frees nothing it did not take, and the next one gets the slot', async () => {
    const { server, queued } = await start({ maxAssociationsPerAe: 1, perAeWaitMs: 60_000 });
    const first = await busy.associate(target(server));
    // A peer that sends its request and goes away while it waits.
    const impatient = await openSilent(server.port);
    impatient.socket.write(encodePdu(busy.buildRequest(target(server))));
    await waitUntil('the impatient request to wait for its share', () => queued.length === 1);
    impatient.socket.destroy();
    const third = busy.associate(target(server));
    await waitUntil('the third request to wait', () => queued.length === 2);
    await first.release();
    const opened = await third;
    assert.equal(server.associationCount, 1, 'the slot went to the third request, and only to it');
    await opened.release();
  });

  test('without the option, one AE may have as many associations as maxAssociations allows', async () => {
    const { server, queued } = await start({ maxAssociations: 4 });
    const opened = await Promise.all([0, 1, 2, 3].map(() => busy.associate(target(server))));
    assert.equal(server.associationCount, 4);
    assert.equal(queued.length, 0);
    for (const a of opened) await a.release();
  });

  test('with no per-AE limit, a fair share of 2: a busy AE waits while another is served, and a wait that runs out is accepted', async () => {
    const { server, queued, refused } = await start({ fairShareWaitMs: 300, fairShareBusyAbove: 0 });
    const held = [await busy.associate(target(server)), await busy.associate(target(server)), await busy.associate(target(server))];
    assert.equal(queued.length, 0, 'alone, the busy AE is not held');
    const peer = await other.associate(target(server));
    const fourth = busy.associate(target(server));
    await waitUntil('the busy AE\'s next request to wait for its share', () => queued.length === 1);
    assert.match(queued[0]![1], /BUSY at 127\.0\.0\.1 has 2 associations established \(the fair share while other AEs are served\); waiting up to 0\.3 s for one to end, then accepted anyway/);
    assert.equal(server.associationCount, 4);
    const accepted = await fourth;
    assert.equal(server.associationCount, 5, 'accepted when its wait ran out, with none of the others ended');
    assert.equal(refused.length, 0);
    for (const a of [...held, peer, accepted]) await a.release();
  });

  test('the fair share hands a slot to the waiting request when one of its AE\'s associations ends; no share, or an SCP not busy enough, holds nothing', async () => {
    const { server, queued } = await start({ fairShareWaitMs: 60_000, fairShareBusyAbove: 0 });
    const first = await busy.associate(target(server));
    const second = await busy.associate(target(server));
    const peer = await other.associate(target(server));
    const third = busy.associate(target(server));
    await waitUntil('the third request to wait', () => queued.length === 1);
    await first.release();
    const opened = await third;
    assert.equal(server.associationCount, 3);
    for (const a of [second, peer, opened]) await a.release();

    // An SCP that was not busy enough (here: never, at 100 %) holds nobody either.
    for (const options of [{ fairSharePerAe: 0 }, { fairShareBusyAbove: 1 }]) {
      const unshared = await start(options);
      const all = await Promise.all([other.associate(target(unshared.server)), ...[0, 1, 2].map(() => busy.associate(target(unshared.server)))]);
      assert.equal(unshared.server.associationCount, 4);
      assert.equal(unshared.queued.length, 0);
      for (const a of all) await a.release();
    }
  });
});
