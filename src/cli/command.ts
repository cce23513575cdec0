// The shape of one dicomnet sub-command.
import { Args, OptionSpec } from './args';

export interface Command {
  name: string;
  aliases?: string[];
  summary: string;
  options: readonly OptionSpec[];
  help(): string;
  /** Returns the exit code. Throwing reports the error as one sentence with its exit code. */
  run(args: Args): Promise<number>;
}
