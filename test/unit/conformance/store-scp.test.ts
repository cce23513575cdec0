// Issue 14.13: the storage SCP answers each C-STORE with the outcome of its own data set, even
// when two associations use the same Message ID at the same time (Message IDs are unique only
// within an association, PS3.7 9.1.1.1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationEntity } from '../../../src/ae/client';
import { CommandField, NO_DATASET, Priority } from '../../../src/dimse/command';
import { Status, statusClass } from '../../../src/dimse/status';
import { StorageScp } from '../../../src/services/store-scp';
import { CT_IMAGE, MemoryStore, connect, ctDataset, startServer, storageContexts, within } from '../../helpers/in-process';

test('issue 14.13: the storage receiver keys pending stores per association: a C-STORE without a data set does not get another association\'s answer', async (t) => {
  const backend = new MemoryStore();
  let openGate!: () => void;
  backend.gate = new Promise<void>((resolve) => { openGate = resolve; });
  const server = await startServer({ services: [new StorageScp(backend)] }, t);
  const a = await connect(t, server, { contexts: storageContexts() }, new ApplicationEntity({ aeTitle: 'SCU_A' }));
  const b = await connect(t, server, { contexts: storageContexts() }, new ApplicationEntity({ aeTitle: 'SCU_B' }));

  // A's instance (Message ID 1) is received; its commit waits on the gate.
  const stored = a.store(ctDataset('2.25.1413001'));
  await backend.until('A\'s commit to start', () => backend.commits === 1);

  // B sends Message ID 1 too, a C-STORE-RQ that says no data set follows. Once the server has
  // taken B's request, A's commit may finish (with the bug, B's answer waited for it).
  server.on('request', (info) => { if (info.callingAeTitle === 'SCU_B') setImmediate(openGate); });
  const messageId = b.channel.nextMessageId();
  assert.equal(messageId, 1);
  const responses = b.channel.expectResponses(messageId);
  const context = b.acceptedContexts[0]!;
  await b.channel.send(context.id, {
    commandField: CommandField.CStoreRq, messageId, affectedSopClassUid: CT_IMAGE, affectedSopInstanceUid: '2.25.1413002',
    priority: Priority.Medium, commandDataSetType: NO_DATASET,
  });
  const answer = await within('B\'s C-STORE-RSP', responses.next());
  const status = answer.value!.command.status!;
  assert.equal(statusClass(status), 'failure', `B's store without a data set was answered 0x${status.toString(16)}`);
  assert.equal(answer.value!.command.errorComment, 'no data set arrived');

  const result = await within('A\'s C-STORE-RSP', stored);
  assert.equal(result.status, Status.Success);
  assert.deepEqual(backend.received.map((r) => r.sopInstanceUid), ['2.25.1413001']);
  await a.release();
  await b.release();
});
