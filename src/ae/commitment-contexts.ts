// Associations for Storage Commitment and MPPS: the contexts an SCU proposes, and the association
// a Storage Commitment SCP opens to a requester to deliver its report (SCP role proposed, J.3.3.1.2).
import { ExplicitVRLittleEndian, ImplicitVRLittleEndian, Uids } from '../dicom';
import { MPPS_RETRIEVE_SOP_CLASS } from '../services';
import { ReportAssociationOpener } from '../services';
import { ApplicationEntity } from './client';
import { ProposedContext } from './requestor';
import { MoveDestinations } from './move-destinations';

const SYNTAXES = [ExplicitVRLittleEndian, ImplicitVRLittleEndian];

export function storageCommitmentContext(): ProposedContext {
  return { abstractSyntax: Uids.StorageCommitmentPushModel, transferSyntaxes: SYNTAXES };
}

export function mppsContexts(): ProposedContext[] {
  return [
    { abstractSyntax: Uids.ModalityPerformedProcedureStep, transferSyntaxes: SYNTAXES },
    { abstractSyntax: MPPS_RETRIEVE_SOP_CLASS, transferSyntaxes: SYNTAXES },
  ];
}

/** Opens report associations to the requesters registered in `destinations` (the --dest table). */
export function reportAssociationOpener(ae: ApplicationEntity, destinations: MoveDestinations): ReportAssociationOpener {
  return (requester, callingAeTitle) => {
    const address = destinations.address(requester);
    if (!address) return undefined;
    return ae.associate({
      host: address.host, port: address.port, tls: address.tls, calledAeTitle: requester, callingAeTitle,
      contexts: [storageCommitmentContext()],
      roles: [{ sopClassUid: Uids.StorageCommitmentPushModel, scuRole: 0, scpRole: 1 }],
    }).then((client) => ({ sa: client, close: () => client.releaseOrAbort() }));
  };
}
