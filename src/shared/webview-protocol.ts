// The messages between the extension host and the webviews (query results, dataset viewer with
// its image preview). Shared by both sides: no vscode, no Node imports here, only types and the
// small request/response helper both ends use.

import type { DatasetView, FullValue } from '../dicom/view-model/types';
import type { FrameData, ImageSummary } from '../dicom/pixels/frame-data';

// ---------------------------------------------------------------------------------------------
// Requests with ids and timeouts (webview → host), answered by `response` (host → webview).

export interface RequestMessage<M extends string = string, P = unknown> {
  type: 'request';
  requestId: number;
  method: M;
  params: P;
}

export type ResponseMessage =
  | { type: 'response'; requestId: number; ok: true; result: unknown }
  | { type: 'response'; requestId: number; ok: false; error: string; cancelled?: boolean };

/** The webview no longer wants the answer (e.g. the frame slider moved on). */
export interface CancelMessage {
  type: 'cancel';
  requestId: number;
}

export interface ReadyMessage {
  type: 'ready';
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Frames of large compressed multi-frame files can take a while in the worker. */
export const FRAME_REQUEST_TIMEOUT_MS = 120_000;

// ---------------------------------------------------------------------------------------------
// Query results panel.

export type QueryLevelName = 'PATIENT' | 'STUDY' | 'SERIES' | 'IMAGE' | 'WORKLIST';
export type ColumnKind = 'text' | 'date' | 'time' | 'number' | 'uid';

export interface QueryColumn {
  /** Tag path in DICOM JSON form: "00100010", or "00400100.00400002" inside a sequence. */
  key: string;
  label: string;
  kind: ColumnKind;
}

export interface QueryRowData {
  /** Unique in the panel; the host keeps the match (DICOM JSON) under it. */
  id: number;
  /** Display text, one per column. */
  cells: string[];
}

export type QueryRunState = 'running' | 'done' | 'cancelled' | 'failed';
export type QueryAction = 'retrieve' | 'open' | 'copyUids' | 'exportJson' | 'exportCsv';

export type HostToQueryResults =
  | { type: 'qr/init'; title: string; level: QueryLevelName; columns: QueryColumn[]; actions: QueryAction[]; state: QueryRunState; message?: string; canShowAssociation?: boolean }
  | { type: 'qr/rows'; rows: QueryRowData[] }
  /** canShowAssociation: the failed query's association is known; the panel offers Show Association. */
  | { type: 'qr/state'; state: QueryRunState; message?: string; canShowAssociation?: boolean }
  | ResponseMessage;

export type QueryResultsToHost =
  | ReadyMessage
  | { type: 'qr/cancel' }
  /** Show Association on a failure: the host knows which association (the webview names none). */
  | { type: 'qr/showAssociation' }
  | { type: 'qr/action'; action: QueryAction; rowIds: number[] };

// ---------------------------------------------------------------------------------------------
// Dataset viewer and image preview.

export interface DatasetRequests {
  /** "Show all": the whole value of a row. */
  fullValue: { params: { id: string }; result: FullValue };
  /** One decoded frame for the preview. */
  frame: { params: { frame: number }; result: FrameData };
}

export type DatasetRequest = {
  [M in keyof DatasetRequests]: RequestMessage<M, DatasetRequests[M]['params']>;
}[keyof DatasetRequests];

export type CopyWhat = 'tag' | 'value' | 'line';

export type HostToDatasetViewer =
  | { type: 'ds/init'; fileName: string; view: DatasetView; image: ImageSummary }
  | { type: 'ds/error'; message: string }
  | ResponseMessage;

export type DatasetViewerToHost =
  | ReadyMessage
  | DatasetRequest
  | CancelMessage
  | { type: 'ds/copy'; rowId: string; what: CopyWhat };

// ---------------------------------------------------------------------------------------------
// Checking what arrives (the other side is our code, but a message is still outside input).

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

const QUERY_ACTIONS: ReadonlySet<string> = new Set(['retrieve', 'open', 'copyUids', 'exportJson', 'exportCsv']);
const COPY_WHATS: ReadonlySet<string> = new Set(['tag', 'value', 'line']);
const MAX_ROW_IDS = 1_000_000;

function isRequestId(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x > 0;
}

/** A message from the query results webview, or undefined when it is not one. */
export function parseQueryResultsMessage(x: unknown): QueryResultsToHost | undefined {
  if (!isObject(x)) return undefined;
  switch (x.type) {
    case 'ready': return { type: 'ready' };
    case 'qr/cancel': return { type: 'qr/cancel' };
    case 'qr/showAssociation': return { type: 'qr/showAssociation' };
    case 'qr/action': {
      const ids = x.rowIds;
      if (typeof x.action !== 'string' || !QUERY_ACTIONS.has(x.action) || !Array.isArray(ids) || ids.length > MAX_ROW_IDS) return undefined;
      if (!ids.every((i) => typeof i === 'number' && Number.isSafeInteger(i) && i >= 0)) return undefined;
      return { type: 'qr/action', action: x.action as QueryAction, rowIds: ids as number[] };
    }
    default: return undefined;
  }
}

/** A message from the dataset viewer webview, or undefined when it is not one. */
export function parseDatasetViewerMessage(x: unknown): DatasetViewerToHost | undefined {
  if (!isObject(x)) return undefined;
  switch (x.type) {
    case 'ready': return { type: 'ready' };
    case 'cancel': return isRequestId(x.requestId) ? { type: 'cancel', requestId: x.requestId } : undefined;
    case 'ds/copy':
      if (typeof x.rowId !== 'string' || x.rowId.length > 2000 || typeof x.what !== 'string' || !COPY_WHATS.has(x.what)) return undefined;
      return { type: 'ds/copy', rowId: x.rowId, what: x.what as CopyWhat };
    case 'request': {
      if (!isRequestId(x.requestId) || !isObject(x.params)) return undefined;
      if (x.method === 'fullValue' && typeof x.params.id === 'string' && x.params.id.length <= 2000) {
        return { type: 'request', requestId: x.requestId, method: 'fullValue', params: { id: x.params.id } };
      }
      if (x.method === 'frame' && typeof x.params.frame === 'number' && Number.isSafeInteger(x.params.frame) && x.params.frame >= 0) {
        return { type: 'request', requestId: x.requestId, method: 'frame', params: { frame: x.params.frame } };
      }
      return undefined;
    }
    default: return undefined;
  }
}

/** A response message, or undefined. */
export function parseResponse(x: unknown): ResponseMessage | undefined {
  if (!isObject(x) || x.type !== 'response' || !isRequestId(x.requestId) || typeof x.ok !== 'boolean') return undefined;
  if (x.ok) return { type: 'response', requestId: x.requestId, ok: true, result: x.result };
  const r: ResponseMessage = { type: 'response', requestId: x.requestId, ok: false, error: typeof x.error === 'string' ? x.error : 'The request failed.' };
  if (x.cancelled === true) r.cancelled = true;
  return r;
}

// ---------------------------------------------------------------------------------------------
// The requesting side: ids, timeouts, cancellation.

export class RequestTimeoutError extends Error {
  constructor(method: string, ms: number) {
    super(`The ${method} request got no answer within ${Math.round(ms / 1000)} s.`);
    this.name = 'RequestTimeoutError';
  }
}

export class RequestCancelledError extends Error {
  constructor(method: string) {
    super(`The ${method} request was cancelled.`);
    this.name = 'RequestCancelledError';
  }
}

export class RequestFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RequestFailedError';
  }
}

interface PendingRequest {
  method: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  cleanup: () => void;
}

/** Method name → its params and result. */
export type RequestMap<R> = { [K in keyof R]: { params: unknown; result: unknown } };

/**
 * Sends requests with fresh ids through `post` and settles them when `handleMessage` sees the
 * matching response, when their timeout passes, or when their signal aborts (a cancel message is
 * sent so the other side can stop working).
 */
export class RequestClient<R extends RequestMap<R>> {
  private nextId = 1;
  private readonly pending = new Map<number, PendingRequest>();

  constructor(private readonly post: (msg: RequestMessage | CancelMessage) => void, private readonly defaultTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS) {}

  request<M extends keyof R & string>(method: M, params: R[M]['params'], opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<R[M]['result']> {
    if (opts.signal?.aborted) return Promise.reject(new RequestCancelledError(method));
    const requestId = this.nextId++;
    const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs;
    return new Promise<R[M]['result']>((resolve, reject) => {
      const onAbort = () => {
        if (this.finish(requestId)) {
          this.post({ type: 'cancel', requestId });
          reject(new RequestCancelledError(method));
        }
      };
      const timer = setTimeout(() => {
        if (this.finish(requestId)) {
          this.post({ type: 'cancel', requestId });
          reject(new RequestTimeoutError(method, timeoutMs));
        }
      }, timeoutMs);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(requestId, {
        method, resolve: resolve as (v: unknown) => void, reject, timer,
        cleanup: () => opts.signal?.removeEventListener('abort', onAbort),
      });
      this.post({ type: 'request', requestId, method, params });
    });
  }

  /** Feeds an incoming message; returns true when it was a response to one of our requests. */
  handleMessage(msg: unknown): boolean {
    const r = parseResponse(msg);
    if (!r) return false;
    const p = this.pending.get(r.requestId);
    if (!p || !this.finish(r.requestId)) return false;
    if (r.ok) p.resolve(r.result);
    else p.reject(r.cancelled ? new RequestCancelledError(p.method) : new RequestFailedError(r.error));
    return true;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Rejects everything still waiting (the panel is closing). */
  dispose(): void {
    for (const id of [...this.pending.keys()]) {
      const p = this.pending.get(id)!;
      this.finish(id);
      p.reject(new RequestCancelledError(p.method));
    }
  }

  private finish(id: number): boolean {
    const p = this.pending.get(id);
    if (!p) return false;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.cleanup();
    return true;
  }
}

/**
 * The answering side: runs the handler of each request with an AbortSignal that a cancel message
 * (or dispose) aborts, and posts the response unless it was cancelled.
 */
export class RequestServer<R extends RequestMap<R>> {
  private readonly running = new Map<number, AbortController>();

  constructor(
    private readonly post: (msg: ResponseMessage) => void,
    private readonly handlers: { [M in keyof R]: (params: R[M]['params'], signal: AbortSignal) => Promise<R[M]['result']> },
    private readonly describeError: (e: unknown) => string = (e) => (e instanceof Error ? e.message : String(e)),
  ) {}

  async handle(msg: RequestMessage): Promise<void> {
    const handler = (this.handlers as Record<string, (p: unknown, s: AbortSignal) => Promise<unknown>>)[msg.method];
    if (!handler) {
      this.post({ type: 'response', requestId: msg.requestId, ok: false, error: `Unknown request ${msg.method}.` });
      return;
    }
    const controller = new AbortController();
    this.running.set(msg.requestId, controller);
    try {
      const result = await handler(msg.params, controller.signal);
      if (!controller.signal.aborted) this.post({ type: 'response', requestId: msg.requestId, ok: true, result });
    } catch (e) {
      if (!controller.signal.aborted) this.post({ type: 'response', requestId: msg.requestId, ok: false, error: this.describeError(e) });
    } finally {
      this.running.delete(msg.requestId);
    }
  }

  cancel(requestId: number): void {
    this.running.get(requestId)?.abort();
  }

  get runningCount(): number {
    return this.running.size;
  }

  dispose(): void {
    for (const c of this.running.values()) c.abort();
    this.running.clear();
  }
}
