// The DICOMweb user agent (PS3.18): QIDO-RS searches, WADO-RS retrieval (instances streamed to
// disk, metadata, rendered and thumbnail) and STOW-RS uploads streamed from disk.

import type { DicomJsonObject } from '../../dicom';
import { VERSION } from '../../dicom';
import { formatMediaType, makeBoundary, parseMultipart, MultipartError, MediaTypeError } from '../multipart';
import { MediaTypes, ANY_TRANSFER_SYNTAX, multipartContentType, parseMultipartContentType } from '../media-types';
import { qidoPath, qidoSearchParams, QidoParamError, type QidoKeys, type QidoResource } from '../qido-params';
import { DicomwebError } from './errors';
import { HttpTransport, describeRequest, header, httpError, readBody, type HttpResponse } from './http';
import { writeInstancePart, type RejectedPart, type RetrievedInstance } from './instance-writer';
import type {
  DicomwebClientOptions, QidoPage, RenderedImage, RenderedOptions, RequestOptions, RetrievedPart, RetrieveOptions,
  RetrieveSummary, RetrieveTarget, RetrieveToDiskOptions, SearchAllOptions, SearchOptions, StoreOptions,
} from './options';
import { planBatches, stowBody, type StowBatchResult, type StowFileResult, type StowInput } from './stow-batches';
import { readStowAnswer, sizeFiles, stowInputs } from './stow-request';
import { checkHeaderValue, checkedTargetPath, formatQuery, uid, warningsOf } from './urls-and-headers';

const DEFAULT_MAX_JSON = 256 * 1024 * 1024;
const USER_AGENT = `dicomnet/${VERSION}`;

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
    // PS3.18's "There are additional results that can be requested", and other servers' wordings.
    return { matches, warnings, hasMore: full || warnings.some((w) => /(additional|more) results/i.test(w)) };
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
    const url = this.url(checkedTargetPath(target));
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
    const url = this.url(`${checkedTargetPath(target)}/metadata`);
    const res = await this.get(url, `${MediaTypes.DICOM_JSON}, ${MediaTypes.JSON};q=0.5`, opts.signal);
    if (res.status !== 200 && res.status !== 206) throw await httpError(res, 'GET', url);
    return this.jsonArray(res, url);
  }

  private async image(target: RetrieveTarget, leaf: 'rendered' | 'thumbnail', opts: RenderedOptions): Promise<RenderedImage> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.params ?? {})) params.append(k, v);
    const url = this.url(`${checkedTargetPath(target)}/${leaf}`, params);
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
    const inputs = await stowInputs(files);
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
    const sized = await sizeFiles(files);
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
    return readStowAnswer(res, url, files, index);
  }
}
