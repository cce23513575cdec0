// The error thrown when text cannot be written in the requested Specific Character Set.

import { DicomError } from '../errors';

export class CharsetError extends DicomError {
  constructor(
    message: string,
    /** The code point that could not be represented, when that is the cause. */
    readonly codePoint?: number,
    /** Its index (in UTF-16 code units) in the text being encoded. */
    readonly index?: number,
  ) {
    super(message);
  }
}

function describeTerms(terms: readonly string[]): string {
  if (terms.length === 0) return 'the default repertoire (ISO_IR 6)';
  return `Specific Character Set "${terms.join('\\')}"`;
}

export function unrepresentable(codePoint: number, index: number, terms: readonly string[]): CharsetError {
  const hex = codePoint.toString(16).toUpperCase().padStart(4, '0');
  const shown = codePoint >= 0x20 && codePoint !== 0x7f && !(codePoint >= 0xd800 && codePoint <= 0xdfff)
    ? `"${String.fromCodePoint(codePoint)}" `
    : '';
  return new CharsetError(
    `The character ${shown}(U+${hex}) at position ${index} cannot be represented in ${describeTerms(terms)}.`,
    codePoint,
    index,
  );
}
