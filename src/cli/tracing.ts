// --verbose and --trace output on stderr (the lines themselves come from the engine's trace).
import { Args } from './args';

export interface TraceLevel {
  /** Association and DIMSE events. */
  verbose: boolean;
  /** Every PDU and DIMSE message. */
  trace: boolean;
}

export function traceLevel(args: Args): TraceLevel {
  return { verbose: args.flag('verbose'), trace: args.flag('trace') };
}

export function log(line: string): void {
  process.stderr.write(`${line}\n`);
}
