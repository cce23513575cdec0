// dicomnet find / dicomnet worklist: C-FIND and Modality Worklist queries.
import { Dataset } from '../../dicom';
import { datasetToJson } from '../../dicom';
import { formatStatus } from '../../dimse';
import { AssociationRequestor, findContexts, limitedFind } from '../../ae';
import { QueryModelName } from '../../services';
import { Args, OptionSpec, formatHelp } from '../args';
import { EXIT_OK, EXIT_STATUS } from '../errors';
import { NETWORK_OPTIONS, RecorderFor, associateBasic, peerWith } from '../network-options';
import { recorderFor } from '../record-file';
import { log } from '../tracing';
import { Command } from '../command';
import { formatTable } from '../display';
import { cellText, columnsOf } from '../../ae';
import { QUERY_OPTIONS, identifierFrom, queryLevel, queryModel } from './query-options';

const OUTPUT: OptionSpec[] = [
  { name: 'json', kind: 'flag', description: 'print the matches as a DICOM JSON array (PS3.18 F.2)' },
  { name: 'limit', kind: 'number', valueName: 'N', description: 'stop (with C-CANCEL) after N matches' },
];

async function runQuery(args: Args, recorder: RecorderFor, model: QueryModelName, identifier: Dataset): Promise<number> {
  // Our AE without the services a query does not use (network-options.ts, associateBasic).
  const peer = peerWith(args, (options) => new AssociationRequestor(options), recorder);
  const limit = args.integer('limit', 1, 1_000_000_000);
  const json = args.flag('json');
  const client = await associateBasic(peer, { contexts: findContexts(model) });
  const rows: Dataset[] = [];
  const started = Date.now();
  let summary;
  try {
    const iterator = limitedFind(client, identifier, { model, limit });
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

/**
 * dicomnet find (findscu), with --record kept by recorder: the full tool's records (record-file.ts);
 * the find bundle's has no recorder, and the executable sends every find or worklist with --record
 * to the full tool (src/cli/bundles.ts), so that bundle leaves the recorder out.
 */
export function findCommandWith(recorder: RecorderFor): Command {
  const command: Command = {
    name: 'find',
    aliases: ['findscu'],
    summary: 'Query a PACS with C-FIND (Patient Root or Study Root, any level).',
    options: findOptions,
    help: () => formatHelp('dicomnet find [HOST] [PORT] [--level STUDY] [-k KEY=VALUE]... [--json] [options]', command.summary, findOptions),
    run: (args) => {
      const model = queryModel(args);
      return runQuery(args, recorder, model, identifierFrom(args, model, queryLevel(args)));
    },
  };
  return command;
}

export const findCommand: Command = /* @__PURE__ */ findCommandWith(recorderFor);

const worklistOptions = [
  { name: 'query', alias: 'k', kind: 'string' as const, repeatable: true, valueName: 'KEY=VALUE', description: 'a key; Scheduled Procedure Step keys (Modality, ScheduledStationAETitle, ScheduledProcedureStepStartDate, …) go into the sequence' },
  { name: 'no-default-keys', kind: 'flag' as const, description: 'ask only for the keys given with --query' },
  ...OUTPUT, ...NETWORK_OPTIONS,
];

/** dicomnet worklist, with --record kept by recorder (as findCommandWith). */
export function worklistCommandWith(recorder: RecorderFor): Command {
  const command: Command = {
    name: 'worklist',
    summary: 'Query a Modality Worklist (MWL C-FIND).',
    options: worklistOptions,
    help: () => formatHelp('dicomnet worklist [HOST] [PORT] [-k Modality=MR] [-k ScheduledProcedureStepStartDate=20240201-20240205]... [options]', command.summary, worklistOptions),
    run: (args) => runQuery(args, recorder, 'worklist', identifierFrom(args, 'worklist')),
  };
  return command;
}

export const worklistCommand: Command = /* @__PURE__ */ worklistCommandWith(recorderFor);
