// The negotiation part of a record, read from the A-ASSOCIATE-RQ and its A-ASSOCIATE-AC/RJ. Only
// the identity type is taken from the user identity item, never its fields.
import { uidName } from '../../dicom';
import { AAssociateAc, AAssociateRq, UserInformation } from '../../net';
import { describeContextResult } from '../../net';
import { RecordedContext, RecordedNegotiation, RecordedRole, RecordedSide, RecordedSyntax } from './record';

const IDENTITY_TYPES: Record<number, string> = {
  1: 'username', 2: 'username and passcode', 3: 'Kerberos service ticket', 4: 'SAML assertion', 5: 'JSON web token',
};
const MAX_INFO_BYTES = 64;

export function syntax(uid: string): RecordedSyntax {
  const name = uidName(uid);
  return name ? { uid, name } : { uid };
}

function side(aeTitle: string, info: UserInformation): RecordedSide {
  const s: RecordedSide = { aeTitle };
  if (info.maximumLength !== undefined) s.maxPdu = info.maximumLength;
  if (info.implementationClassUid !== undefined) s.implementationClassUid = info.implementationClassUid;
  if (info.implementationVersionName !== undefined) s.implementationVersionName = info.implementationVersionName;
  if (info.asyncOperationsWindow) s.asyncOperationsWindow = { ...info.asyncOperationsWindow };
  return s;
}

function hex(bytes: Buffer): string {
  const shown = bytes.subarray(0, MAX_INFO_BYTES).toString('hex');
  return bytes.length > MAX_INFO_BYTES ? `${shown}… (${bytes.length} bytes)` : shown;
}

export function recordNegotiation(rq: AAssociateRq, ac: AAssociateAc | undefined): RecordedNegotiation {
  const rqInfo = rq.userInformation;
  const contexts: RecordedContext[] = rq.presentationContexts.map((p) => {
    const context: RecordedContext = {
      id: p.id, abstractSyntax: syntax(p.abstractSyntax), proposedTransferSyntaxes: p.transferSyntaxes.map(syntax),
    };
    const answer = ac?.presentationContexts.find((a) => a.id === p.id);
    if (answer) {
      // As the engine negotiates it: an acceptance of a transfer syntax nobody proposed counts as a rejection.
      const accepted = answer.result === 0 && p.transferSyntaxes.includes(answer.transferSyntax);
      context.result = accepted ? 0 : answer.result === 0 ? 2 : answer.result;
      context.resultText = answer.result === 0 && !accepted
        ? `rejected: the transfer syntax ${answer.transferSyntax} accepted was never proposed` : describeContextResult(context.result);
      if (accepted) context.transferSyntax = syntax(answer.transferSyntax);
    } else if (ac) {
      context.result = 2;
      context.resultText = 'not answered by the acceptor';
    }
    return context;
  });
  const roles: RecordedRole[] = rqInfo.roleSelections.map((r) => {
    const answer = ac?.userInformation.roleSelections.find((a) => a.sopClassUid === r.sopClassUid);
    return {
      sopClass: syntax(r.sopClassUid), proposedScu: r.scuRole === 1, proposedScp: r.scpRole === 1,
      ...(answer ? { acceptedScu: answer.scuRole === 1, acceptedScp: answer.scpRole === 1 } : {}),
    };
  });
  const extendedNegotiation = rqInfo.sopClassExtended.map((e) => {
    const answer = ac?.userInformation.sopClassExtended.find((a) => a.sopClassUid === e.sopClassUid);
    return {
      sopClass: syntax(e.sopClassUid), requestorInfo: hex(e.serviceClassApplicationInformation),
      ...(answer ? { acceptorInfo: hex(answer.serviceClassApplicationInformation) } : {}),
    };
  });
  const negotiation: RecordedNegotiation = {
    applicationContext: rq.applicationContext,
    requestor: side(rq.callingAeTitle, rqInfo),
    contexts,
    roles,
    extendedNegotiation,
    commonExtendedNegotiation: rqInfo.sopClassCommonExtended.map((c) => ({
      sopClass: syntax(c.sopClassUid), serviceClass: syntax(c.serviceClassUid), relatedGeneralSopClasses: [...c.relatedGeneralSopClassUids],
    })),
  };
  if (ac) negotiation.acceptor = side(rq.calledAeTitle, ac.userInformation);
  const identity = rqInfo.userIdentityRq;
  if (identity) {
    negotiation.userIdentity = {
      type: identity.type, typeText: IDENTITY_TYPES[identity.type] ?? `type ${identity.type}`,
      positiveResponseRequested: identity.positiveResponseRequested, serverResponded: ac?.userInformation.userIdentityAc !== undefined,
    };
  }
  return negotiation;
}
