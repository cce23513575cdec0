// C-MOVE and C-GET SCPs (PS3.4 C.4.2, C.4.3): the matching instances go out as C-STORE
// sub-operations (bit-preserving from the archive files), to a registered destination (MOVE) or
// back over the same association (GET), with pending counts, C-CANCEL and the Failed SOP
// Instance UID List.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Dataset } from '../dicom';
import { encodeDataset } from '../dicom';
import { currentStorageSopClasses } from '../dicom';
import { Command, CommandField, DATASET_PRESENT, NO_DATASET } from '../dimse';
import { IncomingMessage } from '../dimse';
import { Status, statusClass } from '../dimse';
import { RoleSelection } from '../net';
import { ServiceAssociation } from './context';
import { QUERY_TRANSFER_SYNTAXES, failureResponse, prepareQuery } from './find-scp';
import { CompiledQuery, QueryIdentifierError } from './query';
import { RetrievableInstance } from './query-backend';
import { ScpService } from './scp-service';
import { groupForAssociations } from './store-contexts';
import { StoreOptions, storeFiles } from './store-scu';
import { allTransferSyntaxes } from './store-scp';

/** An association to a C-MOVE destination, opened for a group of files. */
export interface SubOperationAssociation {
  sa: ServiceAssociation;
  close(): Promise<void>;
}

/** A known C-MOVE destination: opens associations to it. */
export interface MoveDestination {
  aeTitle: string;
  open(files: readonly RetrievableInstance[]): Promise<SubOperationAssociation>;
}

export interface RetrieveScpOptions {
  caseInsensitivePersonNames?: boolean;
  isKeySupported?: (tag: number) => boolean;
  onRetrieve?: (info: { peer: string; operation: 'move' | 'get'; destination?: string; completed: number; failed: number; warning: number; cancelled: boolean; status: number; ms: number }) => void;
}

interface Counts { remaining: number; completed: number; failed: number; warning: number }

function finalStatus(counts: Counts, cancelled: boolean): number {
  if (cancelled) return Status.Cancel;
  if (counts.failed === 0 && counts.warning === 0) return Status.Success;
  if (counts.completed === 0 && counts.warning === 0) return Status.OutOfResourcesSubOperations;
  return Status.SubOperationsCompleteWithFailures;
}

abstract class RetrieveScp implements ScpService {
  abstract readonly name: string;
  protected abstract readonly requestField: number;
  protected abstract readonly responseField: number;
  protected readonly table: Map<string, readonly string[]>;

  constructor(sopClasses: readonly string[], protected readonly retrieve: (query: CompiledQuery) => RetrievableInstance[],
    protected readonly options: RetrieveScpOptions = {}) {
    this.table = new Map(sopClasses.map((uid) => [uid, QUERY_TRANSFER_SYNTAXES]));
  }

  contexts(): ReadonlyMap<string, readonly string[]> {
    return this.table;
  }

  handles(command: Command, abstractSyntax: string): boolean {
    return command.commandField === this.requestField && this.table.has(abstractSyntax);
  }

  abstract handle(sa: ServiceAssociation, request: IncomingMessage): Promise<void>;

  protected respond(sa: ServiceAssociation, request: IncomingMessage, status: number, counts: Counts | undefined, failedUids: string[] = [], comment?: string): Promise<void> {
    let dataset: Buffer | undefined;
    // The Failed SOP Instance UID List goes with every final status that reports failed
    // sub-operations (Warning, Cancel, and the all-failed A702), never with Pending or Success.
    const kind = statusClass(status);
    if (failedUids.length > 0 && kind !== 'pending' && kind !== 'success') {
      const ds = new Dataset();
      ds.set('FailedSOPInstanceUIDList', 'UI', failedUids);
      dataset = encodeDataset(ds, sa.association.contexts.get(request.contextId)!.transferSyntax);
    }
    return sa.channel.send(request.contextId, {
      commandField: this.responseField, messageIdBeingRespondedTo: request.command.messageId,
      affectedSopClassUid: request.command.affectedSopClassUid,
      commandDataSetType: dataset ? DATASET_PRESENT : NO_DATASET, status,
      ...(counts ? {
        // Remaining sub-operations only in Pending and Cancel responses (PS3.4 C.4.2.1.6, C.4.3.1.3).
        ...(kind === 'pending' || kind === 'cancel' ? { numberOfRemainingSuboperations: counts.remaining } : {}),
        numberOfCompletedSuboperations: counts.completed,
        numberOfFailedSuboperations: counts.failed, numberOfWarningSuboperations: counts.warning,
      } : {}),
      ...(comment ? { errorComment: comment.slice(0, 64) } : {}),
    }, dataset);
  }

  /** Prepares the request; on failure answers it and returns undefined. */
  protected async instancesFor(sa: ServiceAssociation, request: IncomingMessage, operation: 'move' | 'get'): Promise<RetrievableInstance[] | undefined> {
    const ts = sa.association.contexts.get(request.contextId)!.transferSyntax;
    const prepared = prepareQuery(request, ts, operation, this.options);
    if ('error' in prepared) {
      await sa.channel.send(request.contextId, failureResponse(request, this.responseField, prepared.error));
      return undefined;
    }
    try {
      return this.retrieve(prepared.query);
    } catch (error) {
      await sa.channel.send(request.contextId, failureResponse(request, this.responseField,
        new QueryIdentifierError(`the matches could not be listed: ${(error as Error).message}`, Status.OutOfResourcesMatches)));
      return undefined;
    }
  }

  /**
   * Runs the sub-operations: for each group of instances an association (MOVE: to the
   * destination; GET: the request's own), one C-STORE per instance, a pending response after each.
   */
  protected async runSubOperations(sa: ServiceAssociation, request: IncomingMessage, instances: RetrievableInstance[],
    open: (group: RetrievableInstance[]) => Promise<SubOperationAssociation>, options: StoreOptions,
  ): Promise<{ counts: Counts; failedUids: string[]; cancelled: boolean; status: number }> {
    const counts: Counts = { remaining: instances.length, completed: 0, failed: 0, warning: 0 };
    const failedUids: string[] = [];
    const fail = (instance: RetrievableInstance) => { counts.failed++; counts.remaining--; failedUids.push(instance.sopInstanceUid); };
    // A C-CANCEL, or the requestor gone: no further sub-operation starts.
    const stop = new AbortController();
    let cancelled = false;
    const stopListening = sa.channel.onCancel(request.command.messageId ?? 0, () => { cancelled = true; stop.abort(); });
    try {
      for (const group of groupForAssociations(instances)) {
        if (stop.signal.aborted) break;
        let target: SubOperationAssociation;
        try {
          target = await open(group);
        } catch {
          // The destination cannot be reached: every instance of the group fails.
          for (const i of group) fail(i);
          continue;
        }
        let reported = 0;
        try {
          if (!sa.association.isEstablished) break;
          // One after the other, each file read while the previous one is sent and answered.
          await storeFiles(target.sa, group, async (result, index) => {
            reported = index + 1;
            counts.remaining--;
            if (result.outcome === 'success') counts.completed++;
            else if (result.outcome === 'warning') counts.warning++;
            else { counts.failed++; failedUids.push(group[index].sopInstanceUid); }
            if (counts.remaining > 0) await this.respond(sa, request, Status.Pending, counts);
            if (!sa.association.isEstablished) stop.abort();
            await yieldToEventLoop();
          }, { ...options, signal: stop.signal });
          // A file whose data failed half-way aborted the destination's association: the rest of the group failed.
          if (!stop.signal.aborted) for (const i of group.slice(reported)) fail(i);
        } catch {
          // The destination's association ended: what it did not answer for failed.
          if (stop.signal.aborted || !sa.association.isEstablished) break;
          for (const i of group.slice(reported)) fail(i);
        } finally {
          await target.close();
        }
      }
    } finally {
      stopListening();
    }
    return { counts, failedUids, cancelled, status: finalStatus(counts, cancelled) };
  }
}

export class MoveScp extends RetrieveScp {
  readonly name = 'move';
  protected readonly requestField = CommandField.CMoveRq;
  protected readonly responseField = CommandField.CMoveRsp;

  constructor(sopClasses: readonly string[], retrieve: (query: CompiledQuery) => RetrievableInstance[],
    private readonly destination: (aeTitle: string, requestor: string) => MoveDestination | undefined, options: RetrieveScpOptions = {}) {
    super(sopClasses, retrieve, options);
  }

  async handle(sa: ServiceAssociation, request: IncomingMessage): Promise<void> {
    const started = Date.now();
    const destinationTitle = request.command.moveDestination ?? '';
    const destination = this.destination(destinationTitle, sa.peerAeTitle);
    if (!destination) {
      await this.respond(sa, request, Status.MoveDestinationUnknown, undefined, [],
        `unknown destination ${destinationTitle}: register it as --dest ${destinationTitle}=HOST:PORT`);
      this.options.onRetrieve?.({ peer: sa.peerAeTitle, operation: 'move', destination: destinationTitle, completed: 0, failed: 0, warning: 0, cancelled: false, status: Status.MoveDestinationUnknown, ms: Date.now() - started });
      return;
    }
    const instances = await this.instancesFor(sa, request, 'move');
    if (!instances) return;
    const messageId = request.command.messageId ?? 0;
    const outcome = await this.runSubOperations(sa, request, instances, (group) => destination.open(group),
      { moveOriginatorAeTitle: sa.peerAeTitle, moveOriginatorMessageId: messageId });
    if (sa.association.isEstablished) await this.respond(sa, request, outcome.status, outcome.counts, outcome.failedUids);
    this.options.onRetrieve?.({ peer: sa.peerAeTitle, operation: 'move', destination: destinationTitle, ...outcome.counts, cancelled: outcome.cancelled, status: outcome.status, ms: Date.now() - started });
  }
}

export class GetScp extends RetrieveScp {
  readonly name = 'get';
  protected readonly requestField = CommandField.CGetRq;
  protected readonly responseField = CommandField.CGetRsp;
  private readonly storage: Map<string, readonly string[]>;

  constructor(sopClasses: readonly string[], retrieve: (query: CompiledQuery) => RetrievableInstance[], options: RetrieveScpOptions = {}) {
    super(sopClasses, retrieve, options);
    // The requestor receives on storage contexts it proposed with the SCP role.
    const syntaxes = allTransferSyntaxes();
    this.storage = new Map(currentStorageSopClasses().map((uid) => [uid, syntaxes]));
  }

  override contexts(): ReadonlyMap<string, readonly string[]> {
    return new Map([...this.table, ...this.storage]);
  }

  roles(sopClassUid: string, proposed: RoleSelection): { scu: boolean; scp: boolean } | undefined {
    if (!this.storage.has(sopClassUid)) return undefined;
    return { scu: proposed.scuRole === 1, scp: proposed.scpRole === 1 };
  }

  async handle(sa: ServiceAssociation, request: IncomingMessage): Promise<void> {
    const started = Date.now();
    const instances = await this.instancesFor(sa, request, 'get');
    if (!instances) return;
    // One association: the request's own. Contexts were negotiated up front, so all instances form one group.
    const own: SubOperationAssociation = { sa, close: async () => undefined };
    const outcome = await this.runSubOperations(sa, request, instances, async () => own,
      { requireRequestorScp: true });
    if (sa.association.isEstablished) await this.respond(sa, request, outcome.status, outcome.counts, outcome.failedUids);
    this.options.onRetrieve?.({ peer: sa.peerAeTitle, operation: 'get', ...outcome.counts, cancelled: outcome.cancelled, status: outcome.status, ms: Date.now() - started });
  }
}
