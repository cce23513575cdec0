// The STOW-RS request around its body: the files' UIDs and sizes read before sending, and the
// server's answer matched back to the batch's files.

import { stat } from 'node:fs/promises';
import { readPart10Header } from '../../dicom';
import { readStowResponse, StowResponseError, type StowResult } from '../stow-response';
import { DicomwebError } from './errors';
import { describeRequest, httpError, readBody, type HttpResponse } from './http';
import { matchStowResult, uniformResult, type SizedFile, type StowBatchResult, type StowInput } from './stow-batches';

const MAX_STOW_RESPONSE = 64 * 1024 * 1024;

/** The files to send, paths without known UIDs read as Part 10 (a file that is not DICOM fails here). */
export async function stowInputs(files: ReadonlyArray<StowInput | string>): Promise<StowInput[]> {
  const inputs: StowInput[] = [];
  for (const f of files) {
    if (typeof f !== 'string') {
      inputs.push(f);
      continue;
    }
    let h;
    try {
      h = await readPart10Header(f);
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      throw new DicomwebError(`${f} cannot be sent: ${e.message.replace(/\.$/, '')}.`, 'io', undefined, undefined, e.code);
    }
    if (!h.sopInstanceUid) throw new DicomwebError(`${f} cannot be sent: its data set has no SOP Instance UID.`, 'io');
    inputs.push({ path: f, sopInstanceUid: h.sopInstanceUid, sopClassUid: h.sopClassUid, fileSize: h.fileSize });
  }
  return inputs;
}

/** The sizes of a batch's files as they are now, for the request's Content-Length. */
export async function sizeFiles(files: StowInput[]): Promise<SizedFile[]> {
  const sized: SizedFile[] = [];
  for (const f of files) {
    try {
      sized.push({ path: f.path, size: (await stat(f.path)).size });
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      throw new DicomwebError(`${f.path} cannot be sent: ${e.message.replace(/\.$/, '')}.`, 'io', undefined, undefined, e.code);
    }
  }
  return sized;
}

/** The per-file results of one batch from the server's answer to its POST. */
export async function readStowAnswer(res: HttpResponse, url: URL, files: StowInput[], index: number): Promise<StowBatchResult> {
  const what = describeRequest('POST', url);
  const raw = await readBody(res, MAX_STOW_RESPONSE, what);
  res.discard();
  let parsed: StowResult | undefined;
  if (raw.length > 0) {
    try {
      parsed = readStowResponse(JSON.parse(raw.toString('utf8')));
    } catch (error) {
      if (!(error instanceof SyntaxError) && !(error instanceof StowResponseError)) throw error;
    }
  }
  const status = res.status;
  if (parsed && (status === 200 || status === 202 || status === 400 || status === 409)) {
    // Orthanc, for one, answers 400 with the instances it did store when a part was unusable.
    return {
      index, status, files: matchStowResult(files, parsed, index),
      ...(parsed.retrieveURL !== undefined ? { retrieveURL: parsed.retrieveURL } : {}),
    };
  }
  if (status === 200) return { index, status, files: uniformResult(files, index, 'stored', 'stored (the server gave no per-instance details)') };
  if (status === 202) return { index, status, files: uniformResult(files, index, 'failed', 'failed: the server answered 202 (some instances failed) without saying which') };
  if (status >= 200 && status <= 299) {
    throw new DicomwebError(`The server answered ${status} to ${what}, which is not a STOW-RS status.`, 'response', status);
  }
  throw await httpError(res, 'POST', url, raw);
}
