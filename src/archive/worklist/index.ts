// Modality Worklist items served from a folder.

export { WorklistStore, WorklistStoreOptions, WorklistItem, WorklistRefresh } from './worklist-store';
export { parseWorklistFile, WorklistFileError, ParsedWorklistFile } from './worklist-files';
