// Which transfer syntax each instance of a WADO-RS answer goes out in (PS3.18 8.7.3.5.2): the
// Accept header's application/dicom entries name syntaxes (or "*", any) with q-values; with no
// transfer-syntax parameter, and with no Accept header at all, the syntax is Explicit VR Little
// Endian. Per instance the best acceptable form is chosen: the stored bytes when the client takes
// them, else a conversion the codec layer can make (lossy coding only for a lossy syntax the
// client named). Nothing acceptable can be made: a sentence saying why.

import { ExplicitVRLittleEndian, isUncompressed } from '../../dicom';
import { lowerFirst } from '../../dicom';
import {
  PixelAttributes, UnsupportedConversionError, isLossyOnly, needsPixelWork, planPixelConversion, syntaxLabel,
} from '../../dicom';
import { AcceptEntry, MediaType, MediaTypeError } from '../multipart';
import { ANY_TRANSFER_SYNTAX, isWebTransferSyntax, partMediaType, requestedTransferSyntax } from '../media-types';
import { HttpError } from './http-error';

/** One transfer syntax (or "*") the client takes, with its q-value and its place in the header. */
export interface SyntaxAcceptance {
  syntax: string;
  q: number;
  order: number;
}

/** How one instance goes out. */
export interface InstanceRendition {
  transferSyntaxUid: string;
  /** The stored data set is converted to `transferSyntaxUid` on the way. */
  convert: boolean;
}

function isDicomPart(mt: MediaType): boolean {
  return mt.type === 'application' && mt.subtype === 'dicom';
}

/**
 * The transfer syntaxes an Accept list takes for application/dicom (bare application/dicom counts
 * as the multipart form, as clients use it for single instances).
 * @throws HttpError 406 when it allows no application/dicom at all.
 */
export function dicomAcceptances(accept: readonly AcceptEntry[]): SyntaxAcceptance[] {
  if (accept.length === 0) return [{ syntax: ExplicitVRLittleEndian, q: 1, order: 0 }];
  const out: SyntaxAcceptance[] = [];
  let refusal: string | undefined;
  accept.forEach((e, order) => {
    let part: MediaType | undefined = e;
    if (e.type === 'multipart' && (e.subtype === 'related' || e.subtype === '*')) {
      // multipart/related without a type parameter: its parts are application/dicom (the default).
      try {
        part = e.params['type'] === undefined
          ? { type: 'application', subtype: 'dicom', params: { ...e.params } }
          : partMediaType({ ...e, subtype: 'related' });
      } catch (error) {
        if (error instanceof MediaTypeError) throw new HttpError(400, error.message);
        throw error;
      }
    }
    if (!part) return;
    const anyType = (part.type === '*' && part.subtype === '*') || (part.type === 'application' && part.subtype === '*');
    if (!anyType && !isDicomPart(part)) return;
    let syntax: string | undefined;
    try {
      syntax = requestedTransferSyntax({ ...part, type: 'application', subtype: 'dicom' });
    } catch (error) {
      // A syntax Web Services may not use (Implicit VR LE, Big Endian) or not a UID: that entry is ignored.
      if (error instanceof MediaTypeError) { refusal ??= error.message; return; }
      throw error;
    }
    out.push({ syntax: syntax ?? ExplicitVRLittleEndian, q: e.q, order });
  });
  if (out.length === 0) {
    throw new HttpError(406, refusal ?? 'Instances are sent as multipart/related; type="application/dicom"; the Accept header allows no such answer.');
  }
  return out;
}

/** The q-value the client gives a syntax: its own entry's, else that of "*"; undefined when not taken. */
function qualityOf(acceptances: readonly SyntaxAcceptance[], syntax: string): { q: number; order: number } | undefined {
  const named = acceptances.filter((a) => a.syntax === syntax);
  const pool = named.length ? named : acceptances.filter((a) => a.syntax === ANY_TRANSFER_SYNTAX);
  if (pool.length === 0) return undefined;
  const best = pool.reduce((a, b) => (b.q > a.q ? b : a));
  return { q: best.q, order: best.order };
}

/** Why `stored` cannot be converted to `target` for an image with these attributes, or undefined when it can. */
export function conversionRefusal(stored: string, target: string, attrs: PixelAttributes | undefined): string | undefined {
  if (stored === target || attrs === undefined || !needsPixelWork(stored, target)) return undefined;
  try {
    planPixelConversion(stored, target, attrs, { lossy: isLossyOnly(target) });
    return undefined;
  } catch (error) {
    if (error instanceof UnsupportedConversionError) return error.message.replace(/\.$/, '');
    throw error;
  }
}

export type InstanceChoice = InstanceRendition | { refusal: string };

/**
 * The form an instance stored in `stored` goes out in: the candidates the Accept list names,
 * best q first (ties: the stored bytes, then an uncompressed syntax, then a compressed one, then
 * the header's order), the first that can be made. `attrs` are its Image Pixel attributes
 * (undefined when it has no pixel data).
 */
export function chooseInstanceRendition(stored: string, acceptances: readonly SyntaxAcceptance[], attrs: PixelAttributes | undefined): InstanceChoice {
  const candidates = new Map<string, { q: number; order: number }>();
  const consider = (syntax: string) => {
    if (candidates.has(syntax)) return;
    const quality = qualityOf(acceptances, syntax);
    if (quality && quality.q > 0) candidates.set(syntax, quality);
  };
  for (const a of acceptances) {
    if (a.syntax !== ANY_TRANSFER_SYNTAX) consider(a.syntax);
    // "*": the stored syntax when Web Services may use it, else Explicit VR Little Endian.
    else consider(isWebTransferSyntax(stored) ? stored : ExplicitVRLittleEndian);
  }
  const rank = (ts: string) => (ts === stored ? 0 : isUncompressed(ts) ? 1 : 2);
  const ordered = [...candidates.entries()].sort(([ta, a], [tb, b]) => b.q - a.q || rank(ta) - rank(tb) || a.order - b.order);
  let firstRefusal: string | undefined;
  for (const [ts] of ordered) {
    if (ts === stored && isWebTransferSyntax(stored)) return { transferSyntaxUid: ts, convert: false };
    const refusal = conversionRefusal(stored, ts, attrs);
    if (!refusal) return { transferSyntaxUid: ts, convert: true };
    firstRefusal ??= `it cannot be converted to ${syntaxLabel(ts)} (${lowerFirst(refusal)})`;
  }
  const why = firstRefusal ?? 'the Accept header takes none of the syntaxes it can be sent in';
  return { refusal: `it is stored in ${syntaxLabel(stored)} and ${why}` };
}
