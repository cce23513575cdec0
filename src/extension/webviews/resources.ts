// Where the webview bundles are, and the options every webview of this extension gets.
import vscode = require('vscode');
import { makeNonce, webviewHtml } from './html';

export type MediaView = 'query-results' | 'dataset-viewer' | 'association-detail';

export function mediaRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'media');
}

/** Scripts on, nothing loaded from outside dist/media. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, enableCommandUris: false, localResourceRoots: [mediaRoot(extensionUri)] };
}

/** The page of a view, with a fresh nonce. */
export function pageFor(webview: vscode.Webview, extensionUri: vscode.Uri, view: MediaView, title: string): string {
  const media = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot(extensionUri), 'webview', file)).toString();
  return webviewHtml({
    title,
    cspSource: webview.cspSource,
    nonce: makeNonce(),
    scriptUri: media(`${view}.js`),
    styleUris: [media(`${view}.css`)],
    codiconUri: media('codicon.css'),
  });
}
