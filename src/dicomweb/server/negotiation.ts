// Content negotiation of the DICOMweb server (PS3.18 8.7): which JSON type a search or metadata
// answer takes, which transfer syntax each instance of a WADO-RS answer goes out in, and whether
// bulk data goes as multipart/related or as a single part. Anything the client does not accept
// is a 406 with a sentence saying what the server can send.

import { ExplicitVRLittleEndian, isUncompressed, transferSyntaxName } from '../../dicom/transfer-syntaxes';
import { AcceptEntry, MediaType, MediaTypeError, essence, parseAccept } from '../multipart';
import { ANY_TRANSFER_SYNTAX, MediaTypes, isWebTransferSyntax, negotiate, partMediaType } from '../media-types';
import { HttpError } from './http-error';

/** The Accept header (or the `accept` query parameter, which wins, PS3.18 8.3.3.1) as media ranges. */
export function acceptEntries(header: string | undefined, queryAccept?: string | null): AcceptEntry[] {
  const text = queryAccept ?? header;
  if (text === undefined || text.trim() === '') return [];
  try {
    return parseAccept(text);
  } catch (error) {
    if (error instanceof MediaTypeError) throw new HttpError(400, error.message);
    throw error;
  }
}

const JSON_OFFERS: MediaType[] = [
  { type: 'application', subtype: 'dicom+json', params: {} },
  { type: 'application', subtype: 'json', params: {} },
];

/** application/dicom+json or application/json, as the client prefers; 406 for anything else (XML included). */
export function negotiateJson(accept: readonly AcceptEntry[]): string {
  const chosen = negotiate(accept, JSON_OFFERS);
  if (!chosen) throw new HttpError(406, 'This server answers searches and metadata as application/dicom+json or application/json only.');
  return essence(chosen.offer);
}

/** How one instance goes out in a WADO-RS answer. */
export interface InstanceRendition {
  transferSyntaxUid: string;
  /** The stored syntax is converted to `transferSyntaxUid` (uncompressed syntaxes only). */
  transcode: boolean;
}

interface DicomAcceptance {
  /** A transfer syntax UID, or "*" for any. */
  syntax: string;
}

/** The application/dicom representations an Accept list allows (bare application/dicom counts as multipart). */
function dicomAcceptances(accept: readonly AcceptEntry[]): DicomAcceptance[] {
  const out: DicomAcceptance[] = [];
  for (const e of accept) {
    if (e.q === 0) continue;
    let part: MediaType | undefined;
    if (e.type === '*' && e.subtype === '*') {
      out.push({ syntax: ANY_TRANSFER_SYNTAX });
      continue;
    }
    if (e.type === 'multipart' && (e.subtype === 'related' || e.subtype === '*')) {
      if (e.params['type'] === undefined) {
        out.push({ syntax: e.params['transfer-syntax'] ?? ANY_TRANSFER_SYNTAX });
        continue;
      }
      try {
        part = partMediaType({ ...e, subtype: 'related' });
      } catch (error) {
        if (error instanceof MediaTypeError) throw new HttpError(400, error.message);
        throw error;
      }
    } else {
      part = e;
    }
    if (!part) continue;
    const fits = (part.type === 'application' && (part.subtype === 'dicom' || part.subtype === '*')) || (part.type === '*' && part.subtype === '*');
    if (!fits) continue;
    const ts = part.params['transfer-syntax'];
    out.push({ syntax: ts ?? (part.subtype === 'dicom' ? ExplicitVRLittleEndian : ANY_TRANSFER_SYNTAX) });
  }
  return out;
}

/**
 * Decides, for each stored transfer syntax, what goes out: the stored bytes when the client takes
 * that syntax (or any), Explicit VR Little Endian converted from another uncompressed syntax
 * when it takes that, else nothing (the caller answers 406: compressed data is not transcoded).
 * @throws HttpError 406 when the Accept list allows no application/dicom at all.
 */
export function instanceRenditions(accept: readonly AcceptEntry[]): (storedTs: string) => InstanceRendition | undefined {
  const acceptances = accept.length === 0 ? [{ syntax: ANY_TRANSFER_SYNTAX }] : dicomAcceptances(accept);
  if (acceptances.length === 0) {
    throw new HttpError(406, 'Instances are sent as multipart/related; type="application/dicom"; the Accept header allows no such answer.');
  }
  const takes = (ts: string) => acceptances.some((a) => a.syntax === ANY_TRANSFER_SYNTAX || a.syntax === ts);
  return (stored) => {
    if (isWebTransferSyntax(stored) && takes(stored)) return { transferSyntaxUid: stored, transcode: false };
    if (isUncompressed(stored) && takes(ExplicitVRLittleEndian)) return { transferSyntaxUid: ExplicitVRLittleEndian, transcode: true };
    return undefined;
  };
}

/** The sentence of a 406 for an instance whose stored syntax the client does not take. */
export function cannotSend(storedTs: string, sopInstanceUid: string): HttpError {
  const name = transferSyntaxName(storedTs);
  return new HttpError(406, `Instance ${sopInstanceUid} is stored in ${name ? `${name} (${storedTs})` : storedTs}, which the Accept header does not allow, and this server does not transcode compressed data; ask with transfer-syntax=*.`);
}

/** Bulk data or frames: as multipart/related (default), or as one bare part when asked for and possible. */
export function negotiateBulk(accept: readonly AcceptEntry[], partType: string, transferSyntaxUid: string, singlePartPossible: boolean): 'multipart' | 'single' {
  const [type, subtype] = partType.split('/') as [string, string];
  const params = { 'transfer-syntax': transferSyntaxUid };
  const offers: MediaType[] = [{ type: 'multipart', subtype: 'related', params: { type: partType, ...params } }];
  if (singlePartPossible) offers.push({ type, subtype, params });
  const chosen = negotiate(accept, offers);
  if (!chosen) {
    const what = partType === MediaTypes.OCTET_STREAM ? 'uncompressed bytes' : `${partType} in ${transferSyntaxName(transferSyntaxUid) ?? transferSyntaxUid}`;
    throw new HttpError(406, `This data is available as ${what} only (multipart/related; type="${partType}"${singlePartPossible ? ` or ${partType}` : ''}); the Accept header allows neither.`);
  }
  return chosen.offer.type === 'multipart' ? 'multipart' : 'single';
}
