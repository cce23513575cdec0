// Starting and stopping peer processes (DCMTK, Orthanc, our own CLI) for tests, with bounded waits.
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { freePort, waitForPort } from './peers';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');

/**
 * The CLI's V8 code cache (src/cli/code-cache.ts) goes to a temporary folder in tests, never to
 * the user's cache folder: every process a test starts inherits DICOMNET_CACHE_DIR from here. The
 * suite runner (scripts/test.mjs) names one folder for its whole run (DICOMNET_TEST_CODE_CACHE_DIR)
 * and removes it at the end; a test process started some other way makes its own, which processes
 * it starts share, and removes it when it exits. The code cache's own tests name folders of theirs.
 */
export const TEST_CODE_CACHE_DIR = process.env.DICOMNET_TEST_CODE_CACHE_DIR || (() => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dicomnet-test-code-cache-'));
  process.env.DICOMNET_TEST_CODE_CACHE_DIR = dir;
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
})();
process.env.DICOMNET_CACHE_DIR = TEST_CODE_CACHE_DIR;

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command to completion (killed after timeoutMs). */
export function run(cmd: string, args: readonly string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(cmd, args, { env: { ...process.env, ...options.env }, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    // A tool that exits before reading its input must not fail the caller with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.once('error', (e) => { clearTimeout(timer); reject(e); });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Runs our CLI (the built dist/cli.js). */
export function dicomnet(args: readonly string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<RunResult> {
  return run(process.execPath, [CLI, ...args], options);
}

/**
 * How long a process may take to print what is waited for. A number is wall time; the default
 * is a budget of the process's own CPU time (10 s), which a loaded machine does not use up by
 * slowing the process down, with a wall-time guard (2 minutes) for a process that waits forever.
 */
export type WaitLimit = number | { cpuMs: number; wallMs?: number };

export interface Background {
  child: ChildProcess;
  output(): string;
  /** False once the process has exited. */
  running(): boolean;
  /**
   * Resolves when the output matches; fails at once when the process exits first. from: match only
   * the output after this offset (output().length before the action whose effect is awaited).
   */
  waitFor(pattern: RegExp, limit?: WaitLimit, from?: number): Promise<RegExpMatchArray>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** CPU time (user + system, ms) process `pid` has used, from /proc; undefined off Linux or once it is gone. */
export function cpuTimeMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // After "pid (comm) ": state is field 3 of stat(5), utime 14 and stime 15, in 1/100 s.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

const running = new Set<ChildProcess>();
process.once('exit', () => { for (const c of running) c.kill('SIGKILL'); });

/** Starts a long-running process; its stdout and stderr are collected together. */
export function start(cmd: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Background {
  const child = spawn(cmd, args, { env: { ...process.env, ...options.env }, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => { output += d.toString(); for (const l of listeners) l(); };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { running.delete(child); for (const l of listeners) l(); resolve(code); }));
  return {
    child,
    output: () => output,
    running: () => child.exitCode === null && child.signalCode === null,
    waitFor(pattern, limit = { cpuMs: 10_000 }, from = 0) {
      const { cpuMs, wallMs } = typeof limit === 'number' ? { cpuMs: undefined, wallMs: limit } : { cpuMs: limit.cpuMs, wallMs: limit.wallMs ?? 120_000 };
      const cpuAtStart = child.pid !== undefined ? cpuTimeMs(child.pid) : undefined;
      return new Promise((resolve, reject) => {
        // What a failure shows: the end of the output after `from`.
        const recent = () => output.slice(from).slice(-3000);
        const check = () => {
          const m = output.slice(from).match(pattern);
          if (m) { cleanup(); resolve(m); return; }
          if (child.exitCode !== null || child.signalCode !== null) {
            cleanup();
            reject(new Error(`${cmd} exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}: ${recent()}`));
          }
        };
        const fail = (why: string) => { cleanup(); reject(new Error(`${cmd} did not print ${pattern} ${why}: ${recent()}`)); };
        const timer = setTimeout(() => fail(`within ${wallMs} ms`), wallMs);
        const cpuWatch = cpuMs !== undefined && cpuAtStart !== undefined ? setInterval(() => {
          const used = cpuTimeMs(child.pid!);
          if (used !== undefined && used - cpuAtStart > cpuMs) fail(`in ${used - cpuAtStart} ms of its CPU time`);
        }, 100) : undefined;
        const cleanup = () => { clearTimeout(timer); clearInterval(cpuWatch); listeners.delete(check); };
        listeners.add(check);
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        const code = await exited;
        clearTimeout(timer);
        return code;
      }
      return child.exitCode;
    },
  };
}

/**
 * Waits for a process just started to be ready; when it is not, stops it before failing (a
 * process left running would keep the test file from ever exiting).
 */
export async function readyOrStopped<T>(bg: Background, ready: Promise<T>): Promise<T> {
  try {
    return await ready;
  } catch (error) {
    await bg.stop('SIGKILL');
    throw error;
  }
}

/** Starts `dicomnet scp` on a port the system gives it (--port 0) and waits until it listens there. */
export async function startScp(args: readonly string[] = [], options: { cwd?: string; openFileLimit?: number } = {}): Promise<Background & { port: number }> {
  const command = [process.execPath, CLI, 'scp', '--port', '0', '--bind', '127.0.0.1', ...args];
  // `ulimit -n` sets the soft and the hard limit, so Node cannot raise it at start-up.
  const bg = options.openFileLimit === undefined
    ? start(command[0]!, command.slice(1), options)
    : start('bash', ['-c', `ulimit -n ${options.openFileLimit} && exec "$@"`, 'bash', ...command], options);
  const listening = await readyOrStopped(bg, bg.waitFor(/listening on 127\.0\.0\.1:(\d+)/));
  return Object.assign(bg, { port: Number(listening[1]) });
}

/** Starts DCMTK's storescp on a free port and waits until it listens. */
export async function startStorescp(args: readonly string[] = [], env: NodeJS.ProcessEnv = { TCP_NODELAY: '1' }): Promise<Background & { port: number }> {
  const port = await freePort();
  const bg = start('storescp', [...args, String(port)], { env });
  await readyOrStopped(bg, waitForPort(port, { name: 'storescp', alive: bg.running }));
  return Object.assign(bg, { port });
}
