// dicomnet move / dicomnet get: C-MOVE to a destination AE, C-GET into a folder.
import { AssociationRequestor, getContexts, moveContexts, findContexts, sopClassesToGet } from '../../ae';
import { FileStore } from '../../archive';
import { formatStatus, statusClass } from '../../dimse';
import { RetrieveProgress, RetrieveSummary, getScu } from '../../services';
import { Args, OptionSpec, UsageError, formatHelp } from '../args';
import { EXIT_OK, EXIT_STATUS } from '../errors';
import { NETWORK_OPTIONS, RecorderFor, associate, associateBasic, peerFrom, peerWith } from '../network-options';
import { recorderFor } from '../record-file';
import { ProgressBar } from '../progress';
import { lineBatch } from '../line-batch';
import { Command } from '../command';
import { QUERY_OPTIONS, identifierFrom, queryLevel, queryModel } from './query-options';
import { Dataset } from '../../dicom';

/** Reports sub-operation progress on a terminal, and the final counts as one line. */
async function follow(iterator: AsyncGenerator<RetrieveProgress, RetrieveSummary>, what: string): Promise<RetrieveSummary> {
  let bar: ProgressBar | undefined;
  for (;;) {
    const next = await iterator.next();
    if (next.done) {
      bar?.update(next.value.completed + next.value.failed + next.value.warning, 0, true);
      bar?.clear();
      return next.value;
    }
    const p = next.value;
    const done = p.completed + p.failed + p.warning;
    bar ??= new ProgressBar(done + (p.remaining ?? 0), 0, `${what} sub-operations`);
    bar.update(done, 0);
  }
}

function report(summary: RetrieveSummary, what: string, service: 'move' | 'get'): number {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  for (const uid of summary.failedSopInstanceUids) out(`failed: ${uid}`);
  out(`${what}: ${summary.completed} completed, ${summary.failed} failed, ${summary.warning} warning${summary.cancelled ? ', cancelled' : ''}: ${formatStatus(summary.status, service)}${summary.comment ? ` (${summary.comment})` : ''}`);
  return statusClass(summary.status) === 'success' ? EXIT_OK : EXIT_STATUS;
}

const moveOptions: OptionSpec[] = [
  { name: 'dest', kind: 'string', valueName: 'AET', description: 'the AE title the peer sends the instances to (default: our own --aet)' },
  ...QUERY_OPTIONS,
  ...NETWORK_OPTIONS,
];

function retrieveIdentifier(args: Args): Dataset {
  const model = queryModel(args);
  if (args.strings('query').length === 0) throw new UsageError('say what to retrieve with --query, e.g. -k StudyInstanceUID=1.2.3');
  return identifierFrom(args, model, queryLevel(args), false);
}

export const moveCommand: Command = {
  name: 'move',
  aliases: ['movescu'],
  summary: 'Retrieve with C-MOVE: the peer sends the matches to a destination AE.',
  options: moveOptions,
  help: () => formatHelp('dicomnet move [HOST] [PORT] --dest AET --level STUDY -k StudyInstanceUID=UID [options]', moveCommand.summary, moveOptions),
  async run(args) {
    const peer = peerFrom(args);
    const model = queryModel(args);
    const identifier = retrieveIdentifier(args);
    const destination = args.string('dest') ?? peer.ae.aeTitle;
    const client = await associate(peer, { contexts: moveContexts(model) });
    const controller = new AbortController();
    const onSignal = () => controller.abort();
    process.once('SIGINT', onSignal);
    try {
      const summary = await follow(client.move(identifier, destination, { model, signal: controller.signal }), `C-MOVE to ${destination}`);
      return report(summary, `C-MOVE to ${destination}`, 'move');
    } finally {
      process.removeListener('SIGINT', onSignal);
      await client.releaseOrAbort();
    }
  },
};

const getOptions: OptionSpec[] = [
  { name: 'output', alias: 'o', kind: 'string', valueName: 'DIR', description: 'folder to write into as <study>/<series>/<instance>.dcm (default: current folder)' },
  { name: 'sop-class', kind: 'string', repeatable: true, valueName: 'UID', description: 'storage SOP class to accept (default: learned with a C-FIND, else common ones)' },
  ...QUERY_OPTIONS,
  ...NETWORK_OPTIONS,
];

/**
 * dicomnet get (getscu), with --record kept by recorder: the full tool's records (record-file.ts);
 * the get bundle's has no recorder, and the executable sends every get with --record to the full
 * tool (src/cli/bundles.ts). Its associations carry C-FIND and C-GET only (associateBasic).
 */
export function getCommandWith(recorder: RecorderFor): Command {
  const command: Command = {
    name: 'get',
    aliases: ['getscu'],
    summary: 'Retrieve with C-GET: the matches come back over the same association into a folder.',
    options: getOptions,
    help: () => formatHelp('dicomnet get [HOST] [PORT] --level STUDY -k StudyInstanceUID=UID [--output DIR] [options]', command.summary, getOptions),
    run: (args) => runGet(args, recorder),
  };
  return command;
}

async function runGet(args: Args, recorder: RecorderFor): Promise<number> {
  // Our AE without the services a C-GET does not use (network-options.ts, associateBasic).
  const peer = peerWith(args, (options) => new AssociationRequestor(options), recorder);
  const model = queryModel(args);
  const identifier = retrieveIdentifier(args);
  let sopClasses = args.strings('sop-class');
  if (sopClasses.length === 0) {
    const probe = await associateBasic(peer, { contexts: findContexts(model) }).catch(() => undefined);
    if (probe) {
      sopClasses = await sopClassesToGet(probe, args.strings('query'), model);
      await probe.releaseOrAbort();
    }
  }
  const { contexts, roles } = sopClasses.length ? getContexts(model, sopClasses) : getContexts(model);
  // Printed once the C-STORE-RSP is on its way (the peer waits for it), in the same order; redirected
  // output in batches (a write per instance cost about a tenth of receiving a 0.5 MB instance).
  const batch = process.stdout.isTTY ? undefined : lineBatch((text) => process.stdout.write(text));
  const out = (s: string) => { process.stdout.write(`${s}\n`); };
  const say = batch ? (s: string) => batch.say(s) : (s: string) => { setImmediate(out, s); };
  const store = new FileStore({
    root: args.string('output') ?? '.',
    // Nothing here reads a value of the data set: the store's own UIDs are all it keeps.
    keepValues: [],
    // The output folder is left holding the instances only, as getscu leaves it.
    removeWorkingFolderOnClose: true,
    onStored: (i) => say(`wrote ${i.path}`),
    onRefused: (i, o, detail) => say(`refused ${i.sopInstanceUid}: ${formatStatus(o.status, 'store')} ${detail}`),
  });
  const client = await associateBasic(peer, { contexts, roles });
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  try {
    const summary = await follow(getScu(client, identifier, store, { model, signal: controller.signal }), 'C-GET');
    batch?.flush();
    return report(summary, 'C-GET', 'get');
  } finally {
    process.removeListener('SIGINT', onSignal);
    batch?.flush();
    await client.releaseOrAbort();
    await store.close();
  }
}

export const getCommand: Command = /* @__PURE__ */ getCommandWith(recorderFor);
