// Processes for the benchmark: timed runs (wall time, peak RSS through /usr/bin/time), long-running
// servers (peak RSS from /proc/<pid>/status VmHWM, read before stopping them), free ports, a
// scratch folder on tmpfs, and cleanup of everything started when the benchmark ends.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statfsSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { waitForPort, waitForUrl } from '../../test/helpers/peers';

export const TIME_BINARY = '/usr/bin/time';
export const HAVE_TIME = existsSync(TIME_BINARY);

/** Process groups we started (each child is a group leader), killed when the benchmark ends. */
const started = new Map<number, ChildProcess>();

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export function killEverythingStarted(): void {
  for (const pid of started.keys()) killGroup(pid, 'SIGKILL');
  started.clear();
}

let scratchRoot: string | undefined;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes scratch folders left by benchmark runs that were killed (their process is gone). */
export function removeStaleScratch(parents: string[]): void {
  for (const parent of parents) {
    let names: string[];
    try {
      names = readdirSync(parent);
    } catch {
      continue;
    }
    for (const name of names) {
      const m = /^dicomnet-bench-(\d+)$/.exec(name);
      if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) rmSync(path.join(parent, name), { recursive: true, force: true });
    }
  }
}

/** A scratch folder for receivers: on /dev/shm when it has room (receivers then measure the network, not the disk). */
export function scratch(name: string, fallbackParent: string, needBytes = 2 ** 30): string {
  if (!scratchRoot) {
    let parent = fallbackParent;
    try {
      const fs = statfsSync('/dev/shm');
      if (fs.bavail * fs.bsize > needBytes * 3) parent = '/dev/shm';
    } catch {
      // no /dev/shm: use the data folder
    }
    scratchRoot = path.join(parent, `dicomnet-bench-${process.pid}`);
    mkdirSync(scratchRoot, { recursive: true });
  }
  const dir = path.join(scratchRoot, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function scratchIsTmpfs(): boolean {
  return scratchRoot?.startsWith('/dev/shm/') ?? false;
}

export function removeScratch(): void {
  if (scratchRoot) rmSync(scratchRoot, { recursive: true, force: true });
  scratchRoot = undefined;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function tail(file: string, bytes: number = 4000): string {
  try {
    const text = readFileSync(file, 'latin1');
    return text.length > bytes ? `…${text.slice(-bytes)}` : text;
  } catch {
    return '';
  }
}

/** The number /usr/bin/time -f %M wrote (KiB), on its last line. */
function readTimeRss(file: string): number | undefined {
  try {
    const lines = readFileSync(file, 'latin1').trim().split('\n');
    const n = Number(lines[lines.length - 1]);
    return Number.isFinite(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

export interface RunSpec {
  cmd: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs: number;
  /** Where stdout and stderr go (a file, so the benchmark's own event loop never carries them). */
  logFile: string;
}

export interface TimedRun {
  ms: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Peak RSS of the process (and its waited-for children), KiB. */
  rssKb?: number;
  /** The end of what it printed. */
  output(): string;
  /** All it printed. */
  fullOutput(): string;
}

function spawnLogged(spec: Omit<RunSpec, 'timeoutMs'>, withTime: string | undefined): ChildProcess {
  const fd = openSync(spec.logFile, 'a');
  const [cmd, args] = withTime ? [TIME_BINARY, ['-f', '%M', '-o', withTime, spec.cmd, ...spec.args]] : [spec.cmd, spec.args];
  try {
    const child = spawn(cmd, args, {
      env: { ...process.env, ...spec.env },
      cwd: spec.cwd,
      stdio: ['ignore', fd, fd],
      detached: true,
    });
    if (child.pid) started.set(child.pid, child);
    child.once('exit', () => { if (child.pid) started.delete(child.pid); });
    return child;
  } finally {
    closeSync(fd);
  }
}

/** Runs a command to its end, timed from just before spawn to its exit. */
export function runTimed(spec: RunSpec): Promise<TimedRun> {
  const rssFile = HAVE_TIME ? `${spec.logFile}.rss` : undefined;
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawnLogged(spec, rssFile);
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; if (child.pid) killGroup(child.pid, 'SIGKILL'); }, spec.timeoutMs);
    child.once('error', (e) => { clearTimeout(timer); reject(e); });
    child.once('exit', (code, signal) => {
      const ms = performance.now() - t0;
      clearTimeout(timer);
      resolve({
        ms, code, signal, timedOut, rssKb: rssFile ? readTimeRss(rssFile) : undefined,
        output: () => tail(spec.logFile), fullOutput: () => tail(spec.logFile, Infinity),
      });
    });
  });
}

export interface ServerSpec extends Omit<RunSpec, 'timeoutMs'> {
  name: string;
  /** How to know it is ready: a TCP port accepting, or an HTTP URL answering 200. */
  ready: { port: number } | { url: string };
  /**
   * How to read its peak RSS: VmHWM of the process itself, or /usr/bin/time around it (a server
   * that forks a child per association: the largest process of the tree).
   */
  rss: 'vmhwm' | 'time';
  startTimeoutMs?: number;
}

export interface Server {
  name: string;
  pid: number;
  /** Peak RSS so far (KiB), for 'vmhwm' servers. */
  peakRssKb(): number | undefined;
  /** Stops it (SIGTERM, then SIGKILL after 10 s); resolves with its peak RSS (KiB) when known. */
  stop(): Promise<number | undefined>;
  output(): string;
}

function vmHwmKb(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

function firstChild(pid: number): number | undefined {
  try {
    const n = Number(readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1').trim().split(/\s+/)[0]);
    return n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

export async function startServer(spec: ServerSpec): Promise<Server> {
  const rssFile = spec.rss === 'time' && HAVE_TIME ? `${spec.logFile}.rss` : undefined;
  const child = spawnLogged(spec, rssFile);
  const pid = child.pid;
  if (!pid) throw new Error(`${spec.name} did not start (${spec.cmd})`);
  let exited = child.exitCode !== null;
  const exit = new Promise<void>((resolve) => child.once('exit', () => { exited = true; resolve(); }));
  // The process whose memory and signals matter: the server itself, not /usr/bin/time around it.
  const serverPid = () => (rssFile ? firstChild(pid) : pid);
  const server: Server = {
    name: spec.name,
    pid,
    peakRssKb: () => {
      if (spec.rss !== 'vmhwm') return undefined;
      const p = serverPid();
      return p ? vmHwmKb(p) : undefined;
    },
    async stop() {
      const rss = spec.rss === 'vmhwm' ? server.peakRssKb() : undefined;
      if (!exited) {
        const target = serverPid();
        try {
          if (target) process.kill(target, 'SIGTERM');
          else killGroup(pid, 'SIGTERM');
        } catch {
          // gone already
        }
        const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), 10_000);
        await exit;
        clearTimeout(timer);
      }
      killGroup(pid, 'SIGKILL'); // anything it forked and left behind
      return rss ?? (rssFile ? readTimeRss(rssFile) : undefined);
    },
    output: () => tail(spec.logFile),
  };
  try {
    const timeoutMs = spec.startTimeoutMs ?? 20_000;
    if ('port' in spec.ready) {
      await waitForPort(spec.ready.port, { timeoutMs, name: spec.name, alive: () => !exited });
    } else {
      await waitForUrl(spec.ready.url, { timeoutMs, name: spec.name, alive: () => !exited });
    }
  } catch (error) {
    await server.stop();
    throw new Error(`${spec.name} did not become ready: ${(error as Error).message}\n${server.output()}`);
  }
  return server;
}

/** Regular files below `dir` (dot-files and dot-folders, e.g. an archive's index, not counted). */
export function countFiles(dir: string): number {
  let n = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    if (e.isDirectory()) n += countFiles(path.join(dir, e.name));
    else if (e.isFile() && !e.name.endsWith('.part') && !e.name.endsWith('.tmp')) n++;
  }
  return n;
}

/** Waits (up to `timeoutMs`) until `dir` holds `expected` files; returns when it did, or the count it reached. */
export async function waitForFiles(dir: string, expected: number, timeoutMs: number): Promise<{ complete: boolean; count: number; atMs: number }> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const count = countFiles(dir);
    const atMs = performance.now();
    if (count >= expected) return { complete: true, count, atMs };
    if (atMs > deadline) return { complete: false, count, atMs };
    await sleep(5);
  }
}

export function commandVersion(cmd: string, args: string[], pattern: RegExp): string | undefined {
  try {
    const r = spawnSync(cmd, args, { encoding: 'latin1', timeout: 5000 });
    const m = pattern.exec(`${r.stdout ?? ''}${r.stderr ?? ''}`);
    return m?.[1];
  } catch {
    return undefined;
  }
}

export function hasCommand(cmd: string): boolean {
  if (cmd.includes('/')) return existsSync(cmd);
  return (process.env.PATH ?? '').split(':').some((p) => p && existsSync(path.join(p, cmd)));
}
