// A request handed to a worker thread, awaited by one caller: settled exactly once, whichever of
// the worker's answer, a failure or the caller's abort comes first.

export interface PendingTask<T> {
  resolve: (result: T) => void;
  reject: (e: Error) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** Settles the task and disarms it: its abort listener goes, and later answers are dropped. */
export function settleTask<T>(p: PendingTask<T>, result: T | Error): void {
  if (p.onAbort) p.signal?.removeEventListener('abort', p.onAbort);
  p.onAbort = undefined;
  const { resolve, reject } = p;
  p.resolve = () => undefined;
  p.reject = () => undefined;
  if (result instanceof Error) reject(result);
  else resolve(result);
}
