// Issue 14.10: a request the SCP does not handle on an accepted presentation context is answered
// with a failure status (PS3.7 C.5: 0211 Unrecognized Operation), not with an A-ABORT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verificationContext } from '../../../src/ae/requestor';
import { Dataset } from '../../../src/dicom/dataset-model';
import { encodeDataset } from '../../../src/dicom';
import { Uids } from '../../../src/dicom/sop-classes';
import { CommandField, DATASET_PRESENT, NO_DATASET, Priority } from '../../../src/dimse/command';
import { Status } from '../../../src/dimse/status';
import { connect, startServer, within } from '../../helpers/in-process';

test('issue 14.10: an unsupported command on an accepted context gets a failure response (0211) and the association stays up', async (t) => {
  const server = await startServer({}, t);
  const aborted: string[] = [];
  server.on('aborted', (_info, error) => aborted.push(error.message));
  const client = await connect(t, server, { contexts: [verificationContext()] });
  const context = client.acceptedContexts[0]!;
  const query = new Dataset();
  query.set('QueryRetrieveLevel', 'CS', 'STUDY');
  query.set('PatientName', 'PN', '*');

  // A C-FIND-RQ (with its identifier) on the Verification context, then an N-GET-RQ (no data set).
  const findId = client.channel.nextMessageId();
  const findResponses = client.channel.expectResponses(findId);
  await client.channel.send(context.id, {
    commandField: CommandField.CFindRq, messageId: findId, affectedSopClassUid: Uids.Verification,
    priority: Priority.Medium, commandDataSetType: DATASET_PRESENT,
  }, encodeDataset(query, context.transferSyntax));
  const find = (await within('the C-FIND-RSP', findResponses.next())).value!;
  assert.equal(find.command.commandField, CommandField.CFindRsp);
  assert.equal(find.command.status, Status.UnrecognizedOperation);
  assert.equal(find.command.messageIdBeingRespondedTo, findId);
  assert.match(find.command.errorComment ?? '', /C-FIND-RQ is not supported/);

  const getId = client.channel.nextMessageId();
  const getResponses = client.channel.expectResponses(getId);
  await client.channel.send(context.id, {
    commandField: CommandField.NGetRq, messageId: getId, requestedSopClassUid: Uids.Verification, requestedSopInstanceUid: '1.2.3',
    commandDataSetType: NO_DATASET,
  });
  const nGet = (await within('the N-GET-RSP', getResponses.next())).value!;
  assert.equal(nGet.command.commandField, CommandField.NGetRsp);
  assert.equal(nGet.command.status, Status.UnrecognizedOperation);

  // The association is still there for what the context is for.
  const echo = await within('the C-ECHO', client.echo());
  assert.equal(echo.status, Status.Success);
  await client.release();
  assert.deepEqual(aborted, []);
});
