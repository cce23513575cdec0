// Public entry point of the dataset codec: the model, the parser and the encoder.

export {
  Dataset, DataElement, ElementValue, TextDecoderFn, TextEncoderFn,
  latin1Decoder, latin1Encoder, encodeElement, decodeNumbers, resolveTag,
} from './dataset-model';
export { parseDataset, ParseOptions } from './codec/reader';
export { encodeDataset, EncodeOptions, LengthMode } from './codec/writer';
