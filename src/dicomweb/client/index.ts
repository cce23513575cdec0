// The DICOMweb user agent: QIDO-RS, WADO-RS and STOW-RS over node:http/node:https.

export { DicomwebClient } from './client';
export { formatQuery } from './urls-and-headers';
export type {
  DicomwebAuth, DicomwebClientOptions, RetrieveTarget, RequestOptions, SearchOptions,
  SearchAllOptions, QidoPage, RetrieveOptions, RetrieveToDiskOptions, RetrieveSummary,
  RetrievedPart, RenderedOptions, RenderedImage, StoreOptions,
} from './options';
export { DicomwebError, isDicomwebNetworkFailure, serverMessageOf, warningText, type DicomwebErrorKind } from './errors';
export { HttpTransport, describeRequest, type HttpTransportOptions, type HttpRequest, type HttpResponse } from './http';
export { writeInstancePart, type RetrievedInstance, type RejectedPart, type WritePartOptions } from './instance-writer';
export {
  planBatches, stowBody, matchStowResult, FileChangedError, DEFAULT_BATCH_SIZE, DEFAULT_MAX_BATCH_BYTES,
  type StowInput, type StowBody, type SizedFile, type StowFileResult, type StowBatchResult, type StowOutcome, type BatchLimits,
} from './stow-batches';
