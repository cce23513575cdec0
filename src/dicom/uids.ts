// UIDs: validation, and names for the UIDs the registries know.

import { transferSyntaxName } from './transfer-syntaxes';
import { sopClassName } from './sop-classes';

/**
 * PS3.5 9.1: 1 to 64 characters, components of digits separated by single dots, no empty
 * component, no leading zero in a component of more than one digit.
 */
export function isValidUid(s: string): boolean {
  if (typeof s !== 'string' || s.length === 0 || s.length > 64) return false;
  let componentStart = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      const len = i - componentStart;
      if (len === 0) return false;
      if (len > 1 && s.charCodeAt(componentStart) === 0x30) return false;
      componentStart = i + 1;
    } else if (c < 0x30 || c > 0x39) {
      return false;
    }
  }
  return true;
}

/** A name for any UID this package knows (transfer syntax or SOP class), else undefined. */
export function uidName(uid: string): string | undefined {
  return transferSyntaxName(uid) ?? sopClassName(uid);
}
