// The invoking side of the DIMSE-N services (PS3.7 10.1): one request, one response, on the
// presentation context of the SOP class (or of a Meta SOP class that covers it, as in print
// management).
import { Dataset } from '../dicom';
import { encodeDataset, parseDataset } from '../dicom';
import { ExplicitVRLittleEndian, ImplicitVRLittleEndian } from '../dicom';
import { Command, commandName } from '../dimse';
import { NRequestFields, buildNRequest, checkNResponse } from '../dimse';
import { NServiceName } from '../dimse';
import { AbortReason } from '../net';
import { NoAcceptedContextError, ServiceAssociation, findAcceptedContext } from './context';

export interface NResponse {
  status: number;
  /** The response command as received (Affected SOP Instance UID, Error Comment, Error ID, …). */
  command: Command;
  /** The response's data set (Attribute List, Action Reply, Event Reply), parsed. */
  dataset?: Dataset;
}

export interface NRequestOptions {
  /** The abstract syntax of the context to use when it is not the SOP class (a Meta SOP class). */
  abstractSyntax?: string;
}

export class NResponseError extends Error {
  override name = 'NResponseError';
}

/** Sends one DIMSE-N request and waits for its response; a malformed response aborts the association. */
export async function nRequest(sa: ServiceAssociation, service: NServiceName, fields: Omit<NRequestFields, 'messageId' | 'hasDataset'>,
  dataset?: Dataset, options: NRequestOptions = {}): Promise<NResponse> {
  const abstractSyntax = options.abstractSyntax ?? fields.sopClassUid;
  const ctx = findAcceptedContext(sa.association, abstractSyntax, [ExplicitVRLittleEndian, ImplicitVRLittleEndian]);
  if (!ctx) throw new NoAcceptedContextError(`the peer did not accept a presentation context for ${abstractSyntax}`);
  const messageId = sa.channel.nextMessageId();
  const command = buildNRequest(service, { ...fields, messageId, hasDataset: dataset !== undefined });
  const responses = sa.channel.expectResponses(messageId);
  await sa.channel.send(ctx.id, command, dataset ? encodeDataset(dataset, ctx.transferSyntax) : undefined);
  for await (const response of responses) {
    const problem = checkNResponse(command, response.command);
    if (problem) {
      sa.association.abortAsProvider(AbortReason.UnexpectedPduParameter, problem);
      throw new NResponseError(problem);
    }
    let parsed: Dataset | undefined;
    if (response.dataset && response.dataset.length > 0) {
      try {
        parsed = parseDataset(response.dataset, ctx.transferSyntax);
      } catch (error) {
        throw new NResponseError(`the data set of the ${commandName(response.command)} cannot be parsed: ${(error as Error).message}`);
      }
    }
    return { status: response.command.status!, command: response.command, dataset: parsed };
  }
  throw new NResponseError(`the association ended without an answer to the ${commandName(command)}`);
}

export function nCreate(sa: ServiceAssociation, sopClassUid: string, attributes: Dataset | undefined, sopInstanceUid?: string,
  options?: NRequestOptions): Promise<NResponse> {
  return nRequest(sa, 'n-create', { sopClassUid, sopInstanceUid }, attributes, options);
}

export function nSet(sa: ServiceAssociation, sopClassUid: string, sopInstanceUid: string, modifications: Dataset,
  options?: NRequestOptions): Promise<NResponse> {
  return nRequest(sa, 'n-set', { sopClassUid, sopInstanceUid }, modifications, options);
}

export function nGet(sa: ServiceAssociation, sopClassUid: string, sopInstanceUid: string, attributes?: readonly number[],
  options?: NRequestOptions): Promise<NResponse> {
  return nRequest(sa, 'n-get', { sopClassUid, sopInstanceUid, attributeIdentifierList: attributes }, undefined, options);
}

export function nAction(sa: ServiceAssociation, sopClassUid: string, sopInstanceUid: string, actionTypeId: number,
  information?: Dataset, options?: NRequestOptions): Promise<NResponse> {
  return nRequest(sa, 'n-action', { sopClassUid, sopInstanceUid, actionTypeId }, information, options);
}

export function nDelete(sa: ServiceAssociation, sopClassUid: string, sopInstanceUid: string, options?: NRequestOptions): Promise<NResponse> {
  return nRequest(sa, 'n-delete', { sopClassUid, sopInstanceUid }, undefined, options);
}

export function nEventReport(sa: ServiceAssociation, sopClassUid: string, sopInstanceUid: string, eventTypeId: number,
  information?: Dataset, options?: NRequestOptions): Promise<NResponse> {
  return nRequest(sa, 'n-event-report', { sopClassUid, sopInstanceUid, eventTypeId }, information, options);
}
