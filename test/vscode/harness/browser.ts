// Debian's Chromium driven by playwright-core. `launchBrowser` starts one Chromium on a fresh
// profile; `startBrowser` starts one Chromium for a whole run and gives each test a fresh
// context of it (its own storage, cookies and cache: the isolation of a fresh profile without
// starting a browser per test).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { loadVscodeTools } from './tools';

export interface BrowserOptions {
  viewport?: { width: number; height: number };
  /** Default true; false needs a display (e.g. under xvfb-run). */
  headless?: boolean;
}

export interface LaunchedBrowser {
  context: BrowserContext;
  /** The context's first page. */
  page: Page;
  /** Closes the context (and a browser of its own) and removes its profile. Safe to call twice. */
  close(): Promise<void>;
}

export interface SharedBrowser {
  /** A fresh context (no storage shared with any other) with one page. */
  newWindow(): Promise<LaunchedBrowser>;
  /** Closes Chromium. Safe to call twice. */
  close(): Promise<void>;
}

/** No network beyond loopback here: nothing that phones home, no QUIC, no first-run UI. */
export const chromiumArgs: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

const defaultViewport = { width: 1400, height: 900 };

const liveProfiles = new Set<string>();
let exitHookInstalled = false;

// Playwright kills its browsers when this process exits; the profiles are ours to remove.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const dir of liveProfiles) rmSync(dir, { recursive: true, force: true });
  });
}

export async function launchBrowser(options: BrowserOptions = {}): Promise<LaunchedBrowser> {
  const { chromiumPath } = await loadVscodeTools();
  const profileDir = mkdtempSync(join(tmpdir(), 'dicomnet-chromium-'));
  installExitHook();
  liveProfiles.add(profileDir);
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: chromiumPath,
      headless: options.headless ?? true,
      viewport: options.viewport ?? defaultViewport,
      args: [...chromiumArgs],
    });
  } catch (err) {
    rmSync(profileDir, { recursive: true, force: true });
    liveProfiles.delete(profileDir);
    throw err;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  let closed = false;
  return {
    context,
    page,
    async close() {
      if (closed) return;
      closed = true;
      await context.close().catch(() => undefined);
      rmSync(profileDir, { recursive: true, force: true, maxRetries: 3 });
      liveProfiles.delete(profileDir);
    },
  };
}

export async function startBrowser(options: BrowserOptions = {}): Promise<SharedBrowser> {
  const { chromiumPath } = await loadVscodeTools();
  const browser: Browser = await chromium.launch({ executablePath: chromiumPath, headless: options.headless ?? true, args: [...chromiumArgs] });
  let closed = false;
  return {
    async newWindow() {
      const context = await browser.newContext({ viewport: options.viewport ?? defaultViewport });
      const page = await context.newPage();
      let contextClosed = false;
      return {
        context,
        page,
        async close() {
          if (contextClosed) return;
          contextClosed = true;
          await context.close().catch(() => undefined);
        },
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      await browser.close().catch(() => undefined);
    },
  };
}
