// dicomnet: the engine's command-line tool.
import { exitWhenDone, runCommand } from './run';
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
    'Exit codes: 0 success, 1 the peer answered with a failure or warning status, 2 bad usage or input, 3 network or association failure, 141 the output was closed (as by SIGPIPE).',
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
  // Loaded when a command has run, not at start-up: only commands run with --record have anything to finish.
  return runCommand(await entry.load(), rest, async () => (await import('./record-file')).finishRecords());
}

/** Runs a command line and exits with its code (what the dicomnet executable does). */
export function runCli(argv: string[]): void {
  exitWhenDone(() => main(argv));
}

if (require.main === module) runCli(process.argv.slice(2));
