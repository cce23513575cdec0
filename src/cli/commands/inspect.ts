// dicomnet inspect: reads the association records --record wrote (JSON lines) and prints them as
// text (negotiation table, message timeline), as JSON, or as the DCMTK command that repeats each.
import { readFileSync } from 'node:fs';
import { AssociationRecord, OutcomeKind, RECORD_VERSION } from '../../ae';
import { formatRecord } from '../../ae';
import { dcmtkCommand } from '../../ae';
import { Args, OptionSpec, UsageError, formatHelp } from '../args';
import { EXIT_OK, InputError } from '../errors';
import { HELP_OPTION } from '../network-options';
import { Command } from '../command';

const OUTCOMES: readonly OutcomeKind[] = ['released', 'rejected', 'aborted', 'timed-out', 'connection-lost', 'connection-failed'];

const options: OptionSpec[] = [
  { name: 'json', kind: 'flag', description: 'print the matching records as JSON lines, as they are in the file' },
  { name: 'dcmtk', kind: 'flag', description: 'print the DCMTK command (echoscu, findscu, movescu, getscu, storescu) that repeats each association' },
  { name: 'outcome', kind: 'string', valueName: 'KIND,...', repeatable: true, description: `only associations that ended so: ${OUTCOMES.join(', ')}` },
  { name: 'ae', kind: 'string', valueName: 'AET', repeatable: true, description: 'only associations with this calling or called AE title' },
  HELP_OPTION,
];

/** The records of a --record file; a line that is not one is an error naming the line. */
export function readRecords(file: string): AssociationRecord[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const records: AssociationRecord[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new InputError(`line ${i + 1} of ${file} is not JSON`);
    }
    const r = value as Partial<AssociationRecord>;
    if (typeof r !== 'object' || r === null || r.version !== RECORD_VERSION || typeof r.id !== 'string' || !Array.isArray(r.messages)) {
      throw new InputError(`line ${i + 1} of ${file} is not an association record (version ${RECORD_VERSION})`);
    }
    records.push(r as AssociationRecord);
  });
  return records;
}

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'Print the association records a --record FILE holds: negotiation, messages, outcome.',
  options,
  help: () => formatHelp('dicomnet inspect FILE [--outcome KIND] [--ae AET] [--json | --dcmtk]', inspectCommand.summary, options),
  async run(args: Args): Promise<number> {
    const [file, ...extra] = args.positional;
    if (!file) throw new UsageError('give the record file (written by --record FILE)');
    if (extra.length > 0) throw new UsageError(`one record file at a time (also given: ${extra.join(' ')})`);
    if (args.flag('json') && args.flag('dcmtk')) throw new UsageError('--json and --dcmtk cannot be used together');
    const outcomes = args.strings('outcome').flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
    for (const o of outcomes) if (!OUTCOMES.includes(o as OutcomeKind)) throw new UsageError(`--outcome ${o} is not one of ${OUTCOMES.join(', ')}`);
    const titles = args.strings('ae').map((s) => s.trim());
    const matching = readRecords(file).filter((r) => (outcomes.length === 0 || (r.outcome !== undefined && outcomes.includes(r.outcome.kind)))
      && (titles.length === 0 || titles.includes(r.callingAeTitle) || titles.includes(r.calledAeTitle)));
    const out: string[] = [];
    for (const record of matching) {
      if (args.flag('json')) out.push(JSON.stringify(record));
      else if (args.flag('dcmtk')) {
        const command = dcmtkCommand(record);
        out.push(command ? `${command.line}${command.note ? `    # ${command.note}` : ''}` : `# association ${record.id}: no DCMTK tool repeats it (no C-ECHO, C-FIND, C-MOVE, C-GET or C-STORE request)`);
      } else out.push(formatRecord(record), '');
    }
    if (matching.length === 0) process.stderr.write('dicomnet inspect: no association in the file matches.\n');
    if (out.length > 0) process.stdout.write(`${out.join('\n')}\n`);
    return EXIT_OK;
  },
};
