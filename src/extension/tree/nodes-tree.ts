// The Nodes view as commands change it: its provider's refreshes and the view's reveal.
import type * as vscode from 'vscode';
import type { NodesTree } from '../commands/deps';
import type { TreeElement } from './elements';
import type { NodesProvider } from './nodes-provider';

export function nodesTree(provider: NodesProvider, view: vscode.TreeView<TreeElement>): NodesTree {
  return {
    refresh: (element, options) => provider.refresh(element, options),
    refreshNode: (name, options) => provider.refreshNode(name, options),
    rootOf: (name) => provider.rootOf(name),
    reveal: async (element) => {
      try {
        await view.reveal(element, { expand: true, select: false, focus: false });
      } catch {
        // the view may be hidden or disposed: nothing to show then
      }
    },
  };
}
