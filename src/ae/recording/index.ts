// The association inspector: records of associations (record.ts is the JSON contract), the
// recorder that keeps the last N, their text form, and the DCMTK command that repeats one.
export * from './record';
export { AssociationRecorder, DEFAULT_RECORDER_CAPACITY, type RecorderEvents, type RecorderOptions } from './recorder';
export { summariseIdentifier } from './identifier';
export { formatRecord } from './format-text';
export { dcmtkCommand, STORE_FILES_PLACEHOLDER, type DcmtkCommand } from './dcmtk-command';
