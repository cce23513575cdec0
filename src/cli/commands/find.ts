// dicomnet find / dicomnet worklist: C-FIND and Modality Worklist queries.
import { Dataset } from '../../dicom';
import { datasetToJson } from '../../dicom';
import { formatStatus } from '../../dimse';
import { findContexts } from '../../ae';
import { QueryModelName } from '../../services';
import { Args, OptionSpec, formatHelp } from '../args';
import { EXIT_OK, EXIT_STATUS } from '../errors';
import { NETWORK_OPTIONS, associate, peerFrom } from '../network-options';
import { log } from '../tracing';
import { Command } from '../command';
import { formatTable } from '../display';
import { cellText, columnsOf } from '../../ae';
import { QUERY_OPTIONS, identifierFrom, queryLevel, queryModel } from './query-options';

const OUTPUT: OptionSpec[] = [
  { name: 'json', kind: 'flag', description: 'print the matches as a DICOM JSON array (PS3.18 F.2)' },
  { name: 'limit', kind: 'number', valueName: 'N', description: 'stop (with C-CANCEL) after N matches' },
];

async function runQuery(args: Args, model: QueryModelName, identifier: Dataset): Promise<number> {
  const peer = peerFrom(args);
  const limit = args.integer('limit', 1, 1_000_000_000);
  const json = args.flag('json');
  const client = await associate(peer, { contexts: findContexts(model) });
  const rows: Dataset[] = [];
  const started = Date.now();
  let summary;
  try {
    const iterator = client.find(identifier, { model, limit });
    for (;;) {
      const next = await iterator.next();
      if (next.done) { summary = next.value; break; }
      rows.push(next.value);
    }
  } finally {
    await client.releaseOrAbort();
  }
  if (json) {
    process.stdout.write(`${JSON.stringify(rows.map((r) => datasetToJson(r)), null, 2)}\n`);
  } else {
    const columns = columnsOf(identifier);
    process.stdout.write(`${formatTable(columns, rows.map((r) => columns.map((c) => cellText(r, c))))}\n`);
    process.stdout.write(`${rows.length} match${rows.length === 1 ? '' : 'es'} in ${Date.now() - started} ms${summary.cancelled ? ' (cancelled)' : ''}: ${formatStatus(summary.status, model === 'worklist' ? 'worklist' : 'find')}\n`);
  }
  if (peer.trace.verbose) log(`C-FIND finished with ${formatStatus(summary.status, 'find')}`);
  return summary.warning ? EXIT_STATUS : EXIT_OK;
}

const findOptions = [...QUERY_OPTIONS, ...OUTPUT, ...NETWORK_OPTIONS];

export const findCommand: Command = {
  name: 'find',
  aliases: ['findscu'],
  summary: 'Query a PACS with C-FIND (Patient Root or Study Root, any level).',
  options: findOptions,
  help: () => formatHelp('dicomnet find [HOST] [PORT] [--level STUDY] [-k KEY=VALUE]... [--json] [options]', findCommand.summary, findOptions),
  run: (args) => {
    const model = queryModel(args);
    return runQuery(args, model, identifierFrom(args, model, queryLevel(args)));
  },
};

const worklistOptions = [
  { name: 'query', alias: 'k', kind: 'string' as const, repeatable: true, valueName: 'KEY=VALUE', description: 'a key; Scheduled Procedure Step keys (Modality, ScheduledStationAETitle, ScheduledProcedureStepStartDate, …) go into the sequence' },
  { name: 'no-default-keys', kind: 'flag' as const, description: 'ask only for the keys given with --query' },
  ...OUTPUT, ...NETWORK_OPTIONS,
];

export const worklistCommand: Command = {
  name: 'worklist',
  summary: 'Query a Modality Worklist (MWL C-FIND).',
  options: worklistOptions,
  help: () => formatHelp('dicomnet worklist [HOST] [PORT] [-k Modality=MR] [-k ScheduledProcedureStepStartDate=20240201-20240205]... [options]', worklistCommand.summary, worklistOptions),
  run: (args) => runQuery(args, 'worklist', identifierFrom(args, 'worklist')),
};
