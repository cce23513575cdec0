// The query models by the names callers use, and their SOP classes.
import { Uids } from '../dicom';

export type QueryModelName = 'patient' | 'study' | 'patient-study' | 'worklist';

export const FIND_SOP_CLASSES: Record<QueryModelName, string> = {
  patient: Uids.PatientRootFind,
  study: Uids.StudyRootFind,
  'patient-study': Uids.PatientStudyOnlyFind,
  worklist: Uids.ModalityWorklistFind,
};

export const MOVE_SOP_CLASSES: Record<Exclude<QueryModelName, 'worklist'>, string> = {
  patient: Uids.PatientRootMove,
  study: Uids.StudyRootMove,
  'patient-study': Uids.PatientStudyOnlyMove,
};

export const GET_SOP_CLASSES: Record<Exclude<QueryModelName, 'worklist'>, string> = {
  patient: Uids.PatientRootGet,
  study: Uids.StudyRootGet,
  'patient-study': Uids.PatientStudyOnlyGet,
};

export class QueryFailedError extends Error {
  override name = 'QueryFailedError';
  constructor(message: string, readonly status: number, readonly comment?: string) {
    super(message);
  }
}
