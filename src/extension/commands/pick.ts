// Asking for what a command lacks: a node, a text, a choice.
import vscode = require('vscode');
import type { Capability, NodeBackend } from '../backends';
import type { NodeDirectory } from '../backends';
import type { AnyNode } from '../config';
import type { NodeState } from '../state';
import { isNodeElement } from '../tree';

export interface NodeChoices {
  nodes: NodeDirectory;
  state: Pick<NodeState, 'echoStatus'>;
}

/** A node named by a command argument: a tree element, a name, or { node: name }. */
export function nodeFromArgument(nodes: NodeDirectory, arg: unknown): NodeBackend | undefined {
  if (isNodeElement(arg)) return nodes.current(arg.node);
  if (arg && typeof arg === 'object' && 'node' in arg) {
    const n = (arg as { node: unknown }).node;
    if (typeof n === 'string') return nodes.named(n);
    if (n && typeof n === 'object' && typeof (n as AnyNode).name === 'string') return nodes.current(n as AnyNode);
  }
  if (typeof arg === 'string') return nodes.named(arg);
  return undefined;
}

export interface PickNodeOptions {
  title: string;
  /** What the command needs of the node (default: nothing in particular). */
  needs?: Capability;
  /** List only nodes usable now (the local archive while its SCP runs). */
  onlyAvailable?: boolean;
}

/** The node from the argument, or one picked from a list (undefined when the person cancels). */
export async function pickNode({ nodes, state }: NodeChoices, arg: unknown, options: PickNodeOptions): Promise<NodeBackend | undefined> {
  const fits = (b: NodeBackend) => options.needs === undefined || b.supports(options.needs);
  const given = nodeFromArgument(nodes, arg);
  if (given) {
    if (fits(given)) return given;
    void vscode.window.showWarningMessage(`${options.title}: ${given.node.name} is ${given.kindLabel}, which this command does not work with.`);
    return undefined;
  }
  if (typeof arg === 'string' || (arg && typeof arg === 'object' && 'node' in arg)) {
    void vscode.window.showErrorMessage(`${options.title}: there is no node named "${typeof arg === 'string' ? arg : String((arg as { node: unknown }).node)}".`);
    return undefined;
  }
  const candidates = nodes.all().filter((b) => fits(b) && !(options.onlyAvailable && !b.available()));
  if (candidates.length === 0) {
    const choice = await vscode.window.showInformationMessage(`${options.title}: there is no suitable node yet.`, 'Add Node…');
    if (choice) await vscode.commands.executeCommand('dicomNetwork.addNode');
    return undefined;
  }
  if (candidates.length === 1 && !candidates[0].builtIn) return candidates[0];
  const items = candidates.map((backend) => {
    const echo = state.echoStatus(backend.node.name);
    return {
      label: backend.node.name,
      description: backend.address(),
      detail: echo ? `last echo ${echo.ok ? 'succeeded' : `failed: ${echo.message}`}` : undefined,
      backend,
    };
  });
  const picked = await vscode.window.showQuickPick(items, { title: options.title, placeHolder: 'Choose a node', matchOnDescription: true });
  return picked?.backend;
}

export interface AskOptions {
  title: string;
  prompt: string;
  value?: string;
  placeHolder?: string;
  password?: boolean;
  /** Returns a problem sentence, or undefined when the text is fine. */
  validate?: (text: string) => string | undefined;
  /** Allow an empty answer. */
  optional?: boolean;
}

/** One line of text; undefined when the person cancels. */
export async function ask(options: AskOptions): Promise<string | undefined> {
  const text = await vscode.window.showInputBox({
    title: options.title,
    prompt: options.prompt,
    value: options.value,
    placeHolder: options.placeHolder,
    password: options.password,
    ignoreFocusOut: true,
    validateInput: (t) => {
      if (t.trim() === '' && !options.optional) return 'A value is needed (Escape cancels).';
      if (t.trim() === '') return undefined;
      return options.validate?.(t);
    },
  });
  return text === undefined ? undefined : text.trim();
}

export interface Choice<T> extends vscode.QuickPickItem {
  value: T;
}

export async function choose<T>(title: string, items: Choice<T>[], placeHolder?: string): Promise<T | undefined> {
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder, ignoreFocusOut: true });
  return picked?.value;
}

/**
 * A text with history: earlier entries to pick, or a new one typed. Resolves with the text
 * (possibly empty when `allowEmpty`), or undefined when cancelled.
 */
export function askWithHistory(title: string, placeHolder: string, history: readonly string[], allowEmpty = true): Promise<string | undefined> {
  return new Promise((resolve) => {
    const qp = vscode.window.createQuickPick<vscode.QuickPickItem>();
    qp.title = title;
    qp.placeholder = placeHolder;
    qp.ignoreFocusOut = true;
    const historyItems = history.map((h) => ({ label: h, description: 'used before' }));
    const update = () => {
      const typed = qp.value.trim();
      const first = typed !== '' && !history.includes(typed)
        ? [{ label: typed, description: 'as typed' }]
        : typed === '' && allowEmpty ? [{ label: '', description: 'no keys: default return keys only', alwaysShow: true }] : [];
      qp.items = [...first, ...historyItems];
    };
    update();
    let done = false;
    qp.onDidChangeValue(update);
    qp.onDidAccept(() => {
      const chosen = qp.selectedItems[0]?.label ?? qp.value.trim();
      done = true;
      qp.hide();
      resolve(chosen);
    });
    qp.onDidHide(() => {
      qp.dispose();
      if (!done) resolve(undefined);
    });
    qp.show();
  });
}
