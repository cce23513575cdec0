// The outcome of presentation-context and role negotiation, as both sides see it.
import { AAssociateAc, AAssociateRq, RoleSelection } from './pdu-types';

export interface NegotiatedContext {
  id: number;
  abstractSyntax: string;
  /** Accepted transfer syntax ('' when rejected). */
  transferSyntax: string;
  /** 0 = accepted, 1–4 = the rejection reasons of PS3.8 §9.3.3.2. */
  result: number;
  /** The requestor may act as SCU / as SCP for this abstract syntax (PS3.7 D.3.3.4). */
  requestorScu: boolean;
  requestorScp: boolean;
}

/**
 * Roles after negotiation. Without a role selection item the requestor is SCU only. With one,
 * a role is granted when the requestor proposed it and the acceptor accepted it.
 */
export function negotiatedRoles(proposed: RoleSelection | undefined, answered: RoleSelection | undefined): { scu: boolean; scp: boolean } {
  if (!proposed) return { scu: true, scp: false };
  if (!answered) return { scu: true, scp: false };
  return { scu: proposed.scuRole === 1 && answered.scuRole === 1, scp: proposed.scpRole === 1 && answered.scpRole === 1 };
}

export function contextsFromAc(rq: AAssociateRq, ac: AAssociateAc): Map<number, NegotiatedContext> {
  const contexts = new Map<number, NegotiatedContext>();
  const proposedRoles = new Map(rq.userInformation.roleSelections.map((r) => [r.sopClassUid, r]));
  const answeredRoles = new Map(ac.userInformation.roleSelections.map((r) => [r.sopClassUid, r]));
  for (const answer of ac.presentationContexts) {
    const proposal = rq.presentationContexts.find((p) => p.id === answer.id);
    if (!proposal) continue; // an answer for a context nobody proposed is ignored
    // An acceptance of a transfer syntax that was never proposed is treated as a rejection.
    const accepted = answer.result === 0 && proposal.transferSyntaxes.includes(answer.transferSyntax);
    const roles = negotiatedRoles(proposedRoles.get(proposal.abstractSyntax), answeredRoles.get(proposal.abstractSyntax));
    contexts.set(answer.id, {
      id: answer.id,
      abstractSyntax: proposal.abstractSyntax,
      transferSyntax: accepted ? answer.transferSyntax : '',
      result: accepted ? 0 : answer.result === 0 ? 2 : answer.result,
      requestorScu: roles.scu,
      requestorScp: roles.scp,
    });
  }
  return contexts;
}
