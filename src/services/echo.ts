// Verification service (PS3.4 Annex A): C-ECHO as SCU and as SCP.
import { Uids } from '../dicom';
import { CommandField, NO_DATASET } from '../dimse';
import { IncomingMessage } from '../dimse';
import { Status } from '../dimse';
import { NoAcceptedContextError, ServiceAssociation, findAcceptedContext } from './context';

export interface EchoResult {
  status: number;
  /** Round trip of the C-ECHO-RQ/RSP exchange, in milliseconds. */
  roundTripMs: number;
}

export async function echoScu(sa: ServiceAssociation): Promise<EchoResult> {
  const ctx = findAcceptedContext(sa.association, Uids.Verification);
  if (!ctx) throw new NoAcceptedContextError('the peer did not accept the Verification SOP class');
  const messageId = sa.channel.nextMessageId();
  const responses = sa.channel.expectResponses(messageId);
  const started = process.hrtime.bigint();
  await sa.channel.send(ctx.id, {
    commandField: CommandField.CEchoRq, messageId, affectedSopClassUid: Uids.Verification, commandDataSetType: NO_DATASET,
  });
  // C-ECHO has one response, final: the first is the answer (no loop to leave, so no return()).
  const response = await responses.next();
  if (response.done) throw new Error('the association ended without a C-ECHO response');
  return { status: response.value.command.status ?? Status.Success, roundTripMs: Number(process.hrtime.bigint() - started) / 1e6 };
}

/** Answers a C-ECHO-RQ. `status` lets a server refuse (e.g. while shutting down); default success. */
export function echoScp(sa: ServiceAssociation, request: IncomingMessage, status: number = Status.Success): Promise<void> {
  return sa.channel.send(request.contextId, {
    commandField: CommandField.CEchoRsp,
    messageIdBeingRespondedTo: request.command.messageId,
    affectedSopClassUid: request.command.affectedSopClassUid ?? Uids.Verification,
    commandDataSetType: NO_DATASET,
    status,
  });
}
