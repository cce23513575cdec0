// The codec layer: one public entry. Frames are decoded and encoded by dcmjs-codecs' WebAssembly
// build in a pool of worker threads (CodecPool); conversions of whole data sets are planned here
// and streamed by ../transcode.ts.
export {
  CodecFamily, CodecSyntax, EncodeMode, codecSyntax, canDecode, canEncodeLosslessly, isLossyOnly, writableSyntaxes,
  syntaxNames, resolveTransferSyntax, syntaxLabel,
  RLELossless, JPEGBaseline, JPEGExtended, JPEGLosslessP14, JPEGLosslessSV1, JPEGLSLossless, JPEGLSNearLossless,
  JPEG2000Lossless, JPEG2000, HTJ2KLossless, HTJ2KLosslessRPCL, HTJ2K,
} from './syntaxes';
export { PixelDescription, PixelAttributes, describePixels, nativeFrameLength, nativePixelDataLength, describeLayout } from './pixel-description';
export {
  DecodedFrame, EncodedFrame, EncodeParams, encodeRefusal, encodesLossy, defaultCodecWasmPath, decodeFrame, initializeFrameCodecs, resetFrameCodecs,
} from './frame-codec';
export { planarToInterleaved, ybr422ToFull } from './pixel-format';
export { CodecPool, CodecPoolOptions, TaskOptions, sharedCodecPool, defaultPoolSize } from './codec-pool';
export { PixelPlan, PixelWork, planPixelConversion, needsPixelWork, describePlan } from './plan';
export { PixelDataConverter, PixelOutput, PixelResult } from './pixel-data-converter';
export { FrameAssembler, tableOffsets, startsCodestream } from './frame-assembler';
export { Deferred, Piece } from './deferred';
export { FrameDecodeError, FrameEncodeError, UnsupportedConversionError, CodecPoolError } from './errors';
