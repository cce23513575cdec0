// Reads text in the ISO 2022 form DICOM uses (PS3.5 6.1.2.5): G0 invoked into 0x21-0x7E, G1 into
// 0xA0-0xFF, escape sequences that re-designate G0 or G1 within a value, and the DICOM rule
// that the initial sets are back in force after every control character and delimiter.
// The state machine steps over two-byte characters whole, so a JIS X 0208 byte that happens
// to equal "\", "^" or "=" is never taken for a delimiter.

import { ELEMENT_BY_ESCAPE, type CodeElement } from './code-elements';
import type { ResolvedCharset } from './terms';

const ESC = 0x1b;
const SPACE = 0x20;
const REPLACEMENT = '\ufffd';

/**
 * Reads the escape sequence starting at `at` (which holds ESC): intermediate bytes 0x20-0x2F
 * followed by one final byte 0x30-0x7E. Returns its length, or 1 when it is malformed.
 */
function escapeLength(bytes: Uint8Array, at: number): number {
  let i = at + 1;
  while (i < bytes.length && i - at <= 4 && bytes[i]! >= 0x20 && bytes[i]! <= 0x2f) i++;
  if (i < bytes.length && bytes[i]! >= 0x30 && bytes[i]! <= 0x7e) return i - at + 1;
  return 1;
}

/**
 * Decodes one text value. `delimiters` are the single-byte characters after which the initial
 * sets are restored (besides control characters): "\" for multi-valued VRs, "^" and "=" for PN.
 * Escape sequences for sets the Specific Character Set does not declare are still honoured when
 * recognised; unknown ones are kept as text. Bytes 0x80-0xFF while no G1 set is designated are
 * read as ISO 8859-1, as pydicom and most viewers do with undeclared Latin-1 text.
 */
export function decodeIso2022(bytes: Uint8Array, charset: ResolvedCharset, delimiters: ReadonlySet<number>): string {
  let g0: CodeElement = charset.initialG0;
  let g1: CodeElement | undefined = charset.initialG1;
  const out: string[] = [];
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b === ESC) {
      const length = escapeLength(bytes, i);
      const element = length > 1 ? ELEMENT_BY_ESCAPE.get(String.fromCharCode(...bytes.subarray(i + 1, i + length))) : undefined;
      if (element) {
        if (element.slot === 'G0') g0 = element;
        else g1 = element;
      } else {
        out.push(String.fromCharCode(...bytes.subarray(i, i + length)));
      }
      i += length;
    } else if (b < SPACE || b === 0x7f) {
      out.push(String.fromCharCode(b));
      if (b !== 0x7f) {
        g0 = charset.initialG0;
        g1 = charset.initialG1;
      }
      i++;
    } else if (b === SPACE) {
      out.push(' ');
      i++;
    } else if (b < 0x80) {
      if (g0.width === 2) {
        const second = i + 1 < bytes.length ? bytes[i + 1]! : -1;
        // A well-formed pair that the set leaves unassigned is one unknown character.
        const paired = second > SPACE && second < 0x7f;
        out.push((paired ? g0.decodePair(b, second) : undefined) ?? REPLACEMENT);
        i += paired ? 2 : 1;
      } else {
        out.push(g0.decodeByte(b) ?? REPLACEMENT);
        if (delimiters.has(b)) {
          g0 = charset.initialG0;
          g1 = charset.initialG1;
        }
        i++;
      }
    } else if (g1 === undefined || b < 0xa0) {
      // No G1 designated, or a C1 control: the byte's own code point (ISO 8859-1).
      out.push(String.fromCharCode(b));
      i++;
    } else if (g1.width === 2) {
      const second = i + 1 < bytes.length ? bytes[i + 1]! : -1;
      const paired = b <= 0xfe && second >= 0xa1 && second <= 0xfe;
      out.push((paired ? g1.decodePair(b, second) : undefined) ?? REPLACEMENT);
      i += paired ? 2 : 1;
    } else {
      out.push(g1.decodeByte(b) ?? REPLACEMENT);
      i++;
    }
  }
  return out.join('');
}
