// Content negotiation of the DICOMweb server (PS3.18 8.7): the Accept list, which JSON type a
// search or metadata answer takes, and whether bulk data goes as multipart/related or as a single
// part. (Instances: instance-syntax.ts; frames: frame-syntax.ts.) Anything the client does not
// accept is a 406 with a sentence saying what the server can send.

import { transferSyntaxName } from '../../dicom';
import { AcceptEntry, MediaType, MediaTypeError, essence, parseAccept } from '../multipart';
import { MediaTypes, negotiate } from '../media-types';
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
