// The one association recorder of the extension: every association the extension opens (the
// tree's echoes and queries, retrievals, sends, storage commitment) and every one its local SCP
// takes (C-MOVE sub-associations included) is recorded here, for the DICOM Associations view.
import { ApplicationEntity, AssociationRecorder, aeOptionsOf, type PeerProfile } from '../../ae';
import type { Association } from '../../net';

let shared: AssociationRecorder | undefined;

/** The shared recorder (made on first use; the extension's store sets its capacity). */
export function associationRecorder(): AssociationRecorder {
  shared ??= new AssociationRecorder();
  return shared;
}

/** An ApplicationEntity for a peer whose associations are recorded. */
export function recordedApplicationEntity(profile: PeerProfile): ApplicationEntity {
  return new ApplicationEntity({ ...aeOptionsOf(profile), recorder: associationRecorder() });
}

/** The record id of an association still open. */
export function recordIdOf(association: Association): string | undefined {
  return shared?.recordIdOf(association);
}

const associationOfError = new WeakMap<object, string>();

/** Notes which association an error came from (its record id), for "Show Association". */
export function markAssociation<E>(error: E, recordId: string | undefined): E {
  if (recordId !== undefined && typeof error === 'object' && error !== null && !associationOfError.has(error)) associationOfError.set(error, recordId);
  return error;
}

/** The record id of the association an operation's error came from, when it came from one. */
export function associationIdOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? associationOfError.get(error) : undefined;
}
