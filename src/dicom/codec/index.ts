// The public entry of src/dicom/codec: what the other folders import from it.

export { swapInPlace, swapped, tagAt, uint16At, uint32At } from './byte-order';
export { IncrementalInflater } from './inflate';
export { parseDataset, parseElementsExplicitLE, syntaxOf, type ParseOptions, type Syntax } from './reader';
export { DatasetTokenizer, type TokenSink } from './tokenizer';
export { encodeDataset, encodeExplicitLE, type EncodeOptions, type LengthMode } from './writer';
