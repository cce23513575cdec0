// The DICOMweb user agent (PS3.18): QIDO-RS searches, WADO-RS retrieval (instances streamed to
// disk, metadata, rendered and thumbnail) and STOW-RS uploads streamed from disk.

import { stat } from 'node:fs/promises';
import { readPart10Header } from '../../dicom/part10';
import { isValidUid } from '../../dicom/uids';
import type { DicomJsonObject } from '../../dicom/json';
import { formatMediaType, makeBoundary, parseMultipart, MultipartError, MediaTypeError } from '../multipart';
import { MediaTypes, ANY_TRANSFER_SYNTAX, multipartContentType, parseMultipartContentType } from '../media-types';
import { qidoPath, qidoSearchParams, QidoParamError, type QidoKeys, type QidoResource, type QidoSearchOptions } from '../qido-params';
import { readStowResponse, StowResponseError, type StowResult } from '../stow-response';
import { DicomwebError, warningText } from './errors';
import { HttpTransport, describeRequest, header, httpError, readBody, type HttpResponse } from './http';
import { writeInstancePart, type RejectedPart, type RetrievedInstance } from './instance-writer';
import {
  matchStowResult, planBatches, stowBody, uniformResult,
  type BatchLimits, type SizedFile, type StowBatchResult, type StowFileResult, type StowInput,
} from './stow-batches';

export type DicomwebAuth =
  | { kind: 'bearer'; token: string }
  | { kind: 'basic'; username: string; password: string };

export interface DicomwebClientOptions {
  /** The service root, e.g. http://host:8042/dicom-web. User info in it becomes basic auth. */
  baseUrl: string | URL;
  auth?: DicomwebAuth;
  /** Extra request headers (an API key, a tenant). */
  headers?: Readonly<Record<string, string>>;
  /** PEM certificate authorities to trust for https. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Inactivity limit for connecting, for an answer to start and between chunks (default 30 s). */
  timeoutMs?: number;
  /** Largest JSON answer read into memory (default 256 MiB). */
  maxJsonBytes?: number;
}

/** A study, a series of it, or an instance of that series. */
export interface RetrieveTarget {
  study: string;
  series?: string;
  instance?: string;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

export interface SearchOptions extends QidoSearchOptions, RequestOptions {}

export interface QidoPage {
  matches: DicomJsonObject[];
  /** Texts of the response's Warning headers. */
  warnings: string[];
  /** The page was full or the server said there are more results. */
  hasMore: boolean;
}

export interface SearchAllOptions extends Omit<SearchOptions, 'limit'> {
  /** Matches asked for per request (default 100). */
  pageSize?: number;
  /** Stop after this many matches (default: no limit). */
  maxResults?: number;
}

export interface RetrieveOptions extends RequestOptions {
  /** Transfer syntax UID to ask for, or "*" for the one the server has (default "*"). */
  transferSyntax?: string;
  /** Called with the size of each chunk of the response body as it arrives. */
  onBytes?: (n: number) => void;
}

export interface RetrieveToDiskOptions extends RetrieveOptions {
  outputDir: string;
  /** Called once each file is in place. */
  onInstance?: (instance: RetrievedInstance) => void;
  /** Called for each part that could not be stored (not DICOM, bad UIDs, wrong media type). */
  onRejected?: (part: RejectedPart) => void;
  /** fsync each file before it gets its final name (default true). */
  durable?: boolean;
}

export interface RetrieveSummary {
  /** 200, or 206 when the server says it could not return everything. */
  status: number;
  instances: RetrievedInstance[];
  rejected: RejectedPart[];
  bytes: number;
  warnings: string[];
}

export interface RetrievedPart {
  index: number;
  /** The part's media type (the multipart's type parameter when the part has none). */
  contentType: string;
  headers: Readonly<Record<string, string>>;
  /** Read it before returning from onPart; what is left is thrown away. */
  body: AsyncIterable<Buffer>;
}

export interface RenderedOptions extends RequestOptions {
  /** Accept header (default image/jpeg, which PS3.18 requires every origin server to offer; some servers do not take a list). */
  accept?: string;
  /** Query parameters such as quality, viewport, window (PS3.18 8.3.5). */
  params?: Readonly<Record<string, string>>;
  /** Largest image read into memory (default 64 MiB). */
  maxBytes?: number;
}

export interface RenderedImage {
  contentType: string;
  body: Buffer;
}

export interface StoreOptions extends RequestOptions, BatchLimits {
  /** Store into this study (POST /studies/{study}); instances of other studies are refused by the server. */
  study?: string;
  /** Called after each batch with its per-file results. */
  onBatch?: (batch: StowBatchResult) => void;
  /** Called with the number of file bytes read for sending. */
  onBytes?: (n: number) => void;
}

const DEFAULT_MAX_JSON = 256 * 1024 * 1024;
const MAX_STOW_RESPONSE = 64 * 1024 * 1024;
const USER_AGENT = 'dicomnet/0.1';

function checkHeaderValue(name: string, value: string): void {
  if (/[\r\n\0]/.test(value)) throw new DicomwebError(`The value of the header ${name} holds a line break or NUL character.`, 'io');
}

function uid(value: string, name: string): string {
  if (!isValidUid(value)) throw new DicomwebError(`The ${name} ${JSON.stringify(String(value).slice(0, 80))} is not a valid UID.`, 'io');
  return value;
}

/** `/studies/{s}[/series/{se}[/instances/{i}]]` with the UIDs checked. */
export function targetPath(target: RetrieveTarget): string {
  let p = `/studies/${uid(target.study, 'Study Instance UID')}`;
  if (target.series !== undefined) p += `/series/${uid(target.series, 'Series Instance UID')}`;
  if (target.instance !== undefined) {
    if (target.series === undefined) throw new DicomwebError('An instance can only be retrieved with its series.', 'io');
    p += `/instances/${uid(target.instance, 'SOP Instance UID')}`;
  }
  return p;
}

// Characters encodeURIComponent escapes that may stand in a query value as they are (RFC 3986
// sub-delims and ":@/?", and "^", which the WHATWG URL standard leaves alone in queries). Sending
// them raw matters: Orthanc's DICOMweb plugin, for one, does not percent-decode query values, so
// PatientName=DOE%5EJOHN or a UID list joined by %2C would match nothing there. "&", "=", "+",
// "#", "%" and spaces stay escaped.
const RAW_IN_QUERY: Record<string, string> = {
  '%2C': ',', '%3A': ':', '%40': '@', '%2F': '/', '%3F': '?', '%3B': ';', '%24': '$', '%5E': '^',
};

function queryComponent(text: string): string {
  return encodeURIComponent(text).replace(/%(2C|3A|40|2F|3F|3B|24|5E)/g, (m) => RAW_IN_QUERY[m]);
}

/** A query string from parameters, escaping only what has to be escaped (see RAW_IN_QUERY). */
export function formatQuery(params: URLSearchParams): string {
  const out: string[] = [];
  for (const [k, v] of params) out.push(`${queryComponent(k)}=${queryComponent(v)}`);
  return out.join('&');
}

function warningsOf(res: HttpResponse): string[] {
  const raw = header(res, 'warning');
  if (!raw) return [];
  const out: string[] = [];
  const re = /\d{3}\s+\S+\s+"((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(raw); m; m = re.exec(raw)) out.push(warningText(m[0]) ?? m[1]);
  return out.length > 0 ? out : [raw.trim()];
}

function isJsonObject(v: unknown): v is DicomJsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class DicomwebClient {
  readonly baseUrl: URL;
  private readonly transport: HttpTransport;
  private readonly fixedHeaders: Record<string, string>;
  private readonly maxJsonBytes: number;
  /** The base URL's path without a trailing slash ('' for the root). */
  private readonly basePath: string;

  constructor(opts: DicomwebClientOptions) {
    let base: URL;
    try {
      base = new URL(String(opts.baseUrl));
    } catch {
      throw new DicomwebError(`The DICOMweb base URL ${JSON.stringify(String(opts.baseUrl).slice(0, 200))} is not a valid URL.`, 'io');
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new DicomwebError(`The DICOMweb base URL must start with http:// or https://, not ${base.protocol}//.`, 'io');
    }
    let auth = opts.auth;
    if (base.username || base.password) {
      auth ??= { kind: 'basic', username: decodeURIComponent(base.username), password: decodeURIComponent(base.password) };
      base.username = '';
      base.password = '';
    }
    base.search = '';
    base.hash = '';
    this.basePath = base.pathname.replace(/\/+$/, '');
    this.baseUrl = base;
    this.fixedHeaders = { 'User-Agent': USER_AGENT };
    for (const [name, value] of Object.entries(opts.headers ?? {})) {
      if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) throw new DicomwebError(`${JSON.stringify(name.slice(0, 60))} is not a valid header name.`, 'io');
      checkHeaderValue(name, value);
      this.fixedHeaders[name] = value;
    }
    if (auth?.kind === 'bearer') {
      checkHeaderValue('Authorization', auth.token);
      this.fixedHeaders['Authorization'] = `Bearer ${auth.token}`;
    } else if (auth?.kind === 'basic') {
      if (auth.username.includes(':')) throw new DicomwebError('A basic-auth user name cannot contain ":".', 'io');
      this.fixedHeaders['Authorization'] = `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`;
    }
    this.maxJsonBytes = opts.maxJsonBytes ?? DEFAULT_MAX_JSON;
    this.transport = new HttpTransport({ ca: opts.ca, timeoutMs: opts.timeoutMs });
  }

  /** Closes kept-alive connections. */
  close(): void {
    this.transport.close();
  }

  private url(path: string, params?: URLSearchParams): URL {
    const u = new URL(this.baseUrl.href);
    u.pathname = `${this.basePath}${path}`;
    const query = params ? formatQuery(params) : '';
    if (query) u.search = `?${query}`;
    return u;
  }

  private async get(url: URL, accept: string, signal: AbortSignal | undefined): Promise<HttpResponse> {
    return this.transport.request({ method: 'GET', url, headers: { ...this.fixedHeaders, Accept: accept }, signal });
  }

  private async readJson(res: HttpResponse, url: URL, method = 'GET'): Promise<unknown> {
    const what = describeRequest(method, url);
    const body = await readBody(res, this.maxJsonBytes, what);
    if (body.length === 0) return undefined;
    try {
      return JSON.parse(body.toString('utf8'));
    } catch {
      throw new DicomwebError(`The answer to ${what} is not JSON (it starts with ${JSON.stringify(body.subarray(0, 40).toString('latin1'))}).`, 'response', res.status);
    }
  }

  private async jsonArray(res: HttpResponse, url: URL): Promise<DicomJsonObject[]> {
    const doc = await this.readJson(res, url);
    if (doc === undefined) return [];
    if (!Array.isArray(doc) || !doc.every(isJsonObject)) {
      throw new DicomwebError(`The answer to ${describeRequest('GET', url)} is not a DICOM JSON array of objects.`, 'response', res.status);
    }
    return doc;
  }

  // --- QIDO-RS ---------------------------------------------------------------------------------

  /**
   * One QIDO-RS request: the resource path (studies, all series, a study's series, …) and the
   * keys as query parameters.
   * @throws DicomwebError (http for a refusal, response for an answer that is not DICOM JSON).
   */
  async search(resource: QidoResource, keys: QidoKeys = {}, opts: SearchOptions = {}): Promise<QidoPage> {
    let url: URL;
    try {
      url = this.url(qidoPath(resource), qidoSearchParams(keys, opts));
    } catch (error) {
      if (error instanceof QidoParamError) throw new DicomwebError(error.message, 'io');
      throw error;
    }
    const res = await this.get(url, `${MediaTypes.DICOM_JSON}, ${MediaTypes.JSON};q=0.5`, opts.signal);
    if (res.status === 204) {
      res.discard();
      return { matches: [], warnings: warningsOf(res), hasMore: false };
    }
    if (res.status < 200 || res.status > 299) throw await httpError(res, 'GET', url);
    const matches = await this.jsonArray(res, url);
    const warnings = warningsOf(res);
    const full = opts.limit !== undefined && opts.limit > 0 && matches.length >= opts.limit;
    return { matches, warnings, hasMore: full || warnings.some((w) => /additional results/i.test(w)) };
  }

  searchStudies(keys: QidoKeys = {}, opts: SearchOptions = {}): Promise<DicomJsonObject[]> {
    return this.search({ level: 'STUDY' }, keys, opts).then((p) => p.matches);
  }

  /** All series, or the series of one study. */
  searchSeries(keys: QidoKeys = {}, opts: SearchOptions & { study?: string } = {}): Promise<DicomJsonObject[]> {
    return this.search({ level: 'SERIES', ...(opts.study ? { studyInstanceUID: opts.study } : {}) }, keys, opts).then((p) => p.matches);
  }

  /** All instances, those of a study, or those of a series of a study. */
  searchInstances(keys: QidoKeys = {}, opts: SearchOptions & { study?: string; series?: string } = {}): Promise<DicomJsonObject[]> {
    const resource: QidoResource = { level: 'IMAGE' };
    if (opts.study) resource.studyInstanceUID = opts.study;
    if (opts.series) resource.seriesInstanceUID = opts.series;
    return this.search(resource, keys, opts).then((p) => p.matches);
  }

  /**
   * Pages through all matches with limit/offset: asks for pageSize at a time and goes on while
   * pages come back full (or the server warns of more results).
   * @throws DicomwebError (response) when the server ignores offset and sends the same page again.
   */
  async *searchAll(resource: QidoResource, keys: QidoKeys = {}, opts: SearchAllOptions = {}): AsyncGenerator<DicomJsonObject> {
    const pageSize = opts.pageSize ?? 100;
    if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError('The QIDO-RS page size must be a whole number of at least 1.');
    const max = opts.maxResults ?? Infinity;
    let offset = opts.offset ?? 0;
    let count = 0;
    let previousFirst: string | undefined;
    for (;;) {
      const page = await this.search(resource, keys, { ...opts, limit: pageSize, offset });
      if (page.matches.length === 0) return;
      const first = JSON.stringify(page.matches[0]);
      if (previousFirst !== undefined && first === previousFirst) {
        throw new DicomwebError(`The server sent the same matches for offset ${offset} as for the page before; it does not seem to support offset.`, 'response');
      }
      previousFirst = first;
      for (const m of page.matches) {
        yield m;
        if (++count >= max) return;
      }
      if (!page.hasMore || page.matches.length > pageSize) return;
      offset += page.matches.length;
    }
  }

  // --- WADO-RS ---------------------------------------------------------------------------------

  private retrieveAccept(transferSyntax: string | undefined): string {
    const ts = transferSyntax ?? ANY_TRANSFER_SYNTAX;
    if (ts !== ANY_TRANSFER_SYNTAX) uid(ts, 'transfer syntax');
    return formatMediaType({ type: 'multipart', subtype: 'related', params: { type: MediaTypes.DICOM, 'transfer-syntax': ts } });
  }

  /**
   * Retrieves a study, series or instance as multipart/related; type="application/dicom" and hands
   * each part to onPart as it streams in (nothing is held in memory).
   * @returns the HTTP status (200, or 206 for a partial answer), the part count and warnings.
   */
  async retrieveParts(target: RetrieveTarget, opts: RetrieveOptions & { onPart: (part: RetrievedPart) => void | Promise<void> }): Promise<{ status: number; parts: number; bytes: number; warnings: string[] }> {
    const url = this.url(targetPath(target));
    const res = await this.get(url, this.retrieveAccept(opts.transferSyntax), opts.signal);
    if (res.status !== 200 && res.status !== 206 && res.status !== 204) throw await httpError(res, 'GET', url);
    const what = describeRequest('GET', url);
    let bytes = 0;
    const counted = (async function* (): AsyncGenerator<Buffer> {
      for await (const chunk of res.body) {
        bytes += chunk.length;
        opts.onBytes?.(chunk.length);
        yield chunk;
      }
    })();
    const warnings = warningsOf(res);
    if (res.status === 204) {
      res.discard();
      return { status: res.status, parts: 0, bytes: 0, warnings };
    }
    const contentType = header(res, 'content-type');
    let boundary: string | undefined;
    let partType: string = MediaTypes.DICOM;
    try {
      const ct = contentType ? parseMultipartContentType(contentType) : undefined;
      if (!ct) throw new MediaTypeError('no Content-Type', 415);
      boundary = ct.boundary;
      if (ct.type) partType = ct.type;
    } catch (error) {
      if (!(error instanceof MediaTypeError)) throw error;
      // A single instance sent bare as application/dicom: one part.
      if (contentType && /^\s*application\/dicom\s*(;|$)/i.test(contentType)) {
        await opts.onPart({ index: 0, contentType: MediaTypes.DICOM, headers: {}, body: counted });
        for await (const _ of counted) { /* drain what onPart left */ }
        return { status: res.status, parts: 1, bytes, warnings };
      }
      res.discard();
      throw new DicomwebError(`The answer to ${what} is ${contentType ? JSON.stringify(contentType.slice(0, 100)) : 'without a Content-Type'}, not multipart/related with a boundary.`, 'response', res.status);
    }
    let parts = 0;
    try {
      for await (const part of parseMultipart(counted, boundary)) {
        parts++;
        await opts.onPart({ index: part.index, contentType: part.contentType ?? partType, headers: part.headers, body: part.body });
      }
    } catch (error) {
      res.discard();
      if (error instanceof MultipartError) {
        throw new DicomwebError(`The answer to ${what} is not a valid multipart body: ${error.message.charAt(0).toLowerCase()}${error.message.slice(1).replace(/\.$/, '')}.`, 'response', res.status);
      }
      throw error;
    }
    return { status: res.status, parts, bytes, warnings };
  }

  /**
   * Retrieves a study, series or instance and writes each instance, as it arrives, to
   * `<outputDir>/<Study>/<Series>/<SOP>.dcm` (through a temporary file and a rename).
   */
  async retrieve(target: RetrieveTarget, opts: RetrieveToDiskOptions): Promise<RetrieveSummary> {
    const instances: RetrievedInstance[] = [];
    const rejected: RejectedPart[] = [];
    const reject = (r: RejectedPart) => {
      rejected.push(r);
      opts.onRejected?.(r);
    };
    const result = await this.retrieveParts(target, {
      ...opts,
      onPart: async (part) => {
        const type = part.contentType.split(';')[0].trim().toLowerCase();
        if (type !== MediaTypes.DICOM) {
          let bytes = 0;
          for await (const chunk of part.body) bytes += chunk.length;
          reject({ index: part.index, bytes, reason: `part ${part.index + 1} is ${type || 'without a media type'}, not application/dicom` });
          return;
        }
        const r = await writeInstancePart(part.body, { outputDir: opts.outputDir, index: part.index, durable: opts.durable });
        if ('reason' in r) {
          reject(r);
        } else {
          instances.push(r);
          opts.onInstance?.(r);
        }
      },
    });
    return { status: result.status, instances, rejected, bytes: result.bytes, warnings: result.warnings };
  }

  /** The metadata of a study, series or instance as DICOM JSON (bulk data as URIs or inline). */
  async metadata(target: RetrieveTarget, opts: RequestOptions = {}): Promise<DicomJsonObject[]> {
    const url = this.url(`${targetPath(target)}/metadata`);
    const res = await this.get(url, `${MediaTypes.DICOM_JSON}, ${MediaTypes.JSON};q=0.5`, opts.signal);
    if (res.status !== 200 && res.status !== 206) throw await httpError(res, 'GET', url);
    return this.jsonArray(res, url);
  }

  private async image(target: RetrieveTarget, leaf: 'rendered' | 'thumbnail', opts: RenderedOptions): Promise<RenderedImage> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.params ?? {})) params.append(k, v);
    const url = this.url(`${targetPath(target)}/${leaf}`, params);
    const res = await this.get(url, opts.accept ?? MediaTypes.JPEG, opts.signal);
    if (res.status !== 200) throw await httpError(res, 'GET', url);
    const body = await readBody(res, opts.maxBytes ?? 64 * 1024 * 1024, describeRequest('GET', url));
    return { contentType: header(res, 'content-type') ?? MediaTypes.OCTET_STREAM, body };
  }

  /** A rendered (consumer format) image of a study, series or instance, where the server offers it. */
  rendered(target: RetrieveTarget, opts: RenderedOptions = {}): Promise<RenderedImage> {
    return this.image(target, 'rendered', opts);
  }

  /** A thumbnail of a study, series or instance, where the server offers it. */
  thumbnail(target: RetrieveTarget, opts: RenderedOptions = {}): Promise<RenderedImage> {
    return this.image(target, 'thumbnail', opts);
  }

  // --- STOW-RS ---------------------------------------------------------------------------------

  /**
   * Sends Part 10 files with STOW-RS in batches, each request body streamed from disk, and
   * reports per file what the server's response says: stored, stored with a warning, or failed.
   * Paths without known UIDs have their header read first (a file that is not DICOM fails there).
   * @throws DicomwebError when a batch is refused as a whole (401, 413, 5xx, …) or the connection fails.
   */
  async store(files: ReadonlyArray<StowInput | string>, opts: StoreOptions = {}): Promise<StowFileResult[]> {
    const inputs: StowInput[] = [];
    for (const f of files) {
      if (typeof f !== 'string') {
        inputs.push(f);
        continue;
      }
      let h;
      try {
        h = await readPart10Header(f);
      } catch (error) {
        const e = error as NodeJS.ErrnoException;
        throw new DicomwebError(`${f} cannot be sent: ${e.message.replace(/\.$/, '')}.`, 'io', undefined, undefined, e.code);
      }
      if (!h.sopInstanceUid) throw new DicomwebError(`${f} cannot be sent: its data set has no SOP Instance UID.`, 'io');
      inputs.push({ path: f, sopInstanceUid: h.sopInstanceUid, sopClassUid: h.sopClassUid, fileSize: h.fileSize });
    }
    const url = this.url(opts.study !== undefined ? `/studies/${uid(opts.study, 'Study Instance UID')}` : '/studies');
    const results: StowFileResult[] = [];
    const batches = planBatches(inputs, opts);
    for (const [index, batch] of batches.entries()) {
      const batchResult = await this.storeBatch(url, batch, index, opts);
      results.push(...batchResult.files);
      opts.onBatch?.(batchResult);
    }
    return results;
  }

  private async storeBatch(url: URL, files: StowInput[], index: number, opts: StoreOptions): Promise<StowBatchResult> {
    const boundary = makeBoundary();
    const sized: SizedFile[] = [];
    for (const f of files) {
      try {
        sized.push({ path: f.path, size: (await stat(f.path)).size });
      } catch (error) {
        const e = error as NodeJS.ErrnoException;
        throw new DicomwebError(`${f.path} cannot be sent: ${e.message.replace(/\.$/, '')}.`, 'io', undefined, undefined, e.code);
      }
    }
    const body = stowBody(sized, boundary, opts.onBytes);
    const res = await this.transport.request({
      method: 'POST',
      url,
      headers: {
        ...this.fixedHeaders,
        'Content-Type': multipartContentType(MediaTypes.DICOM, boundary),
        Accept: `${MediaTypes.DICOM_JSON}, ${MediaTypes.JSON};q=0.5`,
        'Content-Length': String(body.length),
      },
      body: body.stream,
      signal: opts.signal,
    });
    const what = describeRequest('POST', url);
    const raw = await readBody(res, MAX_STOW_RESPONSE, what);
    res.discard();
    let parsed: StowResult | undefined;
    if (raw.length > 0) {
      try {
        parsed = readStowResponse(JSON.parse(raw.toString('utf8')));
      } catch (error) {
        if (!(error instanceof SyntaxError) && !(error instanceof StowResponseError)) throw error;
      }
    }
    const status = res.status;
    if (parsed && (status === 200 || status === 202 || status === 400 || status === 409)) {
      // Orthanc, for one, answers 400 with the instances it did store when a part was unusable.
      return {
        index, status, files: matchStowResult(files, parsed, index),
        ...(parsed.retrieveURL !== undefined ? { retrieveURL: parsed.retrieveURL } : {}),
      };
    }
    if (status === 200) return { index, status, files: uniformResult(files, index, 'stored', 'stored (the server gave no per-instance details)') };
    if (status === 202) return { index, status, files: uniformResult(files, index, 'failed', 'failed: the server answered 202 (some instances failed) without saying which') };
    if (status >= 200 && status <= 299) {
      throw new DicomwebError(`The server answered ${status} to ${what}, which is not a STOW-RS status.`, 'response', status);
    }
    throw await httpError(res, 'POST', url, raw);
  }
}

export type { RetrievedInstance, RejectedPart } from './instance-writer';
export type { StowInput, StowFileResult, StowBatchResult, StowOutcome } from './stow-batches';
