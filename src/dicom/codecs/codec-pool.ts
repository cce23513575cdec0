// CodecPool: frames are decoded and encoded in a bounded pool of worker threads, so that an
// association, the HTTP server or the extension host never waits on a codec. A task that fails
// (corrupt codestream, codec error, a worker that crashes or runs past its time) fails alone: its
// promise rejects with one sentence, a crashed worker is replaced, the other tasks go on.

import type { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import type { PixelDescription } from './pixel-description';
import type { DecodedFrame, EncodedFrame, EncodeParams } from './frame-codec';
import { CodecTask, CodecWorkerData, TaskErrorInfo, TaskRequest, TaskResponse } from './worker-protocol';
import { availableParallelism, loadWorkerThreads } from '../lazy-builtins';
import { PendingTask, settleTask } from '../worker-task';
import { CodecPoolError, FrameDecodeError, FrameEncodeError, UnsupportedConversionError } from './errors';

export interface CodecPoolOptions {
  /** Worker threads at most (default: one less than the processors, at least 1, at most 4). */
  size?: number;
  /** The worker script (default: codec-worker.js next to this module or bundle). */
  workerScript?: string;
  /** dcmjs-codecs' dcmjs-native-codecs.wasm (default: next to the worker, else node_modules). */
  wasmPath?: string;
  /** Longest a task may run before its worker is stopped (default 120 s). */
  timeoutMs?: number;
  /** Workers idle this long are stopped to free their memory (default 30 s). */
  idleMs?: number;
}

export interface TaskOptions {
  signal?: AbortSignal;
}

interface Pending extends PendingTask<DecodedFrame | EncodedFrame> {
  id: number;
  task: CodecTask;
}

interface Slot {
  worker: Worker;
  running?: Pending;
  timer?: NodeJS.Timeout;
}

export function defaultPoolSize(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

function rebuildError(info: TaskErrorInfo): Error {
  switch (info.name) {
    case 'FrameEncodeError': return new FrameEncodeError(info.message);
    case 'UnsupportedConversionError': return new UnsupportedConversionError(info.message);
    default: return new FrameDecodeError(info.message);
  }
}

export class CodecPool {
  readonly size: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly timeoutMs: number;
  private readonly idleMs: number;

  constructor(private readonly opts: CodecPoolOptions = {}) {
    this.size = Math.max(1, Math.floor(opts.size ?? defaultPoolSize()));
    this.timeoutMs = opts.timeoutMs ?? 120_000;
    this.idleMs = opts.idleMs ?? 30_000;
  }

  /** Decodes one frame's codestream to native samples. */
  decode(syntax: string, data: Uint8Array, description: PixelDescription, o: TaskOptions = {}): Promise<DecodedFrame> {
    return this.submit({ op: 'decode', syntax, data, description }, o) as Promise<DecodedFrame>;
  }

  /** Encodes one frame of native samples (little endian, laid out as the description says). */
  encode(syntax: string, samples: Uint8Array, description: PixelDescription, params: EncodeParams = {}, o: TaskOptions = {}): Promise<EncodedFrame> {
    return this.submit({ op: 'encode', syntax, samples, description, params }, o) as Promise<EncodedFrame>;
  }

  /** Decodes a frame and encodes the result in another compressed syntax, in one trip to a worker. */
  transcode(from: string, data: Uint8Array, description: PixelDescription, to: string, params: EncodeParams = {}, o: TaskOptions = {}): Promise<EncodedFrame> {
    return this.submit({ op: 'transcode', from, data, description, to, params }, o) as Promise<EncodedFrame>;
  }

  /** Tasks waiting or running. */
  get pending(): number {
    return this.queue.length + this.slots.filter((s) => s.running).length;
  }

  /** Rejects what waits, stops the workers. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    for (const p of this.queue.splice(0)) settleTask(p, new CodecPoolError('The codec pool was closed.'));
    const workers = this.slots.splice(0);
    for (const s of workers) {
      if (s.timer) clearTimeout(s.timer);
      if (s.running) settleTask(s.running, new CodecPoolError('The codec pool was closed.'));
    }
    await Promise.all(workers.map((s) => s.worker.terminate()));
  }

  private submit(task: CodecTask, o: TaskOptions): Promise<DecodedFrame | EncodedFrame> {
    if (this.closed) return Promise.reject(new CodecPoolError('The codec pool was closed.'));
    if (o.signal?.aborted) return Promise.reject(new CodecPoolError('The frame task was cancelled.'));
    return new Promise((resolve, reject) => {
      const p: Pending = { id: this.nextId++, task, resolve, reject, signal: o.signal };
      if (o.signal) {
        p.onAbort = () => this.cancel(p);
        o.signal.addEventListener('abort', p.onAbort, { once: true });
      }
      this.queue.push(p);
      this.pump();
    });
  }

  private cancel(p: Pending): void {
    const i = this.queue.indexOf(p);
    if (i >= 0) this.queue.splice(i, 1);
    // A running task finishes in its worker (codecs are synchronous there); its answer is dropped.
    settleTask(p, new CodecPoolError('The frame task was cancelled.'));
  }

  private startWorker(): Slot {
    const script = this.opts.workerScript ?? join(__dirname, 'codec-worker.js');
    const data: CodecWorkerData & { codecWorker: true } = { codecWorker: true, wasmPath: this.opts.wasmPath };
    const worker = new (loadWorkerThreads().Worker)(script, { workerData: data });
    const slot: Slot = { worker };
    worker.on('message', (res: TaskResponse) => this.onResponse(slot, res));
    worker.on('error', (e) => this.onWorkerFailure(slot, `failed (${e.message})`));
    worker.on('exit', (code) => this.onWorkerFailure(slot, `stopped (exit code ${code})`));
    worker.unref();
    this.slots.push(slot);
    return slot;
  }

  private onWorkerFailure(slot: Slot, how: string): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    if (slot.timer) clearTimeout(slot.timer);
    const p = slot.running;
    slot.running = undefined;
    void slot.worker.terminate();
    if (p) settleTask(p, new CodecPoolError(`The codec worker ${how} while working on a frame; the frame was not converted.`));
    this.pump();
  }

  private pump(): void {
    if (this.closed) return;
    while (this.queue.length) {
      let slot = this.slots.find((s) => !s.running);
      if (!slot && this.slots.length < this.size) slot = this.startWorker();
      if (!slot) break;
      const p = this.queue.shift()!;
      this.run(slot, p);
    }
    this.scheduleIdle();
  }

  private run(slot: Slot, p: Pending): void {
    slot.running = p;
    // Keep the process alive while a frame is in a worker; idle workers do not.
    slot.worker.ref();
    try {
      // Inputs are copied, not transferred: callers may still hold views of the same memory.
      slot.worker.postMessage({ id: p.id, task: p.task } satisfies TaskRequest);
    } catch (e) {
      slot.running = undefined;
      slot.worker.unref();
      settleTask(p, new CodecPoolError(`The frame task could not be sent to a codec worker (${(e as Error).message}).`));
      return;
    }
    slot.timer = setTimeout(() => {
      if (slot.running !== p) return;
      this.onWorkerFailure(slot, `ran longer than ${Math.round(this.timeoutMs / 1000)} s and was stopped`);
    }, this.timeoutMs);
    slot.timer.unref();
  }

  private onResponse(slot: Slot, res: TaskResponse): void {
    const p = slot.running;
    if (!p || p.id !== res.id) return;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.running = undefined;
    slot.worker.unref();
    settleTask(p, res.ok ? res.result : rebuildError(res.error));
    this.pump();
  }

  private scheduleIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.pending > 0 || this.slots.length === 0) return;
    this.idleTimer = setTimeout(() => {
      if (this.pending > 0) return;
      for (const s of this.slots.splice(0)) void s.worker.terminate();
    }, this.idleMs);
    this.idleTimer.unref();
  }
}

let shared: CodecPool | undefined;

/** The process-wide pool (created on first use with the default size). */
export function sharedCodecPool(): CodecPool {
  shared ??= new CodecPool();
  return shared;
}
