// The public entry of src/archive: what the other folders import from it.

export { ArchiveServices, type ArchiveServicesOptions } from './archive-services';
export { COMMITMENT_DIR, CommitmentLog } from './commitment';
export { FileStore, type DuplicatePolicy, type StoredInstance } from './file-store';
export { ConvertingFileStore, type StoreAs } from './converting-file-store';
export { ArchiveIndex, DERIVED_TAGS, LEVEL_COLUMNS, type IndexLevel } from './archive-index';
export { instanceRelativePath } from './layout';
export { MPPS_DIR, MppsStore, describeMpps, type MppsRecord } from './mpps';
export { WorklistStore } from './worklist';
