// Errors of the DICOMweb user agent. One class, so a caller (the CLI, the extension) maps every
// failure with one check: `kind` says what went wrong, `status` carries the HTTP status when the
// server answered. Messages are one sentence and never hold credentials or query strings.

import { DicomError } from '../../dicom';

export type DicomwebErrorKind =
  /** The server answered with an HTTP status that means failure (3xx, 4xx, 5xx). */
  | 'http'
  /** The connection could not be made or broke (refused, reset, DNS, TLS). */
  | 'network'
  /** Nothing happened on the connection for longer than the timeout. */
  | 'timeout'
  /** The caller's AbortSignal fired. */
  | 'aborted'
  /** The server answered 2xx with something that is not what PS3.18 says it should send. */
  | 'response'
  /** A local file could not be read or written. */
  | 'io';

export class DicomwebError extends DicomError {
  constructor(
    message: string,
    readonly kind: DicomwebErrorKind,
    /** The HTTP status, when the server answered. */
    readonly status?: number,
    /** The server's own explanation (JSON error body, text, or Warning header), cut short. */
    readonly serverMessage?: string,
    /** The Node.js error code behind a network or io failure (ECONNREFUSED, ENOENT, …). */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** True for failures of the connection itself (the CLI's exit code 3). */
export function isDicomwebNetworkFailure(error: unknown): boolean {
  return error instanceof DicomwebError && (error.kind === 'network' || error.kind === 'timeout');
}

const MAX_SERVER_MESSAGE = 300;

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_SERVER_MESSAGE ? `${flat.slice(0, MAX_SERVER_MESSAGE - 1)}…` : flat;
}

function fromJson(doc: unknown): string | undefined {
  if (Array.isArray(doc)) return doc.length > 0 ? fromJson(doc[0]) : undefined;
  if (typeof doc === 'string') return doc;
  if (typeof doc !== 'object' || doc === null) return undefined;
  const o = doc as Record<string, unknown>;
  // DICOM JSON: Error Comment (0000,0902).
  const comment = o['00000902'] as { Value?: unknown[] } | undefined;
  if (comment && Array.isArray(comment.Value) && typeof comment.Value[0] === 'string') return comment.Value[0];
  // Orthanc puts the specific reason in Details and a generic one in Message; others use
  // message, error (string or object), error_description, detail or title.
  for (const key of ['Details', 'Message', 'message', 'error_description', 'detail', 'errorMessage', 'title', 'error']) {
    const v = o[key];
    if (typeof v === 'string' && v.trim() !== '') return v;
    if (key === 'error' && typeof v === 'object' && v !== null) return fromJson(v);
  }
  return undefined;
}

/**
 * The server's explanation in an error response: from a JSON body (several common shapes and
 * DICOM JSON's Error Comment), a text or HTML body with tags stripped, or a Warning header.
 * Undefined when there is nothing readable.
 */
export function serverMessageOf(body: Buffer, contentType: string | undefined, warning?: string): string | undefined {
  const text = body.toString('utf8');
  const type = (contentType ?? '').toLowerCase();
  let message: string | undefined;
  if (type.includes('json') || /^\s*[[{]/.test(text)) {
    try {
      message = fromJson(JSON.parse(text));
    } catch {
      // not JSON after all: read it as text below
    }
  }
  if (message === undefined && text.trim() !== '' && !/^\s*[[{]/.test(text)) {
    const stripped = type.includes('html') || /^\s*</.test(text)
      ? text.replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]*>/g, ' ').replace(/&nbsp;/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
      : text;
    if (stripped.trim() !== '') message = stripped;
  }
  if (message === undefined && warning) message = warningText(warning) ?? warning;
  return message === undefined ? undefined : oneLine(message);
}

/** The text of a Warning header (RFC 7234 5.5: `299 agent "text"`), or undefined. */
export function warningText(header: string): string | undefined {
  const m = /^\s*\d{3}\s+\S+\s+"((?:[^"\\]|\\.)*)"/.exec(header);
  return m ? m[1].replace(/\\(.)/g, '$1') : undefined;
}
