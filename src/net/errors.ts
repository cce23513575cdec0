// Errors of the upper layer. Each carries one readable sentence in `message`.
import { describeAbort, describeReject } from './reasons';

/** A-ABORT reasons (PS3.8 §9.3.8, source 2 = service provider). */
export const enum AbortReason {
  NotSpecified = 0,
  UnrecognizedPdu = 1,
  UnexpectedPdu = 2,
  UnrecognizedPduParameter = 4,
  UnexpectedPduParameter = 5,
  InvalidPduParameterValue = 6,
}

export class PduDecodeError extends Error {
  override name = 'PduDecodeError';
  constructor(message: string, readonly abortReason: number = AbortReason.InvalidPduParameterValue) {
    super(message);
  }
}

export class AssociationRejectedError extends Error {
  override name = 'AssociationRejectedError';
  constructor(readonly result: number, readonly source: number, readonly reason: number) {
    super(`association ${describeReject(result, source, reason)}`);
  }
}

export class AssociationAbortedError extends Error {
  override name = 'AssociationAbortedError';
  constructor(message: string, readonly source?: number, readonly reason?: number) {
    super(message);
  }
  static fromPdu(source: number, reason: number, byPeer: boolean): AssociationAbortedError {
    return new AssociationAbortedError(`association aborted ${describeAbort(source, reason, byPeer)}`, source, reason);
  }
}

export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

export class NetworkError extends Error {
  override name = 'NetworkError';
  constructor(message: string, readonly code?: string) {
    super(message);
  }
}

export class OperationAbortedError extends Error {
  override name = 'AbortError';
  constructor(message = 'the operation was cancelled') {
    super(message);
  }
}

/** True for errors that mean the association or connection failed (CLI exit code 3). */
export function isNetworkFailure(error: unknown): boolean {
  return error instanceof AssociationRejectedError || error instanceof AssociationAbortedError
    || error instanceof TimeoutError || error instanceof NetworkError || error instanceof PduDecodeError;
}
