// CPU time of a piece of work, for the few unit tests that guard against a pathological cost
// (backtracking, copying a large value, reading a whole file for its header). Wall time would
// also count the time other processes on a loaded machine take from this one; the CPU time this
// process spends (user + system, all its threads) does not.

export interface Measured<T> {
  result: T;
  /** CPU milliseconds this process spent meanwhile. */
  cpuMs: number;
}

function since(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

export function cpuTimeOf<T>(work: () => T): Measured<T> {
  const start = process.cpuUsage();
  const result = work();
  return { result, cpuMs: since(start) };
}

export async function cpuTimeOfAsync<T>(work: () => Promise<T>): Promise<Measured<T>> {
  const start = process.cpuUsage();
  const result = await work();
  return { result, cpuMs: since(start) };
}
