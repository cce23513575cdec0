// dicomnet: the engine's command-line tool.
import { Args, UsageError, parseArgs } from './args';
import { reportError } from './errors';
import { COMMANDS } from './commands';
import { VERSION } from '../dicom/version';

const commands = COMMANDS;

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'dicomnet: DICOM networking from the command line (echo, store, find, move, get, worklist, commit, mpps, DICOMweb, scp, transcode).',
    '',
    'Usage: dicomnet <command> [options]     dicomnet <command> --help     dicomnet --version',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}${c.aliases?.length ? ` (alias ${c.aliases.join(', ')})` : ''}`),
    '',
    'Exit codes: 0 success, 1 the peer answered with a failure or warning status, 2 bad usage or input, 3 network or association failure.',
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`dicomnet ${VERSION}\n`);
    return 0;
  }
  const entry = commands.find((c) => c.name === name || c.aliases?.includes(name));
  if (!entry) {
    process.stderr.write(`dicomnet: Unknown command "${name}"; run dicomnet --help for the list.\n`);
    return 2;
  }
  const verbose = rest.includes('--verbose') || rest.includes('-v');
  const command = await entry.load();
  try {
    const args = new Args(parseArgs(rest, command.options));
    if (args.flag('help')) {
      process.stdout.write(command.help());
      return 0;
    }
    try {
      return await command.run(args);
    } finally {
      // Loaded here, not at start-up: only commands run with --record have anything to finish.
      await (await import('./record-file')).finishRecords();
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

/** Runs a command line and exits with its code (what the dicomnet executable does). */
export function runCli(argv: string[]): void {
  main(argv).then(exit, (error) => exit(reportError(error, true)));
}

if (require.main === module) runCli(process.argv.slice(2));
