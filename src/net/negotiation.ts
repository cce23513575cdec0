// The acceptor's side of presentation-context and role negotiation (PS3.8 §9.3.3, PS3.7 D.3.3.4).
import { ContextResult, PresentationContextAc, PresentationContextRq, RoleSelection } from './pdu-types';

export interface ContextPolicy {
  /**
   * Transfer syntaxes acceptable for this abstract syntax, in our order of preference, or
   * undefined when the abstract syntax is not supported at all.
   */
  transferSyntaxesFor(abstractSyntax: string): readonly string[] | undefined;
  /** Pick the first acceptable syntax in the proposer's order instead of ours. */
  preferProposerOrder?: boolean;
  /** Called for abstract syntaxes the policy supports: return false to reject the context (user rejection). */
  acceptContext?(context: PresentationContextRq): boolean;
}

export function answerContext(context: PresentationContextRq, policy: ContextPolicy): PresentationContextAc {
  const acceptable = policy.transferSyntaxesFor(context.abstractSyntax);
  if (!acceptable) {
    return { id: context.id, result: ContextResult.AbstractSyntaxNotSupported, transferSyntax: context.transferSyntaxes[0] ?? '' };
  }
  if (policy.acceptContext && !policy.acceptContext(context)) {
    return { id: context.id, result: ContextResult.UserRejection, transferSyntax: context.transferSyntaxes[0] ?? '' };
  }
  const chosen = policy.preferProposerOrder
    ? context.transferSyntaxes.find((ts) => acceptable.includes(ts))
    : acceptable.find((ts) => context.transferSyntaxes.includes(ts));
  if (!chosen) {
    return { id: context.id, result: ContextResult.TransferSyntaxesNotSupported, transferSyntax: context.transferSyntaxes[0] ?? '' };
  }
  return { id: context.id, result: ContextResult.Acceptance, transferSyntax: chosen };
}

export function answerContexts(contexts: readonly PresentationContextRq[], policy: ContextPolicy): PresentationContextAc[] {
  return contexts.map((c) => answerContext(c, policy));
}

/** Which roles we grant the requestor for a SOP class it proposed a role selection for. */
export type RolePolicy = (sopClassUid: string, proposed: RoleSelection) => { scu: boolean; scp: boolean };

/**
 * Answers every proposed role selection item. A role that was not proposed is never granted
 * (PS3.7 D.3.3.4: the acceptor may only accept what the requestor proposed).
 */
export function answerRoles(proposed: readonly RoleSelection[], policy: RolePolicy): RoleSelection[] {
  return proposed.map((item) => {
    const granted = policy(item.sopClassUid, item);
    return {
      sopClassUid: item.sopClassUid,
      scuRole: item.scuRole === 1 && granted.scu ? 1 : 0,
      scpRole: item.scpRole === 1 && granted.scp ? 1 : 0,
    };
  });
}
