// The performing side of the DIMSE-N services: a server service for a set of SOP classes that
// checks each request against PS3.7 10.3, parses its data set, hands it to the handler of its
// service, and answers with the response the handler describes. Requests of an N service the
// SOP classes do not offer are answered "Unrecognized operation" (0211) rather than aborted.
import { Dataset } from '../dicom';
import { encodeDataset, parseDataset } from '../dicom';
import { ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian } from '../dicom';
import { Command, commandName, hasDataset } from '../dimse';
import { IncomingMessage } from '../dimse';
import { NResponseFields, buildNResponse, checkNRequest, nRequestTarget, nServiceOf } from '../dimse';
import { NServiceName } from '../dimse';
import { Status } from '../dimse';
import { RoleSelection } from '../net';
import { ServiceAssociation } from './context';
import { ScpService } from './scp-service';

export const N_TRANSFER_SYNTAXES = [ExplicitVRLittleEndian, ImplicitVRLittleEndian, ExplicitVRBigEndian] as const;

export interface NRequest {
  sa: ServiceAssociation;
  message: IncomingMessage;
  service: NServiceName;
  sopClassUid: string;
  /** Absent only for an N-CREATE that leaves the UID to us. */
  sopInstanceUid?: string;
  /** The request's data set, parsed in the context's transfer syntax. */
  dataset?: Dataset;
  transferSyntaxUid: string;
}

export interface NOutcome extends Omit<NResponseFields, 'hasDataset'> {
  /** The response's data set (Attribute List, Action Reply, Event Reply). */
  dataset?: Dataset;
  /** Runs once the response was sent, without holding the association (e.g. a storage commitment report). */
  after?: () => Promise<void>;
}

export type NHandler = (request: NRequest) => NOutcome | Promise<NOutcome>;

export interface NServiceScpOptions {
  name: string;
  /** SOP classes the requests may name; each is also accepted as a presentation context. */
  sopClasses: readonly string[];
  handlers: Partial<Record<NServiceName, NHandler>>;
  transferSyntaxes?: readonly string[];
  roles?: ScpService['roles'];
  /** A handler, or its `after`, failed unexpectedly (the request was answered 0110 when it could be). */
  onError?: (error: Error, request: Command) => void;
}

export class NServiceScp implements ScpService {
  readonly name: string;
  private readonly table: Map<string, readonly string[]>;

  constructor(private readonly options: NServiceScpOptions) {
    this.name = options.name;
    const syntaxes = options.transferSyntaxes ?? N_TRANSFER_SYNTAXES;
    this.table = new Map(options.sopClasses.map((uid) => [uid, syntaxes]));
  }

  contexts(): ReadonlyMap<string, readonly string[]> {
    return this.table;
  }

  roles(sopClassUid: string, proposed: RoleSelection): { scu: boolean; scp: boolean } | undefined {
    return this.options.roles?.(sopClassUid, proposed);
  }

  /**
   * Only the operations it has a handler for: two services may share a SOP class (Storage
   * Commitment: the SCP takes N-ACTIONs, the report receiver N-EVENT-REPORTs on the same server).
   */
  handles(command: Command, abstractSyntax: string): boolean {
    const spec = nServiceOf(command.commandField);
    return spec !== undefined && spec.request === command.commandField && this.table.has(abstractSyntax)
      && this.options.handlers[spec.service] !== undefined;
  }

  async handle(sa: ServiceAssociation, message: IncomingMessage): Promise<void> {
    const command = message.command;
    const spec = nServiceOf(command.commandField)!;
    const ts = sa.association.contexts.get(message.contextId)!.transferSyntax;
    const respond = async (outcome: NOutcome): Promise<boolean> => {
      let body: Buffer | undefined;
      if (outcome.dataset && spec.responseDataset) {
        try {
          body = encodeDataset(outcome.dataset, ts);
        } catch (error) {
          this.options.onError?.(error as Error, command);
          outcome = { status: Status.ProcessingFailure, errorComment: 'the response data set could not be encoded' };
        }
      }
      if (!sa.association.isEstablished && !sa.association.isReleaseRequested) return false;
      await sa.channel.send(message.contextId, buildNResponse(command, { ...outcome, hasDataset: body !== undefined }), body);
      return true;
    };
    const handler = this.options.handlers[spec.service];
    if (!handler) {
      await respond({ status: Status.UnrecognizedOperation, errorComment: `${commandName(command)} is not offered for this SOP class` });
      return;
    }
    const problem = checkNRequest(command, hasDataset(command) && (message.dataset?.length ?? 0) > 0);
    if (problem) {
      await respond({ status: problem.status, errorComment: problem.comment });
      return;
    }
    const target = nRequestTarget(command);
    if (!this.table.has(target.sopClassUid!)) {
      await respond({ status: Status.NoSuchSopClass, errorComment: `SOP class ${target.sopClassUid} is not offered here` });
      return;
    }
    let dataset: Dataset | undefined;
    if (message.dataset && message.dataset.length > 0) {
      try {
        dataset = parseDataset(message.dataset, ts);
      } catch (error) {
        await respond({ status: Status.ProcessingFailure, errorComment: `the data set cannot be parsed: ${(error as Error).message}` });
        return;
      }
    }
    let outcome: NOutcome;
    try {
      outcome = await handler({
        sa, message, service: spec.service, sopClassUid: target.sopClassUid!, sopInstanceUid: target.sopInstanceUid, dataset, transferSyntaxUid: ts,
      });
    } catch (error) {
      this.options.onError?.(error as Error, command);
      outcome = { status: Status.ProcessingFailure, errorComment: 'the request could not be processed' };
    }
    const sent = await respond(outcome);
    if (sent && outcome.after) {
      void outcome.after().catch((error: Error) => this.options.onError?.(error, command));
    }
  }
}
