// Webviews of the extension: query results, the dataset viewer (custom editor and panel) with its
// image preview. extension.ts calls registerWebviews() once.
export { registerWebviews, Webviews, OPEN_DATASET_COMMAND, viewTypeFor } from './register';
export type { DatasetSessionInfo } from './dataset-session';
export type { WebviewDeps, WebviewLog, QueryRowsRequest, AssociationSource, RecordTools } from './deps';
export { QueryResultsPanel, QueryResultsOptions } from './query-results-panel';
export { DATASET_VIEW_TYPE, DATASET_ANY_FILE_VIEW_TYPE } from './dicom-editor-provider';
export { DEFAULT_COLUMNS, DicomJsonObject, RowScope } from './query-rows';
export type { ViewerEngine } from './viewer-engine';
export type { AssociationPanelInfo } from './association-panel';
