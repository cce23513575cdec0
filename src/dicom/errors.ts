// Typed errors of the dataset layer. Each carries one sentence a person can act on.

export class DicomError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Malformed bytes: a length that overruns its container, a bad item tag, runaway nesting. */
export class DicomParseError extends DicomError {
  constructor(message: string, readonly offset?: number) {
    super(message);
  }
}

/** The file is not DICOM at all (no preamble/DICM and no plausible first element). */
export class NotDicomError extends DicomParseError {
  constructor(message: string, readonly path?: string) {
    super(message, 0);
  }
}

/** The bytes end before the element, item or file part that was being read. */
export class TruncatedFileError extends DicomParseError {
  constructor(message: string, offset?: number, readonly path?: string) {
    super(message, offset);
  }
}

/** The file meta information has no (0002,0010) Transfer Syntax UID. */
export class MissingTransferSyntaxError extends DicomError {
  constructor(message: string, readonly path?: string) {
    super(message);
  }
}

/** A transfer syntax this code cannot read, write or convert. */
export class UnsupportedTransferSyntaxError extends DicomError {
  constructor(message: string, readonly transferSyntaxUid?: string) {
    super(message);
  }
}

/**
 * A sentence made part of another: "Pixel data is …" → "pixel data is …", while a leading name
 * or acronym ("JPEG 2000 …", "RLE …") keeps its case.
 */
export function lowerFirst(s: string): string {
  return s.length > 1 && /[a-z]/.test(s[1]!) ? s[0]!.toLowerCase() + s.slice(1) : s;
}
