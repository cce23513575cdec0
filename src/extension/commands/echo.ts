// DICOM: Echo Node — C-ECHO (a QIDO-RS search for DICOMweb nodes), the answer as a notification
// and as the node's mark in the tree.
import vscode = require('vscode');
import { handleShowAssociation, showAssociationActions } from '../associations';
import { loadEngine } from '../engine-loader';
import { notify } from '../ui';
import { pickNode } from './pick';
import { requireTrust } from '../ui';
import type { CommandDeps } from './deps';

export type EchoDeps = Pick<CommandDeps, 'nodes' | 'state' | 'log' | 'tree'>;

export interface EchoCommandResult {
  node: string;
  ok: boolean;
  /** What the notification said. */
  message: string;
  /** The record of the association the echo used (DIMSE nodes). */
  associationId?: string;
}

export async function echoNode(deps: EchoDeps, arg?: unknown): Promise<EchoCommandResult | undefined> {
  const backend = await pickNode(deps, arg, { title: 'Echo Node', needs: 'echo' });
  if (!backend) return undefined;
  if (!requireTrust('Echo')) return undefined;
  const name = backend.node.name;
  let result: EchoCommandResult;
  try {
    const outcome = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `${backend.protocols.echo} ${name}` }, () => backend.echo());
    await deps.state.setEchoStatus(name, { ok: outcome.ok, at: new Date().toISOString(), message: outcome.status });
    if (outcome.ok) void notify('info', outcome.message);
    else void notify('warning', outcome.message, ...showAssociationActions(outcome.associationId)).then((c) => handleShowAssociation(c, outcome.associationId));
    result = { node: name, ok: outcome.ok, message: outcome.message, associationId: outcome.associationId };
  } catch (error) {
    const reason = backend.describeError(error);
    await deps.state.setEchoStatus(name, { ok: false, at: new Date().toISOString(), message: reason });
    const message = backend.echoFailure(reason);
    const engine = loadEngine();
    const associationId = engine.associationIdOf(error);
    const actions = [...showAssociationActions(associationId), ...(backend.supports('edit') ? ['Edit Node…', 'Show Log'] : ['Show Log'])];
    if (engine.errorCode(error) === 'calling-ae-title-rejected') actions.unshift('Copy AE Configuration');
    void notify('error', message, ...actions).then((choice) => {
      if (handleShowAssociation(choice, associationId)) return;
      if (choice === 'Show Log') deps.log.show();
      else if (choice === 'Edit Node…') void vscode.commands.executeCommand('dicomNetwork.editNode', name);
      else if (choice === 'Copy AE Configuration') void vscode.commands.executeCommand('dicomNetwork.copyAeConfiguration');
    });
    result = { node: name, ok: false, message, associationId };
  }
  deps.tree.refreshNode(name, { requery: false });
  return result;
}
