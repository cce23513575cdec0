// Long work (store, move, get) under a cancellable progress notification with counts.
import vscode = require('vscode');

export interface ProgressReporter {
  /** Shows "message" and moves the bar to done/total (when the total is known). */
  report(message: string, done?: number, total?: number): void;
}

/** Runs `task` under a notification with a Cancel button; cancelling aborts the signal. */
export function withCancellableProgress<T>(title: string, task: (progress: ProgressReporter, signal: AbortSignal) => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort());
    let shownPercent = 0;
    const reporter: ProgressReporter = {
      report(message, done, total) {
        let increment: number | undefined;
        if (done !== undefined && total !== undefined && total > 0) {
          const percent = Math.min(100, (100 * done) / total);
          increment = Math.max(0, percent - shownPercent);
          shownPercent = Math.max(shownPercent, percent);
        }
        progress.report({ message, increment });
      },
    };
    try {
      return await task(reporter, controller.signal);
    } finally {
      subscription.dispose();
    }
  });
}
