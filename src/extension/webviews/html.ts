// The HTML page of a webview: a strict Content Security Policy (no inline script or style, scripts
// only with this page's nonce, everything else only from the webview's own resource origin, no
// network), the codicon stylesheet where vscode-icon looks for it, the view's stylesheet and script.
// No vscode import: tests render the same page in a plain browser.

import { randomBytes } from 'node:crypto';

export interface WebviewPage {
  title: string;
  /** webview.cspSource: the origin the webview's local resources come from. */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUris: string[];
  codiconUri: string;
}

/** 128 random bits, base64: a fresh one for every page. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
  ].join('; ');
}

export function webviewHtml(page: WebviewPage): string {
  const links = page.styleUris.map((u) => `<link rel="stylesheet" href="${escapeAttr(u)}">`).join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeAttr(contentSecurityPolicy(page.cspSource, page.nonce))}">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${escapeAttr(page.title)}</title>
    <link rel="stylesheet" id="vscode-codicon-stylesheet" href="${escapeAttr(page.codiconUri)}">
    ${links}
  </head>
  <body>
    <script nonce="${escapeAttr(page.nonce)}" src="${escapeAttr(page.scriptUri)}"></script>
  </body>
</html>
`;
}
