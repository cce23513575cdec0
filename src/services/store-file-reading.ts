// Reading the data sets the storage SCU sends: whole small files into buffers used in turn, large
// files in chunks read ahead while the previous one is on the wire, converted ones through the
// transcoder; each checked for structural damage before it goes out.
import { closeSync, createReadStream, openSync } from 'node:fs';
import { DatasetHeaderScanner, DeflatedExplicitVRLittleEndian, TruncatedFileError, createTranscoder, isPlainAndWhole, readUpTo } from '../dicom';

/** What the SCU needs to know of a file to send it (read from its header, not its whole data set). */
export interface StoreFile {
  path: string;
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  /** Where the data set starts (after the file meta). */
  datasetOffset: number;
  fileSize: number;
}

/** Files up to this size are read in one piece (and the next one read ahead while this one is on the wire). */
export const WHOLE_FILE_LIMIT = 16 * 1024 * 1024;

/**
 * Fills `into` from `position` of an open file: the one read loop of the storage SCU (a file that
 * ends before its header said is an error). Synchronously: from the page cache a read costs the
 * copy, and a thread-pool round trip (futex wake-ups on both sides, the completion's turn of the
 * event loop) costs more than it moves off the main thread (docs/benchmark.md, "The sender's
 * reads": 1,000 × 0.53 MB with C-STOREs outstanding, ~0.07 s less of the sender's CPU; one 1 GiB
 * instance, ~0.07–0.11 s less wall time).
 */
function readFully(fd: number, file: StoreFile, into: Buffer, position: number): Buffer {
  if (readUpTo(fd, into, 0, into.length, position) < into.length) throw new Error(`${file.path} became shorter while it was being sent`);
  return into;
}

/** Reads a file's whole data set (for files up to WHOLE_FILE_LIMIT), into `into` when given. */
export function readDataset(file: StoreFile, into?: Buffer): Buffer {
  const buffer = into ? into.subarray(0, file.fileSize - file.datasetOffset) : Buffer.allocUnsafe(file.fileSize - file.datasetOffset);
  const fd = openSync(file.path, 'r');
  try {
    return readFully(fd, file, buffer, file.datasetOffset);
  } finally {
    closeSync(fd);
  }
}

/**
 * Bytes of a large file read at a time (rounded down to whole fragments, at least one). Each chunk
 * costs a read, a generator step and a wait for the socket to drain: 4 MiB instead of
 * 2 MiB took ~0.07 s of the sender's CPU off a 1 GiB instance at 128 KiB PDUs (3 buffers: 12 MiB).
 */
const LARGE_FILE_CHUNK = 4 * 1024 * 1024;

/**
 * The data set of a large file in chunks that are whole multiples of the fragment size. The next
 * chunk is read before the current one is handed on, while the one before it is still on the wire.
 * Three buffers take turns: the DIMSE channel holds one chunk back until it sees the next (to flag
 * the last fragment), so when chunk k+2 is read, chunk k may still wait to be sent and chunk k+1 is
 * in hand; chunk k's buffer is read into again only after the channel sent it and the socket
 * drained. A read that fails is reported after the chunk before it went out.
 */
export function fileChunks(file: StoreFile): (fragmentSize: number) => AsyncIterable<Buffer> {
  return async function* chunks(fragmentSize: number) {
    const chunkSize = Math.max(1, Math.floor(LARGE_FILE_CHUNK / fragmentSize)) * fragmentSize;
    const buffers = [Buffer.allocUnsafe(chunkSize), Buffer.allocUnsafe(chunkSize), Buffer.allocUnsafe(chunkSize)];
    const fd = openSync(file.path, 'r');
    const readAt = (position: number, turn: number): Buffer | Error => {
      try {
        return readFully(fd, file, buffers[turn].subarray(0, Math.min(chunkSize, file.fileSize - position)), position);
      } catch (error) {
        return error as Error;
      }
    };
    let turn = 0;
    let position = file.datasetOffset;
    try {
      let next = position < file.fileSize ? readAt(position, turn) : undefined;
      while (next) {
        if (next instanceof Error) throw next;
        const chunk = next;
        position += chunk.length;
        turn = (turn + 1) % 3;
        next = position < file.fileSize ? readAt(position, turn) : undefined;
        // The last chunk may sit in the socket's buffer after the consumer moves on: give it its own copy.
        yield next ? chunk : Buffer.from(chunk);
      }
      if ((file.fileSize - file.datasetOffset) % 2 === 1 && file.transferSyntaxUid === DeflatedExplicitVRLittleEndian) yield Buffer.alloc(1);
    } finally {
      closeSync(fd);
    }
  };
}

export function convertedChunks(file: StoreFile, toTs: string): AsyncIterable<Buffer> {
  const stream = createReadStream(file.path, { start: file.datasetOffset, highWaterMark: 1024 * 1024 });
  return stream.pipe(createTranscoder(file.transferSyntaxUid, toTs));
}

/**
 * A deflated data set is a raw deflate stream of any length, but a peer may refuse odd-length
 * fragments (DCMTK does); the stream is padded with one NUL byte, which inflating ignores, as
 * DICOM's writers do for odd-length deflated data.
 */
export function evenDeflated(data: Buffer, transferSyntaxUid: string): Buffer {
  return data.length % 2 === 1 && transferSyntaxUid === DeflatedExplicitVRLittleEndian ? Buffer.concat([data, Buffer.alloc(1)]) : data;
}

/** Walks every element of a data set in memory; says why it is broken (e.g. truncated), or undefined. */
function structuralProblem(data: Buffer, transferSyntaxUid: string): string | undefined {
  // Most data sets are plain elements read header by header; the rest go through the tokenizer.
  if (isPlainAndWhole(data, transferSyntaxUid)) return undefined;
  try {
    const scanner = new DatasetHeaderScanner(transferSyntaxUid, { maxValueBytes: 0 });
    scanner.push(data);
    scanner.end();
    return undefined;
  } catch (error) {
    return error instanceof TruncatedFileError ? 'the file is truncated' : `the data set is malformed: ${(error as Error).message}`;
  }
}

/** A data set read ahead of its turn, with the result of its structural check (or why it could not be read). */
export type ReadAhead = { data: Buffer; damage?: string } | Error;

export function checked(data: Buffer, file: StoreFile): ReadAhead {
  return { data, damage: structuralProblem(data, file.transferSyntaxUid) };
}

/**
 * Reads small data sets into a ring of buffers used in turn: a batch allocates no memory per
 * file, and a buffer is read into again only after the peer answered the C-STORE that carried
 * it. The caller sizes the ring: with `window` C-STOREs outstanding and two files read ahead,
 * window + 2 buffers.
 */
export class RingReader {
  private readonly buffers: Buffer[] = [];
  private turn = 0;

  constructor(private readonly size: number) {}

  /** Reads a file into the next buffer, and checks it; an error is returned, not thrown. */
  read(file: StoreFile): ReadAhead {
    const buffer = this.bufferForTurn(file.fileSize - file.datasetOffset);
    try {
      return checked(readDataset(file, buffer), file);
    } catch (error) {
      return error as Error;
    }
  }

  private bufferForTurn(length: number): Buffer {
    let buffer = this.buffers[this.turn];
    if (!buffer || buffer.length < length) {
      buffer = Buffer.allocUnsafe(Math.max(length, 1024 * 1024));
      this.buffers[this.turn] = buffer;
    }
    this.turn = (this.turn + 1) % this.size;
    return buffer;
  }
}
