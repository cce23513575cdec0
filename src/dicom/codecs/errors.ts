// Typed errors of the codec layer. Each message is one sentence a person can act on.
import { DicomError } from '../errors';

/** A frame's codestream could not be decoded (corrupt, truncated, or not what the attributes say). */
export class FrameDecodeError extends DicomError {}

/** A frame could not be encoded (values out of range for the codec, codec failure). */
export class FrameEncodeError extends DicomError {}

/** The requested conversion cannot be made for this image (bit depth, colour model, lossy not allowed…). */
export class UnsupportedConversionError extends DicomError {}

/** The codec worker pool failed (a worker crashed or timed out) or was closed. */
export class CodecPoolError extends DicomError {}
