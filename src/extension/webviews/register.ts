// The one entry point the extension calls: registers the DICOM custom editor and the viewer
// command, and returns what the rest of the extension uses to show webviews.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { WebviewDeps } from './deps';
import type { FrameDecoderLike } from './viewer-engine';
import { DicomEditorProvider, DATASET_VIEW_TYPE, DATASET_ANY_FILE_VIEW_TYPE } from './dicom-editor-provider';
import { DatasetViewerPanel } from './dataset-viewer-panel';
import { QueryResultsPanel, QueryResultsOptions } from './query-results-panel';
import type { SessionServices } from './dataset-session';

export const OPEN_DATASET_COMMAND = 'dicomNetwork.openDatasetViewer';

export interface Webviews {
  /** Opens a results panel; feed it with addMatches() and finish(). */
  showQueryResults(opts: QueryResultsOptions): QueryResultsPanel;
  /** Shows a DICOM file in the dataset viewer (a panel; files in the editor use the custom editor). */
  showDataset(uri: vscode.Uri, column?: vscode.ViewColumn): void;
}

export function registerWebviews(context: vscode.ExtensionContext, deps: WebviewDeps): Webviews {
  let decoder: FrameDecoderLike | undefined;
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
      if (uri) await vscode.commands.executeCommand('vscode.openWith', uri, DATASET_ANY_FILE_VIEW_TYPE);
    }),
    { dispose: () => decoder?.dispose() },
  );
  return {
    showQueryResults: (opts) => {
      const panel = new QueryResultsPanel(context.extensionUri, deps, opts);
      context.subscriptions.push(panel);
      return panel;
    },
    showDataset: (uri, column) => { DatasetViewerPanel.show(services, uri, column); },
  };
}
