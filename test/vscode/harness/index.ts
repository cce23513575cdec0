// The VS Code test harness: code-server under Node 24, Chromium through playwright-core.
export { launchBrowser, startBrowser, chromiumArgs, type BrowserOptions, type LaunchedBrowser, type SharedBrowser } from './browser';
export {
  startCodeServer,
  extensionFolderName,
  defaultUserSettings,
  type CodeServer,
  type CodeServerOptions,
} from './codeServer';
export { runExtensionHostSuite, type ExtensionHostSuiteOptions, type ExtensionHostSuiteResult } from './extensionHost';
export { ExtensionLog, LOG_CHANNEL, attachExtensionLog, extensionLogOf } from './extensionLog';
export { suiteStartMarker } from './protocol';
export { loadVscodeTools, repoRoot, type VscodeTools } from './tools';
export { uiTest, runUiTests, type UiTestContext, type UiRunOptions, type UiRunResult } from './uiRunner';
export * from './workbench';
