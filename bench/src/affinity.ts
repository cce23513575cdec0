// CPU affinity for scenario 8's emulation of a flood from another machine (--pin-flood): commands
// started under `taskset -c`, and this process's threads pinned (and restored) with `taskset -a -p`.
// taskset execs the command, so a server's pid stays the pid of the process measured.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

/** `cmd args` run on the given CPUs (a taskset list such as "0" or "1"). */
export function onCores(cores: string, cmd: string, args: string[]): { cmd: string; args: string[] } {
  return { cmd: 'taskset', args: ['-c', cores, cmd, ...args] };
}

function taskset(args: string[]): string {
  const r = spawnSync('taskset', args, { encoding: 'latin1' });
  if (r.error || r.status !== 0) throw new Error(`taskset ${args.join(' ')} failed: ${r.error?.message ?? r.stderr.trim()}`);
  return r.stdout;
}

/** Pins every thread of this process to `cores`; returns what puts the previous affinity back. */
export function pinSelf(cores: string): () => void {
  const before = /affinity list:\s*(\S+)/.exec(taskset(['-c', '-p', String(process.pid)]))?.[1];
  if (!before) throw new Error('taskset did not report this process\'s affinity');
  taskset(['-a', '-c', '-p', cores, String(process.pid)]);
  return () => { taskset(['-a', '-c', '-p', before, String(process.pid)]); };
}

/** Whether pinning to cores 0 and 1 can work here: two CPUs or more, and taskset present. */
export function canPinTwoCores(): boolean {
  if (availableParallelism() < 2) return false;
  const r = spawnSync('taskset', ['-c', '-p', String(process.pid)], { encoding: 'latin1' });
  return !r.error && r.status === 0 && /affinity list:\s*0[-,]/.test(r.stdout);
}
