// The one error type the DICOMweb server's handlers throw to answer a request with a 4xx or 5xx:
// a status, one sentence for the JSON body, and any headers that go with it (Allow, WWW-Authenticate).

import { DicomError } from '../../dicom';

export class HttpError extends DicomError {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** The body of every error answer: `{"error": "one sentence"}`. */
export function errorBody(message: string): string {
  const sentence = message.length > 500 ? `${message.slice(0, 497)}...` : message;
  return JSON.stringify({ error: sentence });
}
