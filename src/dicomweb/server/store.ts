// STOW-RS (PS3.18 10.5): a multipart/related; type="application/dicom" request body parsed as it
// arrives, each part's Part 10 file streamed into the archive's atomic writer (the one the
// C-STORE SCP uses), so what is stored is at once found by C-FIND and QIDO-RS and sent by C-MOVE
// and WADO-RS. Instances are put in place only once the whole body has been read and found well
// formed, so a broken or oversized body stores nothing (a request of more than MAX_PENDING
// instances has its earliest ones put in place as it goes, to bound the open files).

import * as path from 'node:path';
import { DatasetHeaderScanner } from '../../dicom';
import { parseFileMeta, MetaParse } from '../../dicom';
import { DicomError, TruncatedFileError } from '../../dicom';
import { Tag, Tags } from '../../dicom';
import { isStorageSopClass, isValidUid } from '../../dicom';
import { statusClass } from '../../dimse';
import { StoreTransaction } from '../../services';
import { instanceRelativePath } from '../../archive';
import { MultipartError, MultipartPart, MediaTypeError, parseContentType, parseMultipart, essence } from '../multipart';
import { MediaTypes, parseMultipartContentType } from '../media-types';
import { FailureReason, StowFailed, StowStored, buildStowResponse } from '../stow-response';
import { HttpError } from './http-error';
import { RequestContext, ServerContext } from './context';
import { sendJson } from './respond';
import { targetPath } from './routes';

/** The calling AE title written into the file meta of instances stored over STOW-RS. */
export const STOW_SOURCE_AE = 'STOW-RS';
/** Bytes of a part read before its file meta must have been seen. */
const MAX_META_BYTES = 1024 * 1024;
/** Bytes of a data set held back while its UIDs are looked for. */
const MAX_HELD_BYTES = 1024 * 1024;
/** Instances written but not yet put in place; beyond this the oldest are committed early. */
const MAX_PENDING = 256;

const HEADER_TAGS: Tag[] = [Tags.SOPClassUID, Tags.SOPInstanceUID, Tags.StudyInstanceUID, Tags.SeriesInstanceUID];

interface Pending {
  transaction: StoreTransaction;
  sopClassUID: string;
  sopInstanceUID: string;
  study: string;
  series: string;
}

type PartResult = { failed: StowFailed } | { pending: Pending };

function text(scanner: DatasetHeaderScanner, tag: Tag): string | undefined {
  const v = scanner.text(tag);
  return v === undefined ? undefined : v.trim();
}

/** Reads a part's first bytes until its file meta is complete; returns the meta and the bytes read. */
async function readMeta(body: AsyncIterator<Buffer>): Promise<{ meta?: MetaParse; head: Buffer; ended: boolean; problem?: string }> {
  const pieces: Buffer[] = [];
  let size = 0;
  for (;;) {
    const r = await body.next();
    if (!r.done) { pieces.push(r.value); size += r.value.length; }
    const head = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, size);
    pieces.splice(0, pieces.length, head);
    // The meta is known to be complete once a byte after it has arrived (or the part ended).
    if (size >= 132 || r.done) {
      try {
        const meta = parseFileMeta(head, 'The part');
        if (meta.datasetOffset < size || r.done) return { meta, head, ended: !!r.done };
      } catch (error) {
        if (!(error instanceof DicomError)) throw error;
        if (r.done || size > MAX_META_BYTES || !(error instanceof TruncatedFileError)) return { head, ended: !!r.done, problem: error.message };
      }
    }
  }
}

/** Aborts a transaction, waiting for its clean-up when the store returns a promise for it. */
async function abort(transaction: StoreTransaction, reason: Error): Promise<void> {
  const done: unknown = transaction.abort(reason);
  if (done && typeof (done as Promise<void>).then === 'function') await (done as Promise<void>).catch(() => undefined);
}

async function drain(body: AsyncIterator<Buffer>): Promise<void> {
  for (let r = await body.next(); !r.done; r = await body.next()) { /* discard */ }
}

/** Streams one part into a store transaction; the result is a failure, or a transaction to commit. */
async function receivePart(server: ServerContext, part: MultipartPart, study: string | undefined, log: (line: string) => void): Promise<PartResult> {
  const body = part.body[Symbol.asyncIterator]();
  const fail = async (failureReason: number, why: string, uids: { sopClassUID?: string; sopInstanceUID?: string } = {}): Promise<PartResult> => {
    await drain(body);
    log(`STOW-RS part ${part.index + 1} refused: ${why}`);
    return { failed: { failureReason, ...uids } };
  };
  if (part.contentType !== undefined) {
    let type: string;
    try {
      type = essence(parseContentType(part.contentType));
    } catch (error) {
      if (!(error instanceof MediaTypeError)) throw error;
      return fail(FailureReason.CannotUnderstand, error.message);
    }
    if (type !== MediaTypes.DICOM) return fail(FailureReason.CannotUnderstand, `it is ${type}, not application/dicom`);
  }
  const { meta, head, ended, problem } = await readMeta(body);
  if (!meta || !meta.hasMeta) return fail(FailureReason.CannotUnderstand, problem ?? 'it is not a DICOM Part 10 file (no file meta information)');
  if (!isValidUid(meta.transferSyntaxUid)) return fail(FailureReason.CannotUnderstand, 'its file meta has no valid Transfer Syntax UID');

  // The identity of the instance is what its data set says (the file meta can disagree): read the
  // first elements, holding back at most a little, before anything is written.
  const scanner = new DatasetHeaderScanner(meta.transferSyntaxUid, { wanted: HEADER_TAGS, stopAt: Tags.SeriesInstanceUID + 1, maxValueBytes: 256 });
  let scanning = true;
  const held: Buffer[] = [];
  let heldBytes = 0;
  let finished = ended;
  const hold = (chunk: Buffer) => {
    if (chunk.length === 0) return;
    held.push(chunk);
    heldBytes += chunk.length;
    if (!scanning) return;
    try {
      scanning = !scanner.push(chunk);
    } catch {
      scanning = false; // the store's own walk of the data set reports what is wrong with it
    }
  };
  hold(head.subarray(meta.datasetOffset));
  while (scanning && !finished && heldBytes < MAX_HELD_BYTES) {
    const r = await body.next();
    if (r.done) finished = true;
    else hold(r.value);
  }

  const metaText = (key: string) => (typeof meta.meta[key] === 'string' ? meta.meta[key] as string : '');
  const sopClassUID = text(scanner, Tags.SOPClassUID) || metaText('MediaStorageSOPClassUID');
  const sopInstanceUID = text(scanner, Tags.SOPInstanceUID) || metaText('MediaStorageSOPInstanceUID');
  const uids = { ...(sopClassUID ? { sopClassUID } : {}), ...(sopInstanceUID ? { sopInstanceUID } : {}) };
  if (!isValidUid(sopClassUID) || !isValidUid(sopInstanceUID)) {
    return fail(FailureReason.CannotUnderstand, 'it has no valid SOP Class and SOP Instance UID', uids);
  }
  if (!server.settings.acceptUnknownSopClasses && !isStorageSopClass(sopClassUID)) {
    return fail(FailureReason.SOPClassNotSupported, `SOP class ${sopClassUID} is not a storage SOP class`, uids);
  }
  const foundStudy = text(scanner, Tags.StudyInstanceUID);
  if (study !== undefined && foundStudy !== study) {
    return fail(FailureReason.DataSetDoesNotMatchSOPClass, `it belongs to study ${foundStudy ?? '(none)'}, not to ${study} named in the request path`, uids);
  }

  const transaction = server.archive.store.begin({
    sopClassUid: sopClassUID, sopInstanceUid: sopInstanceUID, transferSyntaxUid: meta.transferSyntaxUid,
    callingAeTitle: STOW_SOURCE_AE, calledAeTitle: server.settings.aeTitle,
  });
  try {
    for (const chunk of held) await transaction.write(chunk);
    held.length = 0;
    if (!finished) {
      for (let r = await body.next(); !r.done; r = await body.next()) await transaction.write(r.value);
    }
  } catch (error) {
    await abort(transaction, error as Error);
    throw error;
  }
  return { pending: { transaction, sopClassUID, sopInstanceUID, study: foundStudy ?? '', series: text(scanner, Tags.SeriesInstanceUID) ?? '' } };
}

/** The request's Content-Type, checked: multipart/related of application/dicom parts. */
function checkContentType(header: string | undefined): string {
  if (!header) throw new HttpError(415, 'A STOW-RS request needs a Content-Type of multipart/related; type="application/dicom".');
  let boundary: string;
  let type: string | undefined;
  try {
    ({ boundary, type } = parseMultipartContentType(header));
  } catch (error) {
    if (error instanceof MediaTypeError) throw new HttpError(error.status, `${error.message} STOW-RS takes multipart/related; type="application/dicom".`);
    throw error;
  }
  if (type !== undefined && essence(parseContentType(type)) !== MediaTypes.DICOM) {
    throw new HttpError(415, `This server stores multipart/related; type="application/dicom" only, not parts of type ${type}.`);
  }
  return boundary;
}

export async function handleStore(server: ServerContext, rc: RequestContext, study: string | undefined): Promise<void> {
  const boundary = checkContentType(rc.req.headers['content-type']);
  const max = server.settings.maxBodyBytes;
  const declared = Number(rc.req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    throw new HttpError(413, `The request body of ${declared} bytes is larger than the limit of ${max} bytes.`);
  }
  const stored: StowStored[] = [];
  const failed: StowFailed[] = [];
  const pending: Pending[] = [];
  const log = (line: string) => server.log(line);

  const commit = async (p: Pending) => {
    const outcome = await p.transaction.commit();
    outcome.afterResponse?.();
    const kind = statusClass(outcome.status);
    if (kind === 'success' || kind === 'warning') {
      await ensureIndexed(server, p);
      stored.push({
        sopClassUID: p.sopClassUID, sopInstanceUID: p.sopInstanceUID,
        retrieveURL: rc.baseUrl + targetPath({ study: p.study, series: p.series, instance: p.sopInstanceUID }),
        ...(kind === 'warning' ? { warningReason: outcome.status } : {}),
      });
    } else {
      log(`STOW-RS instance ${p.sopInstanceUID} refused: ${outcome.comment ?? `status 0x${outcome.status.toString(16)}`}`);
      failed.push({ sopClassUID: p.sopClassUID, sopInstanceUID: p.sopInstanceUID, failureReason: outcome.status });
    }
  };

  try {
    // Not destroyed when parsing stops early: the answer still has to go out on this connection.
    const body = rc.req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>;
    for await (const part of parseMultipart(body, boundary, { maxTotalBytes: max })) {
      const result = await receivePart(server, part, study, log);
      if ('failed' in result) failed.push(result.failed);
      else pending.push(result.pending);
      if (pending.length > MAX_PENDING) await commit(pending.shift()!);
    }
  } catch (error) {
    for (const p of pending) await abort(p.transaction, error as Error);
    if (error instanceof MultipartError) throw new HttpError(error.status, error.message);
    throw error;
  }
  for (const p of pending) await commit(p);

  const studies = new Set(stored.map((s) => s.retrieveURL!.split('/series/')[0]!));
  const retrieveURL = study !== undefined ? rc.baseUrl + targetPath({ study }) : studies.size === 1 ? [...studies][0] : undefined;
  const { status, body } = buildStowResponse({ ...(retrieveURL ? { retrieveURL } : {}), stored, failed });
  if (status === 400) throw new HttpError(400, 'The STOW-RS request holds no parts.');
  rc.note = `${stored.length} stored, ${failed.length} failed`;
  sendJson(rc.res, status, body, MediaTypes.DICOM_JSON);
}

/** An instance stored through a bare FileStore (not an ArchiveServices) is indexed here. */
async function ensureIndexed(server: ServerContext, p: Pending): Promise<void> {
  const index = server.archive.index;
  if (index.get(p.sopInstanceUID)) return;
  try {
    await index.addFile(path.join(server.archive.store.root, instanceRelativePath(p.study, p.series, p.sopInstanceUID)));
  } catch (error) {
    server.log(`STOW-RS instance ${p.sopInstanceUID} was stored but could not be indexed: ${(error as Error).message}`);
  }
}
