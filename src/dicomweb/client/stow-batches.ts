// STOW-RS from the user agent's side: files grouped into batches, each batch's request body as a
// stream of multipart/related parts read from disk while they are sent, and the server's Store
// Instances Response matched back to the files by SOP Instance UID.

import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { MediaTypes } from '../media-types';
import { describeStowReason, type StowResult } from '../stow-response';

/** A file to send: a Part 10 file and the SOP Instance UID its data set holds. */
export interface StowInput {
  path: string;
  sopInstanceUid: string;
  sopClassUid?: string;
  /** Bytes of the file; used to size batches and progress (0 when unknown). */
  fileSize?: number;
}

export type StowOutcome = 'stored' | 'warning' | 'failed';

export interface StowFileResult {
  path: string;
  sopInstanceUid: string;
  sopClassUid?: string;
  outcome: StowOutcome;
  /** One sentence fragment: "stored", "stored with a warning: …", "failed: …". */
  message: string;
  retrieveURL?: string;
  warningReason?: number;
  failureReason?: number;
  /** Zero-based batch (request) number. */
  batch: number;
  bytes: number;
}

export interface StowBatchResult {
  index: number;
  /** The HTTP status of the batch's response. */
  status: number;
  /** The study's Retrieve URL the server gave, if any. */
  retrieveURL?: string;
  files: StowFileResult[];
}

export interface BatchLimits {
  /** Files per request (default 50). */
  batchSize?: number;
  /** Bytes per request (default 512 MiB); a single larger file still goes, alone. */
  maxBatchBytes?: number;
}

export const DEFAULT_BATCH_SIZE = 50;
export const DEFAULT_MAX_BATCH_BYTES = 512 * 1024 * 1024;

/** Splits the files into consecutive batches that respect both limits. */
export function planBatches<T extends StowInput>(files: readonly T[], limits: BatchLimits = {}): T[][] {
  const size = limits.batchSize ?? DEFAULT_BATCH_SIZE;
  const maxBytes = limits.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
  if (!Number.isInteger(size) || size < 1) throw new RangeError('The STOW-RS batch size must be a whole number of at least 1.');
  if (!(maxBytes > 0)) throw new RangeError('The STOW-RS batch byte limit must be a positive number.');
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const f of files) {
    const n = f.fileSize ?? 0;
    if (current.length > 0 && (current.length >= size || bytes + n > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(f);
    bytes += n;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

export interface StowBody {
  stream: Readable;
  /** Exact length of the body in bytes, for Content-Length. */
  length: number;
}

/** A file of a batch with the size it had when the batch was planned (fs.stat). */
export interface SizedFile {
  path: string;
  size: number;
}

/** A file that is not as long as it was when its size was taken. */
export class FileChangedError extends Error {
  constructor(readonly path: string, expected: number, actual: string) {
    super(`${path} changed while it was being sent: it was ${expected} bytes long and now ${actual}`);
  }
}

/**
 * The request body of one batch: each file a part of type application/dicom (RFC 2046 framing),
 * opened only when the stream reaches it and read as the connection takes it. The length is known
 * in advance, so the request carries a Content-Length: some origin servers (Orthanc among them)
 * take a chunked upload several times slower. A file whose size changed since it was measured
 * breaks the stream with a FileChangedError rather than sending a body of the wrong length.
 * `onBytes` counts file bytes read.
 */
export function stowBody(files: readonly SizedFile[], boundary: string, onBytes?: (n: number) => void): StowBody {
  if (!/^[0-9A-Za-z'()+_,\-./:=?]{1,70}$/.test(boundary)) throw new RangeError('The STOW-RS boundary must be 1 to 70 safe characters.');
  const heads = files.map((_, i) => Buffer.from(`${i === 0 ? '' : '\r\n'}--${boundary}\r\nContent-Type: ${MediaTypes.DICOM}\r\n\r\n`, 'latin1'));
  const close = Buffer.from(`${files.length === 0 ? '' : '\r\n'}--${boundary}--\r\n`, 'latin1');
  const length = heads.reduce((n, h, i) => n + h.length + files[i].size, close.length);
  async function* chunks(): AsyncGenerator<Buffer> {
    for (const [i, f] of files.entries()) {
      yield heads[i];
      let read = 0;
      for await (const chunk of createReadStream(f.path, { highWaterMark: 256 * 1024 })) {
        const b = chunk as Buffer;
        read += b.length;
        if (read > f.size) throw new FileChangedError(f.path, f.size, 'longer');
        onBytes?.(b.length);
        yield b;
      }
      if (read !== f.size) throw new FileChangedError(f.path, f.size, `${read} bytes`);
    }
    yield close;
  }
  return { stream: Readable.from(chunks(), { objectMode: false }), length };
}

function hex(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, '0');
}

/** Per-file results of one batch from the server's Store Instances Response. */
export function matchStowResult(files: readonly StowInput[], result: StowResult, batch: number): StowFileResult[] {
  const stored = new Map(result.stored.map((s) => [s.sopInstanceUID, s]));
  const failed = new Map(result.failed.filter((f) => f.sopInstanceUID !== undefined).map((f) => [f.sopInstanceUID!, f]));
  const anonymousFailures = result.failed.filter((f) => f.sopInstanceUID === undefined);
  return files.map((f): StowFileResult => {
    const base = { path: f.path, sopInstanceUid: f.sopInstanceUid, ...(f.sopClassUid ? { sopClassUid: f.sopClassUid } : {}), batch, bytes: f.fileSize ?? 0 };
    const fail = failed.get(f.sopInstanceUid);
    if (fail) {
      return { ...base, outcome: 'failed', failureReason: fail.failureReason, message: `failed: ${describeStowReason(fail.failureReason)} (${hex(fail.failureReason)})` };
    }
    const ok = stored.get(f.sopInstanceUid);
    if (ok) {
      const url = ok.retrieveURL !== undefined ? { retrieveURL: ok.retrieveURL } : {};
      if (ok.warningReason !== undefined) {
        return { ...base, ...url, outcome: 'warning', warningReason: ok.warningReason, message: `stored with a warning: ${describeStowReason(ok.warningReason)} (${hex(ok.warningReason)})` };
      }
      return { ...base, ...url, outcome: 'stored', message: 'stored' };
    }
    const hint = anonymousFailures.length > 0
      ? ` (it lists ${anonymousFailures.length} failure${anonymousFailures.length === 1 ? '' : 's'} without a SOP Instance UID: ${[...new Set(anonymousFailures.map((a) => `${describeStowReason(a.failureReason)} (${hex(a.failureReason)})`))].join(', ')})`
      : '';
    return { ...base, outcome: 'failed', message: `failed: the server's response does not mention this instance${hint}` };
  });
}

/** Every file of a batch with the same outcome, for answers without per-instance details. */
export function uniformResult(files: readonly StowInput[], batch: number, outcome: StowOutcome, message: string): StowFileResult[] {
  return files.map((f) => ({
    path: f.path, sopInstanceUid: f.sopInstanceUid, ...(f.sopClassUid ? { sopClassUid: f.sopClassUid } : {}),
    outcome, message, batch, bytes: f.fileSize ?? 0,
  }));
}
