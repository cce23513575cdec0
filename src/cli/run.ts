// Running one command to its exit code, and exiting with it: shared by the full tool (main.ts) and
// the bundles of single commands (commands/*-bundle.ts), so each behaves the same.
import { Args, UsageError, parseArgs } from './args';
import { Command } from './command';
import { EXIT_OUTPUT_CLOSED, EXIT_STATUS, reportError } from './errors';

/**
 * Runs a command with its arguments (the command line after its name); returns the exit code.
 * finish: what --record leaves to do at the end (record-file.ts's finishRecords; the full tool
 * imports that module only when a command has run, the single-command bundles with the command).
 */
export async function runCommand(command: Command, rest: string[], finish: () => Promise<void>): Promise<number> {
  const verbose = rest.includes('--verbose') || rest.includes('-v');
  try {
    const args = new Args(parseArgs(rest, command.options));
    if (args.flag('help')) {
      process.stdout.write(command.help());
      return 0;
    }
    try {
      return await command.run(args);
    } finally {
      await finish();
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`dicomnet ${command.name}: ${error.message.charAt(0).toUpperCase()}${error.message.slice(1)}; see dicomnet ${command.name} --help.\n`);
      return 2;
    }
    return reportError(error, verbose);
  }
}

/**
 * Exits once stdout is flushed. A finished command must not linger because a peer keeps a
 * connection open (e.g. after we aborted, the ARTIM wait for the peer to close).
 */
function exit(code: number): void {
  process.exitCode = code;
  if (process.stdout.writableNeedDrain) process.stdout.once('drain', () => process.exit(code));
  else setImmediate(() => process.exit(code));
}

/**
 * Ends the process once the reader of stdout or stderr has gone (`dicomnet find | head`) as a
 * native tool killed by SIGPIPE does: at once, silently, with 141. Node ignores SIGPIPE, so the
 * write fails with EPIPE instead, an uncaught error with a stack trace unless someone listens. Any
 * other failure to write the output is one sentence on stderr (a failing stderr cannot say more).
 */
function exitWhenOutputCloses(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT_OUTPUT_CLOSED);
    process.exit(reportError(new Error(`the output cannot be written: ${error.message}`), false));
  });
  process.stderr.on('error', (error: NodeJS.ErrnoException) => {
    process.exit(error.code === 'EPIPE' ? EXIT_OUTPUT_CLOSED : EXIT_STATUS);
  });
}

/**
 * Runs the work and exits with the code it resolves to (an unexpected error is reported, verbosely,
 * with its code); the output's reader going away first ends it early (exitWhenOutputCloses).
 */
export function exitWhenDone(work: () => Promise<number>): void {
  exitWhenOutputCloses();
  work().then(exit, (error) => exit(reportError(error, true)));
}

/**
 * The runCli of a bundle that holds only these commands (the executable sends it only their names
 * and aliases, src/cli/bundles.ts).
 */
export function singleCommandCli(commands: readonly Command[], finish: () => Promise<void>): (argv: string[]) => void {
  return ([name, ...rest]) => {
    const command = commands.find((c) => c.name === name || c.aliases?.includes(name));
    exitWhenDone(() => (command ? runCommand(command, rest, finish) : Promise.reject(new Error(`this bundle does not hold the command "${name}"`))));
  };
}
