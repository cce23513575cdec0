// Notifications, recorded as shown (the extension-host tests read what a person would have read).
import vscode = require('vscode');

export type Severity = 'info' | 'warning' | 'error';

export interface ShownMessage {
  severity: Severity;
  message: string;
  actions: string[];
}

const recent: ShownMessage[] = [];
const LIMIT = 50;

function record(severity: Severity, message: string, actions: string[]): void {
  recent.push({ severity, message, actions });
  if (recent.length > LIMIT) recent.splice(0, recent.length - LIMIT);
}

/** The last notifications shown, oldest first. */
export function recentMessages(): ShownMessage[] {
  return [...recent];
}

/** Shows a notification; resolves with the action chosen (or undefined when dismissed). Do not await it in a command. */
export function notify(severity: Severity, message: string, ...actions: string[]): Thenable<string | undefined> {
  record(severity, message, actions);
  switch (severity) {
    case 'info': return vscode.window.showInformationMessage(message, ...actions);
    case 'warning': return vscode.window.showWarningMessage(message, ...actions);
    default: return vscode.window.showErrorMessage(message, ...actions);
  }
}

/** A sentence from a fragment: capital first letter, final full stop. */
export function sentence(text: string): string {
  const t = text.trim();
  const s = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?…]$/.test(s) ? s : `${s}.`;
}
