// DIMSE messages over an association: sending (fragmented to the peer's maximum PDU), receiving
// (reassembly of command and data set fragments, streamed to a sink or buffered), matching
// responses to requests, and C-CANCEL delivery.
import { EventEmitter } from 'node:events';
import { Association } from '../net';
import { AbortReason, AssociationAbortedError, TimeoutError, keepTimerList } from '../net';

import { Command, CommandField, CommandDecodeError, decodeCommand, encodeCommand, hasDataset, isResponse, commandName } from './command';
import { PDV_OVERHEAD, fragment } from './fragmenter';
import { DatasetSink, DatasetSource } from './sink';
import { statusClass } from './status';
import { transferSyntax } from '../dicom';

const ODD_PAD = Buffer.alloc(1);

export interface IncomingMessage {
  contextId: number;
  command: Command;
  /** The data set, when one was sent and it was buffered rather than streamed to a sink. */
  dataset?: Buffer;
}

export interface RequestHooks {
  /** A request command arrived and a data set follows: return a sink to stream it, or undefined to buffer it. */
  sinkFor?(contextId: number, command: Command): DatasetSink | undefined;
  /** A request is complete (its data set buffered, or its sink ended). */
  onRequest(message: IncomingMessage): void;
}

export interface ChannelOptions {
  /** Longest wait for a response message (0 = forever). */
  dimseTimeoutMs: number;
  /** Largest data set held in memory when not streamed to a sink. */
  maxBufferedDataset: number;
  /** Largest PDU we send when the peer sets no limit. */
  maxSendPdu: number;
}

export const DEFAULT_CHANNEL_OPTIONS: ChannelOptions = {
  dimseTimeoutMs: 60_000,
  maxBufferedDataset: 64 * 1024 * 1024,
  maxSendPdu: 1024 * 1024,
};

/** A piece of one PDV's data, as the association streams it. */
interface Piece {
  contextId: number;
  isCommand: boolean;
  isLast: boolean;
  data: Buffer;
  pdvDone: boolean;
  /** A copy (not a view of the association's read buffer). */
  owned?: boolean;
}

interface Receiving {
  contextId: number;
  commandChunks: Buffer[];
  commandLength: number;
  command?: Command;
  sink?: DatasetSink;
  datasetChunks: Buffer[];
  datasetLength: number;
  /** How many of commandChunks / datasetChunks are copies (the rest may be views about to expire). */
  commandOwned: number;
  datasetOwned: number;
}

/** Replaces the chunks after the first `owned` (views) by one copy of them; returns how many are owned now. */
function keepTail(chunks: Buffer[], owned: number): number {
  if (owned === chunks.length) return owned;
  chunks.splice(owned, chunks.length - owned, Buffer.concat(chunks.slice(owned)));
  return chunks.length;
}

/**
 * A message whose data set source failed after its command went out (a file that shrank, a
 * conversion that broke): the association was aborted, since nothing else can follow a half message.
 */
export class UnfinishedMessageError extends Error {
  constructor(readonly source: Error) {
    super(`${source.message}; the association was aborted because the message could not be finished`);
    this.name = 'UnfinishedMessageError';
  }
}

/** Responses to one request, in arrival order, as an async iterator ending after the final (non-pending) one. */
export class ResponseStream implements AsyncIterableIterator<IncomingMessage> {
  private queue: IncomingMessage[] = [];
  private waiting: { resolve: (r: IteratorResult<IncomingMessage>) => void; reject: (e: Error) => void } | undefined;
  private error: Error | undefined;
  private done = false;
  private finalArrived = false;
  private timer: NodeJS.Timeout | undefined;

  /**
   * `lastActivity` tells when the association last carried anything towards us: the wait for a
   * response ends only after `timeoutMs` without any (C-STOREs of a C-GET count, and so does a
   * large data set still arriving).
   */
  constructor(readonly messageId: number, private readonly timeoutMs: number, private readonly onTimeout: (e: Error) => void,
    private readonly onFinish: () => void, private readonly lastActivity: () => number = () => 0) {}

  /** The final (non-pending) response has arrived, though the caller may not have read it yet. */
  get answered(): boolean {
    return this.finalArrived;
  }

  push(message: IncomingMessage): void {
    if (this.done) return;
    const final = statusClass(message.command.status ?? 0) !== 'pending';
    if (final) this.finalArrived = true;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      this.stopTimer();
      w.resolve({ value: message, done: false });
    } else {
      this.queue.push(message);
    }
    if (final) this.finish();
  }

  fail(error: Error): void {
    if (this.done && this.queue.length === 0 && !this.waiting) return;
    this.error ??= error;
    this.finish();
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      this.stopTimer();
      w.reject(error);
    }
  }

  private finish(): void {
    if (!this.done) {
      this.done = true;
      this.onFinish();
    }
  }

  next(): Promise<IteratorResult<IncomingMessage>> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve({ value: queued, done: false });
    if (this.error) return Promise.reject(this.error);
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      if (this.timeoutMs > 0) this.armTimer(Date.now(), this.timeoutMs);
    });
  }

  private armTimer(since: number, delay: number): void {
    this.timer = setTimeout(() => {
      const now = Date.now();
      const quiet = now - Math.max(since, this.lastActivity());
      if (quiet < this.timeoutMs) {
        this.armTimer(now - quiet, this.timeoutMs - quiet);
        return;
      }
      const error = new TimeoutError(`no DIMSE response and no other traffic within ${this.timeoutMs / 1000} s`);
      this.onTimeout(error);
      this.fail(error);
    }, delay);
  }

  /**
   * A loop over the responses was left early. The exchange is not over: the rest of the
   * responses, up to the final one, still arrive for this message ID (after a C-CANCEL, say)
   * and queue here until `drain()` takes them.
   */
  async return(): Promise<IteratorResult<IncomingMessage>> {
    this.stopTimer();
    return { value: undefined, done: true };
  }

  /** Takes (and drops) the responses still to come, up to the final one; never throws. */
  async drain(): Promise<void> {
    try {
      while (!(await this.next()).done) { /* dropped */ }
    } catch {
      // The association ended (or timed out) meanwhile: nothing is left to wait for.
    }
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

export interface ChannelEvents {
  /**
   * Every DIMSE command sent or received (for tracing and recording); datasetLength when known,
   * and the data set itself when it is in memory (a listener must not keep it).
   */
  message: [direction: 'sent' | 'received', contextId: number, command: Command, datasetLength: number | undefined, dataset: Buffer | undefined];
  /**
   * A command arrived and a data set follows it: `message` comes once the data set is whole, and
   * never when the association ends before (a record still shows the command).
   */
  commandReceived: [contextId: number, command: Command];
  /** A data set that streamed (from a source, or into a sink) has gone out or come in whole: its length. */
  datasetStreamed: [direction: 'sent' | 'received', contextId: number, command: Command, length: number];
}

export class DimseChannel extends EventEmitter<ChannelEvents> {
  readonly options: ChannelOptions;
  private receiving: Receiving | undefined;
  private hooks: RequestHooks | undefined;
  private streams = new Map<number, ResponseStream>();
  private cancelHandlers = new Map<number, () => void>();
  private messageIdCounter = 0;
  private sendChain: Promise<void> = Promise.resolve();
  private blocked = false;
  private backlog: Piece[] = [];
  private closed = false;
  /** Why the association ended, once it has (made when first needed): what waiting for a response on it now fails with at once. */
  private ended: Error | undefined;
  /** When the last piece of a PDV arrived (for the DIMSE timeout). */
  private lastActivity = 0;

  constructor(readonly association: Association, options: Partial<ChannelOptions> = {}) {
    super();
    this.options = { ...DEFAULT_CHANNEL_OPTIONS, ...options };
    keepTimerList(this.options.dimseTimeoutMs);
    association.on('pdv', (contextId, isCommand, isLast, data, pdvDone) => this.onPiece({ contextId, isCommand, isLast, data, pdvDone }));
    association.on('closed', (error) => this.onClosed(error));
    association.on('viewsExpiring', () => this.keepCopies());
  }

  setRequestHooks(hooks: RequestHooks): void {
    this.hooks = hooks;
  }

  /** Message IDs 1–65535, wrapping. */
  nextMessageId(): number {
    this.messageIdCounter = (this.messageIdCounter % 0xffff) + 1;
    return this.messageIdCounter;
  }

  /** Registers for the responses to a request before sending it. */
  expectResponses(messageId: number): ResponseStream {
    const stream = new ResponseStream(messageId, this.options.dimseTimeoutMs,
      (error) => this.association.abortAsProvider(AbortReason.NotSpecified, error.message, error),
      () => { if (this.streams.get(messageId) === stream) this.streams.delete(messageId); },
      () => this.lastActivity);
    if (this.closed) stream.fail(this.ended ??= new AssociationAbortedError('the association was released'));
    else this.streams.set(messageId, stream);
    return stream;
  }

  /** Called when a C-CANCEL-RQ for this message ID arrives. */
  onCancel(messageId: number, handler: () => void): () => void {
    this.cancelHandlers.set(messageId, handler);
    return () => { if (this.cancelHandlers.get(messageId) === handler) this.cancelHandlers.delete(messageId); };
  }

  /**
   * Largest PDV data the peer accepts in one PDU, rounded down to even: every fragment but a
   * message's last is this long, and peers refuse odd-length fragments of a data set.
   */
  get maxFragment(): number {
    const peer = this.association.peerMaxPdu;
    const pdu = peer > 0 ? peer : this.options.maxSendPdu;
    const room = pdu - PDV_OVERHEAD;
    return Math.max(room - (room % 2), 2);
  }

  /** A deflated data set is a byte stream of any length; PS3.5 A.5 pads an odd one with a NUL. */
  private padsOddDatasets(contextId: number): boolean {
    const ts = this.association.contexts.get(contextId)?.transferSyntax;
    return ts !== undefined && transferSyntax(ts)?.deflated === true;
  }

  /** Resolves once every message handed to send() so far has gone out (or failed to). */
  whenSent(): Promise<void> {
    return this.sendChain;
  }

  /** Sends one message. Messages are serialized: fragments of two messages never interleave. */
  send(contextId: number, command: Command, dataset?: DatasetSource): Promise<void> {
    const run = () => this.sendNow(contextId, command, dataset);
    const result = this.sendChain.then(run, run);
    this.sendChain = result.catch(() => undefined);
    return result;
  }

  private async sendNow(contextId: number, command: Command, dataset?: DatasetSource): Promise<void> {
    const max = this.maxFragment;
    const commandBytes = encodeCommand(command);
    if (this.listenerCount('message') > 0) {
      this.emit('message', 'sent', contextId, command, Buffer.isBuffer(dataset) ? dataset.length : undefined, Buffer.isBuffer(dataset) ? dataset : undefined);
    }
    const commandPdvs = fragment(commandBytes, contextId, true, max, true);
    if (dataset === undefined) {
      await this.association.sendPDataMany(commandPdvs.map((p) => [p]));
      return;
    }
    const pad = this.padsOddDatasets(contextId);
    if (Buffer.isBuffer(dataset)) {
      const data = pad && dataset.length % 2 === 1 ? Buffer.concat([dataset, ODD_PAD]) : dataset;
      const pdus = [...commandPdvs, ...fragment(data, contextId, false, max, true)].map((p) => [p]);
      await this.association.sendPDataMany(pdus);
      return;
    }
    await this.association.sendPDataMany(commandPdvs.map((p) => [p]));
    const chunks = typeof dataset === 'function' ? dataset(max) : dataset;
    // Data not sent yet: whole fragments go out as soon as more data follows, so the last one can be flagged.
    let pending: Buffer | undefined;
    let total = 0;
    try {
      for await (const chunk of chunks) {
        if (chunk.length === 0) continue;
        total += chunk.length;
        if (pending) {
          const whole = pending.length - (pending.length % max);
          if (whole > 0) await this.association.sendPDataMany(fragment(pending.subarray(0, whole), contextId, false, max, false).map((p) => [p]));
          pending = whole < pending.length ? Buffer.concat([pending.subarray(whole), chunk]) : chunk;
        } else {
          pending = chunk;
        }
      }
    } catch (error) {
      if (!this.association.isEstablished) throw error;
      // The command announced a data set that cannot be finished: the peer would read whatever
      // comes next as its continuation, so this association cannot carry another message.
      const unfinished = new UnfinishedMessageError(error as Error);
      this.association.abort(unfinished);
      throw unfinished;
    }
    if (pad && total % 2 === 1) pending = Buffer.concat([pending!, ODD_PAD]);
    await this.association.sendPDataMany(fragment(pending ?? Buffer.alloc(0), contextId, false, max, true).map((p) => [p]));
    this.emit('datasetStreamed', 'sent', contextId, command, total);
  }

  // ---------------------------------------------------------------- receiving

  private onPiece(piece: Piece): void {
    this.lastActivity = Date.now();
    if (this.blocked) this.backlog.push(piece);
    else this.handlePiece(piece);
  }

  /** The pieces received so far are about to be overwritten: copy what is held, and let the sink finish with its views. */
  private keepCopies(): void {
    for (const piece of this.backlog) {
      if (!piece.owned) {
        piece.data = Buffer.from(piece.data);
        piece.owned = true;
      }
    }
    const rx = this.receiving;
    if (!rx) return;
    rx.commandOwned = keepTail(rx.commandChunks, rx.commandOwned);
    rx.datasetOwned = keepTail(rx.datasetChunks, rx.datasetOwned);
    rx.sink?.release();
  }

  private protocolError(message: string): void {
    this.receiving?.sink?.abort(new AssociationAbortedError(message));
    this.receiving = undefined;
    this.association.abortAsProvider(AbortReason.UnexpectedPduParameter, message);
  }

  /** One piece of a PDV's data; the PDV's last-fragment flag counts once its last piece arrived. */
  private handlePiece(piece: Piece): void {
    if (this.closed) return;
    const context = this.association.contexts.get(piece.contextId);
    if (!context || context.result !== 0) {
      return this.protocolError(`a PDV uses presentation context ${piece.contextId}, which was not accepted`);
    }
    let rx = this.receiving;
    if (rx && rx.contextId !== piece.contextId) {
      return this.protocolError(`a message switched from presentation context ${rx.contextId} to ${piece.contextId} midway`);
    }
    const messageEnds = piece.pdvDone && piece.isLast;
    if (piece.isCommand) {
      if (rx?.command) return this.protocolError('a command fragment arrived while a data set was expected');
      if (!rx) {
        rx = { contextId: piece.contextId, commandChunks: [], commandLength: 0, datasetChunks: [], datasetLength: 0, commandOwned: 0, datasetOwned: 0 };
        this.receiving = rx;
      }
      rx.commandChunks.push(piece.data);
      rx.commandLength += piece.data.length;
      if (rx.commandLength > 65536) return this.protocolError('a command set is larger than 64 KiB');
      if (messageEnds) this.onCommandComplete(rx);
      return;
    }
    if (!rx?.command) return this.protocolError('a data set fragment arrived without a command before it');
    if (rx.sink) {
      rx.datasetLength += piece.data.length;
      if (piece.data.length > 0) {
        const pending = rx.sink.write(piece.data);
        if (pending) this.block(pending);
      }
    } else {
      rx.datasetLength += piece.data.length;
      if (rx.datasetLength > this.options.maxBufferedDataset) {
        return this.protocolError(`a data set exceeds the ${this.options.maxBufferedDataset} bytes this side buffers`);
      }
      rx.datasetChunks.push(piece.data);
    }
    if (messageEnds) this.onDatasetComplete(rx);
  }

  private onCommandComplete(rx: Receiving): void {
    let command: Command;
    try {
      command = decodeCommand(Buffer.concat(rx.commandChunks, rx.commandLength));
    } catch (error) {
      const message = error instanceof CommandDecodeError ? error.message : `the command set could not be decoded: ${(error as Error).message}`;
      return this.protocolError(message);
    }
    rx.command = command;
    rx.commandChunks = [];
    rx.commandOwned = 0;
    if (!hasDataset(command)) {
      this.receiving = undefined;
      this.deliver({ contextId: rx.contextId, command });
      return;
    }
    if (this.listenerCount('commandReceived') > 0) this.emit('commandReceived', rx.contextId, command);
    if (!isResponse(command) && this.hooks?.sinkFor) rx.sink = this.hooks.sinkFor(rx.contextId, command);
  }

  private onDatasetComplete(rx: Receiving): void {
    this.receiving = undefined;
    const command = rx.command!;
    if (rx.sink) {
      const ended = rx.sink.end();
      const deliver = () => {
        this.deliver({ contextId: rx.contextId, command });
        this.emit('datasetStreamed', 'received', rx.contextId, command, rx.datasetLength);
      };
      if (ended) this.block(ended.then(deliver));
      else deliver();
      return;
    }
    this.deliver({ contextId: rx.contextId, command, dataset: Buffer.concat(rx.datasetChunks, rx.datasetLength) });
  }

  /** Stops reading until `pending` settles; PDVs already read wait in order. */
  private block(pending: Promise<unknown>): void {
    this.blocked = true;
    this.association.pauseReading();
    pending.then(() => this.unblock(), (error: Error) => {
      this.protocolError(`a received data set could not be stored: ${error.message}`);
      this.unblock();
    });
  }

  private unblock(): void {
    this.blocked = false;
    this.lastActivity = Date.now();
    while (!this.blocked && this.backlog.length > 0) this.handlePiece(this.backlog.shift()!);
    if (!this.blocked) this.association.resumeReading();
  }

  private deliver(message: IncomingMessage): void {
    const command = message.command;
    if (this.listenerCount('message') > 0) this.emit('message', 'received', message.contextId, command, message.dataset?.length, message.dataset);
    if (command.commandField === CommandField.CCancelRq) {
      const handler = this.cancelHandlers.get(command.messageIdBeingRespondedTo ?? -1);
      handler?.();
      return;
    }
    if (isResponse(command)) {
      const stream = this.streams.get(command.messageIdBeingRespondedTo ?? -1);
      if (!stream) {
        return this.protocolError(`received ${commandName(command)} for message ID ${command.messageIdBeingRespondedTo}, which has no outstanding request`);
      }
      stream.push(message);
      return;
    }
    if (!this.hooks) return this.protocolError(`received ${commandName(command)}, but this side accepts no requests`);
    this.hooks.onRequest(message);
  }

  private onClosed(error: Error | undefined): void {
    this.closed = true;
    // Errors are made only when something waits for them (an Error's stack costs; most associations end with none).
    this.ended = error;
    const waiting = this.receiving?.sink !== undefined || this.streams.size > 0;
    const reason = error ?? (waiting ? new AssociationAbortedError('the association was released while a response was outstanding') : undefined);
    if (reason) this.receiving?.sink?.abort(reason);
    this.receiving = undefined;
    for (const stream of this.streams.values()) stream.fail(reason!);
    this.streams.clear();
    this.cancelHandlers.clear();
  }
}
