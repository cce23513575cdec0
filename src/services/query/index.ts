// Query matching and the query/retrieve information models, shared by the C-FIND, C-MOVE and
// C-GET SCPs, the worklist SCP and the QIDO-RS server.

export * from './model';
export * from './record';
export * from './validation';
export * from './matching';
export type { MatchingType, CompiledKey, CompileOptions, CompiledQuery } from './compiled-query';
export * from './response';
export { parseDate, parseTime, parseDateTime, parseDateTimeKey } from './datetime';
export type { Span, DateTimeSpan } from './datetime';
export { wildcardMatch, compileWildcard, compilePersonNameValue, trimValue } from './text-match';
