// The read-only custom editor for DICOM files: *.dcm and *.dicom open in it by default, any other
// file through "Reopen Editor With…" (a second view type whose selector is every file).
import vscode = require('vscode');
import { DatasetSession, SessionServices } from './dataset-session';

export const DATASET_VIEW_TYPE = 'dicomNetwork.datasetViewer';
export const DATASET_ANY_FILE_VIEW_TYPE = 'dicomNetwork.datasetViewer.anyFile';

class DicomDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {}
}

export class DicomEditorProvider implements vscode.CustomReadonlyEditorProvider<DicomDocument> {
  constructor(private readonly services: SessionServices) {}

  openCustomDocument(uri: vscode.Uri): DicomDocument {
    return new DicomDocument(uri);
  }

  resolveCustomEditor(document: DicomDocument, panel: vscode.WebviewPanel): void {
    const session = new DatasetSession(panel.webview, document.uri, this.services);
    panel.onDidDispose(() => session.dispose());
  }
}
