// Where instances live in the archive: <root>/<StudyInstanceUID>/<SeriesInstanceUID>/<SOPInstanceUID>.dcm.
import * as path from 'node:path';
import { isValidUid } from '../dicom';

/** Temporary files of instances being received; never part of the archive proper. */
export const INCOMING_DIR = '.incoming';

export class InvalidUidError extends Error {
  override name = 'InvalidUidError';
  /** A short form (without the value) for a DIMSE Error Comment. */
  constructor(message: string, readonly comment: string) {
    super(message);
  }
}

function checked(uid: string | undefined, what: string): string {
  if (!uid) throw new InvalidUidError(`the data set has no ${what}`, `the data set has no ${what}`);
  if (!isValidUid(uid)) throw new InvalidUidError(`the ${what} "${uid.slice(0, 70)}" is not a valid UID`, `the ${what} is not a valid UID`);
  return uid;
}

/**
 * The archive-relative path of an instance; UIDs are validated before they become path segments
 * (digits and single dots, so joined as they are: path.join's normalizing is per-instance work).
 */
export function instanceRelativePath(studyUid: string | undefined, seriesUid: string | undefined, sopInstanceUid: string | undefined): string {
  return `${checked(studyUid, 'Study Instance UID')}${path.sep}${checked(seriesUid, 'Series Instance UID')}${path.sep}${checked(sopInstanceUid, 'SOP Instance UID')}.dcm`;
}
