// HTTP/1.1 requests for the DICOMweb user agent, on node:http and node:https.
//
// Why not the global fetch: Node 20's fetch (undici) takes a custom CA only through an undici
// Agent passed as `dispatcher`, and the undici package is not a dependency here; NODE_EXTRA_CA_CERTS
// works only at process start. node:https takes `ca` directly, gives request bodies as Node
// streams with backpressure (no `duplex: 'half'` ReadableStream bridging), an inactivity timeout
// on the socket, and the AbortSignal support we need. So every request goes through here.
//
// `timeoutMs` is an inactivity limit: for connecting, for the answer to start, and between two
// chunks of a body, never for a whole transfer (a 2 GB retrieve may take minutes).

import * as http from 'node:http';
import * as https from 'node:https';
import { Readable } from 'node:stream';
import { DicomwebError, serverMessageOf } from './errors';

export interface HttpTransportOptions {
  /** PEM certificate authorities to trust for https (in addition to none: they replace the defaults). */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Inactivity limit in milliseconds (default 30 s). */
  timeoutMs?: number;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  /** Sent as it is read (chunked transfer coding); never buffered whole. */
  body?: Readable;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  statusText: string;
  headers: http.IncomingHttpHeaders;
  /** The response body, chunk by chunk; failures come out as DicomwebError. */
  body: AsyncIterable<Buffer>;
  /** Throws the body away and frees the connection. */
  discard(): void;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** What a request is, for messages: method and URL without credentials or query. */
export function describeRequest(method: string, url: URL): string {
  return `${method} ${url.protocol}//${url.host}${url.pathname}`;
}

class TimeoutMark extends Error {}
class StaleConnection extends Error {}

function networkError(error: NodeJS.ErrnoException, url: URL, uploading: boolean): DicomwebError {
  const where = url.host;
  const code = error.code ?? '';
  let text: string;
  switch (code) {
    case 'ECONNREFUSED': text = `Cannot connect to ${where}: the connection was refused.`; break;
    case 'ENOTFOUND': case 'EAI_AGAIN': text = `Cannot resolve the host name ${url.hostname}.`; break;
    case 'ECONNRESET': case 'EPIPE':
      text = uploading
        ? `The connection to ${where} was reset by the server while the request was being sent (it may have refused the request without reading it).`
        : `The connection to ${where} was reset by the server.`;
      break;
    case 'EHOSTUNREACH': case 'ENETUNREACH': text = `The host ${where} cannot be reached.`; break;
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE': case 'DEPTH_ZERO_SELF_SIGNED_CERT': case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY': case 'CERT_HAS_EXPIRED': case 'ERR_TLS_CERT_ALTNAME_INVALID':
      text = `The TLS certificate of ${where} is not trusted (${error.message.replace(/\.$/, '')}); give the certificate authority that signed it.`;
      break;
    default:
      text = `The connection to ${where} failed: ${error.message.replace(/\.$/, '')}${code && !error.message.includes(code) ? ` (${code})` : ''}.`;
  }
  return new DicomwebError(text, 'network', undefined, undefined, code || undefined);
}

export class HttpTransport {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  readonly timeoutMs: number;
  private readonly ca: HttpTransportOptions['ca'];

  constructor(opts: HttpTransportOptions = {}) {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) throw new RangeError('The DICOMweb timeout must be a positive number of milliseconds.');
    this.timeoutMs = timeoutMs;
    this.ca = opts.ca;
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 8, ...(opts.ca !== undefined ? { ca: opts.ca } : {}) });
  }

  /** Closes idle kept-alive connections (a finished CLI command must not linger). */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /**
   * Sends a request and resolves when the response headers arrive, whatever the status.
   * @throws DicomwebError of kind network, timeout, aborted or io (the request body failed).
   */
  async request(req: HttpRequest): Promise<HttpResponse> {
    try {
      return await this.attempt(req, true);
    } catch (error) {
      // A kept-alive connection the server closed just as we reused it: a request without a body
      // is sent again once, on a new connection.
      if (error instanceof StaleConnection) return this.attempt(req, false);
      throw error;
    }
  }

  private attempt(req: HttpRequest, mayReuse: boolean): Promise<HttpResponse> {
    const { url, method, signal } = req;
    const what = describeRequest(method, url);
    const seconds = `${+(this.timeoutMs / 1000).toFixed(3)} s`;
    let timedOut = false;
    let bodyError: Error | undefined;
    let responded = false;

    const mapError = (error: unknown): DicomwebError => {
      if (error instanceof DicomwebError) return error;
      if (signal?.aborted) return new DicomwebError(`The request ${what} was cancelled.`, 'aborted');
      if (timedOut || error instanceof TimeoutMark) {
        return new DicomwebError(`The server at ${url.host} sent nothing for ${seconds} (${what}).`, 'timeout');
      }
      if (bodyError) {
        const code = (bodyError as NodeJS.ErrnoException).code;
        return new DicomwebError(`Sending ${what} failed: ${bodyError.message.replace(/\.$/, '')}.`, 'io', undefined, undefined, code);
      }
      const e = error as NodeJS.ErrnoException;
      if (e?.message === 'aborted' && e.code === 'ECONNRESET') {
        return new DicomwebError(`The connection to ${url.host} closed in the middle of the answer to ${what}.`, 'network', undefined, undefined, 'ECONNRESET');
      }
      return networkError(e, url, req.body !== undefined && !responded);
    };

    return new Promise<HttpResponse>((resolve, reject) => {
      if (signal?.aborted) {
        reject(mapError(new Error('aborted')));
        return;
      }
      const isHttps = url.protocol === 'https:';
      if (!isHttps && url.protocol !== 'http:') {
        reject(new DicomwebError(`The URL scheme ${url.protocol} is not supported; use http or https.`, 'network'));
        return;
      }
      const options: https.RequestOptions = {
        method,
        protocol: url.protocol,
        hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
        port: url.port || (isHttps ? 443 : 80),
        path: `${url.pathname}${url.search}`,
        headers: req.headers,
        // A request with a body cannot be repeated, so it never risks a stale kept-alive connection.
        agent: req.body || !mayReuse ? false : isHttps ? this.httpsAgent : this.httpAgent,
        ...(isHttps && this.ca !== undefined ? { ca: this.ca } : {}),
        timeout: this.timeoutMs,
        ...(signal ? { signal } : {}),
      };
      let settled = false;
      const fail = (error: unknown) => {
        if (settled) return;
        settled = true;
        reject(mapError(error));
      };
      let cr: http.ClientRequest;
      try {
        cr = (isHttps ? https : http).request(options);
      } catch (error) {
        // Invalid header values (a line break in a token) are refused here, before any I/O.
        reject(new DicomwebError(`The request ${what} cannot be sent: ${(error as Error).message.replace(/\.$/, '')}.`, 'network', undefined, undefined, (error as NodeJS.ErrnoException).code));
        return;
      }
      cr.on('timeout', () => {
        timedOut = true;
        cr.destroy(new TimeoutMark());
      });
      // After the response started, request errors (a server that closes while we still upload)
      // show up on the response body instead; this handler keeps them from being unhandled.
      cr.on('error', (error) => {
        if (responded) return;
        const code = (error as NodeJS.ErrnoException).code;
        if (mayReuse && cr.reusedSocket && !req.body && !signal?.aborted && !timedOut && (code === 'ECONNRESET' || code === 'EPIPE')) {
          if (!settled) { settled = true; reject(new StaleConnection()); }
          return;
        }
        fail(error);
      });
      cr.on('response', (res) => {
        responded = true;
        settled = true;
        const body = async function* (): AsyncGenerator<Buffer> {
          try {
            for await (const chunk of res) yield chunk as Buffer;
          } catch (error) {
            throw mapError(error);
          }
          if (!res.complete) throw mapError(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
        };
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          headers: res.headers,
          body: body(),
          discard: () => {
            // An upload the server no longer reads (it answered early) is stopped too.
            if (req.body && !cr.writableFinished) req.body.destroy();
            res.resume();
            if (!res.complete || (req.body && !cr.writableFinished)) cr.destroy();
          },
        });
      });
      if (req.body) {
        const upload = req.body;
        upload.on('error', (error) => {
          bodyError = error;
          cr.destroy(error);
        });
        cr.on('close', () => { if (!upload.destroyed && !upload.readableEnded) upload.destroy(); });
        upload.pipe(cr);
      } else {
        cr.end();
      }
    });
  }
}

/**
 * Reads a whole (small) body: JSON answers, error documents, rendered images.
 * @throws DicomwebError (response) when it is larger than maxBytes.
 */
export async function readBody(res: HttpResponse, maxBytes: number, what: string): Promise<Buffer> {
  const pieces: Buffer[] = [];
  let size = 0;
  for await (const piece of res.body) {
    size += piece.length;
    if (size > maxBytes) {
      res.discard();
      throw new DicomwebError(`The answer to ${what} is larger than the limit of ${maxBytes} bytes.`, 'response', res.status);
    }
    pieces.push(piece);
  }
  return Buffer.concat(pieces, size);
}

/** The first value of a response header. */
export function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

const MAX_ERROR_BODY = 64 * 1024;

/**
 * The DicomwebError for a failure status, with the server's message from the body: the one given
 * (already read) or the start of the response body.
 */
export async function httpError(res: HttpResponse, method: string, url: URL, body?: Buffer): Promise<DicomwebError> {
  const what = describeRequest(method, url);
  if (body === undefined) {
    body = Buffer.alloc(0);
    try {
      const pieces: Buffer[] = [];
      let size = 0;
      for await (const piece of res.body) {
        pieces.push(piece);
        size += piece.length;
        if (size >= MAX_ERROR_BODY) {
          res.discard();
          break;
        }
      }
      body = Buffer.concat(pieces);
    } catch {
      // The message is a bonus: a broken error body still gives the status.
    }
  }
  const serverMessage = serverMessageOf(body.subarray(0, MAX_ERROR_BODY), header(res, 'content-type'), header(res, 'warning'));
  const reason = res.statusText || http.STATUS_CODES[res.status] || '';
  const location = res.status >= 300 && res.status < 400 ? header(res, 'location') : undefined;
  let text = `The server answered ${res.status}${reason ? ` ${reason}` : ''} to ${what}`;
  if (serverMessage) text += `: ${serverMessage.replace(/[.\s]+$/, '')}`;
  else if (location) text += ` (a redirect to ${location.replace(/\?.*$/, '')}, which is not followed)`;
  return new DicomwebError(`${text}.`, 'http', res.status, serverMessage);
}
