// The `vscode` test suite (run by scripts/test.mjs as `node out/test/vscode/run.js`):
//   1. makes sure Node 24 and code-server are installed under .tools/vscode/ (cached in CI),
//   2. runs the mocha suite in test/vscode/suite/ inside VS Code's extension host,
//   3. runs the Playwright UI tests in test/vscode/ui/ against the workbench in Chromium,
//   4. installs the packaged extension (release/<name>-<version>.vsix, from scripts/package.mjs)
//      into a fresh extensions folder and runs test/vscode/packaged/ against that copy.
// The extension must already be built (node esbuild.mjs), the VSIX packaged (scripts/test.mjs
// packages it when it is missing or older than the sources) and the tests compiled (tsc -p .).
// Last line printed: "N passed, N failed". Exit code 1 on any failure.
//
// Options: --grep TEXT (mocha grep / UI test name), --suite-only, --ui-only (UI tests and the
//          packaged run), --verbose (workbench and server logs), --keep (keep the temporary workspace).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { startBrowser, type SharedBrowser } from './harness/browser';
import { runExtensionHostSuite } from './harness/extensionHost';
import { suiteStartMarker } from './harness/protocol';
import { loadVscodeTools, repoRoot } from './harness/tools';
import { runUiTests } from './harness/uiRunner';
import { Fixtures, startFixtures } from './fixtures/index';
import { PACKAGED_TEST_NAME, packagedVsix } from './packaged/record';

interface Totals {
  passed: number;
  failed: number;
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const grep = argValue('--grep');
const verbose = process.argv.includes('--verbose');
const keep = process.argv.includes('--keep');
const runSuite = !process.argv.includes('--ui-only');
const runUi = !process.argv.includes('--suite-only');

/** Counts from mocha's spec reporter summary ("  4 passing (2s)", "  1 failing"). */
function mochaCounts(lines: string[]): { passing: number; failing: number; found: boolean } {
  let passing = 0;
  let failing = 0;
  let found = false;
  for (const line of lines) {
    const p = /^\s*(\d+) passing\b/.exec(line);
    const f = /^\s*(\d+) failing\b/.exec(line);
    if (p) ((passing = Number(p[1])), (found = true));
    if (f) ((failing = Number(f[1])), (found = true));
  }
  return { passing, failing, found };
}

async function prepare(): Promise<void> {
  const tools = await loadVscodeTools();
  tools.ensureVscodeTools();
  if (!existsSync(tools.chromiumPath)) {
    throw new Error(`Chromium is missing at ${tools.chromiumPath}: apt-get install -y chromium.`);
  }
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { main?: string };
  if (!manifest.main || !existsSync(join(repoRoot, manifest.main))) {
    throw new Error(`The extension is not built (${manifest.main ?? 'package.json has no main'}): run node esbuild.mjs.`);
  }
}

async function extensionHostPart(workspaceRoot: string, peers: Fixtures, browser: SharedBrowser): Promise<Totals> {
  const suitePath = join(__dirname, 'suite', 'index.js');
  if (!existsSync(suitePath)) return { passed: 0, failed: 0 };
  console.log('\n  Extension-host suite (mocha in code-server)');
  const workspaceDir = join(workspaceRoot, 'extension-host');
  mkdirSync(workspaceDir, { recursive: true });
  if (grep) process.env.DICOMNET_VSCODE_GREP = grep; // inherited by code-server's extension host
  const result = await runExtensionHostSuite({
    extensionDir: repoRoot,
    suitePath,
    workspaceDir,
    timeoutMs: 240_000,
    userSettings: peers.userSettings(),
    verbose,
    browser,
  });
  const counts = mochaCounts(result.log);
  if (!result.log.some((l) => l.includes(suiteStartMarker)) && !verbose) {
    console.log('    the suite never started; last workbench log lines:');
    console.log(result.log.slice(-60).join('\n').replace(/^/gm, '      '));
  }
  if (result.timedOut) console.log('    ✖ the extension-host suite timed out');
  const failed = result.exitCode !== 0 ? Math.max(counts.failing, 1) : counts.failing;
  return { passed: counts.passing, failed };
}

async function uiPart(workspaceRoot: string, peers: Fixtures, browser: SharedBrowser): Promise<Totals> {
  const uiDir = join(__dirname, 'ui');
  const files = existsSync(uiDir)
    ? readdirSync(uiDir)
        .filter((f) => f.endsWith('.js'))
        .sort()
        .map((f) => join(uiDir, f))
    : [];
  if (files.length === 0) return { passed: 0, failed: 0 };
  return runUiTests({ extensionDir: repoRoot, workspaceRoot: join(workspaceRoot, 'ui'), files, grep, userSettings: peers.userSettings(), browser });
}

/** The smoke run of the VSIX: its own code-server (no development folder), the run's Chromium. */
async function packagedPart(workspaceRoot: string, peers: Fixtures, browser: SharedBrowser): Promise<Totals> {
  if (grep && !PACKAGED_TEST_NAME.includes(grep)) return { passed: 0, failed: 0 };
  const vsix = packagedVsix(repoRoot);
  const title = `Packaged extension (${basename(vsix)} installed into a fresh extensions folder)`;
  if (!existsSync(vsix)) {
    console.log(`\n  ${title}\n    ✖ ${relative(repoRoot, vsix)} is missing: run \`node scripts/package.mjs --vsix-only && node esbuild.mjs\` (the second puts the development build back in dist/), or \`npm run test:vscode\`, which does both.`);
    return { passed: 0, failed: 1 };
  }
  return runUiTests({
    vsix,
    title,
    workspaceRoot: join(workspaceRoot, 'packaged'),
    files: [join(__dirname, 'packaged', 'smoke.js')],
    grep,
    userSettings: peers.userSettings(),
    browser,
  });
}

const workspaceRoot = mkdtempSync(join(tmpdir(), 'dicomnet-vscode-ws-'));

async function main(): Promise<number> {
  const started = Date.now();
  const totals: Totals = { passed: 0, failed: 0 };
  let peers: Fixtures | undefined;
  let browser: SharedBrowser | undefined;
  try {
    await prepare();
    // The demo PACS, a PACS that rejects us, one that does not know us, DCMTK's storescp; and
    // one Chromium for both parts.
    [peers, browser] = await Promise.all([startFixtures(), startBrowser()]);
    for (const part of [runSuite && extensionHostPart, runUi && uiPart, runUi && packagedPart]) {
      if (!part) continue;
      const t = await part(workspaceRoot, peers, browser);
      totals.passed += t.passed;
      totals.failed += t.failed;
    }
  } catch (err) {
    console.log(`\n  ✖ ${err instanceof Error ? err.message : String(err)}`);
    totals.failed++;
  } finally {
    await browser?.close();
    await peers?.stop().catch(() => undefined);
    if (!keep) rmSync(workspaceRoot, { recursive: true, force: true, maxRetries: 3 });
    else console.log(`  workspace kept at ${workspaceRoot}`);
  }
  console.log(`\n  vscode suite took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`${totals.passed} passed, ${totals.failed} failed`);
  return totals.failed > 0 ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (!keep) rmSync(workspaceRoot, { recursive: true, force: true });
    process.exit(130); // the harness's exit hooks kill servers and browsers
  });
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
