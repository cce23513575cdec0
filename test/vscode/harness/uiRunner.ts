// A tiny runner for Playwright tests against the workbench. Test modules call uiTest() when
// loaded; runUiTests() starts one code-server with the extension installed (no smoke-test
// driver: the workbench behaves as for a person, toasts included) and gives every test a
// fresh Chromium profile and its own workspace folder.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser } from './browser';
import { startCodeServer, type CodeServer } from './codeServer';
import { saveScreenshot, waitForShell, workbenchUrl } from './workbench';

export interface UiTestContext {
  /** Already showing the workbench on `workspaceDir`. */
  page: Page;
  server: CodeServer;
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
  extensionDir: string;
  /** Parent of the per-test workspace folders. */
  workspaceRoot: string;
  /** Compiled test modules to load (they register tests with uiTest). */
  files: string[];
  /** Runs only tests whose name contains this. */
  grep?: string;
  userSettings?: Record<string, unknown>;
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

export async function runUiTests(options: UiRunOptions): Promise<UiRunResult> {
  for (const file of options.files) require(file);
  const tests = registered.filter((t) => !options.grep || t.name.includes(options.grep));
  const result: UiRunResult = { passed: 0, failed: 0 };
  if (tests.length === 0) return result;

  console.log('\n  UI tests (code-server + Chromium)');
  let server: CodeServer;
  try {
    server = await startCodeServer({ extensionDir: options.extensionDir, userSettings: options.userSettings });
  } catch (err) {
    console.log(`    ✖ starting code-server: ${err instanceof Error ? err.message : String(err)}`);
    return { passed: 0, failed: tests.length };
  }
  try {
    for (const t of tests) {
      const started = Date.now();
      const workspaceDir = join(options.workspaceRoot, slug(t.name));
      mkdirSync(workspaceDir, { recursive: true });
      const browser = await launchBrowser();
      const { page } = browser;
      const pageErrors: string[] = [];
      page.on('pageerror', (err) => pageErrors.push(err.message));
      try {
        await withTimeout(
          (async () => {
            await t.prepare?.(workspaceDir);
            await page.goto(workbenchUrl(server, { folder: workspaceDir }));
            await waitForShell(page);
            await t.fn({ page, server, workspaceDir, screenshot: (name) => saveScreenshot(page, name) });
          })(),
          t.timeoutMs,
          `"${t.name}"`,
        );
        result.passed++;
        console.log(`    ✔ ${t.name} (${Date.now() - started}ms)`);
      } catch (err) {
        result.failed++;
        console.log(`    ✖ ${t.name} (${Date.now() - started}ms)`);
        console.log(indent(err instanceof Error ? (err.stack ?? err.message) : String(err)));
        const shot = await saveScreenshot(page, `FAILED-${slug(t.name)}`).catch(() => undefined);
        if (shot) console.log(indent(`screenshot: ${shot}`));
        if (pageErrors.length > 0) console.log(indent(`page errors:\n${pageErrors.slice(-10).join('\n')}`));
      } finally {
        await browser.close();
      }
    }
  } finally {
    await server.stop();
  }
  return result;
}

function indent(text: string): string {
  return text.replace(/^/gm, '      ');
}
