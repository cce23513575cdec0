// How an association ended, in words, from what its state machine saw: the error it closed with,
// the A-ASSOCIATE-RJ, who sent an A-ABORT and who asked to release.
import { AssociationAbortedError, AssociationRejectedError, NetworkError, TimeoutError } from '../../net';
import { AAssociateRj } from '../../net';
import { abortWords, describeReject, rejectWords } from '../../net';
import { AssociationDirection, RecordedAbort, RecordedOutcome } from './record';

export interface EndingFacts {
  direction: AssociationDirection;
  /** The error the association closed with (none after a release, or after we rejected). */
  error: Error | undefined;
  rejection: AAssociateRj | undefined;
  /** Whether an A-ASSOCIATE-RQ was sent or received. */
  requested: boolean;
  /** Whether an A-ASSOCIATE-AC was sent or received. */
  accepted: boolean;
  /** Whether the transport connection was ever open. */
  connected: boolean;
  /** Who sent an A-ABORT, if anyone did. */
  abortSentBy: 'us' | 'peer' | undefined;
  /** Who asked to release first, if anyone did. */
  releaseRequestedBy: 'us' | 'peer' | undefined;
}

export function outcomeOf(facts: EndingFacts): RecordedOutcome {
  const { error } = facts;
  if (facts.rejection) {
    const rj = facts.rejection;
    const words = rejectWords(rj.result, rj.source, rj.reason);
    // An outbound association is rejected by the peer; an inbound one by us.
    const by = facts.direction === 'outbound' ? 'peer' : 'us';
    return {
      kind: 'rejected',
      description: describeReject(rj.result, rj.source, rj.reason),
      rejection: { result: rj.result, source: rj.source, reason: rj.reason, resultText: words.result, sourceText: words.source, reasonText: words.reason, by },
    };
  }
  if (error instanceof TimeoutError) {
    return { kind: 'timed-out', description: error.message, ...(facts.abortSentBy ? { abort: abortOf(facts.abortSentBy, error) } : {}) };
  }
  if (error instanceof AssociationAbortedError && error.source !== undefined) {
    const by = facts.abortSentBy ?? 'us';
    return { kind: 'aborted', description: error.message, abort: abortOf(by, error) };
  }
  if (error instanceof NetworkError || error instanceof AssociationAbortedError || error instanceof AssociationRejectedError) {
    return connectionEnded(facts, error.message);
  }
  if (error) {
    // Anything else (a local failure, a cancellation) ended it from our side.
    return { kind: 'aborted', description: error.message, abort: abortOf(facts.abortSentBy ?? 'us', undefined) };
  }
  if (facts.accepted && facts.releaseRequestedBy) {
    return {
      kind: 'released', releasedBy: facts.releaseRequestedBy,
      description: facts.releaseRequestedBy === 'us' ? 'released (we asked)' : 'released (the peer asked)',
    };
  }
  return connectionEnded(facts, facts.requested
    ? 'the connection closed before the association was released'
    : 'the peer closed the connection before sending an A-ASSOCIATE-RQ');
}

function connectionEnded(facts: EndingFacts, description: string): RecordedOutcome {
  return { kind: facts.connected ? 'connection-lost' : 'connection-failed', description };
}

function abortOf(by: 'us' | 'peer', error: Error | undefined): RecordedAbort {
  const abort: RecordedAbort = { by };
  if (error instanceof AssociationAbortedError && error.source !== undefined) {
    const words = abortWords(error.source, error.reason ?? 0);
    abort.source = error.source;
    abort.reason = error.reason ?? 0;
    abort.sourceText = words.source;
    abort.reasonText = words.reason;
  }
  return abort;
}
