// Preamble and file meta information (group 0002) of Part 10 files: parsing, syntax detection
// for files without meta, and building a correct meta header.

import { FileHandle } from 'node:fs/promises';
import { Dataset } from './dataset-model';
import { parseElementsExplicitLE } from './codec';
import { encodeExplicitLE } from './codec';
import { DicomError, DicomParseError, MissingTransferSyntaxError, NotDicomError, TruncatedFileError } from './errors';
import { Tags, formatTag } from './tag';
import { keywordOf } from './dictionary';
import { KNOWN_VRS, isTextVr, hasLongExplicitHeader } from './vr';
import { ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian } from './transfer-syntaxes';
import { VERSION } from './version';

export const DEFAULT_IMPLEMENTATION_CLASS_UID = '2.25.334850457096025030451969044792912912031';
/** Implementation Version Name (SH, at most 16 characters): DICOMNET_ and our version. */
export const DEFAULT_IMPLEMENTATION_VERSION_NAME = `DICOMNET_${VERSION}`.slice(0, 16);

/** Values of group 0002 keyed by keyword: text as strings, UL/US as numbers, OB as Buffers. */
export type FileMetaValues = Record<string, string | number | Buffer>;

export interface MetaParse {
  hasMeta: boolean;
  transferSyntaxUid: string;
  datasetOffset: number;
  meta: FileMetaValues;
  metaDataset: Dataset;
}

const INITIAL_READ = 16 * 1024;
const MAX_META_BYTES = 1024 * 1024;

/**
 * Whether "DICM" stands at `at` (128 in a Part 10 file; 0 in files written without a preamble),
 * within the first `end` bytes of `buf` (a scratch buffer read into is not cut to size).
 */
export function isDicm(buf: Buffer, at: number, end: number): boolean {
  return end >= at + 4 && buf[at] === 0x44 && buf[at + 1] === 0x49 && buf[at + 2] === 0x43 && buf[at + 3] === 0x4d;
}

/** A file meta text value, bytes `start` to `end` of `b`, as it is kept: leading spaces, trailing spaces and NULs removed. */
export function trimText(b: Buffer, start: number, end: number): string {
  while (end > start && (b[end - 1] === 0 || b[end - 1] === 0x20)) end--;
  while (start < end && b[start] === 0x20) start++;
  return b.toString('latin1', start, end);
}

/**
 * Keywords of the file meta elements every Part 10 file has (Tags names them as the dictionary
 * does): reading a file's header then does not parse the whole data dictionary (tens of ms).
 */
const META_KEYWORDS: ReadonlyMap<number, string> = new Map(
  Object.entries(Tags).filter(([, tag]) => tag >>> 16 === 0x0002).map(([keyword, tag]) => [tag, keyword]));

function metaValues(ds: Dataset): FileMetaValues {
  const out: FileMetaValues = {};
  for (const el of ds.elements()) {
    const key = META_KEYWORDS.get(el.tag) ?? keywordOf(el.tag) ?? formatTag(el.tag).slice(1, -1);
    const v = el.value ?? Buffer.alloc(0);
    if (isTextVr(el.vr)) out[key] = trimText(v, 0, v.length);
    else if (el.vr === 'UL' && v.length === 4) out[key] = v.readUInt32LE(0);
    else if (el.vr === 'US' && v.length === 2) out[key] = v.readUInt16LE(0);
    else out[key] = v;
  }
  return out;
}

class NeedMoreBytes {
  constructor(readonly total: number) {}
}

/**
 * Group 0002 elements from metaStart; stops at the first tag of another group, or where the File
 * Meta Information Group Length (0002,0000) says the meta ends: group 0002 elements after that
 * belong to the data set (a sender's stale meta). A group length that does not fall on an element
 * boundary, or that would leave out the Transfer Syntax UID, is ignored.
 */
function parseMetaGroup(buf: Buffer, metaStart: number, fileSize: number, name: string): { end: number; ds: Dataset } | NeedMoreBytes {
  const ds = new Dataset();
  let pos = metaStart;
  let declaredEnd: number | undefined;
  for (;;) {
    if (declaredEnd !== undefined) {
      if (pos === declaredEnd && ds.has(Tags.TransferSyntaxUID)) return { end: pos, ds };
      if (pos >= declaredEnd) declaredEnd = undefined;
    }
    if (buf.length - pos < 8) {
      if (buf.length < fileSize) return new NeedMoreBytes(Math.min(fileSize, pos + 8));
      // Ending between two elements short of the declared group length, or right after "DICM"
      // with no element yet, is truncation too (a stream's prefix cut there must not read as a
      // complete meta without its transfer syntax).
      if (pos === buf.length && declaredEnd === undefined && pos > metaStart) return { end: pos, ds };
      throw new TruncatedFileError(`${name} is truncated inside its file meta information at offset ${pos}.`, pos, name);
    }
    const group = buf.readUInt16LE(pos);
    if (group !== 0x0002) return { end: pos, ds };
    const explicitVr = String.fromCharCode(buf[pos + 4], buf[pos + 5]);
    let headerLen: number;
    let len: number;
    if (KNOWN_VRS.has(explicitVr)) {
      const long = hasLongExplicitHeader(explicitVr);
      if (long && buf.length - pos < 12) {
        if (buf.length < fileSize) return new NeedMoreBytes(Math.min(fileSize, pos + 12));
        throw new TruncatedFileError(`${name} is truncated inside its file meta information at offset ${pos}.`, pos, name);
      }
      headerLen = long ? 12 : 8;
      len = long ? buf.readUInt32LE(pos + 8) : buf.readUInt16LE(pos + 6);
    } else {
      throw new DicomParseError(`${name} has a file meta element ${formatTag(buf.readUInt32LE(pos) >>> 0)} without a valid explicit VR at offset ${pos}.`, pos);
    }
    if (len === 0xffffffff) {
      throw new DicomParseError(`${name} has a file meta element with an undefined length at offset ${pos}.`, pos);
    }
    const end = pos + headerLen + len;
    if (end > buf.length) {
      if (end <= fileSize && end - metaStart <= MAX_META_BYTES) return new NeedMoreBytes(end);
      if (end > fileSize) {
        throw new TruncatedFileError(`${name} is truncated: a file meta element at offset ${pos} claims ${len} bytes but only ${fileSize - pos - headerLen} remain.`, pos, name);
      }
      throw new DicomParseError(`${name} has a file meta information larger than ${MAX_META_BYTES} bytes.`, pos);
    }
    parseElementsExplicitLE(buf, pos, end, ds);
    if (pos === metaStart && buf.readUInt16LE(pos + 2) === 0x0000 && len === 4) declaredEnd = end + buf.readUInt32LE(pos + headerLen);
    pos = end;
  }
}

/** Guesses the encoding of a dataset without file meta from its first element header. */
function detectSyntax(buf: Buffer, fileSize: number, name: string): string {
  if (buf.length < 8) {
    throw new NotDicomError(`${name} is not a DICOM file: it is only ${fileSize} bytes long.`, name);
  }
  const gLE = buf.readUInt16LE(0);
  const gBE = buf.readUInt16BE(0);
  const plausible = (g: number) => g >= 0x0002 && g < 0x0100;
  const vr = String.fromCharCode(buf[4], buf[5]);
  if (KNOWN_VRS.has(vr)) {
    if (plausible(gLE) && !plausible(gBE)) return ExplicitVRLittleEndian;
    if (plausible(gBE) && !plausible(gLE)) return ExplicitVRBigEndian;
  }
  const len = buf.readUInt32LE(4);
  if (plausible(gLE) && (len === 0xffffffff || len <= fileSize - 8)) return ImplicitVRLittleEndian;
  throw new NotDicomError(`${name} is not a DICOM file: it has no "DICM" marker at offset 128 and does not start with a DICOM element.`, name);
}

function parseMeta(buf: Buffer, fileSize: number, name: string): MetaParse | NeedMoreBytes {
  let metaStart = -1;
  if (isDicm(buf, 128, buf.length)) metaStart = 132;
  else if (isDicm(buf, 0, buf.length)) metaStart = 4;
  else if (buf.length < 132 && buf.length < fileSize) return new NeedMoreBytes(Math.min(fileSize, 132));
  if (metaStart < 0) {
    const ts = detectSyntax(buf, fileSize, name);
    return { hasMeta: false, transferSyntaxUid: ts, datasetOffset: 0, meta: {}, metaDataset: new Dataset() };
  }
  const r = parseMetaGroup(buf, metaStart, fileSize, name);
  if (r instanceof NeedMoreBytes) return r;
  const meta = metaValues(r.ds);
  const ts = meta.TransferSyntaxUID;
  if (typeof ts !== 'string' || ts === '') {
    throw new MissingTransferSyntaxError(`${name} has no Transfer Syntax UID (0002,0010) in its file meta information.`, name);
  }
  return { hasMeta: true, transferSyntaxUid: ts, datasetOffset: r.end, meta, metaDataset: r.ds };
}

/** Parses preamble and file meta from a buffer holding (at least the start of) a file. */
export function parseFileMeta(buf: Buffer, name = 'The data'): MetaParse {
  const r = parseMeta(buf, buf.length, name);
  if (r instanceof NeedMoreBytes) throw new TruncatedFileError(`${name} is truncated inside its file meta information.`, buf.length, name);
  return r;
}

export interface FileMetaRead extends MetaParse {
  fileSize: number;
  /** The bytes read from the start of the file (at least through the meta). */
  firstChunk: Buffer;
}

/** Reads just enough of an open file to parse its preamble and meta. */
export async function readFileMetaFromHandle(fh: FileHandle, name: string): Promise<FileMetaRead> {
  // A short first read tells the size of small files without a stat call.
  let buf = Buffer.allocUnsafe(INITIAL_READ);
  let { bytesRead } = await fh.read(buf, 0, INITIAL_READ, 0);
  const fileSize = bytesRead < INITIAL_READ ? bytesRead : (await fh.stat()).size;
  for (;;) {
    const chunk = bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
    if (chunk.length === 0) throw new NotDicomError(`${name} is not a DICOM file: it is empty.`, name);
    const r = parseMeta(chunk, fileSize, name);
    if (!(r instanceof NeedMoreBytes)) return { ...r, fileSize, firstChunk: chunk };
    if (r.total <= chunk.length || chunk.length >= fileSize) {
      throw new TruncatedFileError(`${name} is truncated inside its file meta information.`, chunk.length, name);
    }
    const want = Math.min(fileSize, Math.max(r.total, chunk.length * 2));
    buf = Buffer.allocUnsafe(want);
    ({ bytesRead } = await fh.read(buf, 0, want, 0));
  }
}

export interface FileMetaOptions {
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  sourceAeTitle?: string;
  implementationClassUid?: string;
  implementationVersionName?: string;
}

/** The check buildFileMeta makes of each UID it writes (digits and dots, 1 to 64 of them). */
export function checkUidChars(uid: string, what: string): void {
  if (uid.length === 0 || uid.length > 64 || !/^[0-9.]+$/.test(uid)) {
    throw new DicomError(`The ${what} "${uid.slice(0, 80)}" is not a UID (1 to 64 digits and dots).`);
  }
}

/** Preamble + "DICM" + group 0002 (with a correct group length) in Explicit VR Little Endian. */
export function buildFileMeta(o: FileMetaOptions): Buffer {
  checkUidChars(o.sopClassUid, 'SOP Class UID');
  checkUidChars(o.sopInstanceUid, 'SOP Instance UID');
  checkUidChars(o.transferSyntaxUid, 'Transfer Syntax UID');
  const implUid = o.implementationClassUid ?? DEFAULT_IMPLEMENTATION_CLASS_UID;
  checkUidChars(implUid, 'Implementation Class UID');
  const version = o.implementationVersionName ?? DEFAULT_IMPLEMENTATION_VERSION_NAME;
  const texts: [number, 'SH' | 'AE', string][] = [];
  if (version) texts.push([Tags.ImplementationVersionName, 'SH', version.slice(0, 16)]);
  if (o.sourceAeTitle) texts.push([Tags.SourceApplicationEntityTitle, 'AE', o.sourceAeTitle.trim().slice(0, 16)]);
  // Written directly (it is done for every received instance) when every text is plain ASCII;
  // anything else goes through the data set encoder, which the direct form matches byte for byte.
  if (texts.every(([, , text]) => PLAIN_TEXT.test(text))) {
    return directFileMeta([o.sopClassUid, o.sopInstanceUid, o.transferSyntaxUid, implUid], texts);
  }
  const ds = new Dataset();
  ds.set(Tags.FileMetaInformationVersion, 'OB', Buffer.from([0, 1]));
  ds.set(Tags.MediaStorageSOPClassUID, 'UI', o.sopClassUid);
  ds.set(Tags.MediaStorageSOPInstanceUID, 'UI', o.sopInstanceUid);
  ds.set(Tags.TransferSyntaxUID, 'UI', o.transferSyntaxUid);
  ds.set(Tags.ImplementationClassUID, 'UI', implUid);
  for (const [tag, vr, text] of texts) ds.set(tag, vr, text);
  const body = encodeExplicitLE(ds);
  const out = Buffer.alloc(132 + 12 + body.length);
  writeGroupLength(out, body.length);
  body.copy(out, 144);
  return out;
}

/** Printable ASCII without a value separator: written as it is, padded with a space. */
const PLAIN_TEXT = /^[\x20-\x5b\x5d-\x7e]*$/;
const META_UID_TAGS = [Tags.MediaStorageSOPClassUID, Tags.MediaStorageSOPInstanceUID, Tags.TransferSyntaxUID, Tags.ImplementationClassUID];

/** "DICM" and the group length element after the preamble. */
function writeGroupLength(out: Buffer, bodyLength: number): void {
  out.write('DICM', 128, 'latin1');
  out.writeUInt16LE(0x0002, 132);
  out.writeUInt16LE(0x0000, 134);
  out.write('UL', 136, 'latin1');
  out.writeUInt16LE(4, 138);
  out.writeUInt32LE(bodyLength, 140);
}

/** The file meta of checked UIDs (digits and dots) and plain ASCII texts, element by element. */
function directFileMeta(uids: string[], texts: [number, 'SH' | 'AE', string][]): Buffer {
  const padded = (n: number) => n + (n & 1);
  let bodyLength = 14; // (0002,0001) OB: 12 bytes of header, 2 of value
  for (const uid of uids) bodyLength += 8 + padded(uid.length);
  for (const [, , text] of texts) bodyLength += 8 + padded(text.length);
  const out = Buffer.alloc(144 + bodyLength);
  writeGroupLength(out, bodyLength);
  let at = 144;
  at = out.writeUInt16LE(0x0002, at);
  at = out.writeUInt16LE(0x0001, at);
  at += out.write('OB', at, 'latin1') + 2;
  at = out.writeUInt32LE(2, at);
  out[at + 1] = 1;
  at += 2;
  const element = (tag: number, vr: string, text: string, pad: number) => {
    at = out.writeUInt16LE(tag >>> 16, at);
    at = out.writeUInt16LE(tag & 0xffff, at);
    at += out.write(vr, at, 'latin1');
    at = out.writeUInt16LE(padded(text.length), at);
    at += out.write(text, at, 'latin1');
    if (text.length & 1) out[at++] = pad;
  };
  uids.forEach((uid, i) => element(META_UID_TAGS[i]!, 'UI', uid, 0));
  for (const [tag, vr, text] of texts) element(tag, vr, text, 0x20);
  return out;
}

