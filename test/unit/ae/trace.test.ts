// The engine's one PDU and DIMSE trace: what the CLI's --trace and the extension's trace log show,
// for a client association and for a server.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationEntity } from '../../../src/ae/client';
import { verificationContext } from '../../../src/ae/requestor';
import { DicomServer } from '../../../src/ae/server';
import { describeCommand, traceMessages, tracePdus, traceServer } from '../../../src/ae/trace';
import { CommandField, NO_DATASET } from '../../../src/dimse/command';

const server = new DicomServer({ aeTitle: 'SERVER', port: 0 });
after(() => server.close(100));

test('a C-ECHO association traced on both sides', async () => {
  const clientLines: string[] = [];
  const serverLines: string[] = [];
  traceServer(server, (l) => serverLines.push(l), { pdus: true, requests: true, prefix: (i) => `[${i.id}] ` });
  await server.listen();
  const ae = new ApplicationEntity({ aeTitle: 'CLIENT' });
  const client = await ae.associate({ host: '127.0.0.1', port: server.port, calledAeTitle: 'SERVER', contexts: [verificationContext()] },
    (a) => tracePdus(a, (l) => clientLines.push(l), '[SERVER] '));
  traceMessages(client.channel, (l) => clientLines.push(l), '[SERVER] ');
  await client.echo();
  await client.release();

  const client1 = clientLines.join('\n');
  assert.match(client1, /^\[SERVER\] >> A-ASSOCIATE-RQ/m);
  assert.match(client1, /^\[SERVER\] {6}called AE "SERVER", calling AE "CLIENT"/m, 'a PDU\'s lines are indented under the prefix');
  assert.match(client1, /^\[SERVER\] << A-ASSOCIATE-AC/m);
  assert.match(client1, /^\[SERVER\] >> C-ECHO-RQ, id 1, Verification SOP Class \(context 1\)$/m);
  assert.match(client1, /^\[SERVER\] << C-ECHO-RSP, for id 1, Verification SOP Class, status 0x0000 \(Success\) \(context 1\)$/m);
  assert.match(client1, /^\[SERVER\] >> A-RELEASE-RQ/m);
  assert.ok(clientLines.some((l) => l.startsWith('[SERVER]    ') && l.includes(' -> ')), 'state changes are traced');

  const server1 = serverLines.join('\n');
  assert.match(server1, /^\[1\] << A-ASSOCIATE-RQ/m);
  assert.match(server1, /^\[1\] >> A-ASSOCIATE-AC/m);
  assert.match(server1, /^\[1\] << C-ECHO-RQ, id 1, Verification SOP Class$/m);
});

test('describeCommand: sub-operations, comment and data set size', () => {
  assert.equal(describeCommand({
    commandField: CommandField.CMoveRsp, commandDataSetType: NO_DATASET, messageIdBeingRespondedTo: 3, affectedSopClassUid: '1.2.840.10008.5.1.4.1.2.2.2', status: 0xff00,
    numberOfRemainingSuboperations: 2, numberOfCompletedSuboperations: 1, numberOfFailedSuboperations: 0, numberOfWarningSuboperations: 0,
    errorComment: 'busy',
  }, 12), 'C-MOVE-RSP, for id 3, Study Root Query/Retrieve Information Model - MOVE, status 0xFF00 (Pending: sub-operations are continuing), remaining 2 completed 1 failed 0 warning 0, comment "busy", + data set 12 bytes');
});
