// Storage SCU (PS3.4 Annex B): proposing contexts for a batch of files and sending each file's
// data set as it is on disk (bit-preserving) or converted to a syntax the peer accepted
// (between uncompressed syntaxes as it streams; through the codecs before it is sent).
import { closeSync, createReadStream, openSync, read as fsRead } from 'node:fs';
import { Dataset } from '../dicom';
import { encodeDataset } from '../dicom';
import { createTranscoder } from '../dicom';
import {
  DeflatedExplicitVRLittleEndian, ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian,
  isUncompressed, sopClassName, transferSyntaxName,
} from '../dicom';
import { Tags } from '../dicom';
import { DatasetHeaderScanner } from '../dicom';
import { TruncatedFileError } from '../dicom';
import { CommandField, DATASET_PRESENT, Priority } from '../dimse';
import { DatasetSource } from '../dimse';
import { formatStatus, statusClass, statusName } from '../dimse';
import { describeContextResult } from '../net';
import { NegotiatedContext } from '../net';
import { ServiceAssociation } from './context';
import { needsPixelWork } from '../dicom';
import { ConversionPolicy, ConvertedData, conversionTargets, convertForSending, describeConversion, preferredSyntaxes } from './store-conversion';
import { UnsupportedConversionError } from '../dicom';

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

export interface ProposedStorageContext {
  abstractSyntax: string;
  transferSyntaxes: readonly string[];
}

export interface StoreResult {
  path: string;
  sopClassUid: string;
  sopInstanceUid: string;
  /** The DIMSE status, when the peer answered. */
  status?: number;
  /** The status meaning, or why nothing was sent. */
  message: string;
  /** The peer's Error Comment, when it sent one. */
  comment?: string;
  /** Data set bytes sent. */
  bytes: number;
  ms: number;
  /** The transfer syntax the data set went out in. */
  sentTransferSyntaxUid?: string;
  /** How the data set was converted to sentTransferSyntaxUid (absent when it went out as it is). */
  conversion?: string;
  /**
   * success | warning | failure: the peer's answer; skipped: not sent because no accepted context
   * fits; unusable: not sent because the file itself is broken (truncated, malformed).
   */
  outcome: 'success' | 'warning' | 'failure' | 'skipped' | 'unusable';
}

/** Files up to this size are read in one piece (and the next one read ahead while this one is on the wire). */
const WHOLE_FILE_LIMIT = 16 * 1024 * 1024;

/** The syntaxes the files of one SOP class can be converted to, best first. */
function fallbackSyntaxes(syntaxes: Iterable<string>, allowLossy: boolean): string[] {
  const own = [...syntaxes];
  const all = new Set(own.flatMap((ts) => conversionTargets(ts, allowLossy)));
  // In our order of preference, with the syntaxes the files are in too (another file may need them).
  return preferredSyntaxes(allowLossy).filter((ts) => all.has(ts));
}

/**
 * One context per (SOP class, transfer syntax) the files use, each proposing just that syntax
 * (so the data can go out unchanged), plus per SOP class one context proposing what they can
 * be converted to: the uncompressed syntaxes, then lossless compressed ones (lossy ones only
 * when allowed).
 */
export function proposeStorageContexts(files: readonly Pick<StoreFile, 'sopClassUid' | 'transferSyntaxUid'>[], allowLossy = false): ProposedStorageContext[] {
  const bySopClass = new Map<string, Set<string>>();
  for (const f of files) {
    const set = bySopClass.get(f.sopClassUid) ?? new Set<string>();
    set.add(f.transferSyntaxUid);
    bySopClass.set(f.sopClassUid, set);
  }
  const contexts: ProposedStorageContext[] = [];
  for (const [sopClass, syntaxes] of bySopClass) {
    for (const ts of syntaxes) contexts.push({ abstractSyntax: sopClass, transferSyntaxes: [ts] });
    const fallback = fallbackSyntaxes(syntaxes, allowLossy);
    if (fallback.length) contexts.push({ abstractSyntax: sopClass, transferSyntaxes: fallback });
  }
  return contexts;
}

/** Groups files so that each group's contexts fit in one association (at most 128). */
export function groupForAssociations<T extends Pick<StoreFile, 'sopClassUid' | 'transferSyntaxUid'>>(files: readonly T[], limit = 128): T[][] {
  const groups: { files: T[]; classes: Map<string, Set<string>>; count: number }[] = [];
  const cost = (syntaxes: Set<string>) => syntaxes.size + ([...syntaxes].some((ts) => conversionTargets(ts).length > 0) ? 1 : 0);
  for (const file of files) {
    let placed = false;
    for (const g of groups) {
      const syntaxes = new Set(g.classes.get(file.sopClassUid) ?? []);
      const before = g.classes.has(file.sopClassUid) ? cost(g.classes.get(file.sopClassUid)!) : 0;
      syntaxes.add(file.transferSyntaxUid);
      const count = g.count - before + cost(syntaxes);
      if (count <= limit) {
        g.classes.set(file.sopClassUid, syntaxes);
        g.count = count;
        g.files.push(file);
        placed = true;
        break;
      }
    }
    if (!placed) {
      const syntaxes = new Set([file.transferSyntaxUid]);
      groups.push({ files: [file], classes: new Map([[file.sopClassUid, syntaxes]]), count: cost(syntaxes) });
    }
  }
  return groups.map((g) => g.files);
}

export type ContextChoice = { context: NegotiatedContext; convert: boolean } | { reason: string };

/** The accepted context to send a file on, or why none fits. */
export function chooseContext(sa: ServiceAssociation, sopClassUid: string, transferSyntaxUid: string, requireRequestorScp = false, allowLossy = false): ContextChoice {
  // C-GET sub-operations may only use contexts on which the requestor accepted the SCP role.
  const forClass = [...sa.association.contexts.values()].filter((c) => c.abstractSyntax === sopClassUid && (!requireRequestorScp || c.requestorScp));
  const accepted = forClass.filter((c) => c.result === 0);
  const same = accepted.find((c) => c.transferSyntax === transferSyntaxUid);
  if (same) return { context: same, convert: false };
  const name = sopClassName(sopClassUid) ?? sopClassUid;
  const tsName = transferSyntaxName(transferSyntaxUid) ?? transferSyntaxUid;
  if (accepted.length === 0) {
    const why = forClass[0] ? describeContextResult(forClass[0].result) : 'not proposed';
    return { reason: `the peer does not accept ${name} (${why})` };
  }
  for (const ts of conversionTargets(transferSyntaxUid, allowLossy)) {
    const target = accepted.find((c) => c.transferSyntax === ts);
    if (target) return { context: target, convert: true };
  }
  const lossyOnly = conversionTargets(transferSyntaxUid, true).some((ts) => accepted.some((c) => c.transferSyntax === ts));
  const names = accepted.map((c) => transferSyntaxName(c.transferSyntax) ?? c.transferSyntax).join(', ');
  if (lossyOnly) return { reason: `the peer accepts ${name} only in ${names}, which would be lossy (allow lossy compression to send it)` };
  return { reason: `the peer accepts ${name} only in ${names}, which ${tsName} cannot be converted to` };
}

/**
 * Fills `into` from `position` of an open file, in the thread pool. The one read loop of the
 * storage SCU: a file that ends before its header said is an error.
 */
function readFully(fd: number, file: StoreFile, into: Buffer, position: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const readFrom = (filled: number) => {
      fsRead(fd, into, filled, into.length - filled, position + filled, (error, n) => {
        if (error) return reject(error);
        if (n === 0) return reject(new Error(`${file.path} became shorter while it was being sent`));
        if (filled + n < into.length) return readFrom(filled + n);
        resolve(into);
      });
    };
    if (into.length === 0) resolve(into); else readFrom(0);
  });
}

/** Runs `use` on the open file and closes it. Opening and closing are single cheap system calls, done synchronously. */
async function withOpenFile<T>(file: StoreFile, use: (fd: number) => Promise<T>): Promise<T> {
  const fd = openSync(file.path, 'r');
  try {
    return await use(fd);
  } finally {
    closeSync(fd);
  }
}

/** Reads a file's whole data set (for files up to WHOLE_FILE_LIMIT), into `into` when given. */
export function readDataset(file: StoreFile, into?: Buffer): Promise<Buffer> {
  const length = file.fileSize - file.datasetOffset;
  const buffer = into ? into.subarray(0, length) : Buffer.allocUnsafe(length);
  return withOpenFile(file, (fd) => readFully(fd, file, buffer, file.datasetOffset));
}

/**
 * The data set of a large file in chunks that are whole multiples of the fragment size. The next
 * chunk is read while the current one is on the wire. Three buffers take turns: the DIMSE channel
 * holds one chunk back until it sees the next (to flag the last fragment), so when chunk k+2 is
 * read, chunk k may still wait to be sent and chunk k+1 is in hand; chunk k's buffer is read into
 * again only after the channel sent it and the socket drained.
 */
function fileChunks(file: StoreFile): (fragmentSize: number) => AsyncIterable<Buffer> {
  return async function* chunks(fragmentSize: number) {
    const chunkSize = Math.max(1, Math.floor((2 * 1024 * 1024) / fragmentSize)) * fragmentSize;
    const buffers = [Buffer.allocUnsafe(chunkSize), Buffer.allocUnsafe(chunkSize), Buffer.allocUnsafe(chunkSize)];
    const fd = openSync(file.path, 'r');
    const readAt = (position: number, turn: number): Promise<Buffer> =>
      readFully(fd, file, buffers[turn].subarray(0, Math.min(chunkSize, file.fileSize - position)), position);
    let turn = 0;
    let position = file.datasetOffset;
    let next: Promise<Buffer> | undefined;
    try {
      next = position < file.fileSize ? readAt(position, turn) : undefined;
      while (next) {
        const chunk = await next;
        position += chunk.length;
        turn = (turn + 1) % 3;
        next = position < file.fileSize ? readAt(position, turn) : undefined;
        // Keep a failed read-ahead from becoming an unhandled rejection if the caller stops here.
        next?.catch(() => undefined);
        // The last chunk may sit in the socket's buffer after the consumer moves on: give it its own copy.
        yield next ? chunk : Buffer.from(chunk);
      }
      if ((file.fileSize - file.datasetOffset) % 2 === 1 && file.transferSyntaxUid === DeflatedExplicitVRLittleEndian) yield Buffer.alloc(1);
    } finally {
      // A read still under way must finish before its file descriptor is closed (and maybe reused).
      await next?.catch(() => undefined);
      closeSync(fd);
    }
  };
}

function convertedChunks(file: StoreFile, toTs: string): AsyncIterable<Buffer> {
  const stream = createReadStream(file.path, { start: file.datasetOffset, highWaterMark: 1024 * 1024 });
  return stream.pipe(createTranscoder(file.transferSyntaxUid, toTs));
}

/**
 * A deflated data set is a raw deflate stream of any length, but a peer may refuse odd-length
 * fragments (DCMTK does); the stream is padded with one NUL byte, which inflating ignores, as
 * DICOM's writers do for odd-length deflated data.
 */
function evenDeflated(data: Buffer, transferSyntaxUid: string): Buffer {
  return data.length % 2 === 1 && transferSyntaxUid === DeflatedExplicitVRLittleEndian ? Buffer.concat([data, Buffer.alloc(1)]) : data;
}

/** Walks every element of a data set in memory; says why it is broken (e.g. truncated), or undefined. */
function structuralProblem(data: Buffer, transferSyntaxUid: string): string | undefined {
  try {
    const scanner = new DatasetHeaderScanner(transferSyntaxUid, { maxValueBytes: 0 });
    scanner.push(data);
    scanner.end();
    return undefined;
  } catch (error) {
    return error instanceof TruncatedFileError ? 'the file is truncated' : `the data set is malformed: ${(error as Error).message}`;
  }
}

export interface StoreOptions {
  moveOriginatorAeTitle?: string;
  moveOriginatorMessageId?: number;
  priority?: number;
  /** The data set already read (read-ahead); used when the file goes out unchanged. */
  prefetched?: Promise<Buffer>;
  /** C-GET sub-operation: only contexts where the requestor is SCP. */
  requireRequestorScp?: boolean;
  /** How far conversions may go (default: lossless only). */
  conversion?: ConversionPolicy;
}

/** Sends one C-STORE-RQ with this data set and waits for the C-STORE-RSP; returns its status and comment. */
export async function sendCStore(sa: ServiceAssociation, contextId: number, sopClassUid: string, sopInstanceUid: string,
  dataset: DatasetSource, options: StoreOptions = {}): Promise<{ status: number; comment?: string }> {
  return await (await startCStore(sa, contextId, sopClassUid, sopInstanceUid, dataset, options)).response;
}

/**
 * Sends one C-STORE-RQ; resolves once it is sent, with the C-STORE-RSP to come. The response is
 * wrapped: an async function that returned the bare promise would resolve only with the
 * response itself (promises flatten), and nothing could go out meanwhile.
 */
async function startCStore(sa: ServiceAssociation, contextId: number, sopClassUid: string, sopInstanceUid: string,
  dataset: DatasetSource, options: StoreOptions): Promise<{ response: Promise<{ status: number; comment?: string }> }> {
  const messageId = sa.channel.nextMessageId();
  const responses = sa.channel.expectResponses(messageId);
  await sa.channel.send(contextId, {
    commandField: CommandField.CStoreRq,
    messageId,
    affectedSopClassUid: sopClassUid,
    affectedSopInstanceUid: sopInstanceUid,
    priority: options.priority ?? Priority.Medium,
    commandDataSetType: DATASET_PRESENT,
    ...(options.moveOriginatorAeTitle ? { moveOriginatorAeTitle: options.moveOriginatorAeTitle, moveOriginatorMessageId: options.moveOriginatorMessageId } : {}),
  }, dataset);
  const response = (async () => {
    for await (const r of responses) {
      return { status: r.command.status ?? 0, comment: r.command.errorComment };
    }
    throw new Error('the association ended without a C-STORE response');
  })();
  // Awaited by the caller later; a failure before then is not an unhandled rejection.
  response.catch(() => undefined);
  return { response };
}

function outcomeOf(status: number): StoreResult['outcome'] {
  const c = statusClass(status);
  return c === 'success' ? 'success' : c === 'warning' ? 'warning' : 'failure';
}

/** Sends one file over an established association. */
export async function storeFile(sa: ServiceAssociation, file: StoreFile, options: StoreOptions = {}): Promise<StoreResult> {
  return (await beginStoreFile(sa, file, options))();
}

/**
 * Sends one file; resolves once it is on its way, with a function that waits for the peer's
 * answer (so the next file can be read meanwhile).
 */
async function beginStoreFile(sa: ServiceAssociation, file: StoreFile, options: StoreOptions & { data?: ReadAhead }): Promise<() => Promise<StoreResult>> {
  const started = process.hrtime.bigint();
  const ms = () => Number(process.hrtime.bigint() - started) / 1e6;
  const base = { path: file.path, sopClassUid: file.sopClassUid, sopInstanceUid: file.sopInstanceUid };
  const done = (result: StoreResult) => async () => result;
  const choice = chooseContext(sa, file.sopClassUid, file.transferSyntaxUid, options.requireRequestorScp, options.conversion?.allowLossy);
  if ('reason' in choice) return done({ ...base, message: choice.reason, bytes: 0, ms: ms(), outcome: 'skipped' });
  const { context, convert } = choice;
  let bytes = 0;
  let source: DatasetSource;
  let conversion: string | undefined;
  let converted: ConvertedData | undefined;
  if (convert && needsPixelWork(file.transferSyntaxUid, context.transferSyntax)) {
    // Through the codecs: converted completely first, so that a bad frame fails this file only.
    const policy = options.conversion ?? {};
    try {
      converted = await convertForSending(file.path, file.datasetOffset, file.transferSyntaxUid, context.transferSyntax, policy);
    } catch (error) {
      const why = `cannot be converted to ${transferSyntaxName(context.transferSyntax) ?? context.transferSyntax}: ${lowerFirst((error as Error).message)}`;
      return done({ ...base, message: why, bytes: 0, ms: ms(), outcome: error instanceof UnsupportedConversionError ? 'skipped' : 'unusable' });
    }
    conversion = converted.description;
    if (converted.data) {
      source = evenDeflated(converted.data, context.transferSyntax);
      bytes = source.length;
    } else {
      const chunks = fileChunks({ ...file, path: converted.file!.path, datasetOffset: 0, fileSize: converted.file!.size, transferSyntaxUid: context.transferSyntax });
      source = (size: number) => (async function* () { for await (const c of chunks(size)) { bytes += c.length; yield c; } })();
    }
  } else if (convert) {
    conversion = describeConversion(file.transferSyntaxUid, context.transferSyntax, undefined);
    const counted = async function* (chunks: AsyncIterable<Buffer>) { for await (const c of chunks) { bytes += c.length; yield c; } };
    source = counted(convertedChunks(file, context.transferSyntax));
  } else if (file.fileSize - file.datasetOffset <= WHOLE_FILE_LIMIT) {
    let data: Buffer;
    let damage: string | undefined;
    try {
      const given = options.data ?? checked(options.prefetched ? await options.prefetched : await readDataset(file), file);
      if (given instanceof Error) throw given;
      ({ data, damage } = given);
    } catch (error) {
      return done({ ...base, message: `the file cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, bytes: 0, ms: ms(), outcome: 'unusable' });
    }
    if (damage) return done({ ...base, message: damage, bytes: 0, ms: ms(), outcome: 'unusable' });
    source = evenDeflated(data, file.transferSyntaxUid);
    bytes = source.length;
  } else {
    const chunks = fileChunks(file);
    source = (size: number) => (async function* () { for await (const c of chunks(size)) { bytes += c.length; yield c; } })();
  }
  let answer: Awaited<ReturnType<typeof startCStore>>;
  try {
    answer = await startCStore(sa, context.id, file.sopClassUid, file.sopInstanceUid, source, options);
  } catch (error) {
    await converted?.dispose();
    throw error;
  }
  return async () => {
    try {
      const { status, comment } = await answer.response;
      return {
        ...base, status, message: statusName(status, 'store'), comment, bytes, ms: ms(),
        sentTransferSyntaxUid: context.transferSyntax, outcome: outcomeOf(status), ...(conversion ? { conversion } : {}),
      };
    } finally {
      await converted?.dispose();
    }
  };
}

/** A data set read ahead of its turn, with the result of its structural check (or why it could not be read). */
type ReadAhead = { data: Buffer; damage?: string } | Error;

function checked(data: Buffer, file: StoreFile): ReadAhead {
  return { data, damage: structuralProblem(data, file.transferSyntaxUid) };
}

/**
 * Reads small data sets into a ring of buffers used in turn: a batch allocates no memory per
 * file, and a buffer is read into again only after the peer answered the C-STORE that carried
 * it. With `window` C-STOREs outstanding and one file read ahead, window + 1 buffers suffice.
 */
class RingReader {
  private readonly buffers: Buffer[] = [];
  private turn = 0;

  constructor(private readonly size: number) {}

  /** Reads in the thread pool while the caller sends the previous file. */
  read(file: StoreFile): Promise<ReadAhead> {
    const buffer = this.bufferForTurn(file.fileSize - file.datasetOffset);
    return readDataset(file, buffer).then((data) => checked(data, file), (error: Error) => error);
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

/** The most C-STOREs one association keeps outstanding, whatever the peer grants (0 = unlimited). */
export const MAX_STORE_WINDOW = 16;

/**
 * How many operations we may have outstanding on this association (PS3.7 D.3.3.3): as requestor,
 * what the acceptor said it performs (0 = unlimited, capped at MAX_STORE_WINDOW); 1 when the
 * window was not negotiated (the default: one at a time).
 */
export function invokeWindow(sa: ServiceAssociation): number {
  const association = sa.association;
  const granted = association.role === 'requestor' ? association.acceptance?.userInformation.asyncOperationsWindow?.maxOperationsPerformed : undefined;
  if (granted === undefined) return 1;
  return granted === 0 ? MAX_STORE_WINDOW : Math.min(granted, MAX_STORE_WINDOW);
}

/**
 * Sends files over one association, reading the next file while the previous one is on the
 * wire. When the peer granted an asynchronous operations window, up to that many C-STOREs are
 * outstanding at once (responses matched by Message ID); otherwise each waits for its response
 * before the next goes out. Results are reported in the files' order. A file that cannot be
 * sent is reported and the rest go on.
 */
export async function storeFiles(sa: ServiceAssociation, files: readonly StoreFile[],
  onResult: (result: StoreResult, index: number) => void | Promise<void>, options: Omit<StoreOptions, 'prefetched'> & { signal?: AbortSignal; window?: number } = {}): Promise<StoreResult[]> {
  const results: StoreResult[] = [];
  const window = Math.max(1, Math.min(options.window ?? invokeWindow(sa), MAX_STORE_WINDOW));
  const reader = new RingReader(window + 1);
  const readable = (f: StoreFile | undefined): boolean => {
    if (!f || f.fileSize - f.datasetOffset > WHOLE_FILE_LIMIT) return false;
    const choice = chooseContext(sa, f.sopClassUid, f.transferSyntaxUid, false, options.conversion?.allowLossy);
    return 'context' in choice && !choice.convert;
  };
  const failed = (file: StoreFile, error: unknown): StoreResult => {
    if (!sa.association.isEstablished) throw error;
    return { path: file.path, sopClassUid: file.sopClassUid, sopInstanceUid: file.sopInstanceUid,
      message: (error as Error).message, bytes: 0, ms: 0, outcome: 'skipped' };
  };
  /** Answers still to come, oldest first; each settles with its result or throws when the association is gone. */
  const pending: Promise<StoreResult>[] = [];
  const settleOldest = async () => {
    const result = await pending.shift()!;
    results.push(result);
    await onResult(result, results.length - 1);
  };
  let ahead = readable(files[0]) ? reader.read(files[0]) : undefined;
  try {
    for (let i = 0; i < files.length; i++) {
      while (pending.length >= window) await settleOldest();
      // Checked after the wait for room: a cancel that came meanwhile starts nothing more.
      if (options.signal?.aborted) break;
      const data = ahead ? await ahead : undefined;
      // Read the next file while this one is sent and stored. Its buffer is another one: the
      // buffer of a file is read into again only after the peer answered for it.
      ahead = readable(files[i + 1]) ? reader.read(files[i + 1]) : undefined;
      const file = files[i];
      let answer: Promise<StoreResult>;
      try {
        const wait = await beginStoreFile(sa, file, { ...options, data });
        answer = wait().catch((error: unknown) => failed(file, error));
      } catch (error) {
        answer = Promise.resolve(failed(file, error));
      }
      // Settled in order below; a rejection before then must not count as unhandled.
      answer.catch(() => undefined);
      pending.push(answer);
    }
    while (pending.length > 0) await settleOldest();
  } finally {
    // Leave no read under way into a buffer when the caller moves on (an error, an abort).
    await ahead?.catch(() => undefined);
    await Promise.allSettled(pending);
  }
  return results;
}

/** Sends a data set held in memory, encoded in an uncompressed syntax the peer accepted. */
export async function storeDataset(sa: ServiceAssociation, dataset: Dataset, options: StoreOptions = {}): Promise<StoreResult> {
  const started = process.hrtime.bigint();
  const sopClassUid = dataset.string(Tags.SOPClassUID) ?? '';
  const sopInstanceUid = dataset.string(Tags.SOPInstanceUID) ?? '';
  const choice = chooseContext(sa, sopClassUid, ExplicitVRLittleEndian);
  const base = { path: '', sopClassUid, sopInstanceUid };
  if ('reason' in choice) return { ...base, message: choice.reason, bytes: 0, ms: 0, outcome: 'skipped' };
  const bytes = encodeDataset(dataset, choice.context.transferSyntax);
  const { status, comment } = await sendCStore(sa, choice.context.id, sopClassUid, sopInstanceUid, bytes, options);
  return {
    ...base, status, message: statusName(status, 'store'), comment, bytes: bytes.length,
    ms: Number(process.hrtime.bigint() - started) / 1e6, sentTransferSyntaxUid: choice.context.transferSyntax, outcome: outcomeOf(status),
  };
}

function lowerFirst(s: string): string {
  return /^[A-Z][a-z]/.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s;
}

export function describeStoreResult(result: StoreResult): string {
  if (result.status === undefined) return `not sent: ${result.message}`;
  return `${formatStatus(result.status, 'store')}${result.comment ? ` "${result.comment}"` : ''}`;
}
