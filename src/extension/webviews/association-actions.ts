// What can be done with an association record, from the detail panel and from the Associations
// view's context menu alike: copy it as text, export it as JSON, copy the DCMTK line that repeats it.
import vscode = require('vscode');
import type { AssociationRecord, DcmtkCommand } from '../../ae';
import type { RecordTools, WebviewLog } from './deps';

/** The sentence for a record no DCMTK tool repeats. */
export function noDcmtkSentence(record: AssociationRecord): string {
  const verb = record.direction === 'outbound' ? 'sent' : 'received';
  return `No DCMTK tool repeats association ${record.id}: it ${verb} no C-ECHO, C-FIND, C-MOVE, C-GET or C-STORE request.`;
}

export async function copyRecordText(record: AssociationRecord, tools: RecordTools): Promise<void> {
  await vscode.env.clipboard.writeText(tools.formatRecord(record));
  vscode.window.setStatusBarMessage(`Copied association ${record.id} as text.`, 3000);
}

/** Copies the command line; returns it, or undefined (and says why) when no DCMTK tool repeats the record. */
export async function copyDcmtkCommand(record: AssociationRecord, tools: RecordTools): Promise<DcmtkCommand | undefined> {
  const command = tools.dcmtkCommand(record);
  if (!command) {
    void vscode.window.showInformationMessage(noDcmtkSentence(record));
    return undefined;
  }
  await vscode.env.clipboard.writeText(command.line);
  if (command.note) void vscode.window.showInformationMessage(`Copied the ${command.tool} command. ${command.note}.`);
  else vscode.window.setStatusBarMessage(`Copied the ${command.tool} command.`, 3000);
  return command;
}

/**
 * Writes the record as one line of JSON (the format of docs/association-record.md, as
 * `dicomnet … --record` appends it, so `dicomnet inspect FILE` reads the file). Asks where unless
 * `target` is given; returns where it wrote, or undefined when the dialog was dismissed.
 */
export async function exportRecordJson(record: AssociationRecord, log: WebviewLog, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const name = `association-${record.id.replace(/[^\w.-]/g, '_')}.json`;
  target ??= await vscode.window.showSaveDialog({
    title: `Export association ${record.id} (one line of JSON, as dicomnet --record writes)`,
    filters: { 'Association record (JSON)': ['json', 'jsonl'] },
    defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
    saveLabel: 'Export',
  });
  if (!target) return undefined;
  await vscode.workspace.fs.writeFile(target, Buffer.from(`${JSON.stringify(record)}\n`, 'utf8'));
  log.info(`Exported association ${record.id} to ${target.fsPath}`);
  vscode.window.setStatusBarMessage(`Exported association ${record.id}.`, 3000);
  return target;
}
