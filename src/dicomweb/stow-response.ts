// The STOW-RS response (PS3.18 10.5.3 and Annex I, the Store Instances Response Module) in the
// DICOM JSON Model: building it on the origin server, reading it in the user agent, and the HTTP
// status that goes with it.
//
// Reason codes: Table I.2-1 (Warning Reason) and Table I.2-2 (Failure Reason). A7xx, A9xx and
// Cxxx are ranges; an implementation picks a code inside them. The standard allows further codes
// ("additional codes may be used"); 0124H (Refused: Not Authorized, a PS3.7 general status) is
// included here for an origin server that refuses an instance on access grounds.

import { Dataset } from '../dicom';
import { DicomError } from '../dicom';
import { datasetFromJson, datasetToJson, type DicomJsonObject } from '../dicom';

export const FailureReason = {
  /** A7xx: Refused, out of resources. */
  OutOfResources: 0xa700,
  /** A9xx: Error, the data set does not match the SOP class. */
  DataSetDoesNotMatchSOPClass: 0xa900,
  /** Cxxx: Error, cannot understand certain data elements. */
  CannotUnderstand: 0xc000,
  /** C122: Referenced transfer syntax not supported. */
  TransferSyntaxNotSupported: 0xc122,
  /** 0110: Processing failure. */
  ProcessingFailure: 0x0110,
  /** 0122: Referenced SOP class not supported. */
  SOPClassNotSupported: 0x0122,
  /** 0124: Refused, not authorized (not in Table I.2-2; a PS3.7 general status). */
  NotAuthorized: 0x0124,
} as const;

export const WarningReason = {
  /** B000: Coercion of data elements. */
  CoercionOfDataElements: 0xb000,
  /** B006: Elements discarded. */
  ElementsDiscarded: 0xb006,
  /** B007: Data set does not match SOP class. */
  DataSetDoesNotMatchSOPClass: 0xb007,
} as const;

/** What a failure or warning reason code means, in a few words. */
export function describeStowReason(code: number): string {
  switch (code) {
    case 0xc122: return 'Referenced Transfer Syntax not supported';
    case 0x0110: return 'Processing failure';
    case 0x0122: return 'Referenced SOP Class not supported';
    case 0x0124: return 'Refused: not authorized';
    case 0xb000: return 'Coercion of data elements';
    case 0xb006: return 'Elements discarded';
    case 0xb007: return 'Data set does not match SOP Class';
  }
  const hex = code.toString(16).toUpperCase().padStart(4, '0');
  if ((code & 0xff00) === 0xa700) return `Refused: out of resources (${hex})`;
  if ((code & 0xff00) === 0xa900) return `Error: data set does not match SOP Class (${hex})`;
  if ((code & 0xf000) === 0xc000) return `Error: cannot understand (${hex})`;
  return `Status ${hex}`;
}

export interface StowStored {
  sopClassUID: string;
  sopInstanceUID: string;
  /** Where the instance can be retrieved with WADO-RS; written empty when not given (Type 2). */
  retrieveURL?: string;
  /** Set when the instance was stored with a warning (Table I.2-1). */
  warningReason?: number;
}

export interface StowFailed {
  /** Unknown when the part could not be read as DICOM at all. */
  sopClassUID?: string;
  sopInstanceUID?: string;
  /** Table I.2-2. */
  failureReason: number;
}

export interface StowResult {
  /** The study's retrieve URL (Type 2: may be absent or empty). */
  retrieveURL?: string;
  stored: StowStored[];
  failed: StowFailed[];
}

/** A response document that is not a Store Instances Response. */
export class StowResponseError extends DicomError {}

const TAG = {
  RetrieveURL: 0x00081190,
  WarningReason: 0x00081196,
  FailureReason: 0x00081197,
  FailedSOPSequence: 0x00081198,
  ReferencedSOPSequence: 0x00081199,
  ReferencedSOPClassUID: 0x00081150,
  ReferencedSOPInstanceUID: 0x00081155,
} as const;

function reasonCode(code: number, what: string): number {
  if (!Number.isInteger(code) || code < 0 || code > 0xffff) {
    throw new RangeError(`The ${what} ${code} is not a 16-bit status code.`);
  }
  return code;
}

/**
 * The HTTP status of a STOW-RS response (PS3.18 Table 10.5.3-1): 200 when every instance was
 * stored without warnings, 202 when some were stored but others failed or had warnings, 409
 * when none could be stored, 400 when the request held no instance at all. (415 for a request
 * media type the server does not take is decided before any instance is read.)
 */
export function stowHttpStatus(result: Pick<StowResult, 'stored' | 'failed'>): 200 | 202 | 400 | 409 {
  const { stored, failed } = result;
  if (stored.length === 0) return failed.length === 0 ? 400 : 409;
  if (failed.length > 0 || stored.some((s) => s.warningReason !== undefined)) return 202;
  return 200;
}

/** The Store Instances Response Module as a dataset. */
export function stowResponseDataset(result: StowResult): Dataset {
  const ds = new Dataset();
  ds.set(TAG.RetrieveURL, 'UR', result.retrieveURL ?? null);
  if (result.failed.length > 0) {
    ds.set(TAG.FailedSOPSequence, 'SQ', result.failed.map((f) => {
      const item = new Dataset();
      item.set(TAG.ReferencedSOPClassUID, 'UI', f.sopClassUID ?? null);
      item.set(TAG.ReferencedSOPInstanceUID, 'UI', f.sopInstanceUID ?? null);
      item.set(TAG.FailureReason, 'US', reasonCode(f.failureReason, 'failure reason'));
      return item;
    }));
  }
  if (result.stored.length > 0) {
    ds.set(TAG.ReferencedSOPSequence, 'SQ', result.stored.map((s) => {
      const item = new Dataset();
      item.set(TAG.ReferencedSOPClassUID, 'UI', s.sopClassUID);
      item.set(TAG.ReferencedSOPInstanceUID, 'UI', s.sopInstanceUID);
      item.set(TAG.RetrieveURL, 'UR', s.retrieveURL ?? null);
      if (s.warningReason !== undefined) item.set(TAG.WarningReason, 'US', reasonCode(s.warningReason, 'warning reason'));
      return item;
    }));
  }
  return ds;
}

/** The response an origin server sends: its HTTP status and its application/dicom+json body. */
export function buildStowResponse(result: StowResult): { status: 200 | 202 | 400 | 409; body: DicomJsonObject } {
  return { status: stowHttpStatus(result), body: datasetToJson(stowResponseDataset(result)) };
}

function text(ds: Dataset, tag: number): string | undefined {
  const s = ds.string(tag);
  return s === undefined || s === '' ? undefined : s.trim();
}

/**
 * Reads a STOW-RS response body (parsed JSON: an object, or an array holding one object).
 * @throws StowResponseError when it is not a DICOM JSON Store Instances Response.
 */
export function readStowResponse(json: unknown): StowResult {
  let doc = json;
  if (Array.isArray(doc)) {
    if (doc.length !== 1) throw new StowResponseError(`A STOW-RS response should be one DICOM JSON object; this array holds ${doc.length}.`);
    doc = doc[0];
  }
  let ds: Dataset;
  try {
    ds = datasetFromJson(doc);
  } catch (err) {
    throw new StowResponseError(`The STOW-RS response is not valid DICOM JSON: ${(err as Error).message}`);
  }
  if (!ds.has(TAG.ReferencedSOPSequence) && !ds.has(TAG.FailedSOPSequence) && !ds.has(TAG.RetrieveURL)) {
    throw new StowResponseError('The STOW-RS response has none of Retrieve URL, Referenced SOP Sequence and Failed SOP Sequence.');
  }
  const stored: StowStored[] = (ds.items(TAG.ReferencedSOPSequence) ?? []).map((item, i) => {
    const sopClassUID = text(item, TAG.ReferencedSOPClassUID);
    const sopInstanceUID = text(item, TAG.ReferencedSOPInstanceUID);
    if (sopClassUID === undefined || sopInstanceUID === undefined) {
      throw new StowResponseError(`Item ${i + 1} of the Referenced SOP Sequence lacks its SOP Class or SOP Instance UID.`);
    }
    const retrieveURL = text(item, TAG.RetrieveURL);
    const warningReason = item.number(TAG.WarningReason);
    return {
      sopClassUID, sopInstanceUID,
      ...(retrieveURL !== undefined ? { retrieveURL } : {}),
      ...(warningReason !== undefined ? { warningReason } : {}),
    };
  });
  const failed: StowFailed[] = (ds.items(TAG.FailedSOPSequence) ?? []).map((item, i) => {
    const failureReason = item.number(TAG.FailureReason);
    if (failureReason === undefined) throw new StowResponseError(`Item ${i + 1} of the Failed SOP Sequence has no Failure Reason.`);
    const sopClassUID = text(item, TAG.ReferencedSOPClassUID);
    const sopInstanceUID = text(item, TAG.ReferencedSOPInstanceUID);
    return {
      failureReason,
      ...(sopClassUID !== undefined ? { sopClassUID } : {}),
      ...(sopInstanceUID !== undefined ? { sopInstanceUID } : {}),
    };
  });
  const retrieveURL = text(ds, TAG.RetrieveURL);
  return { ...(retrieveURL !== undefined ? { retrieveURL } : {}), stored, failed };
}
