// The archive index: what the SCP, the DICOMweb server and the extension query the archive through.

export { ArchiveIndex } from './archive-index';
export type {
  ArchiveIndexOptions, IndexInput, IndexedInstance, IndexStats, ReconcileReport, OpenReport, IndexChange, IndexListener,
} from './archive-index-types';
export { ArchiveIndexError, IndexInputError, IndexFileError } from './errors';
export { DERIVED_TAGS, INDEXED_VALUE_TAGS, indexSupportsKey, LEVEL_COLUMNS, SCAN_STOP_TAG } from './columns';
export type { IndexLevel, Column, LevelColumns } from './columns';
export { INDEX_DIR, INDEX_FILE_NAME, INDEX_FORMAT, INDEX_VERSION } from './index-file';
export type { IgnoredFile } from './index-file';
