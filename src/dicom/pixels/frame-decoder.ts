// FrameDecoder: decodes frames in one reused worker thread so that a 50 MB multi-frame file never
// blocks the extension host. One request runs at a time; the others wait in a queue where they
// can be cancelled. A request that outlives its timeout restarts the worker.

import type { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { loadWorkerThreads } from '../lazy-builtins';
import { PendingTask, settleTask } from '../worker-task';
import { FrameData } from './frame-data';
import { DecodeCancelledError, NoImageError, PixelDecodeError, UnsupportedImageError } from './errors';
import { FrameSourceRef, WorkerRequest, WorkerResponse, WorkerErrorInfo } from './worker-messages';

export interface FrameDecoderOptions {
  /** The worker script (default: pixel-worker.js next to this module or bundle). */
  workerScript?: string;
  /** dcmjs-codecs' dcmjs-native-codecs.wasm (default: next to the worker, else node_modules). */
  wasmPath?: string;
  /** Per request, from when it starts in the worker (default 60 s). */
  timeoutMs?: number;
}

export interface DecodeOptions {
  signal?: AbortSignal;
}

/** A file path, or bytes read by the host (e.g. from a virtual file system) under a stable key. */
export type FrameSource = string | { key: string; bytes: Uint8Array };

interface Pending extends PendingTask<FrameData> {
  id: number;
  source: FrameSource;
  frame: number;
}

function rebuildError(info: WorkerErrorInfo): Error {
  switch (info.name) {
    case 'NoImageError': return new NoImageError(info.message);
    case 'UnsupportedImageError': return new UnsupportedImageError(info.message);
    default: return new PixelDecodeError(info.message);
  }
}

export class FrameDecoder {
  private worker: Worker | undefined;
  private readonly queue: Pending[] = [];
  private running: Pending | undefined;
  private timer: NodeJS.Timeout | undefined;
  private nextId = 1;
  /** Byte sources the current worker already holds. */
  private readonly sent = new Set<string>();
  private disposed = false;
  private readonly timeoutMs: number;

  constructor(private readonly opts: FrameDecoderOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 60_000;
  }

  /** Decodes frame `frame` (0-based) of a file. Rejects with DecodeCancelledError when the signal aborts first. */
  decodeFrame(source: FrameSource, frame: number, opts: DecodeOptions = {}): Promise<FrameData> {
    if (this.disposed) return Promise.reject(new PixelDecodeError('The frame decoder was disposed.'));
    if (opts.signal?.aborted) return Promise.reject(new DecodeCancelledError());
    return new Promise<FrameData>((resolve, reject) => {
      const p: Pending = { id: this.nextId++, source, frame, resolve, reject, signal: opts.signal };
      if (opts.signal) {
        p.onAbort = () => this.cancel(p);
        opts.signal.addEventListener('abort', p.onAbort, { once: true });
      }
      this.queue.push(p);
      this.pump();
    });
  }

  /** Forgets bytes sent for a key (when its document closes). */
  release(key: string): void {
    if (!this.sent.delete(key) || !this.worker) return;
    this.worker.postMessage({ id: 0, op: 'drop', key } satisfies WorkerRequest);
  }

  /** Requests waiting or running. */
  get pendingCount(): number {
    return this.queue.length + (this.running ? 1 : 0);
  }

  dispose(): void {
    this.disposed = true;
    for (const p of this.queue.splice(0)) settleTask(p, new PixelDecodeError('The frame decoder was disposed.'));
    if (this.running) settleTask(this.running, new PixelDecodeError('The frame decoder was disposed.'));
    this.running = undefined;
    this.stopWorker();
  }

  private cancel(p: Pending): void {
    const i = this.queue.indexOf(p);
    if (i >= 0) {
      this.queue.splice(i, 1);
      settleTask(p, new DecodeCancelledError());
    } else if (this.running === p) {
      // The worker finishes the frame (decoding is synchronous there); its answer is dropped.
      settleTask(p, new DecodeCancelledError());
    }
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const script = this.opts.workerScript ?? join(__dirname, 'pixel-worker.js');
    const worker = new (loadWorkerThreads().Worker)(script, { workerData: { wasmPath: this.opts.wasmPath } });
    worker.unref();
    worker.on('message', (res: WorkerResponse) => this.onResponse(res));
    worker.on('error', (e) => this.onWorkerFailure(worker, new PixelDecodeError(`The decoding worker failed: ${e.message}`)));
    worker.on('exit', (code) => this.onWorkerFailure(worker, new PixelDecodeError(`The decoding worker stopped (exit code ${code}).`)));
    this.worker = worker;
    return worker;
  }

  private stopWorker(): void {
    const w = this.worker;
    this.worker = undefined;
    this.sent.clear();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (w) void w.terminate();
  }

  private onWorkerFailure(worker: Worker, error: Error): void {
    if (worker !== this.worker) return;
    this.stopWorker();
    const p = this.running;
    this.running = undefined;
    if (p) settleTask(p, error);
    this.pump();
  }

  private pump(): void {
    if (this.running || this.disposed) return;
    const p = this.queue.shift();
    if (!p) return;
    this.running = p;
    const worker = this.ensureWorker();
    // Keep the process alive while a frame is on its way; an idle worker does not.
    worker.ref();
    let source: FrameSourceRef;
    if (typeof p.source === 'string') {
      source = { kind: 'path', path: p.source };
    } else if (this.sent.has(p.source.key)) {
      source = { kind: 'bytes', key: p.source.key };
    } else {
      source = { kind: 'bytes', key: p.source.key, bytes: p.source.bytes };
      this.sent.add(p.source.key);
    }
    worker.postMessage({ id: p.id, op: 'decode', source, frame: p.frame } satisfies WorkerRequest);
    this.timer = setTimeout(() => {
      if (this.running !== p) return;
      this.running = undefined;
      settleTask(p, new PixelDecodeError(`Decoding frame ${p.frame + 1} took longer than ${Math.round(this.timeoutMs / 1000)} s and was stopped.`));
      this.stopWorker();
      this.pump();
    }, this.timeoutMs);
    this.timer.unref();
  }

  private onResponse(res: WorkerResponse): void {
    const p = this.running;
    if (!p || res.id !== p.id) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.running = undefined;
    if (res.ok && res.frame) settleTask(p, res.frame);
    else if (!res.ok) settleTask(p, rebuildError(res.error));
    else settleTask(p, new PixelDecodeError('The decoding worker answered without a frame.'));
    if (this.queue.length === 0) this.worker?.unref();
    this.pump();
  }
}
