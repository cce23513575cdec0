// The one entry point the extension calls: registers the DICOM custom editor and the viewer
// command, and returns what the rest of the extension uses to show webviews.
import vscode = require('vscode');
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { WebviewDeps } from './deps';
import type { FrameDecoderLike } from '../engine';
import { DicomEditorProvider, DATASET_VIEW_TYPE, DATASET_ANY_FILE_VIEW_TYPE } from './dicom-editor-provider';
import { DatasetViewerPanel } from './dataset-viewer-panel';
import { QueryResultsPanel, QueryResultsOptions } from './query-results-panel';
import { datasetSessions, type DatasetSessionInfo, type SessionServices } from './dataset-session';
import { AssociationDetailPanel, runAssociationAction, type AssociationPanelInfo, type AssociationPanelServices } from './association-panel';
import type { AssociationRecord } from '../../ae';
import type { AssociationAction } from '../../shared';

export const OPEN_DATASET_COMMAND = 'dicomNetwork.openDatasetViewer';

export interface Webviews {
  /** Opens a results panel; feed it with addMatches() and finish(). */
  showQueryResults(opts: QueryResultsOptions): QueryResultsPanel;
  /** Shows a DICOM file in the dataset viewer (a panel; files in the editor use the custom editor). */
  showDataset(uri: vscode.Uri, column?: vscode.ViewColumn): void;
  /** The query results panels open now, oldest first. */
  queryPanels(): QueryResultsPanel[];
  /** The dataset viewers open now (custom editors and panels). */
  datasetSessions(): DatasetSessionInfo[];
  /** Shows the detail panel of an association (the one already open for it, or a new one). */
  showAssociation(record: AssociationRecord, column?: vscode.ViewColumn): void;
  /** The record an open detail panel shows (it may no longer be kept elsewhere). */
  associationPanelRecord(id: string): AssociationRecord | undefined;
  /** The record of the detail panel in front, if one is. */
  activeAssociationRecord(): AssociationRecord | undefined;
  /** Copy as Text, Export JSON (to `target`, else where the person says), Copy as DCMTK Command. */
  runAssociationAction(action: AssociationAction, record: AssociationRecord, target?: vscode.Uri): Promise<void>;
  /** The association detail panels open now. */
  associationPanels(): AssociationPanelInfo[];
}

/**
 * The custom editor a file opens in: the default one for DICOM file names, else the "any file" one.
 * (VS Code matches editor globs ignoring case, so "*.dcm" covers ".DCM"; listing both would make
 * two default editors and a conflict prompt.)
 */
export function viewTypeFor(uri: vscode.Uri): string {
  return /\.(dcm|dicom)$/i.test(uri.path) ? DATASET_VIEW_TYPE : DATASET_ANY_FILE_VIEW_TYPE;
}

export function registerWebviews(context: vscode.ExtensionContext, deps: WebviewDeps): Webviews {
  let decoder: FrameDecoderLike | undefined;
  const panels = new Set<QueryResultsPanel>();
  const services: SessionServices = {
    extensionUri: context.extensionUri,
    deps,
    decoder: () => {
      if (!decoder) {
        const dist = join(context.extensionPath, 'dist');
        const bundledWasm = join(dist, 'dcmjs-native-codecs.wasm');
        decoder = deps.viewerEngine().createFrameDecoder({
          workerScript: deps.workerScript ?? join(dist, 'pixel-worker.js'),
          wasmPath: deps.wasmPath ?? (existsSync(bundledWasm) ? bundledWasm : undefined),
        });
      }
      return decoder;
    },
  };
  const associationServices: AssociationPanelServices = {
    extensionUri: context.extensionUri, source: deps.associations, tools: deps.recordTools, log: deps.log,
  };
  const provider = new DicomEditorProvider(services);
  const editorOptions = { webviewOptions: { retainContextWhenHidden: true }, supportsMultipleEditorsPerDocument: true };
  context.subscriptions.push(
    vscode.window.registerCustomEditorProvider(DATASET_VIEW_TYPE, provider, editorOptions),
    vscode.window.registerCustomEditorProvider(DATASET_ANY_FILE_VIEW_TYPE, provider, editorOptions),
    vscode.commands.registerCommand(OPEN_DATASET_COMMAND, async (arg?: unknown) => {
      let uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
      if (!uri) {
        const picked = await vscode.window.showOpenDialog({ canSelectMany: false, title: 'Open a DICOM file in the viewer', openLabel: 'Open' });
        uri = picked?.[0];
      }
      // *.dcm and *.dicom have their own view type (the default editor of those files): the same
      // file opened from the explorer then lands in the same tab.
      if (uri) await vscode.commands.executeCommand('vscode.openWith', uri, viewTypeFor(uri));
    }),
    { dispose: () => decoder?.dispose() },
    { dispose: () => { for (const p of AssociationDetailPanel.panels()) p.dispose(); } },
  );
  return {
    showQueryResults: (opts) => {
      const panel = new QueryResultsPanel(context.extensionUri, deps, opts);
      panels.add(panel);
      panel.onDidDispose(() => panels.delete(panel));
      context.subscriptions.push(panel);
      return panel;
    },
    showDataset: (uri, column) => { DatasetViewerPanel.show(services, uri, column); },
    queryPanels: () => [...panels],
    datasetSessions,
    showAssociation: (record, column) => { AssociationDetailPanel.show(associationServices, record, column); },
    associationPanelRecord: (id) => AssociationDetailPanel.panels().find((p) => p.recordId === id)?.record,
    activeAssociationRecord: () => AssociationDetailPanel.panels().find((p) => p.panel.active)?.record,
    runAssociationAction: (action, record, target) => runAssociationAction(action, record, associationServices, target),
    associationPanels: () => AssociationDetailPanel.panels().map((p) => p.info()),
  };
}
