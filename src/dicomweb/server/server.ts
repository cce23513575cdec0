// The DICOMweb origin server over an archive folder (PS3.18): QIDO-RS, WADO-RS and STOW-RS under
// one base path, on node:http. Every request gets CORS headers (browser viewers), an optional
// bearer token check, and, when it cannot be served, a 4xx with {"error": "one sentence"}; a bad
// request never takes the server down and never leaves a file behind.

import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { createHash, timingSafeEqual } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { ArchiveAccess, HandlerSettings, RequestContext, ServerContext } from './context';
import { HttpError, errorBody } from './http-error';
import { Route, resolveResource } from './routes';
import { sendJson } from './respond';
import { handleSearch } from './search';
import { handleMetadata, handleRetrieve } from './retrieve';
import { handleBulkData, handleFrames } from './pixels';
import { handleStore } from './store';
import { handleRendered } from './rendered';
import { limitConnections } from './connection-limit';
import { RefusalDigest, formatRefusal } from '../../ae';
import { CodecPool, sharedCodecPool } from '../../dicom';

export interface DicomwebServerOptions {
  /** The archive to serve: an ArchiveServices, or an index and the store that fills it. */
  archive: ArchiveAccess;
  /** 0 (the default) picks a free port; see `port` after listen(). */
  port?: number;
  /** Address to listen on (default 127.0.0.1: this machine only). */
  host?: string;
  /** Service root (default /dicomweb). */
  basePath?: string;
  /** When set, every request but CORS pre-flights needs `Authorization: Bearer <token>`. */
  token?: string;
  /** Largest STOW-RS request body (default 4 GiB); larger ones get 413 and store nothing. */
  maxBodyBytes?: number;
  /** Most matches one QIDO-RS answer holds (default 10,000); more are paged with offset. */
  maxSearchResults?: number;
  /** STOW-RS: store SOP classes that are not known storage classes too (default false). */
  acceptUnknownSopClasses?: boolean;
  caseInsensitivePersonNames?: boolean;
  /** Written as the called AE title of instances stored over STOW-RS (default DICOMNET). */
  aeTitle?: string;
  /** One line per request (method, path, status, time) and per refused instance. */
  log?: (line: string) => void;
  /** Request headers must all arrive within this (default 30 s); else 408 and the connection closes. */
  headersTimeoutMs?: number;
  /** A whole request, body included, must arrive within this (default 30 min: a 4 GiB STOW-RS at ~2.5 MB/s). */
  requestTimeoutMs?: number;
  /** A connection (a request body that stops arriving included) with no traffic this long is closed (default 120 s). */
  idleTimeoutMs?: number;
  /** Open HTTP connections (default 256); when reached, the oldest one not serving a request is closed for the newcomer. */
  maxConnections?: number;
  /** The codec workers for conversions and rendering (default: the process-wide pool). */
  codecPool?: CodecPool;
}

const DEFAULT_MAX_BODY = 4 * 1024 ** 3;
const DEFAULT_MAX_RESULTS = 10_000;
/** Bytes of an unread request body discarded after an early answer before the connection is cut. */
const DRAIN_LIMIT = 64 * 1024 * 1024;
const DRAIN_MS = 10_000;
const CLOSE_GRACE_MS = 2_000;
const DEFAULT_HEADERS_TIMEOUT_MS = 30_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 30 * 60_000;
const DEFAULT_IDLE_MS = 120_000;
const DEFAULT_MAX_CONNECTIONS = 256;
const REFUSAL_LOG_INTERVAL_MS = 60_000;

const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Content-Type, Content-Length, Content-Location, Location, Warning, WWW-Authenticate',
};
const PREFLIGHT_HEADERS = {
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, Accept, Content-Type, Cache-Control, X-Requested-With',
  'Access-Control-Max-Age': '86400',
};

function normalizeBasePath(p: string): string {
  let b = p.trim();
  if (!b.startsWith('/')) b = `/${b}`;
  while (b.length > 1 && b.endsWith('/')) b = b.slice(0, -1);
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(b) || b.split('/').some((s) => s === '.' || s === '..')) {
    throw new RangeError(`The DICOMweb base path "${p}" must be a plain URL path such as /dicomweb.`);
  }
  return b === '/' ? '' : b;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

function positive(ms: number, what: string): number {
  if (!(Number.isFinite(ms) && ms > 0)) throw new RangeError(`The DICOMweb ${what} must be a positive number of milliseconds (it is ${ms}).`);
  return ms;
}

const HOST_HEADER = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

export class DicomwebServer {
  private readonly http: Server;
  private readonly context: ServerContext;
  private readonly basePath: string;
  private readonly tokenDigest: Buffer | undefined;
  private readonly host: string;
  private readonly requestedPort: number;
  private readonly refusals: RefusalDigest;
  /** The response in progress on each connection (so a late client error does not write into it). */
  private readonly answering = new WeakMap<object, ServerResponse>();

  constructor(readonly options: DicomwebServerOptions) {
    if (!options.archive?.index || !options.archive?.store) throw new TypeError('DicomwebServer needs an archive (its index and store).');
    this.basePath = normalizeBasePath(options.basePath ?? '/dicomweb');
    this.host = options.host ?? '127.0.0.1';
    this.requestedPort = options.port ?? 0;
    if (!Number.isInteger(this.requestedPort) || this.requestedPort < 0 || this.requestedPort > 65535) {
      throw new RangeError(`The DICOMweb port ${options.port} is not a TCP port number.`);
    }
    if (options.token !== undefined && (options.token === '' || /[\s\x00-\x1f]/.test(options.token))) {
      throw new RangeError('The DICOMweb bearer token must be non-empty and hold no spaces or control characters.');
    }
    this.tokenDigest = options.token !== undefined ? digest(options.token) : undefined;
    const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
    if (!(maxBodyBytes > 0)) throw new RangeError('The DICOMweb body limit must be a positive number of bytes.');
    const settings: HandlerSettings = {
      maxBodyBytes,
      maxSearchResults: options.maxSearchResults ?? DEFAULT_MAX_RESULTS,
      acceptUnknownSopClasses: options.acceptUnknownSopClasses ?? false,
      caseInsensitivePersonNames: options.caseInsensitivePersonNames ?? false,
      aeTitle: options.aeTitle ?? 'DICOMNET',
    };
    this.context = {
      archive: options.archive, settings, log: (line) => options.log?.(line),
      pool: () => options.codecPool ?? sharedCodecPool(),
    };
    this.refusals = new RefusalDigest(REFUSAL_LOG_INTERVAL_MS, (r) => this.context.log(formatRefusal(r)));
    // Every wait a client can stretch is bounded: the headers, the whole request (a STOW-RS body
    // of gigabytes gets a generous time), any silence on the connection, and the connections held.
    const headersTimeout = positive(options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS, 'headers timeout');
    const requestTimeout = positive(options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, 'request timeout');
    this.http = createServer({
      headersTimeout: Math.min(headersTimeout, requestTimeout),
      requestTimeout,
      // How often Node checks those two; its default (30 s) would let short timeouts run long.
      connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(Math.min(headersTimeout, requestTimeout) / 4))),
    }, (req, res) => { void this.handle(req, res); });
    this.http.timeout = positive(options.idleTimeoutMs ?? DEFAULT_IDLE_MS, 'idle timeout');
    limitConnections(this.http, options.maxConnections ?? DEFAULT_MAX_CONNECTIONS, {
      onRefused: (source, what) => this.refusals.record(source, 'waiting-limit', what === 'closed-idle'
        ? 'an idle HTTP connection was closed to make room: too many connections were open'
        : 'an HTTP connection was refused: every open connection was busy with a request'),
    });
    this.http.on('clientError', (error: NodeJS.ErrnoException, socket) => {
      // An answer already under way cannot be followed by another one on the same connection.
      if (!socket.writable || this.answering.get(socket)?.headersSent) { socket.destroy(); return; }
      const [status, message] = error.code === 'HPE_HEADER_OVERFLOW' ? ['431 Request Header Fields Too Large', 'The request headers are too large.']
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? ['408 Request Timeout', 'The request did not arrive in time.']
          : ['400 Bad Request', 'The request is not valid HTTP.'];
      const body = errorBody(message);
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n`
        + `Access-Control-Allow-Origin: *\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      () => socket.destroy());
    });
  }

  /** Starts listening; resolves once the port is bound. */
  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.http.once('error', onError);
      this.http.listen(this.requestedPort, this.host, () => {
        this.http.off('error', onError);
        resolve();
      });
    });
  }

  /** The bound port (after listen()). */
  get port(): number {
    const address = this.http.address() as AddressInfo | null;
    return address?.port ?? this.requestedPort;
  }

  /** The service root URL, e.g. http://127.0.0.1:8080/dicomweb. */
  get url(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host === '0.0.0.0' ? '127.0.0.1' : this.host;
    return `http://${host}:${this.port}${this.basePath}`;
  }

  /** Stops accepting connections; requests still running get a short grace, then are cut. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.http.listening) { resolve(); return; }
      const timer = setTimeout(() => this.http.closeAllConnections(), CLOSE_GRACE_MS);
      timer.unref();
      this.refusals.close();
      this.http.close(() => { clearTimeout(timer); resolve(); });
      this.http.closeIdleConnections();
    });
  }

  private authorized(req: IncomingMessage): boolean {
    if (!this.tokenDigest) return true;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    return m !== null && timingSafeEqual(digest(m[1]!), this.tokenDigest);
  }

  private baseUrl(req: IncomingMessage): string {
    const host = req.headers.host;
    const authority = host && HOST_HEADER.test(host) ? host : new URL(this.url).host;
    return `http://${authority}${this.basePath}`;
  }

  private route(req: IncomingMessage, rawPath: string): Route {
    if (rawPath !== this.basePath && !rawPath.startsWith(`${this.basePath}/`)) {
      throw new HttpError(404, `This server serves DICOMweb under ${this.basePath || '/'} only.`);
    }
    const resource = resolveResource(rawPath.slice(this.basePath.length) || '/');
    const method = req.method ?? 'GET';
    const route = method === 'GET' || method === 'POST' ? resource[method] : undefined;
    if (!route) {
      const allow = [...Object.keys(resource), 'OPTIONS'].join(', ');
      throw new HttpError(405, `${method} is not allowed here; this resource takes ${allow}.`, { Allow: allow });
    }
    return route;
  }

  private async dispatch(route: Route, rc: RequestContext): Promise<void> {
    const server = this.context;
    switch (route.kind) {
      case 'search': return handleSearch(server, rc, route.path);
      case 'instances': return handleRetrieve(server, rc, route.target);
      case 'metadata': return handleMetadata(server, rc, route.target);
      case 'frames': return handleFrames(server, rc, route.target, route.frames);
      case 'bulkdata': return handleBulkData(server, rc, route.target, route.path);
      case 'store': return handleStore(server, rc, route.study);
      case 'rendered': return handleRendered(server, rc, route);
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    this.answering.set(req.socket, res);
    res.once('close', () => { if (this.answering.get(req.socket) === res) this.answering.delete(req.socket); });
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const rawPath = q < 0 ? raw : raw.slice(0, q);
    let rc: RequestContext | undefined;
    let failure: string | undefined;
    for (const [k, v] of Object.entries(CORS_HEADERS)) res.setHeader(k, v);
    try {
      if (!rawPath.startsWith('/')) throw new HttpError(400, 'The request target must be a path starting with "/".');
      if (req.method === 'OPTIONS') {
        const asked = req.headers['access-control-request-headers'];
        const allowHeaders = asked && /^[A-Za-z0-9_-]+(\s*,\s*[A-Za-z0-9_-]+)*$/.test(asked.trim()) ? { 'Access-Control-Allow-Headers': asked.trim() } : {};
        res.writeHead(204, { ...PREFLIGHT_HEADERS, ...allowHeaders });
        res.end();
        return;
      }
      if (!this.authorized(req)) {
        throw new HttpError(401, req.headers.authorization ? 'The bearer token is not valid.' : 'This server needs an Authorization: Bearer token.', {
          'WWW-Authenticate': req.headers.authorization ? 'Bearer realm="dicomweb", error="invalid_token"' : 'Bearer realm="dicomweb"',
        });
      }
      const route = this.route(req, rawPath);
      rc = { req, res, url: new URL(`http://localhost${rawPath}${q < 0 ? '' : raw.slice(q)}`), baseUrl: this.baseUrl(req) };
      await this.dispatch(route, rc);
    } catch (error) {
      failure = this.fail(req, res, error);
    } finally {
      const ms = Math.round(performance.now() - started);
      const note = failure ? `: ${failure}` : rc?.note ? ` (${rc.note})` : '';
      const status = res.headersSent ? res.statusCode : 0;
      this.context.log(`${req.method} ${rawPath.slice(0, 200)} ${status || 'aborted'} ${ms} ms${note}`);
    }
  }

  /** Answers a request that failed; returns the sentence for the log line. */
  private fail(req: IncomingMessage, res: ServerResponse, error: unknown): string {
    if (res.headersSent) {
      // The answer was under way: the only honest signal left is to cut the connection.
      if (!(error instanceof Error && /closed the connection|premature close|aborted/i.test(error.message))) {
        this.context.log(`${req.method} ${req.url?.slice(0, 200)} failed after the answer began: ${(error as Error)?.message ?? error}`);
      }
      res.destroy();
      return 'the answer was cut short';
    }
    let status = 500;
    let message = 'The server failed to answer this request.';
    let headers: Record<string, string> = {};
    if (error instanceof HttpError) {
      ({ status, message } = error);
      headers = { ...error.headers };
    } else {
      this.context.log(`${req.method} ${req.url?.slice(0, 200)} failed: ${(error as Error)?.stack ?? error}`);
    }
    if (res.destroyed || req.socket.destroyed) return message;
    const bodyUnread = !req.complete;
    const declared = Number(req.headers['content-length']);
    if (bodyUnread && Number.isFinite(declared) && declared > DRAIN_LIMIT) headers['Connection'] = 'close';
    sendJson(res, status, errorBody(message), 'application/json', headers);
    if (bodyUnread) this.discardBody(req);
    return message;
  }

  /** Reads and drops what is left of a request body after an early answer, within bounds. */
  private discardBody(req: IncomingMessage): void {
    let discarded = 0;
    const timer = setTimeout(() => req.socket.destroy(), DRAIN_MS);
    timer.unref();
    req.on('data', (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > DRAIN_LIMIT) req.socket.destroy();
    });
    req.once('end', () => clearTimeout(timer));
    req.once('close', () => clearTimeout(timer));
    req.resume();
  }
}
