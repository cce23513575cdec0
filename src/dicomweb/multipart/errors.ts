// Errors of the multipart/related codec. Each carries one sentence and the HTTP status a server
// should answer with: 400 when the body is broken, 413 when it is larger than a limit allows.

import { DicomError } from '../../dicom';

export type MultipartErrorCode =
  | 'bad-boundary'
  | 'no-boundary'
  | 'bad-delimiter'
  | 'truncated'
  | 'missing-close-delimiter'
  | 'bad-header'
  | 'bad-content-length'
  | 'headers-too-large'
  | 'too-many-parts'
  | 'body-too-large'
  | 'part-too-large'
  | 'bad-chunk'
  | 'out-of-order';

export class MultipartError extends DicomError {
  constructor(
    message: string,
    readonly code: MultipartErrorCode,
    /** The HTTP status a server should answer with: 400 or 413. */
    readonly status: 400 | 413 = 400,
    /** Zero-based index of the part being read, when the error is about one part. */
    readonly partIndex?: number,
  ) {
    super(message);
  }
}
