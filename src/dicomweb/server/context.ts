// What every request handler of the DICOMweb server is given: the archive, the settings, and the
// request with the base URL its answers point back to.

import { IncomingMessage, ServerResponse } from 'node:http';
import { ArchiveIndex } from '../../archive';
import { FileStore } from '../../archive';
import type { CodecPool } from '../../dicom';

/** The archive the server answers from: an ArchiveServices, or its index and store. */
export interface ArchiveAccess {
  index: ArchiveIndex;
  store: FileStore;
}

export interface HandlerSettings {
  maxBodyBytes: number;
  /** Most matches one search answers (a larger limit is lowered to it). */
  maxSearchResults: number;
  /** STOW-RS: accept SOP classes that are not known storage classes. */
  acceptUnknownSopClasses: boolean;
  caseInsensitivePersonNames: boolean;
  /** Our AE title, written as the called AE of instances stored over STOW-RS. */
  aeTitle: string;
}

export interface ServerContext {
  archive: ArchiveAccess;
  settings: HandlerSettings;
  /** The codec workers that convert instances and frames and decode frames to render. */
  pool(): CodecPool;
  log(line: string): void;
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** e.g. http://127.0.0.1:8042/dicomweb (no trailing slash): the root of every URL we hand out. */
  baseUrl: string;
  /** A short note for the request's log line (e.g. "3 instances, 12.0 MB"). */
  note?: string;
}
