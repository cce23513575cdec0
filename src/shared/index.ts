// The public entry of src/shared: what the other folders import from it.

export {
  RequestServer, parseDatasetViewerMessage, parseQueryResultsMessage, type ColumnKind, type CopyWhat,
  type DatasetRequests, type DatasetViewerToHost, type HostToDatasetViewer, type HostToQueryResults,
  type QueryAction, type QueryColumn, type QueryLevelName, type QueryRowData, type QueryRunState,
} from './webview-protocol';
export {
  parseAssociationDetailMessage, type AssociationAction, type AssociationDetailToHost, type AssociationView,
  type DetailCell, type DetailField, type DetailSection, type DetailTable, type DetailTone, type HostToAssociationDetail,
  type RecordLiveness,
} from './association-detail';
