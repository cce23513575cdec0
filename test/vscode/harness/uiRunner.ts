// A tiny runner for Playwright tests against the workbench. Test modules call uiTest() when
// loaded; runUiTests() starts one code-server with the extension installed (no smoke-test
// driver: the workbench behaves as for a person, toasts included) and one Chromium, and gives
// every test a fresh browser context (no storage shared with other tests) and its own workspace
// folder. A test starts once the workbench shows and the extension has activated in its window.
// When a test fails, the runner prints what the next person needs to see the cause: the
// screenshot, the notifications and the end of the extension's log.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startBrowser, type SharedBrowser } from './browser';
import { startCodeServer, type CodeServer } from './codeServer';
import { attachExtensionLog, ExtensionLog, LOG_CHANNEL } from './extensionLog';
import { readNotifications, saveScreenshot, visibleToasts, waitForShell, workbenchUrl } from './workbench';

export interface UiTestContext {
  /** Already showing the workbench on `workspaceDir`, the extension active. */
  page: Page;
  server: CodeServer;
  /** The extension's log in this window (its channel at debug level). */
  log: ExtensionLog;
  /** Empty folder of this test, opened in the workbench. */
  workspaceDir: string;
  /** Saves test-results/vscode/<name>.png. */
  screenshot(name: string): Promise<string>;
}

interface RegisteredTest {
  name: string;
  fn: (ctx: UiTestContext) => Promise<void>;
  timeoutMs: number;
  prepare?: (workspaceDir: string) => void | Promise<void>;
}

export interface UiTestOptions {
  /** Default 90 s, page load included. */
  timeoutMs?: number;
  /** Runs before the workbench opens the test's workspace folder (e.g. to put files or settings in it). */
  prepare?: (workspaceDir: string) => void | Promise<void>;
}

const registered: RegisteredTest[] = [];

/** Registers a UI test (default timeout 90 s, page load included). */
export function uiTest(name: string, fn: (ctx: UiTestContext) => Promise<void>, options: UiTestOptions = {}): void {
  registered.push({ name, fn, timeoutMs: options.timeoutMs ?? 90_000, prepare: options.prepare });
}

export interface UiRunOptions {
  /** Extension folder installed into the server (its package.json `main` must be built). */
  extensionDir?: string;
  /** Instead of a folder: a VSIX installed into a fresh extensions folder, as a user installs it. */
  vsix?: string;
  /** Printed as the heading of the run (default "UI tests (code-server + Chromium)"). */
  title?: string;
  /** Parent of the per-test workspace folders. */
  workspaceRoot: string;
  /** Compiled test modules to load (they register tests with uiTest). */
  files: string[];
  /** Runs only tests whose name contains this. */
  grep?: string;
  userSettings?: Record<string, unknown>;
  /** The Chromium to open the windows in (default: one started for the run). */
  browser?: SharedBrowser;
}

export interface UiRunResult {
  passed: number;
  failed: number;
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms.`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The extension's line once activate() has run (src/extension/extension.ts), e.g. "DICOM Network 0.1.0 activated in 4.0 ms". */
const ACTIVATED = /\bDICOM Network\b.*\bactivated\b/;

export async function runUiTests(options: UiRunOptions): Promise<UiRunResult> {
  if (!options.extensionDir === !options.vsix) throw new Error('runUiTests takes an extensionDir or a vsix (one of them).');
  // Only the tests these files register: one run after another (run.ts) loads other files.
  const before = registered.length;
  for (const file of options.files) require(file);
  const tests = registered.slice(before).filter((t) => !options.grep || t.name.includes(options.grep));
  const result: UiRunResult = { passed: 0, failed: 0 };
  if (tests.length === 0) return result;

  console.log(`\n  ${options.title ?? 'UI tests (code-server + Chromium)'}`);
  let server: CodeServer | undefined;
  let browser: SharedBrowser | undefined;
  try {
    [server, browser] = await Promise.all([
      startCodeServer({ extensionDir: options.extensionDir, vsix: options.vsix, userSettings: options.userSettings }),
      options.browser ?? startBrowser(),
    ]);
  } catch (err) {
    console.log(`    ✖ starting code-server and Chromium: ${err instanceof Error ? err.message : String(err)}`);
    if (!options.browser) await browser?.close();
    await server?.stop();
    return { passed: 0, failed: tests.length };
  }
  // The manifest of what the server runs: the installed copy of a VSIX, or the extension folder.
  const extensionDir = server.installedExtensionDir ?? options.extensionDir!;
  const manifest = JSON.parse(readFileSync(join(extensionDir, 'package.json'), 'utf8')) as Parameters<typeof ExtensionLog.forNextWindow>[1];
  const extensionId = `${manifest.publisher}.${manifest.name}`;
  try {
    for (const t of tests) {
      const started = Date.now();
      const workspaceDir = join(options.workspaceRoot, slug(t.name));
      mkdirSync(workspaceDir, { recursive: true });
      const window = await browser.newWindow();
      const { page } = window;
      const log = ExtensionLog.forNextWindow(server.userDataDir, manifest);
      attachExtensionLog(page, log);
      const pageErrors: string[] = [];
      page.on('pageerror', (err) => pageErrors.push(err.message));
      let ready: number | undefined;
      const took = () => `${Date.now() - started}ms${ready ? `, window ready after ${ready - started}ms` : ''}`;
      try {
        await withTimeout(
          (async () => {
            await t.prepare?.(workspaceDir);
            await page.goto(workbenchUrl(server, { folder: workspaceDir, extensionLogLevels: { [extensionId]: 'debug' } }));
            await waitForShell(page);
            await log.waitForLine(ACTIVATED, `the extension to activate in this window (its "DICOM Network … activated" line)`, 60_000);
            ready = Date.now();
            await t.fn({ page, server, log, workspaceDir, screenshot: (name) => saveScreenshot(page, name) });
          })(),
          t.timeoutMs,
          `"${t.name}"`,
        );
        result.passed++;
        console.log(`    ✔ ${t.name} (${took()})`);
      } catch (err) {
        result.failed++;
        console.log(`    ✖ ${t.name} (${took()})`);
        console.log(indent(err instanceof Error ? (err.stack ?? err.message) : String(err)));
        console.log(indent(await failureReport(page, log, t.name)));
        if (pageErrors.length > 0) console.log(indent(`page errors:\n${pageErrors.slice(-10).join('\n')}`));
      } finally {
        await window.close();
      }
    }
  } finally {
    if (!options.browser) await browser.close();
    await server.stop();
  }
  return result;
}

/**
 * What a failed test leaves for the next person: the screenshot, the notifications on screen and
 * in the notification center, and the end of the extension's log in the test's window.
 */
async function failureReport(page: Page, log: ExtensionLog, name: string): Promise<string> {
  const lines: string[] = [];
  const shot = await saveScreenshot(page, `FAILED-${slug(name)}`).catch((e: unknown) => `(none: ${String(e)})`);
  lines.push(`screenshot: ${shot}`);
  const bullets = (items: string[]) => (items.length ? items.map((t) => `  - ${t}`) : ['  (none)']);
  lines.push('notification toasts on screen:', ...bullets(await visibleToasts(page).catch(() => [])));
  // The center lists every notification of the window, toasts that timed out included.
  await page.keyboard.press('Escape').catch(() => undefined); // a menu or quick input left open
  const center = await readNotifications(page, 5_000).then(
    bullets,
    (e: unknown) => [`  (could not be read: ${e instanceof Error ? e.message.split('\n')[0] : String(e)})`],
  );
  lines.push('notification center:', ...center);
  const file = log.file();
  lines.push(file ? `last 40 lines of ${file}:` : `no ${LOG_CHANNEL} log was written in this window`, ...log.tail(40).map((l) => `  ${l}`));
  return lines.join('\n');
}

function indent(text: string): string {
  return text.replace(/^/gm, '      ');
}
