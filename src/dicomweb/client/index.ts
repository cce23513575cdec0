// The DICOMweb user agent: QIDO-RS, WADO-RS and STOW-RS over node:http/node:https.

export {
  DicomwebClient, targetPath, formatQuery,
  type DicomwebAuth, type DicomwebClientOptions, type RetrieveTarget, type RequestOptions, type SearchOptions,
  type SearchAllOptions, type QidoPage, type RetrieveOptions, type RetrieveToDiskOptions, type RetrieveSummary,
  type RetrievedPart, type RenderedOptions, type RenderedImage, type StoreOptions,
} from './client';
export { DicomwebError, isDicomwebNetworkFailure, serverMessageOf, warningText, type DicomwebErrorKind } from './errors';
export { HttpTransport, describeRequest, type HttpTransportOptions, type HttpRequest, type HttpResponse } from './http';
export { writeInstancePart, type RetrievedInstance, type RejectedPart, type WritePartOptions } from './instance-writer';
export {
  planBatches, stowBody, matchStowResult, FileChangedError, DEFAULT_BATCH_SIZE, DEFAULT_MAX_BATCH_BYTES,
  type StowInput, type StowBody, type SizedFile, type StowFileResult, type StowBatchResult, type StowOutcome, type BatchLimits,
} from './stow-batches';
