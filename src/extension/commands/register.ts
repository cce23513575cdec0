// Every contributed command, registered at activation, each given the collaborators it uses. The
// handlers load the engine only when they run.
import vscode = require('vscode');
import type { Log } from '../log';
import type { CommandDeps } from './deps';
import { echoNode } from './echo';
import { copyAeConfiguration, localScpMenu, revealStorageFolder, startLocalScp, stopLocalScp } from './local-scp';
import { addNode, editNode, removeNodeCommand } from './nodes';
import { find, queryNode, refresh, worklist } from './query';
import { copyUid, openItem, retrieve, retrieveItem } from './retrieve';
import { requestStorageCommitment } from './commit';
import { sendViaCStore } from './send';
import { associationAction, showAssociation } from './association-detail';

type Handler = (...args: unknown[]) => unknown;

/** The handler of each command id. */
export function commandHandlers(deps: CommandDeps): Record<string, Handler> {
  return {
    'dicomNetwork.addNode': (arg) => addNode(deps, arg),
    'dicomNetwork.editNode': (arg) => editNode(deps, arg),
    'dicomNetwork.removeNode': (arg) => removeNodeCommand(deps, arg),
    'dicomNetwork.echoNode': (arg) => echoNode(deps, arg),
    'dicomNetwork.queryNode': (arg) => queryNode(deps, arg),
    'dicomNetwork.refresh': (arg) => refresh(deps, arg),
    'dicomNetwork.find': (arg) => find(deps, arg),
    'dicomNetwork.worklist': (arg) => worklist(deps, arg),
    'dicomNetwork.retrieve': (arg) => retrieve(deps, arg),
    'dicomNetwork.retrieveItem': (arg) => retrieveItem(deps, arg),
    'dicomNetwork.openItem': (arg) => openItem(deps, arg),
    'dicomNetwork.copyUid': (arg) => copyUid(arg),
    'dicomNetwork.sendViaCStore': (first, second, third) => sendViaCStore(deps, first, second, third),
    'dicomNetwork.requestStorageCommitment': (first, second) => requestStorageCommitment(deps, first, second),
    'dicomNetwork.startLocalScp': () => startLocalScp(deps),
    'dicomNetwork.stopLocalScp': () => stopLocalScp(deps),
    'dicomNetwork.localScpMenu': () => localScpMenu(deps),
    'dicomNetwork.copyAeConfiguration': () => copyAeConfiguration(deps),
    'dicomNetwork.revealStorageFolder': () => revealStorageFolder(deps),
    'dicomNetwork.showLog': () => deps.log.show(),
    'dicomNetwork.showAssociation': (arg) => showAssociation(deps, arg),
    'dicomNetwork.copyAssociationText': (arg) => associationAction(deps, 'copyText', arg),
    'dicomNetwork.exportAssociationJson': (arg, target) => associationAction(deps, 'exportJson', arg, target),
    'dicomNetwork.copyAssociationDcmtk': (arg) => associationAction(deps, 'copyDcmtk', arg),
  };
}

/** Registers the handlers; `onUse` runs first on every call. A handler that throws is a bug: it is logged and shown. */
export function registerCommands(handlers: Record<string, Handler>, log: Log, onUse: () => void): vscode.Disposable[] {
  return Object.entries(handlers).map(([id, handler]) => vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    // One line per invocation at debug level: the UI tests read it to know a menu pick was taken.
    log.debug(`command ${id} started`);
    onUse();
    try {
      return await handler(...args);
    } catch (error) {
      // A bug, not a DICOM failure (those are reported by the handlers): say so, keep the stack in the log.
      const message = error instanceof Error ? error.message : String(error);
      log.error(`${id} failed: ${error instanceof Error ? error.stack ?? message : message}`);
      void vscode.window.showErrorMessage(`DICOM: ${message}`, 'Show Log').then((c) => { if (c) log.show(); });
      return undefined;
    }
  }));
}
