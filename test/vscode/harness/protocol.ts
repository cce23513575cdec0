// Shared between the harness (Node 20, outside VS Code) and suite entries (inside the extension
// host): keep this module free of imports.

/** Printed by a suite entry when mocha starts: the harness streams the log from this line on. */
export const suiteStartMarker = '[dicomnet-suite] start';
