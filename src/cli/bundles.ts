// Which bundle the dicomnet executable (bin.ts) loads for a command. The full tool (cli-main.js)
// holds every command; a few short, often scripted ones also have a bundle of their own
// (cli-echo.js, cli-find.js, cli-get.js: the entries commands/*-bundle.ts, built by
// scripts/cli-bundles.mjs), which holds only what that command reaches. Less to read, deserialize
// from the code cache and evaluate at each start: dicomnet echo and find start ~5–7 ms of CPU
// sooner, dicomnet get ~30 ms (docs/benchmark.md).
// No imports: the executable reads this before anything else.

/** The command names and aliases that have a bundle of their own, and its name (cli-<name>.js). */
export const COMMAND_BUNDLES: ReadonlyMap<string, string> = new Map([
  ['echo', 'echo'],
  ['find', 'find'],
  ['findscu', 'find'],
  ['worklist', 'find'],
  ['get', 'get'],
  ['getscu', 'get'],
]);

/**
 * V8 flags a command runs with (set by the executable before it compiles the bundle; code-cache.ts):
 * TurboFan's tier-up budget raised (V8's default 67,584) for the commands that work through a
 * batch in a short process. Their per-item functions run a few thousand times: at the default
 * budget V8 optimizes some fifty to a hundred of them (collection, DIMSE send and receive, Node's
 * streams) on its other threads, ~0.1 s of compiler CPU per 500 instances retrieved or ~0.2 s per
 * 1,000 files sent that the few remaining calls never earn back, taken from the peer and our main
 * thread on a small machine. Longer batches still get the hot functions optimized, later
 * (docs/benchmark.md, "C-GET as SCU, fourth pass" and "The sender's per-file work, second pass").
 */
const RETRIEVE_FLAGS = ['--interrupt-budget=540672'];
const SEND_FLAGS = ['--interrupt-budget=270336'];
export const COMMAND_V8_FLAGS: ReadonlyMap<string, readonly string[]> = new Map([
  ['get', RETRIEVE_FLAGS],
  ['getscu', RETRIEVE_FLAGS],
  ['store', SEND_FLAGS],
  ['store_scu', SEND_FLAGS],
  ['storescu', SEND_FLAGS],
]);

/**
 * Options that send a command with a bundle of its own to the full tool instead: what every such
 * bundle leaves out, the association recorder (--record); echo's, with it, the data set model that
 * recording an identifier reaches.
 */
export const FULL_TOOL_OPTIONS: readonly string[] = ['--record'];

/**
 * The bundle beside the executable that runs this command line (cli.js → cli-echo.js, cli-main.js,
 * …); args: the command line after the command's name.
 */
export function bundleFor(executable: string, command: string, args: readonly string[] = []): { file: string; fallback?: string } {
  const named = (name: string) => executable.replace(/(\.[cm]?js)?$/, `-${name}$1`);
  const own = COMMAND_BUNDLES.get(command);
  // Any argument that starts like one of those options, wherever it stands, goes to the full tool.
  const needsFullTool = FULL_TOOL_OPTIONS.some((o) => args.some((a) => a === o || a.startsWith(`${o}=`)));
  return own && !needsFullTool ? { file: named(own), fallback: named('main') } : { file: named('main') };
}
