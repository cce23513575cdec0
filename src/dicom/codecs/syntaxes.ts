// Which compressed transfer syntaxes the codec layer reads and writes, how each is coded (the
// codec family), and the readable names the command line accepts for them.

import {
  ExplicitVRBigEndian, ExplicitVRLittleEndian, DeflatedExplicitVRLittleEndian, ImplicitVRLittleEndian,
  isUncompressed, transferSyntax, transferSyntaxName,
} from '../transfer-syntaxes';
import { isValidUid } from '../uids';
import { UnsupportedTransferSyntaxError } from '../errors';

export type CodecFamily = 'rle' | 'jpeg' | 'jpeg-ls' | 'j2k' | 'htj2k';

/**
 * How a syntax can be written: never, only losslessly, only lossily (JPEG Baseline, JPEG-LS
 * near-lossless), or either way (JPEG 2000 and HTJ2K "Image Compression" hold reversible or
 * irreversible codestreams; lossy coding is used only when it is allowed explicitly).
 */
export type EncodeMode = 'none' | 'lossless' | 'lossy' | 'either';

export interface CodecSyntax {
  uid: string;
  family: CodecFamily;
  encode: EncodeMode;
  /** Readable names (lower case) accepted wherever a syntax is named. */
  names: readonly string[];
  /** Lossy Image Compression Method (0028,2114) of a lossy codestream in this syntax. */
  method: string;
}

export const RLELossless = '1.2.840.10008.1.2.5';
export const JPEGBaseline = '1.2.840.10008.1.2.4.50';
export const JPEGExtended = '1.2.840.10008.1.2.4.51';
export const JPEGLosslessP14 = '1.2.840.10008.1.2.4.57';
export const JPEGLosslessSV1 = '1.2.840.10008.1.2.4.70';
export const JPEGLSLossless = '1.2.840.10008.1.2.4.80';
export const JPEGLSNearLossless = '1.2.840.10008.1.2.4.81';
export const JPEG2000Lossless = '1.2.840.10008.1.2.4.90';
export const JPEG2000 = '1.2.840.10008.1.2.4.91';
export const HTJ2KLossless = '1.2.840.10008.1.2.4.201';
export const HTJ2KLosslessRPCL = '1.2.840.10008.1.2.4.202';
export const HTJ2K = '1.2.840.10008.1.2.4.203';

const CODEC_SYNTAXES: readonly CodecSyntax[] = [
  { uid: RLELossless, family: 'rle', encode: 'lossless', names: ['rle', 'rle-lossless'], method: '' },
  { uid: JPEGBaseline, family: 'jpeg', encode: 'lossy', names: ['jpeg-baseline', 'jpeg'], method: 'ISO_10918_1' },
  { uid: JPEGExtended, family: 'jpeg', encode: 'none', names: ['jpeg-extended'], method: 'ISO_10918_1' },
  { uid: JPEGLosslessP14, family: 'jpeg', encode: 'lossless', names: ['jpeg-lossless-p14'], method: 'ISO_10918_1' },
  { uid: JPEGLosslessSV1, family: 'jpeg', encode: 'lossless', names: ['jpeg-lossless', 'jpeg-lossless-sv1'], method: 'ISO_10918_1' },
  { uid: JPEGLSLossless, family: 'jpeg-ls', encode: 'lossless', names: ['jpeg-ls-lossless', 'jpeg-ls', 'jls'], method: 'ISO_14495_1' },
  { uid: JPEGLSNearLossless, family: 'jpeg-ls', encode: 'lossy', names: ['jpeg-ls-lossy', 'jpeg-ls-near-lossless'], method: 'ISO_14495_1' },
  { uid: JPEG2000Lossless, family: 'j2k', encode: 'lossless', names: ['j2k-lossless', 'jpeg2000-lossless', 'jpeg-2000-lossless'], method: 'ISO_15444_1' },
  { uid: JPEG2000, family: 'j2k', encode: 'either', names: ['j2k', 'jpeg2000', 'jpeg-2000', 'j2k-lossy'], method: 'ISO_15444_1' },
  { uid: HTJ2KLossless, family: 'htj2k', encode: 'lossless', names: ['htj2k-lossless'], method: 'ISO_15444_15' },
  { uid: HTJ2KLosslessRPCL, family: 'htj2k', encode: 'lossless', names: ['htj2k-lossless-rpcl', 'htj2k-rpcl'], method: 'ISO_15444_15' },
  { uid: HTJ2K, family: 'htj2k', encode: 'either', names: ['htj2k', 'htj2k-lossy'], method: 'ISO_15444_15' },
];

const BY_UID = new Map(CODEC_SYNTAXES.map((s) => [s.uid, s]));

const NATIVE_NAMES: ReadonlyMap<string, string> = new Map([
  ['explicit-le', ExplicitVRLittleEndian], ['explicit', ExplicitVRLittleEndian], ['evle', ExplicitVRLittleEndian],
  ['implicit-le', ImplicitVRLittleEndian], ['implicit', ImplicitVRLittleEndian], ['ivle', ImplicitVRLittleEndian],
  ['explicit-be', ExplicitVRBigEndian], ['evbe', ExplicitVRBigEndian],
  ['deflated', DeflatedExplicitVRLittleEndian], ['deflated-le', DeflatedExplicitVRLittleEndian],
]);

/** The codec-coded syntax of a UID, or undefined for native and unsupported syntaxes. */
export function codecSyntax(uid: string): CodecSyntax | undefined {
  return BY_UID.get(uid);
}

/** Whether pixel data in this syntax can be decoded (native syntaxes need no decoding). */
export function canDecode(uid: string): boolean {
  return isUncompressed(uid) || BY_UID.has(uid);
}

/** Whether this syntax can be produced without loss. */
export function canEncodeLosslessly(uid: string): boolean {
  if (isUncompressed(uid)) return true;
  const e = BY_UID.get(uid)?.encode;
  return e === 'lossless' || e === 'either';
}

/** Whether producing this syntax needs lossy coding (JPEG Baseline, JPEG-LS near-lossless). */
export function isLossyOnly(uid: string): boolean {
  return BY_UID.get(uid)?.encode === 'lossy';
}

/** Every syntax the layer can write, native ones first. */
export function writableSyntaxes(): string[] {
  return [ExplicitVRLittleEndian, ImplicitVRLittleEndian, ExplicitVRBigEndian, DeflatedExplicitVRLittleEndian,
    ...CODEC_SYNTAXES.filter((s) => s.encode !== 'none').map((s) => s.uid)];
}

/** Readable names (first of each syntax) with their UIDs, for help texts. */
export function syntaxNames(): Array<{ name: string; uid: string }> {
  const out: Array<{ name: string; uid: string }> = [];
  for (const [name, uid] of NATIVE_NAMES) if (!out.some((o) => o.uid === uid)) out.push({ name, uid });
  for (const s of CODEC_SYNTAXES) if (s.encode !== 'none') out.push({ name: s.names[0]!, uid: s.uid });
  return out;
}

/**
 * A transfer syntax from a UID or a readable name (`jpeg-ls-lossless`, `j2k-lossless`, `rle`,
 * `explicit-le`…). Throws UnsupportedTransferSyntaxError for anything else.
 */
export function resolveTransferSyntax(nameOrUid: string): string {
  const s = nameOrUid.trim();
  const byName = NATIVE_NAMES.get(s.toLowerCase()) ?? CODEC_SYNTAXES.find((c) => c.names.includes(s.toLowerCase()))?.uid;
  if (byName) return byName;
  if (isValidUid(s) && transferSyntax(s)) return s;
  const known = syntaxNames().map((n) => n.name).join(', ');
  throw new UnsupportedTransferSyntaxError(`"${s}" is not a transfer syntax this tool knows; use a UID or one of ${known}.`, s);
}

/** A syntax's name for messages: "JPEG-LS Lossless Image Compression" or the UID. */
export function syntaxLabel(uid: string): string {
  return transferSyntaxName(uid) ?? uid;
}
