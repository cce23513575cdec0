// Every contributed command, registered at activation. The handlers load the engine only when
// they run.
import * as vscode from 'vscode';
import type { App } from '../app';
import { echoNode } from './echo';
import { copyAeConfiguration, localScpMenu, revealStorageFolder, startLocalScp, stopLocalScp } from './local-scp';
import { addNode, editNode, removeNodeCommand } from './nodes';
import { find, queryNode, refresh, worklist } from './query';
import { copyUid, openItem, retrieve, retrieveItem } from './retrieve';
import { sendViaCStore } from './send';

type Handler = (app: App, ...args: unknown[]) => unknown;

export const COMMANDS: Record<string, Handler> = {
  'dicomNetwork.addNode': addNode,
  'dicomNetwork.editNode': editNode,
  'dicomNetwork.removeNode': removeNodeCommand,
  'dicomNetwork.echoNode': echoNode,
  'dicomNetwork.queryNode': queryNode,
  'dicomNetwork.refresh': refresh,
  'dicomNetwork.find': find,
  'dicomNetwork.worklist': worklist,
  'dicomNetwork.retrieve': retrieve,
  'dicomNetwork.retrieveItem': retrieveItem,
  'dicomNetwork.openItem': openItem,
  'dicomNetwork.copyUid': copyUid,
  'dicomNetwork.sendViaCStore': sendViaCStore,
  'dicomNetwork.startLocalScp': startLocalScp,
  'dicomNetwork.stopLocalScp': stopLocalScp,
  'dicomNetwork.localScpMenu': localScpMenu,
  'dicomNetwork.copyAeConfiguration': copyAeConfiguration,
  'dicomNetwork.revealStorageFolder': revealStorageFolder,
  'dicomNetwork.showLog': (app) => app.log.show(),
};

export function registerCommands(app: App, onUse: () => void): vscode.Disposable[] {
  return Object.entries(COMMANDS).map(([id, handler]) => vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    // One line per invocation at debug level: the UI tests read it to know a menu pick was taken.
    app.log.debug(`command ${id} started`);
    onUse();
    try {
      return await handler(app, ...args);
    } catch (error) {
      // A bug, not a DICOM failure (those are reported by the handlers): say so, keep the stack in the log.
      const message = error instanceof Error ? error.message : String(error);
      app.log.error(`${id} failed: ${error instanceof Error ? error.stack ?? message : message}`);
      void vscode.window.showErrorMessage(`DICOM: ${message}`, 'Show Log').then((c) => { if (c) app.log.show(); });
      return undefined;
    }
  }));
}
