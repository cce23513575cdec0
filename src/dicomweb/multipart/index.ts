// multipart/related (RFC 2387 / RFC 2046) for PS3.18: a streaming parser and writer, and the
// media type headers that go with them (Content-Type, Accept).

export { MultipartError, type MultipartErrorCode } from './errors';
export {
  parseMultipart,
  type MultipartSource, type MultipartLimits, type ParseMultipartOptions,
} from './parser';
export { readPartBody, type MultipartPart } from './part-body';
export { checkBoundary } from './part-headers';
export {
  multipartStream, makeBoundary,
  type MultipartWritePart, type MultipartHeaders, type MultipartBody,
} from './writer';
export {
  parseContentType, parseAccept, formatMediaType, essence, isToken, MediaTypeError,
  type MediaType, type AcceptEntry,
} from './content-type';
