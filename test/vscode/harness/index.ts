// The VS Code test harness: code-server under Node 24, Chromium through playwright-core.
export { launchBrowser, chromiumArgs, type BrowserOptions, type LaunchedBrowser } from './browser';
export {
  startCodeServer,
  findFreePort,
  extensionFolderName,
  defaultUserSettings,
  type CodeServer,
  type CodeServerOptions,
} from './codeServer';
export { runExtensionHostSuite, type ExtensionHostSuiteOptions, type ExtensionHostSuiteResult } from './extensionHost';
export { suiteStartMarker } from './protocol';
export { loadVscodeTools, repoRoot, type VscodeTools } from './tools';
export { uiTest, runUiTests, type UiTestContext, type UiRunOptions, type UiRunResult } from './uiRunner';
export * from './workbench';
