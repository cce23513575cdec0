// Our implementation identity and AE title rules.

/** A UID under the 2.25 root (PS3.5 B.2), derived once from a random UUID for this implementation. */
export const IMPLEMENTATION_CLASS_UID = '2.25.281470239855104361432611735716451960201';
export const IMPLEMENTATION_VERSION_NAME = 'DICOMNET_010';

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
