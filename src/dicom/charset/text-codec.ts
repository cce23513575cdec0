// Specific Character Set (0008,0005), PS3.5 6.1 and PS3.3 C.12.1.1.2: turning the bytes of
// text values into Unicode strings and back. Only SH, LO, ST, LT, UC, UT and PN use the
// Specific Character Set; the other text VRs are in the default repertoire.

import { decodeIso2022 } from './iso2022-decoder';
import { encodeIso2022 } from './iso2022-encoder';
import { decodeStandalone, encodeStandalone } from './standalone';
import { unrepresentable } from './errors';
import { resolveCharset } from './terms';
import { usesSpecificCharacterSet } from '../vr';

/** A Specific Character Set value as read from a dataset: one string, raw "a\b", or a list. */
export type SpecificCharacterSet = string | readonly string[] | null | undefined;

const BACKSLASH = 0x5c;
const CARET = 0x5e;
const EQUALS = 0x3d;

const PN_DELIMITERS: ReadonlySet<number> = new Set([BACKSLASH, CARET, EQUALS]);
const MULTI_VALUE_DELIMITERS: ReadonlySet<number> = new Set([BACKSLASH]);
const NO_DELIMITERS: ReadonlySet<number> = new Set();

const ESC = 0x1b;
const PLAIN_ASCII_TEXT = /^[\x00-\x1a\x1c-\x7f]*$/;

function isPlainAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b >= 0x80 || b === ESC) return false;
  }
  return true;
}

/** The characters after which the initial character sets are in force again (besides controls). */
function delimitersOf(vr: string): ReadonlySet<number> {
  if (vr === 'PN') return PN_DELIMITERS;
  if (vr === 'ST' || vr === 'LT' || vr === 'UT') return NO_DELIMITERS;
  return MULTI_VALUE_DELIMITERS;
}

/**
 * Decodes the bytes of a text element (all its values, "\" included, padding not removed).
 * Never throws: bytes that the character set does not assign become U+FFFD. Bytes above 0x7F
 * in the default repertoire, and in VRs that do not use the Specific Character Set, are read as
 * ISO 8859-1 (as pydicom does), since such files exist.
 */
export function decodeText(bytes: Uint8Array, specificCharacterSet: SpecificCharacterSet, vr: string): string {
  if (bytes.length === 0) return '';
  const asLatin1 = () => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  // Plain ASCII without escape sequences reads the same in every character set.
  if (!usesSpecificCharacterSet(vr) || isPlainAscii(bytes)) return asLatin1();
  const charset = resolveCharset(specificCharacterSet);
  if (charset.standalone) return decodeStandalone(bytes, charset.standalone);
  return decodeIso2022(bytes, charset, delimitersOf(vr));
}

/**
 * Encodes text (all values, "\" included, no padding added) for a text element of `vr` in the
 * given Specific Character Set, with the escape sequences code extensions need.
 * @throws CharsetError when a character cannot be represented.
 */
export function encodeText(text: string, specificCharacterSet: SpecificCharacterSet, vr: string): Buffer {
  if (PLAIN_ASCII_TEXT.test(text)) return Buffer.from(text, 'latin1');
  if (!usesSpecificCharacterSet(vr)) {
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code > 0x7e && code !== 0x7f) throw unrepresentable(text.codePointAt(i)!, i, []);
    }
    return Buffer.from(text, 'latin1');
  }
  const charset = resolveCharset(specificCharacterSet);
  if (charset.standalone) return encodeStandalone(text, charset.standalone, charset.terms);
  return Buffer.from(encodeIso2022(text, charset, delimitersOf(vr)));
}

/** True when `text` can be encoded in the character set without loss. */
export function canEncodeText(text: string, specificCharacterSet: SpecificCharacterSet, vr: string): boolean {
  try {
    encodeText(text, specificCharacterSet, vr);
    return true;
  } catch {
    return false;
  }
}

/** `decodeText` bound to one character set, in the (bytes, vr) shape Dataset.string() takes. */
export function charsetDecoder(specificCharacterSet: SpecificCharacterSet): (bytes: Uint8Array, vr: string) => string {
  return (bytes, vr) => decodeText(bytes, specificCharacterSet, vr);
}

/** `encodeText` bound to one character set, in the (text, vr) shape Dataset.set() takes. */
export function charsetEncoder(specificCharacterSet: SpecificCharacterSet): (text: string, vr: string) => Buffer {
  return (text, vr) => encodeText(text, specificCharacterSet, vr);
}
