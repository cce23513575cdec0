// Image preview: frame decoding (in a worker), image attributes and windowing.
export * from './frame-data';
export { NoImageError, UnsupportedImageError, PixelDecodeError, DecodeCancelledError } from './errors';
export { readImageInfo, summarizeImage, frameTransforms, ImageInfo, FrameTransforms } from './image-info';
export { frameBytes, nativeFrameSize } from './frame-bytes';
export { decodeFrameSync, initializeCodecs, defaultWasmPath } from './decode';
export { FrameDecoder, FrameDecoderOptions, DecodeOptions, FrameSource } from './frame-decoder';
export { applyWindow, voiLevel, dragWindow, WindowInput } from './window-level';
export { renderFrame, fittedSize, isGray, RenderOptions, Picture } from './render';
export { frameFromSamples, nativeSamples, pixelDescription } from './decode';
