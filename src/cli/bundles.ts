// Which bundle the dicomnet executable (bin.ts) loads for a command. The full tool (cli-main.js)
// holds every command; a few short, often scripted ones also have a bundle of their own
// (cli-echo.js, cli-find.js: the entries commands/*-bundle.ts, built by scripts/cli-bundles.mjs),
// which holds only what that command reaches. Less to read, deserialize from the code cache and
// evaluate at each start: dicomnet echo and find start ~5–7 ms of CPU sooner (docs/benchmark.md).
// No imports: the executable reads this before anything else.

/** The command names and aliases that have a bundle of their own, and its name (cli-<name>.js). */
export const COMMAND_BUNDLES: ReadonlyMap<string, string> = new Map([
  ['echo', 'echo'],
  ['find', 'find'],
  ['findscu', 'find'],
  ['worklist', 'find'],
]);

/** The bundle beside the executable that runs this command line (cli.js → cli-echo.js, cli-main.js, …). */
export function bundleFor(executable: string, command: string): { file: string; fallback?: string } {
  const named = (name: string) => executable.replace(/(\.[cm]?js)?$/, `-${name}$1`);
  const own = COMMAND_BUNDLES.get(command);
  return own ? { file: named(own), fallback: named('main') } : { file: named('main') };
}
