// What a sender needs of each file before it proposes presentation contexts: the transfer
// syntax, the SOP Class and Instance UIDs and where the data set starts. For a batch of files
// this runs once per file on a cold start, so the common case (a Part 10 file in an uncompressed
// or encapsulated little-endian syntax, its header within the first read) is read directly from
// the bytes: no Dataset, no tokenizer, no value copies. Everything else (no meta, big endian,
// deflated, sequences or odd elements before the Series Instance UID, truncation, anything
// malformed) goes to readPart10HeaderSync, which decides it as it always has, with its own errors.
// The direct reading accepts exactly what that reader accepts and returns what it returns.

import { closeSync, fstatSync, openSync } from 'node:fs';
import { syntaxOf } from './codec';
import { isDicm, trimText } from './file-meta';
import { readPart10HeaderSync } from './part10';
import { Tags, UNDEFINED_LENGTH } from './tag';
import { newElementHeader, readElementHeader } from './plain-elements';
import { readUpTo } from './read-up-to';

export interface Part10Identity {
  transferSyntaxUid: string;
  /** From the data set's (0008,0016), else the meta's (0002,0002); '' when neither exists. */
  sopClassUid: string;
  /** From the data set's (0008,0018), else the meta's (0002,0003); '' when neither exists. */
  sopInstanceUid: string;
  /** Offset of the first data set byte in the file. */
  datasetOffset: number;
  fileSize: number;
  hasMeta: boolean;
}

/** readPart10HeaderSync stops at the first top-level tag past this one (or once it saw all four). */
const STOP_AT = Tags.SeriesInstanceUID + 1;
/** The largest value readPart10HeaderSync keeps (longer UIDs are not read from the data set). */
const MAX_KEPT_VALUE = 1024;

/** A data set value without trailing spaces and NULs, as the header scanner reads it. */
function datasetText(buf: Buffer, start: number, end: number): string {
  while (end > start && (buf[end - 1] === 0 || buf[end - 1] === 0x20)) end--;
  return buf.toString('latin1', start, end);
}

/**
 * The identity of a Part 10 file from its first bytes (`buf`, the start of a file of `fileSize`
 * bytes), or undefined when this is not the plain case: readPart10HeaderSync decides those.
 */
export function identityFromPrefix(buf: Buffer, fileSize: number): Part10Identity | undefined {
  return identityIn(buf, buf.length, fileSize);
}

/** identityFromPrefix of the first `available` bytes of `buf` (a scratch buffer read into, not cut to size). */
function identityIn(buf: Buffer, available: number, fileSize: number): Part10Identity | undefined {
  // Fewer than 132 bytes of a longer file cannot tell "DICM" at 0 from "DICM" at 128.
  if (fileSize === 0 || (available < 132 && available < fileSize)) return undefined;
  const metaStart = isDicm(buf, 128, available) ? 132 : isDicm(buf, 0, available) ? 4 : -1;
  if (metaStart < 0) return undefined;
  // File meta: group 0002 in Explicit VR Little Endian, ended by another group or by its group length.
  let transferSyntaxUid: string | undefined;
  // Where the meta's SOP Class and Instance UIDs are (-1: absent): read only when the data set lacks its own.
  let metaClassAt = -1;
  let metaClassEnd = -1;
  let metaInstanceAt = -1;
  let metaInstanceEnd = -1;
  let pos = metaStart;
  let declaredEnd: number | undefined;
  const el = newElementHeader();
  for (;;) {
    if (declaredEnd !== undefined) {
      if (pos === declaredEnd && transferSyntaxUid !== undefined) break;
      if (pos >= declaredEnd) declaredEnd = undefined;
    }
    if (available - pos < 8) return undefined;
    if ((buf[pos] | (buf[pos + 1] << 8)) !== 0x0002) break;
    if (!readElementHeader(buf, pos, true, el, available)) return undefined;
    const { vr, length, valueStart } = el;
    const element = el.tag & 0xffff;
    if (vr === 'SQ' || length === UNDEFINED_LENGTH) return undefined;
    const end = valueStart + length;
    if (end > available) return undefined;
    if (element === 0x0010 || element === 0x0002 || element === 0x0003) {
      // A UID in another VR, or a repeated one, is for the full reader to judge.
      if (vr !== 'UI') return undefined;
      if (element === 0x0010) {
        if (transferSyntaxUid !== undefined) return undefined;
        transferSyntaxUid = trimText(buf, valueStart, end);
      } else if (element === 0x0002) {
        if (metaClassAt >= 0) return undefined;
        metaClassAt = valueStart;
        metaClassEnd = end;
      } else {
        if (metaInstanceAt >= 0) return undefined;
        metaInstanceAt = valueStart;
        metaInstanceEnd = end;
      }
    }
    if (pos === metaStart && element === 0x0000 && length === 4) declaredEnd = end + buf.readUInt32LE(valueStart);
    pos = end;
  }
  if (!transferSyntaxUid) return undefined;
  const datasetOffset = pos;
  const syntax = syntaxOf(transferSyntaxUid);
  if (syntax.deflated || !syntax.little) return undefined;

  // Top-level data set elements up to the Series Instance UID, skipped by their lengths.
  let sopClass: string | undefined;
  let sopInstance: string | undefined;
  let seenStudy = false;
  let seenSeries = false;
  for (;;) {
    if (sopClass !== undefined && sopInstance !== undefined && seenStudy && seenSeries) break;
    if (pos === fileSize) break;
    if (!readElementHeader(buf, pos, syntax.explicit, el, available)) return undefined;
    const { tag, vr, length, valueStart } = el;
    if (tag >= STOP_AT) {
      // The element the full reader stops at: it accepts any but a non-sequence of undefined length.
      if (length === UNDEFINED_LENGTH && !(vr === 'SQ' || vr === 'UN' || vr === 'OB' || vr === 'OW' || tag === Tags.PixelData)) return undefined;
      break;
    }
    if (length === UNDEFINED_LENGTH || vr === 'SQ') return undefined;
    const end = valueStart + length;
    if (end > fileSize) return undefined;
    if (tag === Tags.SOPClassUID || tag === Tags.SOPInstanceUID || tag === Tags.StudyInstanceUID || tag === Tags.SeriesInstanceUID) {
      if (length > MAX_KEPT_VALUE || end > available) return undefined;
      if (tag === Tags.SOPClassUID) sopClass = datasetText(buf, valueStart, end);
      else if (tag === Tags.SOPInstanceUID) sopInstance = datasetText(buf, valueStart, end);
      else if (tag === Tags.StudyInstanceUID) seenStudy = true;
      else seenSeries = true;
    }
    pos = end;
  }
  return {
    transferSyntaxUid,
    sopClassUid: sopClass || (metaClassAt >= 0 ? trimText(buf, metaClassAt, metaClassEnd) : ''),
    sopInstanceUid: sopInstance || (metaInstanceAt >= 0 ? trimText(buf, metaInstanceAt, metaInstanceEnd) : ''),
    datasetOffset, fileSize, hasMeta: true,
  };
}

/** The first read: a file's meta and its elements up to the Series Instance UID usually fit. */
const FIRST_READ = 4096;

/**
 * The identity of a Part 10 file (or a bare data set) with one open, one stat, one read of 4 KiB
 * into `scratch` and one close in the common case (a second read, up to the scratch's size, when
 * the first was too short); other files through readPart10HeaderSync, whose errors (not DICOM,
 * truncated, malformed, no transfer syntax) this throws unchanged.
 */
export function readPart10IdentitySync(path: string, scratch: Buffer): Part10Identity {
  const fd = openSync(path, 'r');
  let identity: Part10Identity | undefined;
  try {
    const fileSize = fstatSync(fd).size;
    const limit = Math.min(scratch.length, fileSize);
    let filled = 0;
    // The first read, then (when that did not decide it) the rest of the scratch; a file that ends first is not read directly.
    for (let want = Math.min(FIRST_READ, limit); ; want = limit) {
      filled += readUpTo(fd, scratch, filled, want - filled, filled);
      if (filled < want) break;
      identity = identityIn(scratch, filled, fileSize);
      if (identity || want === limit) break;
    }
  } finally {
    closeSync(fd);
  }
  if (identity) return identity;
  const header = readPart10HeaderSync(path, scratch);
  return {
    transferSyntaxUid: header.transferSyntaxUid, sopClassUid: header.sopClassUid, sopInstanceUid: header.sopInstanceUid,
    datasetOffset: header.datasetOffset, fileSize: header.fileSize, hasMeta: header.hasMeta,
  };
}
