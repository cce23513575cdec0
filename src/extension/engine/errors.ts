// Engine errors as the one sentence a person reads in the tree, a notification or the log: what
// happened and, where there is one, what to do about it.
import { QueryKeyError } from '../../services';
import { QueryFailedError } from '../../services';
import { NoAcceptedContextError } from '../../services';
import {
  AssociationAbortedError, AssociationRejectedError, NetworkError, OperationAbortedError, TimeoutError,
} from '../../net';
import { DimseTarget } from './types';

/** Status of a C-MOVE the peer answered with "Move Destination unknown". */
export const MOVE_DESTINATION_UNKNOWN = 0xa801;

export function isMoveDestinationUnknown(error: unknown): boolean {
  return error instanceof MoveDestinationUnknownError || (error instanceof QueryFailedError && error.status === MOVE_DESTINATION_UNKNOWN);
}

export function isCancellation(error: unknown): boolean {
  return error instanceof OperationAbortedError || (error as Error | undefined)?.name === 'AbortError';
}

/** A-ASSOCIATE-RJ by the service user (source 1) for a reason of PS3.8 table 9-21. */
function rejectedFor(error: unknown, reason: number): boolean {
  return error instanceof AssociationRejectedError && error.source === 1 && error.reason === reason;
}

/** What the UI does something about, by the error's type and fields (never by its text). */
export type ErrorCode = 'cancelled' | 'calling-ae-title-rejected' | 'called-ae-title-rejected' | 'move-destination-unknown';

export function errorCode(error: unknown): ErrorCode | undefined {
  if (isCancellation(error)) return 'cancelled';
  if (rejectedFor(error, 3)) return 'calling-ae-title-rejected';
  if (rejectedFor(error, 7)) return 'called-ae-title-rejected';
  if (isMoveDestinationUnknown(error)) return 'move-destination-unknown';
  return undefined;
}

/** A C-MOVE answered with A801: the peer does not know the destination AE title. */
export class MoveDestinationUnknownError extends Error {
  override name = 'MoveDestinationUnknownError';
  constructor(readonly destination: string, readonly nodeName: string) {
    super(`${nodeName} does not know the move destination ${destination} (status A801) — add ${destination} to its AE configuration, or retrieve with C-GET`);
  }
}

type Where = Pick<DimseTarget, 'host' | 'port' | 'calledAeTitle' | 'callingAeTitle'>;

function rejection(error: AssociationRejectedError, where?: Where): string {
  const transient = error.result === 2;
  if (rejectedFor(error, 3)) {
    return `association rejected: calling AE title not recognised — add ${where?.callingAeTitle ?? 'our AE title'} to the PACS`;
  }
  if (rejectedFor(error, 7)) {
    return `association rejected: called AE title not recognised — check the node's AE title${where ? ` (${where.calledAeTitle})` : ''}`;
  }
  if (error.source === 3 && (error.reason === 1 || error.reason === 2)) {
    return 'association rejected: the peer is busy (too many associations) — try again later';
  }
  return `${error.message}${transient ? ' — try again later' : ''}`;
}

function network(error: NetworkError, where?: Where): string {
  const at = where ? ` at ${where.host}:${where.port}` : '';
  switch (error.code) {
    case 'ECONNREFUSED': return `connection refused${at} — is the peer running, and is the port right?`;
    case 'ENOTFOUND': case 'EAI_AGAIN': return `the host name ${where?.host ?? ''} could not be resolved`.replace(/\s+$/, '');
    case 'EHOSTUNREACH': case 'ENETUNREACH': return `the host${at.replace(' at', '')} is unreachable`;
    case 'ECONNRESET': return `the peer${at} reset the connection`;
    default: return error.message;
  }
}

/** One readable sentence (without a final full stop) for any error an operation may throw. */
export function describeError(error: unknown, where?: Where): string {
  if (error instanceof AssociationRejectedError) return rejection(error, where);
  if (error instanceof NetworkError) return network(error, where);
  if (error instanceof TimeoutError) return `${error.message.replace(/\.$/, '')}${where ? ` (${where.host}:${where.port})` : ''}`;
  if (error instanceof AssociationAbortedError) return error.message.replace(/\.$/, '');
  if (isCancellation(error)) return 'cancelled';
  if (error instanceof MoveDestinationUnknownError) return error.message;
  if (error instanceof QueryFailedError || error instanceof NoAcceptedContextError || error instanceof QueryKeyError) {
    return error.message.replace(/\.$/, '');
  }
  if (error instanceof Error) return error.message.replace(/\.$/, '');
  return String(error);
}
