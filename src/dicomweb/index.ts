// The public entry of src/dicomweb: what the other folders import from it.

export {
  DEFAULT_BATCH_SIZE, DicomwebClient, DicomwebError, type DicomwebAuth, type DicomwebClientOptions,
  type QidoPage, type RenderedImage, type RenderedOptions, type RetrieveOptions, type RetrieveSummary,
  type RetrieveTarget, type RetrieveToDiskOptions, type RetrievedInstance, type SearchAllOptions,
  type SearchOptions, type StoreOptions, type StowFileResult,
} from './client';
export {
  QidoParamError, qidoSearchParams, type QidoKeys, type QidoLevel, type QidoResource, type QidoSearchOptions,
} from './qido-params';
export { DicomwebServer, type DicomwebServerOptions } from './server';
