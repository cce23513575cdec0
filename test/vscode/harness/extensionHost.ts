// Runs a mocha suite inside VS Code's extension host (the @vscode/test-electron contract: a
// module exporting `run()`), using code-server's smoke-test driver instead of desktop Electron.
import { resolve } from 'node:path';
import { format } from 'node:util';
import { launchBrowser, type LaunchedBrowser, type SharedBrowser } from './browser';
import { startCodeServer, type CodeServer } from './codeServer';
import { suiteStartMarker } from './protocol';
import { workbenchUrl } from './workbench';

export interface ExtensionHostSuiteOptions {
  /** Extension folder loaded as under development (its package.json `main` must be built). */
  extensionDir: string;
  /** Compiled module exporting `run(): Promise<void>`. */
  suitePath: string;
  /** Folder opened in the workbench. */
  workspaceDir: string;
  timeoutMs?: number;
  /** Settings merged over the harness defaults. */
  userSettings?: Record<string, unknown>;
  /** Receives each log message (may span lines); default: the suite's output goes to stdout. */
  onMessage?: (text: string, level: string) => void;
  /** Also print workbench/server log lines (noisy; for debugging the harness). */
  verbose?: boolean;
  /** A window of this Chromium instead of one launched for the suite. */
  browser?: SharedBrowser;
}

export interface ExtensionHostSuiteResult {
  /** The suite's exit code as VS Code reports it; 1 on timeout or a failed start. */
  exitCode: number;
  /** Every log line received (workbench and extension host), in order. */
  log: string[];
  timedOut: boolean;
}

// Workbench chatter that is not the suite's: failed look-ups (no network beyond loopback),
// account-policy messages, and the workbench's own errors (their stacks point into its code,
// e.g. cancellations while the extension host shuts down after the suite).
const noise = [
  /ENOTFOUND/,
  /authentication provider '\w+' to register/,
  /^\[(AccountPolicyGate|AgentHost\S*)\]/,
  /^Canceled/,
  /\/static\/out\/vs\//,
];

/**
 * The workbench hands over log calls as (level, args): console calls from the extension host
 * arrive as their argument list, e.g. ["  %d passing (%s)", 4, "2s"].
 */
function formatLogMessage(message: unknown): string {
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return format(...(message as unknown[]));
  return JSON.stringify(message);
}

export async function runExtensionHostSuite(options: ExtensionHostSuiteOptions): Promise<ExtensionHostSuiteResult> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const log: string[] = [];
  // Extension-host console lines and the workbench's own log arrive on the same channel; the
  // suite entry prints a marker when mocha starts, and lines from there on are the suite's.
  let suiteStarted = false;
  const print =
    options.onMessage ??
    ((text: string, level: string) => {
      if (text.includes(suiteStartMarker)) suiteStarted = true;
      else if (options.verbose) process.stdout.write(`[workbench ${level}] ${text}\n`);
      else if (suiteStarted && !noise.some((re) => re.test(text))) process.stdout.write(`${text}\n`);
    });

  let server: CodeServer | undefined;
  let browser: LaunchedBrowser | undefined;
  try {
    server = await startCodeServer({
      workspaceDir: options.workspaceDir,
      smokeTestDriver: true,
      userSettings: options.userSettings,
      echoOutput: options.verbose,
    });
    browser = options.browser ? await options.browser.newWindow() : await launchBrowser();
    const { page } = browser;

    let finish!: (code: number) => void;
    const exited = new Promise<number>((r) => (finish = r));
    await page.exposeFunction('codeAutomationLog', (level: unknown, message: unknown) => {
      const text = formatLogMessage(message);
      log.push(...text.split(/\r?\n/));
      print(text, String(level));
    });
    await page.exposeFunction('codeAutomationExit', (code: unknown) => {
      finish(typeof code === 'number' ? code : 1);
    });
    page.on('pageerror', (err) => log.push(`[pageerror] ${err.message}`));

    await page.goto(
      workbenchUrl(server, {
        folder: options.workspaceDir,
        extensionDevelopmentPath: resolve(options.extensionDir),
        extensionTestsPath: resolve(options.suitePath),
      }),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const outcome = await Promise.race([exited, timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      log.push(`[harness] the extension-host suite did not finish within ${timeoutMs} ms`);
      return { exitCode: 1, log, timedOut: true };
    }
    return { exitCode: outcome, log, timedOut: false };
  } catch (err) {
    log.push(`[harness] ${err instanceof Error ? err.message : String(err)}`);
    return { exitCode: 1, log, timedOut: false };
  } finally {
    await browser?.close();
    await server?.stop();
  }
}
