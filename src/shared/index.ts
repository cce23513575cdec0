// The public entry of src/shared: what the other folders import from it.

export {
  RequestServer, parseDatasetViewerMessage, parseQueryResultsMessage, type ColumnKind, type CopyWhat,
  type DatasetRequests, type DatasetViewerToHost, type HostToDatasetViewer, type HostToQueryResults,
  type QueryAction, type QueryColumn, type QueryLevelName, type QueryRowData, type QueryRunState,
} from './webview-protocol';
