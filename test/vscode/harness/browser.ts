// Debian's Chromium driven by playwright-core, with a fresh profile per launch.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
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
  /** Closes Chromium and removes its profile. Safe to call twice. */
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
      viewport: options.viewport ?? { width: 1400, height: 900 },
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
