// The webview's side of VS Code: acquireVsCodeApi() may be called once per page.

export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

let api: VsCodeApi | undefined;

export function vscodeApi(): VsCodeApi {
  api ??= acquireVsCodeApi();
  return api;
}

/** Calls `handler` with the data of every message the host posts. */
export function onHostMessage(handler: (data: unknown) => void): void {
  window.addEventListener('message', (event: MessageEvent) => handler(event.data));
}
