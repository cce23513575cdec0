// --record FILE: every association a command makes or takes is appended to FILE as one JSON line
// (the association record, src/ae/recording/record.ts) when it ends.
import { appendFileSync, closeSync, openSync } from 'node:fs';
import { AssociationRecorder } from '../ae';
import { Args, OptionSpec, UsageError } from './args';

export const RECORD_OPTION: OptionSpec = {
  name: 'record', kind: 'string', valueName: 'FILE',
  description: 'append a record of each association (negotiation, messages, outcome) to FILE as JSON lines; read it with dicomnet inspect',
};

/** How long a finished command waits for an association still closing (e.g. after an abort) before it writes its record as it stands. */
const CLOSE_WAIT_MS = 2000;

const recorders = new WeakMap<Args, AssociationRecorder>();
const active = new Set<{ recorder: AssociationRecorder; write: (line: string) => void }>();

/** The recorder for --record FILE (one per command run), or undefined without the option. */
export function recorderFor(args: Args): AssociationRecorder | undefined {
  const file = args.string('record');
  if (file === undefined) return undefined;
  const existing = recorders.get(args);
  if (existing) return existing;
  try {
    closeSync(openSync(file, 'a'));
  } catch (error) {
    throw new UsageError(`cannot write the record file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  // The file holds the records; memory keeps only a few.
  const recorder = new AssociationRecorder({ capacity: 4 });
  const write = (line: string) => {
    try {
      appendFileSync(file, line);
    } catch (error) {
      process.stderr.write(`dicomnet: Could not write to the record file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.\n`);
    }
  };
  recorder.on('closed', (record) => write(`${JSON.stringify(record)}\n`));
  recorders.set(args, recorder);
  active.add({ recorder, write });
  return recorder;
}

/** At the end of a command: waits (bounded) for associations still closing, then writes any left open as they stand. */
export async function finishRecords(): Promise<void> {
  for (const entry of [...active]) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([entry.recorder.idle(), new Promise<void>((resolve) => { timer = setTimeout(resolve, CLOSE_WAIT_MS); })]);
    clearTimeout(timer);
    if (entry.recorder.openCount > 0) {
      const open = entry.recorder.records().slice(entry.recorder.closedCount);
      for (const record of open) entry.write(`${JSON.stringify(record)}\n`);
    }
    active.delete(entry);
  }
}
