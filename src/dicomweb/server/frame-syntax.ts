// Which form frames (and the pixel data bulk data) of an instance go out in (PS3.18 8.7.3.4 and
// 8.7.3.5): the stored frames typed by their transfer syntax's media type (image/jls, image/jp2,
// image/jphc, image/jpeg, image/dicom-rle, application/octet-stream for uncompressed ones), the
// frames decoded to uncompressed little endian bytes, or encoded in another syntax through the
// codec pool. `transfer-syntax=*` takes what is there (the stored frames first), also on
// application/octet-stream, as OHIF and other viewers ask for it. Each form gets the q-value of
// the most specific Accept element that matches it; ties go to the stored frames, then decoded
// ones, then the Accept header's order.

import { ExplicitVRLittleEndian, encodingOf } from '../../dicom';
import { lowerFirst } from '../../dicom';
import { PixelAttributes, codecSyntax, isLossyOnly, syntaxLabel } from '../../dicom';
import { AcceptEntry, MediaTypeError } from '../multipart';
import { ANY_TRANSFER_SYNTAX, MediaTypes, bulkDataMediaType, defaultTransferSyntax, partMediaType } from '../media-types';
import { HttpError } from './http-error';
import { conversionRefusal } from './instance-syntax';

export type FrameWork = 'stored' | 'decode' | 'encode' | 'transcode';

export interface FrameForm {
  /** Media type of each part: image/jls, application/octet-stream, … */
  partType: string;
  /** Transfer syntax of the frames' bytes (Explicit VR Little Endian for uncompressed ones). */
  ts: string;
  work: FrameWork;
}

export interface FrameChoice {
  form: FrameForm;
  /** multipart/related, or one bare part (one frame, and the client asked for it). */
  mode: 'multipart' | 'single';
}

interface BulkAcceptance {
  /** undefined: either form (*\/*). */
  multipart?: boolean;
  type: string;
  subtype: string;
  /** A UID, "*", or undefined (the media type's default). */
  syntax?: string;
  q: number;
  order: number;
}

function bulkAcceptances(accept: readonly AcceptEntry[]): BulkAcceptance[] {
  if (accept.length === 0) return [{ type: '*', subtype: '*', q: 1, order: 0 }];
  return accept.map((e, order): BulkAcceptance => {
    if (e.type === 'multipart' && (e.subtype === 'related' || e.subtype === '*')) {
      if (e.params['type'] === undefined) return { multipart: true, type: '*', subtype: '*', syntax: e.params['transfer-syntax'], q: e.q, order };
      let part;
      try {
        part = partMediaType({ ...e, subtype: 'related' })!;
      } catch (error) {
        if (error instanceof MediaTypeError) throw new HttpError(400, error.message);
        throw error;
      }
      return { multipart: true, type: part.type, subtype: part.subtype, syntax: part.params['transfer-syntax'], q: e.q, order };
    }
    const either = e.type === '*' && e.subtype === '*';
    return { multipart: either ? undefined : false, type: e.type, subtype: e.subtype, syntax: e.params['transfer-syntax'], q: e.q, order };
  });
}

/** How specifically an acceptance matches a form in a response mode; -1 when it does not. */
function specificity(a: BulkAcceptance, form: FrameForm, mode: FrameChoice['mode']): number {
  if (a.multipart !== undefined && a.multipart !== (mode === 'multipart')) return -1;
  const [type, subtype] = form.partType.split('/') as [string, string];
  const available = form.work === 'stored' || form.work === 'decode';
  const octet = a.type === 'application' && a.subtype === 'octet-stream';
  // application/octet-stream with "*" (what viewers send) or with a compressed syntax named:
  // the frames in whatever form is asked, typed by their own media type.
  if (octet && a.syntax === ANY_TRANSFER_SYNTAX) return available ? 3 : -1;
  if (octet && a.syntax !== undefined && a.syntax !== ExplicitVRLittleEndian) return a.syntax === form.ts ? 4 : -1;
  if (a.type !== '*' && a.type !== type) return -1;
  if (a.subtype !== '*' && a.subtype !== subtype) return -1;
  const typeScore = a.type === '*' ? 0 : a.subtype === '*' ? 1 : 2;
  if (a.syntax === ANY_TRANSFER_SYNTAX) return typeScore >= 2 || available ? typeScore + 1 : -1;
  if (a.syntax !== undefined) return a.syntax === form.ts ? typeScore + 2 : -1;
  if (typeScore < 2) return available ? typeScore : -1;
  return defaultTransferSyntax(form.partType) === form.ts ? typeScore : -1;
}

function qualityOf(acceptances: readonly BulkAcceptance[], form: FrameForm, mode: FrameChoice['mode']): { q: number; order: number } | undefined {
  let best: { s: number; q: number; order: number } | undefined;
  for (const a of acceptances) {
    const s = specificity(a, form, mode);
    if (s < 0) continue;
    if (!best || s > best.s || (s === best.s && a.q > best.q)) best = { s, q: a.q, order: a.order };
  }
  return best && best.q > 0 ? { q: best.q, order: best.order } : undefined;
}

/** The syntaxes a media type without a transfer-syntax parameter stands for, and the ones named. */
function namedSyntaxes(acceptances: readonly BulkAcceptance[]): string[] {
  const out: string[] = [];
  for (const a of acceptances) {
    let ts = a.syntax;
    if (ts === undefined || ts === ANY_TRANSFER_SYNTAX) ts = a.type !== '*' && a.subtype !== '*' ? defaultTransferSyntax(`${a.type}/${a.subtype}`) : undefined;
    if (ts && codecSyntax(ts) && !out.includes(ts)) out.push(ts);
  }
  return out;
}

/**
 * The form and mode the frames of an instance stored in `stored` go out in, or a 406 saying why
 * none can be made. `attrs`: its Image Pixel attributes (undefined when unreadable: only the
 * stored frames can go).
 */
export function chooseFrameForm(accept: readonly AcceptEntry[], stored: string, attrs: PixelAttributes | undefined, parts: number): FrameChoice {
  const acceptances = bulkAcceptances(accept);
  const encapsulated = encodingOf(stored).encapsulated;
  const storedType = encapsulated ? bulkDataMediaType(stored) : MediaTypes.OCTET_STREAM;
  const forms: FrameForm[] = [];
  if (storedType) forms.push({ partType: storedType, ts: encapsulated ? stored : ExplicitVRLittleEndian, work: 'stored' });
  if (encapsulated) forms.push({ partType: MediaTypes.OCTET_STREAM, ts: ExplicitVRLittleEndian, work: 'decode' });
  for (const ts of namedSyntaxes(acceptances)) {
    if (ts === stored) continue;
    forms.push({ partType: bulkDataMediaType(ts)!, ts, work: encapsulated ? 'transcode' : 'encode' });
  }
  const modes: FrameChoice['mode'][] = parts === 1 ? ['multipart', 'single'] : ['multipart'];
  const offers: Array<FrameChoice & { q: number; rank: number; order: number }> = [];
  forms.forEach((form, rank) => {
    for (const mode of modes) {
      const quality = qualityOf(acceptances, form, mode);
      if (quality) offers.push({ form, mode, q: quality.q, rank, order: quality.order });
    }
  });
  offers.sort((a, b) => b.q - a.q || a.rank - b.rank || (a.mode === b.mode ? 0 : a.mode === 'multipart' ? -1 : 1));
  let refusal: string | undefined;
  for (const o of offers) {
    if (o.form.work === 'stored') return { form: o.form, mode: o.mode };
    const why = attrs ? conversionRefusal(stored, o.form.ts, attrs) : 'its image attributes cannot be read';
    if (!why) return { form: o.form, mode: o.mode };
    refusal ??= `cannot be converted to ${syntaxLabel(o.form.ts)} (${lowerFirst(why)})`;
  }
  const have = storedType ? `${storedType} in ${syntaxLabel(encapsulated ? stored : ExplicitVRLittleEndian)}` : `${syntaxLabel(stored)}, which has no DICOMweb media type`;
  throw new HttpError(406, `The frames are stored as ${have} and ${refusal ?? 'the Accept header takes neither that nor a form they can be converted to (ask with transfer-syntax=* for them as they are)'}.`);
}

/** Coding parameters for a target syntax: lossy only for a lossy-only syntax the client named. */
export function frameEncodeParams(ts: string): { lossy?: boolean } {
  return isLossyOnly(ts) ? { lossy: true } : {};
}
