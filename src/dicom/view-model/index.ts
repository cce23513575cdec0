// The dataset viewer's model: rows, full values, search and copy.
export * from './types';
export { buildDatasetView, buildElementRows, BuildOptions } from './build';
export { fullValueOf } from './full-value';
export { resolveRowId, UnknownRowError, elementId, itemId, fragmentId } from './element-path';
export { elementValueText, valueLength, ROW_LIMITS, FULL_LIMITS, ValueLimits, ValueText, isPixelDataTag } from './value-text';
export { privateCreatorOf, privateTagRole, creatorTagOf } from './private-creators';
export { searchRows, rowMatches, copyText, forEachRow, findRow, SearchResult, CopyWhat } from './search';
