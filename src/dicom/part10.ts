// DICOM Part 10 files (PS3.10 7.1): 128-byte preamble, "DICM", group 0002 in Explicit VR LE,
// then the dataset in the transfer syntax named by (0002,0010).

import { closeSync, fstatSync, openSync, promises as fsp } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from './lazy-builtins';
import { Dataset } from './dataset-model';
import { parseDataset } from './codec';
import { encodeDataset, EncodeOptions } from './codec';
import { DicomError, DicomParseError, NotDicomError, TruncatedFileError } from './errors';
import { Tags, Tag } from './tag';
import { DatasetHeaderScanner } from './header-scanner';
import { readUpTo } from './read-up-to';
import {
  FileMetaValues, FileMetaOptions, buildFileMeta, parseFileMeta, readFileMetaFromHandle,
} from './file-meta';

export interface Part10Header {
  transferSyntaxUid: string;
  /** From the dataset's (0008,0016), else the meta's (0002,0002); '' when neither exists. */
  sopClassUid: string;
  /** From the dataset's (0008,0018), else the meta's (0002,0003); '' when neither exists. */
  sopInstanceUid: string;
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  meta: FileMetaValues;
  /** Offset of the first dataset byte in the file. */
  datasetOffset: number;
  fileSize: number;
  hasMeta: boolean;
}

function lowerFirst(s: string): string {
  return s.length ? s[0].toLowerCase() + s.slice(1) : s;
}

function withName(e: unknown, name: string): unknown {
  if (e instanceof TruncatedFileError) return new TruncatedFileError(`${name} is truncated: ${lowerFirst(e.message)}`, e.offset, name);
  if (e instanceof DicomParseError && !(e instanceof NotDicomError) && !e.message.includes(name)) {
    return new DicomParseError(`${name} is malformed: ${lowerFirst(e.message)}`, e.offset);
  }
  return e;
}

const HEADER_TAGS: Tag[] = [Tags.SOPClassUID, Tags.SOPInstanceUID, Tags.StudyInstanceUID, Tags.SeriesInstanceUID];

/** The header from the parsed meta and the scanned top-level UIDs (falling back to the meta's). */
function headerFrom(head: ReturnType<typeof parseFileMeta>, scanner: DatasetHeaderScanner, fileSize: number): Part10Header {
  const text = (t: Tag) => scanner.text(t);
  const metaText = (k: string) => (typeof head.meta[k] === 'string' ? head.meta[k] as string : undefined);
  const header: Part10Header = {
    transferSyntaxUid: head.transferSyntaxUid,
    sopClassUid: text(Tags.SOPClassUID) || metaText('MediaStorageSOPClassUID') || '',
    sopInstanceUid: text(Tags.SOPInstanceUID) || metaText('MediaStorageSOPInstanceUID') || '',
    meta: head.meta,
    datasetOffset: head.datasetOffset,
    fileSize,
    hasMeta: head.hasMeta,
  };
  const study = text(Tags.StudyInstanceUID);
  const series = text(Tags.SeriesInstanceUID);
  if (study !== undefined) header.studyInstanceUid = study;
  if (series !== undefined) header.seriesInstanceUid = series;
  return header;
}

/**
 * Reads the preamble, file meta and the identifying UIDs of a Part 10 file (or a bare dataset),
 * reading from disk only as far as needed.
 */
export async function readPart10Header(path: string): Promise<Part10Header> {
  const fh = await fsp.open(path, 'r');
  try {
    const head = await readFileMetaFromHandle(fh, path);
    const scanner = new DatasetHeaderScanner(head.transferSyntaxUid, {
      wanted: HEADER_TAGS, stopAt: Tags.SeriesInstanceUID + 1, maxValueBytes: 1024,
    });
    try {
      let done = head.firstChunk.length > head.datasetOffset ? scanner.push(head.firstChunk.subarray(head.datasetOffset)) : false;
      let pos = Math.max(head.firstChunk.length, head.datasetOffset);
      let chunkSize = 64 * 1024;
      while (!done && pos < head.fileSize) {
        const buf = Buffer.allocUnsafe(Math.min(chunkSize, head.fileSize - pos));
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
        if (bytesRead === 0) break;
        pos += bytesRead;
        done = scanner.push(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead));
        chunkSize = Math.min(chunkSize * 2, 1024 * 1024);
      }
      if (!done) scanner.end();
    } catch (e) {
      throw withName(e, path);
    }
    return headerFrom(head, scanner, head.fileSize);
  } finally {
    await fh.close();
  }
}

/**
 * The same as readPart10Header, with synchronous reads: for many small files one after the other
 * (a batch to send), it saves the thread-pool round trips that dominate the time of each file.
 */
export function readPart10HeaderSync(path: string, scratch?: Buffer): Part10Header {
  const fd = openSync(path, 'r');
  try {
    const fileSize = fstatSync(fd).size;
    if (fileSize === 0) throw new NotDicomError(`${path} is not a DICOM file: it is empty.`, path);
    // The first read goes into the caller's scratch buffer when given (the scanner copies what it keeps).
    let useScratch = scratch !== undefined;
    const readAt = (position: number, length: number): Buffer => {
      const size = Math.min(length, fileSize - position);
      const buf = useScratch && scratch!.length >= size ? scratch!.subarray(0, size) : Buffer.allocUnsafe(size);
      useScratch = false;
      const filled = readUpTo(fd, buf, 0, buf.length, position);
      return filled === buf.length ? buf : buf.subarray(0, filled);
    };
    let chunk = readAt(0, scratch?.length ?? 16 * 1024);
    let head: ReturnType<typeof parseFileMeta>;
    for (;;) {
      try {
        head = parseFileMeta(chunk, path);
        break;
      } catch (error) {
        if (!(error instanceof TruncatedFileError) || chunk.length >= fileSize) throw error;
        chunk = readAt(0, chunk.length * 4);
      }
    }
    const scanner = new DatasetHeaderScanner(head.transferSyntaxUid, {
      wanted: HEADER_TAGS, stopAt: Tags.SeriesInstanceUID + 1, maxValueBytes: 1024,
    });
    try {
      let done = chunk.length > head.datasetOffset ? scanner.push(chunk.subarray(head.datasetOffset)) : false;
      let pos = Math.max(chunk.length, head.datasetOffset);
      while (!done && pos < fileSize) {
        const more = readAt(pos, 1024 * 1024);
        if (more.length === 0) break;
        pos += more.length;
        done = scanner.push(more);
      }
      if (!done) scanner.end();
    } catch (e) {
      throw withName(e, path);
    }
    return headerFrom(head, scanner, fileSize);
  } finally {
    closeSync(fd);
  }
}

export interface Part10File {
  /** Group 0002 values by keyword (empty when the file has no meta). */
  meta: FileMetaValues;
  /** Group 0002 as elements. */
  metaDataset: Dataset;
  transferSyntaxUid: string;
  hasMeta: boolean;
  datasetOffset: number;
  dataset: Dataset;
}

/** Parses a whole Part 10 file (or bare dataset) held in memory or read from disk. */
export async function readPart10(pathOrBuffer: string | Buffer, opts: { stopAtTag?: Tag } = {}): Promise<Part10File> {
  const name = typeof pathOrBuffer === 'string' ? pathOrBuffer : 'The data';
  const buf = typeof pathOrBuffer === 'string' ? await fsp.readFile(pathOrBuffer) : pathOrBuffer;
  return parsePart10(buf, name, opts);
}

/** Synchronous form of readPart10 for a buffer. */
export function parsePart10(buf: Buffer, name = 'The data', opts: { stopAtTag?: Tag } = {}): Part10File {
  if (buf.length === 0) throw new NotDicomError(`${name} is not a DICOM file: it is empty.`, name);
  const head = parseFileMeta(buf, name);
  let dataset: Dataset;
  try {
    dataset = parseDataset(buf.subarray(head.datasetOffset), head.transferSyntaxUid, { stopAtTag: opts.stopAtTag });
  } catch (e) {
    throw withName(e, name);
  }
  return {
    meta: head.meta, metaDataset: head.metaDataset, transferSyntaxUid: head.transferSyntaxUid,
    hasMeta: head.hasMeta, datasetOffset: head.datasetOffset, dataset,
  };
}

export interface WritePart10Options extends Partial<FileMetaOptions> {
  transferSyntaxUid: string;
  encode?: EncodeOptions;
}

/**
 * Writes a Part 10 file atomically: into a temporary file in the same directory, then renamed
 * over `path`. `dataset` is a Dataset (encoded in the transfer syntax) or already-encoded bytes.
 */
export async function writePart10(path: string, dataset: Dataset | Buffer, o: WritePart10Options): Promise<void> {
  const fromDs = (t: Tag) => (dataset instanceof Dataset ? dataset.string(t) : undefined);
  const sopClassUid = o.sopClassUid ?? fromDs(Tags.SOPClassUID);
  const sopInstanceUid = o.sopInstanceUid ?? fromDs(Tags.SOPInstanceUID);
  if (!sopClassUid || !sopInstanceUid) {
    throw new DicomError(`Cannot write ${path}: the SOP Class UID and SOP Instance UID are needed for the file meta information.`);
  }
  const meta = buildFileMeta({ ...o, sopClassUid, sopInstanceUid });
  const body = dataset instanceof Dataset ? encodeDataset(dataset, o.transferSyntaxUid, o.encode) : dataset;
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fh = await fsp.open(tmp, 'wx');
    try {
      await fh.writev([meta, body]);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, path);
  } catch (e) {
    await fsp.unlink(tmp).catch(() => undefined);
    throw e;
  }
}
