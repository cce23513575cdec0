// Options and results of the DicomwebClient's requests.

import type { DicomJsonObject } from '../../dicom';
import type { QidoSearchOptions } from '../qido-params';
import type { RejectedPart, RetrievedInstance } from './instance-writer';
import type { BatchLimits, StowBatchResult } from './stow-batches';

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
