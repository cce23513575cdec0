// Texts and icons shared by the Nodes tree and the node backends: Markdown escaping and a node's
// last echo.
import vscode = require('vscode');
import type { EchoStatus } from '../state';

export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

/** " · echo ok", " · echo failed", or nothing before the first echo. */
export function echoMark(echo: EchoStatus | undefined): string {
  return echo ? (echo.ok ? ' · echo ok' : ' · echo failed') : '';
}

/** The icon of a node's last echo, if there was one. */
export function echoIcon(echo: EchoStatus | undefined): vscode.ThemeIcon | undefined {
  if (!echo) return undefined;
  return new vscode.ThemeIcon(echo.ok ? 'pass-filled' : 'error', new vscode.ThemeColor(echo.ok ? 'testing.iconPassed' : 'testing.iconFailed'));
}

/** The last echo's line of a node's tooltip. */
export function describeEcho(tip: vscode.MarkdownString, echo: EchoStatus | undefined): void {
  if (echo) tip.appendMarkdown(`Last echo ${new Date(echo.at).toLocaleString()}: ${escapeMarkdown(echo.message)}\n\n`);
}
