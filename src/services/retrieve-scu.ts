// C-MOVE and C-GET SCU (PS3.4 C.4.2, C.4.3): sub-operation progress as it arrives; for C-GET the
// instances come back as C-STOREs on the same association and go into a StoreBackend.
import { Dataset } from '../dicom';
import { encodeDataset, parseDataset } from '../dicom';
import { ExplicitVRLittleEndian, ImplicitVRLittleEndian } from '../dicom';
import { Tags } from '../dicom';
import { CommandField, DATASET_PRESENT, Priority } from '../dimse';
import { IncomingMessage } from '../dimse';
import { formatStatus, statusClass } from '../dimse';
import { NoAcceptedContextError, ServiceAssociation, findAcceptedContext } from './context';
import { cancellation, finishResponses } from './find-scu';
import { GET_SOP_CLASSES, MOVE_SOP_CLASSES, QueryFailedError, QueryModelName } from './query-models';
import { StoreBackend } from './storage';
import { StoreReceiver } from './store-scp';

export interface RetrieveProgress {
  remaining?: number;
  completed: number;
  failed: number;
  warning: number;
}

export interface RetrieveSummary extends RetrieveProgress {
  status: number;
  cancelled: boolean;
  failedSopInstanceUids: string[];
  comment?: string;
}

export interface RetrieveOptions {
  model: Exclude<QueryModelName, 'worklist'>;
  signal?: AbortSignal;
  priority?: number;
}

function progressOf(message: IncomingMessage): RetrieveProgress {
  const c = message.command;
  return {
    remaining: c.numberOfRemainingSuboperations,
    completed: c.numberOfCompletedSuboperations ?? 0,
    failed: c.numberOfFailedSuboperations ?? 0,
    warning: c.numberOfWarningSuboperations ?? 0,
  };
}

async function* retrieve(sa: ServiceAssociation, sopClass: string, commandField: number, identifier: Dataset,
  options: RetrieveOptions, moveDestination?: string): AsyncGenerator<RetrieveProgress, RetrieveSummary> {
  const ctx = findAcceptedContext(sa.association, sopClass, [ExplicitVRLittleEndian, ImplicitVRLittleEndian]);
  const what = commandField === CommandField.CMoveRq ? 'C-MOVE' : 'C-GET';
  if (!ctx) throw new NoAcceptedContextError(`the peer did not accept ${what} in the ${options.model} root model`);
  const messageId = sa.channel.nextMessageId();
  const responses = sa.channel.expectResponses(messageId);
  await sa.channel.send(ctx.id, {
    commandField, messageId, affectedSopClassUid: sopClass, priority: options.priority ?? Priority.Medium,
    commandDataSetType: DATASET_PRESENT, ...(moveDestination ? { moveDestination } : {}),
  }, encodeDataset(identifier, ctx.transferSyntax));
  const cancelling = cancellation(sa, ctx.id, responses, options.signal);
  let finished = false;
  try {
    for await (const response of responses) {
      const status = response.command.status ?? 0;
      const kind = statusClass(status);
      const progress = progressOf(response);
      if (kind === 'pending') {
        yield progress;
        continue;
      }
      finished = true;
      const failedSopInstanceUids = response.dataset
        ? parseDataset(response.dataset, ctx.transferSyntax).strings(Tags.FailedSOPInstanceUIDList) ?? []
        : [];
      if (kind === 'failure' && progress.completed === 0 && progress.failed === 0) {
        throw new QueryFailedError(`the ${what} failed: ${formatStatus(status, commandField === CommandField.CMoveRq ? 'move' : 'get')}${response.command.errorComment ? ` (${response.command.errorComment})` : ''}`,
          status, response.command.errorComment);
      }
      return { ...progress, status, cancelled: kind === 'cancel', failedSopInstanceUids, comment: response.command.errorComment };
    }
    throw new Error(`the association ended without a final ${what} response`);
  } finally {
    // Leaving the loop early cancels the retrieval, as for C-FIND.
    await finishResponses(sa, cancelling, responses, finished);
  }
}

/** C-MOVE: asks the peer to send the matches to `destination` (an AE title the peer knows). */
export function moveScu(sa: ServiceAssociation, identifier: Dataset, destination: string, options: RetrieveOptions): AsyncGenerator<RetrieveProgress, RetrieveSummary> {
  return retrieve(sa, MOVE_SOP_CLASSES[options.model], CommandField.CMoveRq, identifier, options, destination);
}

/**
 * C-GET: the matches come back on this association as C-STOREs (on the storage contexts where we
 * accepted the SCP role) and are written through `backend`.
 */
export async function* getScu(sa: ServiceAssociation, identifier: Dataset, backend: StoreBackend, options: RetrieveOptions): AsyncGenerator<RetrieveProgress, RetrieveSummary> {
  const receiver = new StoreReceiver(backend);
  sa.channel.setRequestHooks({
    sinkFor: (contextId, command) => (command.commandField === CommandField.CStoreRq ? receiver.sinkFor(sa, contextId, command) : undefined),
    onRequest: (message) => {
      if (message.command.commandField !== CommandField.CStoreRq) {
        sa.association.abortAsProvider(5, `the peer sent ${message.command.commandField.toString(16)} during a C-GET`);
        return;
      }
      receiver.respond(sa, message).catch(() => sa.association.abort());
    },
  });
  return yield* retrieve(sa, GET_SOP_CLASSES[options.model], CommandField.CGetRq, identifier, options);
}
