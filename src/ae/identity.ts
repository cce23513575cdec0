// Our implementation identity and AE title rules.

import { DEFAULT_IMPLEMENTATION_CLASS_UID, DEFAULT_IMPLEMENTATION_VERSION_NAME } from '../dicom';

/** The same identity goes into associations and into the file meta of the files we write. */
export const IMPLEMENTATION_CLASS_UID = DEFAULT_IMPLEMENTATION_CLASS_UID;
export const IMPLEMENTATION_VERSION_NAME = DEFAULT_IMPLEMENTATION_VERSION_NAME;

/** AE titles: 1–16 characters of the default repertoire, no backslash or control characters, not all spaces. */
export function validateAeTitle(title: string, what = 'AE title'): string {
  const trimmed = title.trim();
  if (trimmed.length === 0) throw new RangeError(`the ${what} is empty`);
  if (trimmed.length > 16) throw new RangeError(`the ${what} "${trimmed}" is longer than 16 characters`);
  if (!/^[\x20-\x7e]+$/.test(trimmed) || trimmed.includes('\\')) {
    throw new RangeError(`the ${what} "${trimmed}" may only hold printable ASCII characters without a backslash`);
  }
  return trimmed;
}
