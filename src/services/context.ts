// What a service implementation sees of an association, on either side.
import { Association } from '../net';
import { NegotiatedContext } from '../net';
import { DimseChannel } from '../dimse';

export interface ServiceAssociation {
  readonly association: Association;
  readonly channel: DimseChannel;
  /** The peer's AE title. */
  readonly peerAeTitle: string;
  /** Our AE title on this association. */
  readonly localAeTitle: string;
}

/** The accepted context for an abstract syntax, preferring the given transfer syntaxes in order. */
export function findAcceptedContext(association: Association, abstractSyntax: string,
  preferredTransferSyntaxes: readonly string[] = []): NegotiatedContext | undefined {
  let fallback: NegotiatedContext | undefined;
  for (const ts of preferredTransferSyntaxes) {
    for (const ctx of association.contexts.values()) {
      if (ctx.result === 0 && ctx.abstractSyntax === abstractSyntax && ctx.transferSyntax === ts) return ctx;
    }
  }
  for (const ctx of association.contexts.values()) {
    if (ctx.result === 0 && ctx.abstractSyntax === abstractSyntax) { fallback = ctx; break; }
  }
  return fallback;
}

export class NoAcceptedContextError extends Error {
  override name = 'NoAcceptedContextError';
}
