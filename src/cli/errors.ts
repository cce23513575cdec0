// Exit codes and one-sentence error messages for the command line (DESIGN.md's contract).
import { PemFileError } from '../ae';
import { isNetworkFailure } from '../net';
import { UsageError } from './args';

export const EXIT_OK = 0;
export const EXIT_STATUS = 1;
export const EXIT_USAGE = 2;
export const EXIT_NETWORK = 3;
/** The reader of stdout or stderr went away (`dicomnet find | head`): what a native tool killed by SIGPIPE ends with (128 + 13). */
export const EXIT_OUTPUT_CLOSED = 141;

/** Bad input files (not DICOM, truncated, unreadable): exit code 2. */
export class InputError extends Error {
  override name = 'InputError';
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError || error instanceof InputError || error instanceof PemFileError) return EXIT_USAGE;
  if (isNetworkFailure(error)) return EXIT_NETWORK;
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT') return EXIT_NETWORK;
  return EXIT_STATUS;
}

/** One sentence, capitalised, ending with a full stop. */
export function sentence(text: string): string {
  const t = text.trim();
  const capital = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

export function reportError(error: unknown, verbose: boolean): number {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`dicomnet: ${sentence(message)}\n`);
  if (verbose && error instanceof Error && error.stack && !(error instanceof UsageError)) process.stderr.write(`${error.stack}\n`);
  return exitCodeFor(error);
}
