// Typed errors of the image preview. Each message is one sentence a person can act on.
import { DicomError } from '../errors';

/** The dataset has no image to show (no Pixel Data, e.g. an RT Plan or a structured report). */
export class NoImageError extends DicomError {}

/** The image attributes are inconsistent or beyond what the preview handles. */
export class UnsupportedImageError extends DicomError {}

/** The codec failed on this frame's bytes. */
export class PixelDecodeError extends DicomError {}

/** The request was cancelled before its frame was decoded. */
export class DecodeCancelledError extends DicomError {
  constructor(message = 'The frame request was cancelled.') {
    super(message);
  }
}
