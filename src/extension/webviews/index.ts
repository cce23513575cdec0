// The webviews: query results, the dataset viewer (custom editor and panel) and association details.
export type { AssociationPanelInfo } from './association-panel';
export type { DatasetSessionInfo } from './dataset-session';
export type { AssociationSource, QueryRowsRequest } from './deps';
export { rawText } from './query-rows';
export type { DicomJsonObject, RowScope } from './query-rows';
export { OPEN_DATASET_COMMAND, registerWebviews } from './register';
export type { Webviews } from './register';
