// Storage SCU (PS3.4 Annex B): sending each file's data set as it is on disk (bit-preserving) or
// converted to a syntax the peer accepted (between uncompressed syntaxes as it streams; through the
// codecs before it is sent), one C-STORE at a time or several within a negotiated window.
// Contexts are chosen in store-contexts.ts; the data sets are read in store-file-reading.ts.
import { Dataset, ExplicitVRLittleEndian, Tags, UnsupportedConversionError, encodeDataset, needsPixelWork, transferSyntaxName } from '../dicom';
import { CommandField, DATASET_PRESENT, DatasetSource, Priority, UnfinishedMessageError, formatStatus, statusClass, statusName } from '../dimse';
import { ServiceAssociation } from './context';
import { chooseContext } from './store-contexts';
import { ConversionPolicy, ConvertedData, convertForSending, describeConversion } from './store-conversion';
import {
  ReadAhead, RingReader, StoreFile, WHOLE_FILE_LIMIT, checked, convertedChunks, evenDeflated, fileChunks, readDataset,
} from './store-file-reading';

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


export interface StoreOptions {
  moveOriginatorAeTitle?: string;
  moveOriginatorMessageId?: number;
  priority?: number;
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

function unreadable(file: StoreFile, error: Error): StoreResult {
  return { path: file.path, sopClassUid: file.sopClassUid, sopInstanceUid: file.sopInstanceUid,
    message: `the file cannot be read (${(error as NodeJS.ErrnoException).code ?? error.message})`, bytes: 0, ms: 0, outcome: 'unusable' };
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
  /** The chunks, counted into `bytes` as they are sent. */
  const counted = async function* (chunks: AsyncIterable<Buffer>) { for await (const c of chunks) { bytes += c.length; yield c; } };
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
      source = (size: number) => counted(chunks(size));
    }
  } else if (convert) {
    conversion = describeConversion(file.transferSyntaxUid, context.transferSyntax, undefined);
    source = counted(convertedChunks(file, context.transferSyntax));
  } else if (file.fileSize - file.datasetOffset <= WHOLE_FILE_LIMIT) {
    let data: Buffer;
    let damage: string | undefined;
    try {
      const given = options.data ?? checked(readDataset(file), file);
      if (given instanceof Error) throw given;
      ({ data, damage } = given);
    } catch (error) {
      return done({ ...unreadable(file, error as Error), ms: ms() });
    }
    if (damage) return done({ ...base, message: damage, bytes: 0, ms: ms(), outcome: 'unusable' });
    source = evenDeflated(data, file.transferSyntaxUid);
    bytes = source.length;
  } else {
    const chunks = fileChunks(file);
    source = (size: number) => counted(chunks(size));
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
 * Sends files over one association, reading the next two files while the previous ones are on
 * the wire. When the peer granted an asynchronous operations window, up to that many C-STOREs are
 * outstanding at once (responses matched by Message ID); otherwise each waits for its response
 * before the next goes out. Results are reported in the files' order. A file that cannot be
 * sent is reported and the rest go on; when its data failed half-way (the association is then
 * aborted), the results stop after it, and the caller sends the rest on a new association.
 */
export async function storeFiles(sa: ServiceAssociation, files: readonly StoreFile[],
  onResult: (result: StoreResult, index: number) => void | Promise<void>, options: StoreOptions & { signal?: AbortSignal; window?: number } = {}): Promise<StoreResult[]> {
  const results: StoreResult[] = [];
  const window = Math.max(1, Math.min(options.window ?? invokeWindow(sa), MAX_STORE_WINDOW));
  // Reads run two files ahead and happen right after a send, while the peer works on it, so that
  // when an answer makes room the next C-STORE goes out at once (no open, no read, no check on the
  // way). Buffers: `window` C-STOREs unanswered and two files read ahead; a buffer is read into
  // again only after the peer answered the C-STORE that carried it.
  const reader = new RingReader(window + 2);
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
  /** Answered, not reported yet: reporting waits until the next C-STORE is on its way. */
  const answered: StoreResult[] = [];
  const takeOldest = async () => { answered.push(await pending.shift()!); };
  const report = async () => {
    while (answered.length > 0) {
      const result = answered.shift()!;
      results.push(result);
      await onResult(result, results.length - 1);
    }
  };
  /** Files read ahead, by index, until they are sent. */
  const ahead = new Map<number, ReadAhead>();
  const readAhead = (index: number) => {
    if (readable(files[index])) ahead.set(index, reader.read(files[index]));
  };
  readAhead(0);
  readAhead(1);
  try {
    for (let i = 0; i < files.length; i++) {
      while (pending.length >= window) await takeOldest();
      // Checked after the wait for room: a cancel that came meanwhile starts nothing more.
      if (options.signal?.aborted) break;
      const data = ahead.get(i);
      ahead.delete(i);
      const file = files[i];
      // A data set that streams can fail half-way and take the association with it: the C-STOREs
      // before it are answered first, so that only this file is lost with the association.
      if (!data) while (pending.length > 0) await takeOldest();
      let answer: Promise<StoreResult>;
      let unfinished = false;
      try {
        const wait = await beginStoreFile(sa, file, { ...options, data });
        answer = wait().catch((error: unknown) => failed(file, error));
      } catch (error) {
        unfinished = error instanceof UnfinishedMessageError;
        answer = Promise.resolve(unfinished ? unreadable(file, (error as UnfinishedMessageError).source) : failed(file, error));
      }
      // Settled in order; a rejection before then must not count as unhandled.
      answer.catch(() => undefined);
      pending.push(answer);
      if (unfinished) break;
      // The file after next, while this one is on the wire and the next one is (being) read.
      readAhead(i + 2);
      // This C-STORE is on its way (with one at a time the peer waited for it): only now report
      // the answers that made room for it.
      await report();
    }
    while (pending.length > 0) await takeOldest();
    await report();
  } catch (error) {
    // The association failed: what was answered before still counts.
    await report().catch(() => undefined);
    throw error;
  } finally {
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
