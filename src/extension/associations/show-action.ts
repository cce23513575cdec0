// "Show Association" on the notification of a failed operation: opens the record of the
// association the operation used (the engine names it: outcomes' associationId, associationIdOf(error)).
import vscode = require('vscode');
import { SHOW_ASSOCIATION_COMMAND } from './view';

export const SHOW_ASSOCIATION = 'Show Association';

/** The action to offer: none when no association is known (DICOMweb, a file that could not be read). */
export function showAssociationActions(associationId: string | undefined): string[] {
  return associationId ? [SHOW_ASSOCIATION] : [];
}

/** Runs the action when it was the choice; true when it was. */
export function handleShowAssociation(choice: string | undefined, associationId: string | undefined): boolean {
  if (choice !== SHOW_ASSOCIATION || !associationId) return false;
  void vscode.commands.executeCommand(SHOW_ASSOCIATION_COMMAND, associationId);
  return true;
}
