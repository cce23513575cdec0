// The Nodes view as commands change it: its provider's refreshes and the view's reveal.
import type * as vscode from 'vscode';
import type { NodeElement, TreeElement } from './elements';
import type { NodesProvider } from './nodes-provider';

/** The Nodes view as commands change it. */
export interface NodesTree {
  /** Redraws an element (or everything); with `requery` (the default) its children are fetched again. */
  refresh(element?: TreeElement, options?: { requery?: boolean }): void;
  refreshNode(name: string, options?: { requery?: boolean }): void;
  rootOf(name: string): NodeElement | undefined;
  /** Shows a node in the view, expanded. */
  reveal(element: NodeElement): Promise<void>;
}

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
