// C-FIND SCP for the Query/Retrieve models and Modality Worklist: identifiers validated and
// compiled once, matches streamed as pending responses, C-CANCEL honoured between them.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Dataset } from '../dicom';
import { encodeDataset, parseDataset } from '../dicom';
import { ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian } from '../dicom';
import { Command, CommandField, DATASET_PRESENT, NO_DATASET } from '../dimse';
import { IncomingMessage } from '../dimse';
import { Status } from '../dimse';
import { ServiceAssociation } from './context';
import { CompiledQuery, compileQuery, validateIdentifier, buildResponseIdentifier, modelForSopClass, QueryIdentifierError } from './query';
import { MatchedEntity } from './query-backend';
import { ScpService } from './scp-service';

export const QUERY_TRANSFER_SYNTAXES = [ExplicitVRLittleEndian, ImplicitVRLittleEndian, ExplicitVRBigEndian] as const;

export interface FindScpOptions {
  caseInsensitivePersonNames?: boolean;
  relational?: boolean;
  /** Keys the backend can match on; others are answered (empty) but not matched, with status FF01. */
  isKeySupported?: (tag: number) => boolean;
  /**
   * Called once per C-FIND with the number of matches sent, whether it was cancelled, and what
   * is worth logging about the identifier (keys accepted but not matched, and the like).
   */
  onFind?: (info: { peer: string; level: string; matches: number; cancelled: boolean; ms: number; status: number; warnings: readonly string[] }) => void;
}

/** A parsed, validated and compiled identifier, or the failure response to send. */
export function prepareQuery(request: IncomingMessage, transferSyntaxUid: string, operation: 'find' | 'move' | 'get',
  options: { caseInsensitivePersonNames?: boolean; relational?: boolean; isKeySupported?: (tag: number) => boolean } = {}): { query: CompiledQuery } | { error: QueryIdentifierError } {
  const found = modelForSopClass(request.command.affectedSopClassUid ?? '');
  if (!found) return { error: new QueryIdentifierError('the SOP class is not a query model', Status.SopClassNotSupported) };
  if (!request.dataset) return { error: new QueryIdentifierError('the request has no identifier', Status.IdentifierDoesNotMatchSopClass) };
  let identifier: Dataset;
  try {
    identifier = parseDataset(request.dataset, transferSyntaxUid);
  } catch (error) {
    return { error: new QueryIdentifierError(`the identifier cannot be parsed: ${(error as Error).message}`, Status.UnableToProcess) };
  }
  const validation = validateIdentifier(identifier, { model: found.model, operation, relational: options.relational });
  if (!validation.ok) return { error: validation.error };
  try {
    return { query: compileQuery(identifier, {
      model: found.model, operation, level: validation.level, relational: options.relational,
      caseInsensitivePersonNames: options.caseInsensitivePersonNames,
      // Worklist items are whole data sets: every key can be matched there.
      isKeySupported: found.model.name === 'ModalityWorklist' ? undefined : options.isKeySupported,
    }) };
  } catch (error) {
    if (error instanceof QueryIdentifierError) return { error };
    return { error: new QueryIdentifierError((error as Error).message, Status.UnableToProcess) };
  }
}

export function failureResponse(request: IncomingMessage, commandField: number, error: QueryIdentifierError): Command {
  return {
    commandField, messageIdBeingRespondedTo: request.command.messageId, affectedSopClassUid: request.command.affectedSopClassUid,
    commandDataSetType: NO_DATASET, status: error.status, errorComment: error.errorComment,
    ...(error.offendingElements.length ? { offendingElement: [...error.offendingElements] } : {}),
  };
}

/** How often a long answer gives the event loop a turn, so a C-CANCEL can be read. */
const YIELD_EVERY = 32;

export class FindScp implements ScpService {
  readonly name: string;
  private readonly table: Map<string, readonly string[]>;

  constructor(private readonly sopClasses: readonly string[], private readonly find: (query: CompiledQuery) => Iterable<MatchedEntity>,
    private readonly options: FindScpOptions = {}, name = 'find') {
    this.name = name;
    this.table = new Map(sopClasses.map((uid) => [uid, QUERY_TRANSFER_SYNTAXES]));
  }

  contexts(): ReadonlyMap<string, readonly string[]> {
    return this.table;
  }

  handles(command: Command, abstractSyntax: string): boolean {
    return command.commandField === CommandField.CFindRq && this.table.has(abstractSyntax);
  }

  async handle(sa: ServiceAssociation, request: IncomingMessage): Promise<void> {
    const started = Date.now();
    const ts = sa.association.contexts.get(request.contextId)!.transferSyntax;
    const messageId = request.command.messageId ?? 0;
    const prepared = prepareQuery(request, ts, 'find', this.options);
    if ('error' in prepared) {
      await sa.channel.send(request.contextId, failureResponse(request, CommandField.CFindRsp, prepared.error));
      return;
    }
    const { query } = prepared;
    let cancelled = false;
    const stopListening = sa.channel.onCancel(messageId, () => { cancelled = true; });
    const pendingStatus = query.unsupportedKeys.length > 0 ? Status.PendingWarning : Status.Pending;
    let matches = 0;
    let status: number = Status.Success;
    try {
      for (const match of this.find(query)) {
        if (cancelled || !sa.association.isEstablished) break;
        const identifier = buildResponseIdentifier(query, match.record, { characterSet: match.characterSet });
        await sa.channel.send(request.contextId, {
          commandField: CommandField.CFindRsp, messageIdBeingRespondedTo: messageId,
          affectedSopClassUid: request.command.affectedSopClassUid, commandDataSetType: DATASET_PRESENT, status: pendingStatus,
        }, encodeDataset(identifier, ts));
        matches++;
        if (matches % YIELD_EVERY === 0) await yieldToEventLoop();
      }
      if (cancelled) status = Status.Cancel;
    } catch (error) {
      status = Status.UnableToProcess;
      if (!sa.association.isEstablished) throw error;
    } finally {
      stopListening();
    }
    if (!sa.association.isEstablished) return;
    await sa.channel.send(request.contextId, {
      commandField: CommandField.CFindRsp, messageIdBeingRespondedTo: messageId,
      affectedSopClassUid: request.command.affectedSopClassUid, commandDataSetType: NO_DATASET, status,
      ...(status === Status.UnableToProcess ? { errorComment: 'the query could not be completed' } : {}),
    });
    this.options.onFind?.({ peer: sa.peerAeTitle, level: query.level, matches, cancelled, ms: Date.now() - started, status, warnings: query.warnings });
  }
}
