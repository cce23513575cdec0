// multipart/related (RFC 2387 / RFC 2046) for PS3.18: a streaming parser and writer, and the
// media type headers that go with them (Content-Type, Accept).

export { MultipartError, type MultipartErrorCode } from './multipart/errors';
export {
  parseMultipart, readPartBody, checkBoundary,
  type MultipartPart, type MultipartSource, type MultipartLimits, type ParseMultipartOptions,
} from './multipart/parser';
export {
  multipartStream, makeBoundary,
  type MultipartWritePart, type MultipartHeaders, type MultipartBody,
} from './multipart/writer';
export {
  parseContentType, parseAccept, formatMediaType, essence, isToken, MediaTypeError,
  type MediaType, type AcceptEntry,
} from './multipart/content-type';
