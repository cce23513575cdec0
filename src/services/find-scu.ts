// C-FIND SCU (PS3.4 C.4.1, K.4.1): pending identifiers as an async iterator; cancellation with C-CANCEL.
import { Dataset } from '../dicom';
import { encodeDataset, parseDataset } from '../dicom';
import { ExplicitVRLittleEndian, ImplicitVRLittleEndian } from '../dicom';
import { CommandField, DATASET_PRESENT, NO_DATASET, Priority } from '../dimse';
import { formatStatus, statusClass } from '../dimse';
import { ResponseStream } from '../dimse';
import { NoAcceptedContextError, ServiceAssociation, findAcceptedContext } from './context';
import { FIND_SOP_CLASSES, QueryFailedError, QueryModelName } from './query-models';

export interface FindOptions {
  model: QueryModelName;
  signal?: AbortSignal;
  priority?: number;
}

export interface FindSummary {
  status: number;
  matches: number;
  cancelled: boolean;
  /** The final status was a warning (answered with matches anyway). */
  warning: boolean;
}

/** Sends C-CANCEL-RQ for an outstanding request (PS3.7 9.3.2.3). */
export function sendCancel(sa: ServiceAssociation, contextId: number, messageId: number): Promise<void> {
  return sa.channel.send(contextId, { commandField: CommandField.CCancelRq, messageIdBeingRespondedTo: messageId, commandDataSetType: NO_DATASET });
}

/**
 * Cancellation of an outstanding request: `cancel()` sends C-CANCEL once (while the association
 * stands and the final response has not arrived: a request already answered is no longer
 * outstanding, PS3.7 9.3.2.3), and so does aborting `signal`; `dispose()` stops listening to the signal.
 */
export function cancellation(sa: ServiceAssociation, contextId: number, responses: ResponseStream, signal?: AbortSignal) {
  const messageId = responses.messageId;
  let sent = false;
  const cancel = () => {
    if (sent || !sa.association.isEstablished || responses.answered) return;
    sent = true;
    void sendCancel(sa, contextId, messageId).catch(() => undefined);
  };
  signal?.addEventListener('abort', cancel, { once: true });
  if (signal?.aborted) cancel();
  return { cancel, get sent() { return sent; }, dispose: () => signal?.removeEventListener('abort', cancel) };
}

/**
 * After a loop over a request's responses: when the final response has not arrived (the caller
 * stopped early), cancel the request and take the responses still to come, so the association
 * stays usable. Otherwise just stop listening to the signal.
 */
export async function finishResponses(sa: ServiceAssociation, cancelling: ReturnType<typeof cancellation>, responses: ResponseStream, finished: boolean): Promise<void> {
  cancelling.dispose();
  if (finished || !sa.association.isEstablished) return;
  cancelling.cancel();
  await responses.drain();
}

/**
 * Runs one C-FIND. Yields each pending identifier as it arrives and returns the summary.
 * Aborting the signal, or leaving the loop early, sends C-CANCEL and waits for the final response.
 */
export async function* findScu(sa: ServiceAssociation, identifier: Dataset, options: FindOptions): AsyncGenerator<Dataset, FindSummary> {
  const sopClass = FIND_SOP_CLASSES[options.model];
  const ctx = findAcceptedContext(sa.association, sopClass, [ExplicitVRLittleEndian, ImplicitVRLittleEndian]);
  if (!ctx) throw new NoAcceptedContextError(`the peer did not accept the ${options.model === 'worklist' ? 'Modality Worklist' : `${options.model} root query`} model`);
  const messageId = sa.channel.nextMessageId();
  const responses = sa.channel.expectResponses(messageId);
  await sa.channel.send(ctx.id, {
    commandField: CommandField.CFindRq, messageId, affectedSopClassUid: sopClass,
    priority: options.priority ?? Priority.Medium, commandDataSetType: DATASET_PRESENT,
  }, encodeDataset(identifier, ctx.transferSyntax));
  const cancelling = cancellation(sa, ctx.id, responses, options.signal);
  let matches = 0;
  let finished = false;
  try {
    for await (const response of responses) {
      const status = response.command.status ?? 0;
      const kind = statusClass(status);
      if (kind === 'pending') {
        if (!response.dataset) continue;
        matches++;
        // After a cancel (sent, or not needed because the answer is complete) what still comes is counted, not passed on.
        if (!options.signal?.aborted) yield parseDataset(response.dataset, ctx.transferSyntax);
        continue;
      }
      finished = true;
      if (kind === 'failure') {
        throw new QueryFailedError(`the C-FIND failed: ${formatStatus(status, 'find')}${response.command.errorComment ? ` (${response.command.errorComment})` : ''}`,
          status, response.command.errorComment);
      }
      return { status, matches, cancelled: kind === 'cancel', warning: kind === 'warning' };
    }
    throw new Error('the association ended without a final C-FIND response');
  } finally {
    await finishResponses(sa, cancelling, responses, finished);
  }
}
