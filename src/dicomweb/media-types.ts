// The media types of PS3.18 (8.7.3) and the rules of their transfer-syntax parameter, plus the
// content negotiation a WADO-RS origin server does with them (8.7.5, RFC 7231 5.3.2).
//
// Rules kept here:
// - No transfer-syntax parameter means the default syntax of the media type (Tables 8.7.3-2,
//   -4 and -5); "*" means any syntax the origin server chooses (usually the stored one).
// - Implicit VR Little Endian and Explicit VR Big Endian shall not be used with Web Services.
// - A bulk data media type only carries the syntaxes listed for it (image/jpeg never carries JPEG
//   2000); application/dicom carries any syntax this package's registry knows, and any other
//   well-formed UID (a private syntax), since the file says what it is.

import {
  ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian, isUncompressed, transferSyntax,
} from '../dicom';
import { isValidUid } from '../dicom';
import {
  AcceptEntry, MediaType, MediaTypeError, essence, formatMediaType, parseContentType,
} from './multipart';

export const MediaTypes = {
  DICOM: 'application/dicom',
  DICOM_JSON: 'application/dicom+json',
  DICOM_XML: 'application/dicom+xml',
  JSON: 'application/json',
  OCTET_STREAM: 'application/octet-stream',
  MULTIPART_RELATED: 'multipart/related',
  JPEG: 'image/jpeg',
  JPEG_LS: 'image/jls',
  JPEG_2000: 'image/jp2',
  JPEG_2000_PART2: 'image/jpx',
  HTJ2K: 'image/jphc',
  JPEG_XL: 'image/jxl',
  RLE: 'image/dicom-rle',
  PNG: 'image/png',
  MPEG2: 'video/mpeg',
  MP4: 'video/mp4',
} as const;

/** "Any transfer syntax": the value "*" of the transfer-syntax parameter. */
export const ANY_TRANSFER_SYNTAX = '*';

interface SyntaxRule {
  /** Used when the media type has no transfer-syntax parameter. */
  default: string;
  /** All the syntaxes the media type may carry (default first); undefined: any web syntax. */
  allowed?: readonly string[];
}

const TS = (suffix: string) => `1.2.840.10008.1.2.${suffix}`;

// PS3.18 Table 8.7.3-2 (application/dicom), 8.7.3-4 (uncompressed bulk data), 8.7.3-5 (compressed).
const RULES: ReadonlyMap<string, SyntaxRule> = new Map<string, SyntaxRule>([
  [MediaTypes.DICOM, { default: ExplicitVRLittleEndian }],
  [MediaTypes.OCTET_STREAM, { default: ExplicitVRLittleEndian, allowed: [ExplicitVRLittleEndian] }],
  [MediaTypes.JPEG, { default: TS('4.70'), allowed: [TS('4.70'), TS('4.50'), TS('4.51'), TS('4.57')] }],
  [MediaTypes.JPEG_LS, { default: TS('4.80'), allowed: [TS('4.80'), TS('4.81')] }],
  [MediaTypes.JPEG_2000, { default: TS('4.90'), allowed: [TS('4.90'), TS('4.91')] }],
  [MediaTypes.JPEG_2000_PART2, { default: TS('4.92'), allowed: [TS('4.92'), TS('4.93')] }],
  [MediaTypes.HTJ2K, { default: TS('4.201'), allowed: [TS('4.201'), TS('4.202'), TS('4.203')] }],
  [MediaTypes.JPEG_XL, { default: TS('4.110'), allowed: [TS('4.110'), TS('4.111'), TS('4.112')] }],
  [MediaTypes.RLE, { default: TS('5'), allowed: [TS('5')] }],
  [MediaTypes.MPEG2, { default: TS('4.100'), allowed: [TS('4.100'), TS('4.100.1'), TS('4.101'), TS('4.101.1')] }],
  [MediaTypes.MP4, {
    default: TS('4.102'),
    allowed: [
      TS('4.102'), TS('4.102.1'), TS('4.103'), TS('4.103.1'), TS('4.104'), TS('4.104.1'),
      TS('4.105'), TS('4.105.1'), TS('4.106'), TS('4.106.1'), TS('4.107'), TS('4.108'),
    ],
  }],
]);

/** The transfer syntax used when a media type has no transfer-syntax parameter, or undefined if it has none (JSON, XML). */
export function defaultTransferSyntax(mediaType: string): string | undefined {
  return RULES.get(mediaType.toLowerCase())?.default;
}

/** The syntaxes a bulk data media type may carry, default first; undefined for application/dicom (any) and types without one. */
export function transferSyntaxesFor(mediaType: string): readonly string[] | undefined {
  return RULES.get(mediaType.toLowerCase())?.allowed;
}

/** A syntax a Web Service may use: a well-formed UID other than Implicit VR LE and Explicit VR BE. */
export function isWebTransferSyntax(uid: string): boolean {
  return isValidUid(uid) && uid !== ImplicitVRLittleEndian && uid !== ExplicitVRBigEndian;
}

/**
 * The bulk data media type for pixel data in a transfer syntax: application/octet-stream for the
 * uncompressed ones, the compressed type for the others, undefined when PS3.18 names none.
 */
export function bulkDataMediaType(transferSyntaxUid: string): string | undefined {
  if (isUncompressed(transferSyntaxUid) || transferSyntaxUid === TS('1.98')) return MediaTypes.OCTET_STREAM;
  for (const [mediaType, rule] of RULES) {
    if (rule.allowed && mediaType !== MediaTypes.OCTET_STREAM && rule.allowed.includes(transferSyntaxUid)) return mediaType;
  }
  return undefined;
}

/**
 * For multipart/related, the media type of its parts (its `type` parameter) carrying the
 * multipart's transfer-syntax parameter, as PS3.18 writes them on the multipart; any other type
 * is returned as it is. A multipart/related without a type parameter gives undefined.
 */
export function partMediaType(mt: MediaType): MediaType | undefined {
  if (essence(mt) !== MediaTypes.MULTIPART_RELATED) return mt;
  const inner = mt.params['type'];
  if (inner === undefined) return undefined;
  const parsed = parseContentType(inner);
  const ts = mt.params['transfer-syntax'];
  if (ts !== undefined && parsed.params['transfer-syntax'] === undefined) parsed.params['transfer-syntax'] = ts;
  return parsed;
}

/**
 * The transfer syntax a (part) media type asks for: its parameter, "*" for any, or the media
 * type's default. Undefined when the media type has no transfer syntax at all.
 * @param status the HTTP status for a refusal: 406 for an Accept header, 415 for a Content-Type.
 * @throws MediaTypeError when the parameter is not a UID, is a syntax Web Services may not use,
 *   or is one the media type cannot carry.
 */
export function requestedTransferSyntax(mt: MediaType, status = 406): string | undefined {
  const type = essence(mt);
  const rule = RULES.get(type);
  const param = mt.params['transfer-syntax'];
  if (param === undefined) return rule?.default;
  if (param === ANY_TRANSFER_SYNTAX) return ANY_TRANSFER_SYNTAX;
  if (!rule) throw new MediaTypeError(`The media type ${type} does not take a transfer-syntax parameter.`, status);
  if (!isValidUid(param)) throw new MediaTypeError(`The transfer-syntax parameter "${param}" is not a UID.`, status);
  if (!isWebTransferSyntax(param)) {
    throw new MediaTypeError(`The transfer syntax ${param} (${transferSyntax(param)?.name}) shall not be used with DICOM Web Services.`, status);
  }
  if (rule.allowed && !rule.allowed.includes(param)) {
    const name = transferSyntax(param)?.name;
    throw new MediaTypeError(`The media type ${type} cannot carry the transfer syntax ${param}${name ? ` (${name})` : ''}.`, status);
  }
  return param;
}

export interface MultipartContentType {
  boundary: string;
  /** The type parameter (the parts' media type), lower case, or undefined when absent. */
  type?: string;
  mediaType: MediaType;
}

/**
 * Reads a request or response Content-Type that must be multipart/related with a boundary.
 * @throws MediaTypeError: 415 when it is another media type, 400 when the header is malformed
 *   or has no boundary.
 */
export function parseMultipartContentType(header: string): MultipartContentType {
  const mediaType = parseContentType(header);
  if (essence(mediaType) !== MediaTypes.MULTIPART_RELATED) {
    throw new MediaTypeError(`The Content-Type is ${essence(mediaType)}, not multipart/related.`, 415);
  }
  const boundary = mediaType.params['boundary'];
  if (!boundary) throw new MediaTypeError('The multipart/related Content-Type has no boundary parameter.', 400);
  const type = mediaType.params['type'];
  return { boundary, mediaType, ...(type !== undefined ? { type: type.toLowerCase() } : {}) };
}

/** `multipart/related; type="…"; [transfer-syntax=…;] boundary=…` as a header value. */
export function multipartContentType(partType: string, boundary: string, transferSyntaxUid?: string): string {
  const params: Record<string, string> = { type: partType };
  if (transferSyntaxUid !== undefined) params['transfer-syntax'] = transferSyntaxUid;
  params['boundary'] = boundary;
  return formatMediaType({ type: 'multipart', subtype: 'related', params });
}

// --- negotiation ------------------------------------------------------------------------------

/** The transfer syntax an offer stands for: its parameter or its media type's default. */
function offeredSyntax(part: MediaType): string | undefined {
  return part.params['transfer-syntax'] ?? RULES.get(essence(part))?.default;
}

/** How specifically an Accept element matches an offer: -1 when it does not match. */
function matchSpecificity(entry: AcceptEntry, offer: MediaType): number {
  if (entry.type !== '*' && entry.type !== offer.type) return -1;
  if (entry.subtype !== '*' && entry.subtype !== offer.subtype) return -1;
  if (entry.type === '*' || entry.subtype === '*') return entry.type === '*' ? 0 : 1;
  let score = 2;
  const entryPart = partMediaType(entry);
  const offerPart = partMediaType(offer);
  if (essence(offer) === MediaTypes.MULTIPART_RELATED && entry.params['type'] !== undefined) {
    if (!entryPart || !offerPart || essence(entryPart) !== essence(offerPart)) return -1;
    score++;
  }
  const part = entryPart ?? entry;
  const wanted = part.params['transfer-syntax'];
  const offered = offerPart ? offeredSyntax(offerPart) : undefined;
  if (wanted === ANY_TRANSFER_SYNTAX) {
    score++;
  } else if (wanted !== undefined) {
    if (wanted !== offered) return -1;
    score += 2;
  } else if (offerPart && offered !== RULES.get(essence(offerPart))?.default && essence(part) === essence(offerPart)) {
    // No parameter asks for the media type's default syntax, and this offer is another one.
    return -1;
  }
  const charset = entry.params['charset'];
  if (charset !== undefined && offer.params['charset'] !== undefined) {
    if (charset.toLowerCase() !== offer.params['charset'].toLowerCase()) return -1;
    score++;
  }
  return score;
}

export interface Negotiated {
  offer: MediaType;
  /** The q-value of the most specific Accept element that matched it. */
  q: number;
}

/**
 * Picks the offer the client prefers: each offer gets the q of the most specific Accept element
 * that matches it (RFC 7231 5.3.2), q=0 rules it out, and ties go to the earlier offer (the
 * server's preference). An empty Accept list accepts the first offer.
 */
export function negotiate(accept: readonly AcceptEntry[], offers: readonly MediaType[]): Negotiated | undefined {
  if (offers.length === 0) return undefined;
  if (accept.length === 0) return { offer: offers[0], q: 1 };
  let best: Negotiated | undefined;
  for (const offer of offers) {
    let specificity = -1;
    let q = 0;
    for (const entry of accept) {
      const s = matchSpecificity(entry, offer);
      if (s > specificity) {
        specificity = s;
        q = entry.q;
      }
    }
    if (specificity >= 0 && q > 0 && (!best || q > best.q)) best = { offer, q };
  }
  return best;
}
