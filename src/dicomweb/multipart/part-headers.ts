// Header lines of multipart/related bodies: the boundary taken from a Content-Type checked, and a
// part's header block parsed into fields.

import { MultipartError } from './errors';

/**
 * Longest boundary accepted when reading. RFC 2046 allows 70 characters (and our writer keeps to
 * that), but readers must be lenient: Orthanc's DICOMweb plugin sends 73.
 */
export const MAX_READ_BOUNDARY = 200;

/**
 * Checks a boundary taken from a Content-Type header: 1 to MAX_READ_BOUNDARY printable ASCII
 * characters, not ending in a space (RFC 2046 5.1.1, read leniently).
 */
export function checkBoundary(boundary: string): void {
  if (typeof boundary !== 'string' || boundary.length === 0) {
    throw new MultipartError('The multipart Content-Type has no boundary parameter.', 'bad-boundary');
  }
  if (boundary.length > MAX_READ_BOUNDARY) {
    throw new MultipartError(`The multipart boundary is ${boundary.length} characters long; at most ${MAX_READ_BOUNDARY} are accepted.`, 'bad-boundary');
  }
  if (!/^[\x20-\x7e]*[\x21-\x7e]$/.test(boundary)) {
    throw new MultipartError('The multipart boundary holds a character other than printable ASCII or ends in a space.', 'bad-boundary');
  }
}

export function parseHeaderBlock(text: string, partIndex: number): Record<string, string> {
  const headers: Record<string, string> = Object.create(null);
  if (text === '') return headers;
  const lines = text.split(/\r?\n/);
  let last: string | undefined;
  for (const line of lines) {
    if (line === '') continue;
    if (line.charCodeAt(0) === 0x20 || line.charCodeAt(0) === 0x09) {
      // obs-fold: a continuation of the previous field (RFC 7230 3.2.4).
      if (last === undefined) {
        throw new MultipartError(`The headers of part ${partIndex + 1} start with a continuation line.`, 'bad-header', 400, partIndex);
      }
      headers[last] = `${headers[last]} ${line.trim()}`.trim();
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim().toLowerCase() : '';
    if (!/^[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(name)) {
      throw new MultipartError(
        `Part ${partIndex + 1} has the header line ${JSON.stringify(line.slice(0, 60))}, which is not "Name: value".`,
        'bad-header', 400, partIndex,
      );
    }
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
    last = name;
  }
  return headers;
}
