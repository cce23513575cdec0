// The public entry of src/dicom: what the other folders import from it.

export {
  CharsetError, charsetDecoder, charsetEncoder, decodeText, encodeText, normalizeCharsetTerms,
  type SpecificCharacterSet,
} from './charset';
export {
  DatasetTokenizer, IncrementalInflater, encodeDataset, parseDataset, swapInPlace, syntaxOf,
  type EncodeOptions, type ParseOptions, type Syntax, type TokenSink,
} from './codec';
export {
  CodecPool, CodecPoolError, FrameDecodeError, FrameEncodeError, HTJ2K, HTJ2KLossless, JPEG2000,
  JPEG2000Lossless, JPEGBaseline, JPEGLSLossless, JPEGLSNearLossless, JPEGLosslessSV1, RLELossless,
  UnsupportedConversionError, canDecode, describePlan, isLossyOnly, needsPixelWork, resolveTransferSyntax,
  syntaxLabel, syntaxNames, type EncodeParams, type PixelPlan,
} from './codecs';
export {
  Dataset, decodeNumbers, encodeElement, latin1Encoder, resolveTag, type DataElement, type ElementValue,
  type TextDecoderFn, type TextEncoderFn,
} from './dataset-model';
export {
  describeTag, dictionaryVr, keywordOf, lookupTag, tagForKeyword, type DictionaryEntry,
} from './dictionary';
export {
  DicomError, DicomParseError, MissingTransferSyntaxError, NotDicomError, TruncatedFileError,
  UnsupportedTransferSyntaxError,
} from './errors';
export {
  DEFAULT_IMPLEMENTATION_CLASS_UID, DEFAULT_IMPLEMENTATION_VERSION_NAME, buildFileMeta, checkUidChars, parseFileMeta,
  readFileMetaFromHandle, trimText, type FileMetaRead, type MetaParse,
} from './file-meta';
export { DatasetHeaderScanner, scanFileHeader, type ScannedElement } from './header-scanner';
export {
  DicomJsonError, datasetFromJson, datasetToJson, type DicomJsonAttribute, type DicomJsonObject,
  type DicomJsonValue, type FromJsonOptions, type ToJsonOptions,
} from './json';
export { LeadingMetaStripper } from './leading-meta';
export { isPlainAndWhole } from './plain-elements';
export { identityFromPrefix, readPart10IdentitySync, type Part10Identity } from './part10-identity';
export {
  parsePart10, readPart10, readPart10Header, readPart10HeaderSync, writePart10, type Part10File,
  type Part10Header, type WritePart10Options,
} from './part10';
export { readUpTo } from './read-up-to';
export {
  FrameDecoder, summarizeImage, type DecodeOptions, type FrameData, type FrameDecoderOptions,
  type FrameSource, type ImageSummary,
} from './pixels';
export { Uids, currentStorageSopClasses, isStorageSopClass, sopClassName } from './sop-classes';
export {
  Tags, formatTag, formatTagHex, isGroupLength, isPrivateCreator, isPrivateTag, parseTag, tag, type Tag,
} from './tag';
export { describeFileTranscode, transcodeFile, type FileTranscodeResult } from './transcode-file';
export { createTranscoder } from './transcode';
export {
  DeflatedExplicitVRLittleEndian, ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian,
  TRANSFER_SYNTAXES, encodingOf, isUncompressed, transferSyntax, transferSyntaxName,
} from './transfer-syntaxes';
export { generateUid } from './uid-generator';
export { randomBytes, tmpdir } from './lazy-builtins';
export { isValidUid, uidName } from './uids';
export { VERSION } from './version';
export {
  buildDatasetView, copyText, findRow, fullValueOf, type DatasetView, type FullValue,
} from './view-model';
export {
  KNOWN_VRS, binaryValueSize, isMultiValuedTextVr, isTextVr, swapUnit, usesSpecificCharacterSet, type VR,
} from './vr';
export {
  codecSyntax, describePixels, nativeFrameLength, planPixelConversion, sharedCodecPool, type PixelAttributes,
  type PixelDescription,
} from './codecs';
export { lowerFirst } from './errors';
export {
  NoImageError, PixelDecodeError, UnsupportedImageError, frameFromSamples, isGray, nativeSamples,
  renderFrame, type ImageInfo, type Picture, type RenderOptions, type VoiFunction,
} from './pixels';
