// dicomnet mpps: Modality Performed Procedure Step as SCU (create, set, get) and the instances an
// archive received (list).
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { ClientAssociation } from '../../ae';
import { mppsContexts } from '../../ae';
import { collectStoreInputs } from '../../ae';
import { MPPS_DIR, MppsStore, describeMpps } from '../../archive';
import { charsetEncoder, decodeText } from '../../dicom';
import { Dataset } from '../../dicom';
import { keywordOf } from '../../dicom';
import { scanFileHeader } from '../../dicom';
import { datasetFromJson, datasetToJson } from '../../dicom';
import { readPart10 } from '../../dicom';
import { formatTag } from '../../dicom';
import { isValidUid } from '../../dicom';
import { formatStatus } from '../../dimse';
import { MppsStatus, mppsSummary } from '../../services';
import { PerformedInstance, isAccepted, performedSeries, withCreateDefaults, withFinalDefaults } from '../../services';
import { NResponse } from '../../services';
import { QueryKeyError, datasetFromKeys, resolveKey } from '../../services';
import { Args, OptionSpec, UsageError, formatHelp } from '../args';
import { EXIT_OK, EXIT_STATUS, InputError } from '../errors';
import { NETWORK_OPTIONS, associate, peerAddress, peerFrom } from '../network-options';
import { log } from '../tracing';
import { formatTable } from '../display';
import { Command } from '../command';

const options: OptionSpec[] = [
  { name: 'uid', kind: 'string', valueName: 'UID', description: 'the MPPS SOP Instance UID (create: default a new one; set, get: required)' },
  { name: 'key', alias: 'k', kind: 'string', repeatable: true, valueName: 'KEY=VALUE', description: 'an attribute: keyword or gggg,eeee, Sequence.Key inside a sequence\'s first item; "Sequence=" is an empty sequence (get: the attributes to return)' },
  { name: 'file', alias: 'f', kind: 'string', valueName: 'FILE', description: 'attributes from a DICOM JSON (.json) or Part 10 file; -k keys override them' },
  { name: 'status', kind: 'string', valueName: 'STATUS', description: 'set: COMPLETED, DISCONTINUED or IN PROGRESS (default COMPLETED)' },
  { name: 'series', kind: 'string', repeatable: true, valueName: 'PATH', description: 'set: files or folders whose instances make the Performed Series Sequence (paths after the port work too)' },
  { name: 'no-defaults', kind: 'flag', description: 'send exactly the attributes given (no IN PROGRESS, start time, end time, … filled in)' },
  { name: 'dir', kind: 'string', valueName: 'DIR', description: 'list: the archive folder of a dicomnet scp (its MPPS instances are in DIR/.mpps)' },
  { name: 'json', kind: 'flag', description: 'print DICOM JSON (get) or the records (list)' },
  ...NETWORK_OPTIONS,
];

const USAGE = [
  'dicomnet mpps create [HOST] [PORT] --aec AET [-k KEY=VALUE]... [--file FILE] [--uid UID]',
  '       dicomnet mpps set [HOST] [PORT] --aec AET --uid UID [--status COMPLETED|DISCONTINUED] [PATH...] [-k KEY=VALUE]...',
  '       dicomnet mpps get [HOST] [PORT] --aec AET --uid UID [-k Keyword]... [--json]',
  '       dicomnet mpps list --dir DIR [--json]',
].join('\n');

async function attributesFrom(args: Args, keys: readonly string[]): Promise<Dataset> {
  let ds = new Dataset();
  const file = args.string('file');
  if (file) {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      throw new InputError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    try {
      if (/\.json$/i.test(file)) {
        const json: unknown = JSON.parse(bytes.toString('utf8'));
        ds = datasetFromJson(Array.isArray(json) && json.length === 1 ? json[0] : json);
      } else {
        ds = (await readPart10(bytes)).dataset;
      }
    } catch (error) {
      throw new InputError(`${file} cannot be read as DICOM JSON or Part 10: ${(error as Error).message}`);
    }
  }
  let fromKeys: Dataset;
  try {
    fromKeys = datasetFromKeys(keys);
  } catch (error) {
    if (error instanceof QueryKeyError) throw new UsageError(error.message);
    throw error;
  }
  for (const el of fromKeys.elements()) ds.add(el);
  return ds;
}

/** The instances under `inputs`, as the Performed Series Sequence lists them. */
async function performedInstances(inputs: readonly string[]): Promise<PerformedInstance[]> {
  const collected = await collectStoreInputs(inputs, { allowNoMeta: true });
  for (const s of collected.skipped) process.stderr.write(`dicomnet mpps: skipped ${s.path}: ${s.reason}\n`);
  const out: PerformedInstance[] = [];
  for (const f of collected.files) {
    const scan = await scanFileHeader(f.path, { stopAt: 0x7fe00010 });
    const raw = (tag: number) => scan.elements.get(tag)?.value;
    const charset = raw(0x00080005)?.toString('latin1').split('\\').map((t) => t.trim());
    const text = (tag: number, vr: string) => {
      const value = raw(tag);
      return value ? decodeText(value, charset, vr).replace(/[\0 ]+$/, '').trim() || undefined : undefined;
    };
    const seriesInstanceUid = text(0x0020000e, 'UI');
    if (!seriesInstanceUid) {
      process.stderr.write(`dicomnet mpps: skipped ${f.path}: no Series Instance UID\n`);
      continue;
    }
    out.push({
      seriesInstanceUid, sopClassUid: f.sopClassUid, sopInstanceUid: f.sopInstanceUid, image: scan.elements.has(0x00280010),
      protocolName: text(0x00181030, 'LO'), seriesDescription: text(0x0008103e, 'LO'),
      operatorsName: text(0x00081070, 'PN'), performingPhysicianName: text(0x00081050, 'PN'),
    });
  }
  return out;
}

function requireUid(args: Args): string {
  const uid = args.string('uid');
  if (!uid) throw new UsageError('--uid UID is required (the MPPS SOP Instance UID)');
  if (!isValidUid(uid)) throw new UsageError(`--uid "${uid}" is not a valid UID`);
  return uid;
}

function describeResponse(operation: string, response: NResponse): string {
  const c = response.command;
  const details = [
    c.errorComment ? `"${c.errorComment}"` : '',
    c.errorId !== undefined ? `error ID 0x${c.errorId.toString(16).toUpperCase()}` : '',
    c.attributeIdentifierList?.length ? `attributes ${c.attributeIdentifierList.map((t) => keywordOf(t) ?? formatTag(t)).join(', ')}` : '',
    c.offendingElement?.length ? `offending ${c.offendingElement.map((t) => keywordOf(t) ?? formatTag(t)).join(', ')}` : '',
    response.dataset && response.dataset.size > 0 && !isAccepted(response)
      ? `values ${[...response.dataset.elements()].map((el) => keywordOf(el.tag) ?? formatTag(el.tag)).join(', ')}` : '',
  ].filter(Boolean);
  return `${operation}: ${formatStatus(response.status, operation === 'N-GET' ? 'n-get' : operation === 'N-SET' ? 'n-set' : 'n-create')}${details.length ? ` ${details.join('; ')}` : ''}`;
}

async function listStored(args: Args): Promise<number> {
  const dir = args.string('dir');
  if (!dir) throw new UsageError('"mpps list" needs --dir DIR (the archive folder of dicomnet scp)');
  const store = new MppsStore(path.join(dir, MPPS_DIR));
  const records = await store.list((file, reason) => log(`skipped ${file}: ${reason}`));
  if (args.flag('json')) {
    process.stdout.write(`${JSON.stringify(records, null, 2)}\n`);
    return EXIT_OK;
  }
  const rows = records.map((r) => {
    const d = describeMpps(r);
    return [d.sopInstanceUid, d.status ?? '', d.patientName ?? '', d.patientId ?? '', d.modality ?? '', d.start ?? '', d.end ?? '',
      `${d.series}/${d.instances}`, d.createdBy, d.updatedAt];
  });
  process.stdout.write(`${formatTable(['SOPInstanceUID', 'Status', 'PatientName', 'PatientID', 'Modality', 'Start', 'End', 'Series/Instances', 'From', 'Updated'], rows, 64)}\n`);
  process.stdout.write(`${records.length} MPPS instance${records.length === 1 ? '' : 's'} in ${store.dir}.\n`);
  return EXIT_OK;
}

export const mppsCommand: Command = {
  name: 'mpps',
  summary: 'Modality Performed Procedure Step: create (N-CREATE), set (N-SET), get (N-GET), or list what an archive received.',
  options,
  help: () => formatHelp(USAGE, mppsCommand.summary, options),
  async run(args: Args): Promise<number> {
    const [action, ...afterAction] = args.positional;
    if (action === 'list') return listStored(args);
    if (action !== 'create' && action !== 'set' && action !== 'get') throw new UsageError(`the first argument must be create, set, get or list${action ? `, not "${action}"` : ''}`);
    if (args.has('dir')) throw new UsageError('--dir is for "mpps list"');
    if (action !== 'set') for (const name of ['status', 'series']) if (args.has(name)) throw new UsageError(`--${name} is for "mpps set"`);
    // Host and port follow the action.
    const rest = new Args({ options: args.parsed.options, positional: afterAction });
    const peer = peerFrom(rest);
    const { ae } = peer;
    const keys = args.strings('key');
    const out = (line: string) => process.stdout.write(`${line}\n`);
    const exitFor = (response: NResponse) => (isAccepted(response) && response.status === 0 ? EXIT_OK : EXIT_STATUS);
    // Everything is checked and read before the association opens.
    let operation: (client: ClientAssociation) => Promise<number>;
    if (action === 'create') {
      const given = args.string('uid');
      if (given !== undefined && !isValidUid(given)) throw new UsageError(`--uid "${given}" is not a valid UID`);
      const attributes = await attributesFrom(args, keys);
      if (!args.flag('no-defaults')) withCreateDefaults(attributes, { stationAeTitle: ae.aeTitle });
      operation = async (client) => {
        const response = await client.createMpps(attributes, given);
        out(describeResponse('N-CREATE', response));
        if (isAccepted(response)) out(`MPPS ${response.sopInstanceUid} is IN PROGRESS`);
        return exitFor(response);
      };
    } else if (action === 'set') {
      const uid = requireUid(args);
      const status = (args.string('status') ?? MppsStatus.Completed).toUpperCase();
      if (![MppsStatus.Completed, MppsStatus.Discontinued, MppsStatus.InProgress].includes(status as never)) {
        throw new UsageError(`--status must be COMPLETED, DISCONTINUED or "IN PROGRESS", not "${status}"`);
      }
      const modifications = await attributesFrom(args, keys);
      const inputs = [...args.strings('series'), ...peerAddress(rest).rest];
      if (inputs.length > 0) {
        const instances = await performedInstances(inputs);
        const nonAscii = instances.some((i) => /[^\x00-\x7f]/.test(`${i.protocolName ?? ''}${i.seriesDescription ?? ''}${i.operatorsName ?? ''}${i.performingPhysicianName ?? ''}`));
        if (nonAscii) modifications.set('SpecificCharacterSet', 'ISO_IR 192');
        modifications.set('PerformedSeriesSequence', performedSeries(instances, {
          retrieveAeTitle: ae.aeTitle, encode: nonAscii ? charsetEncoder(['ISO_IR 192']) : undefined,
        }));
      }
      if (!args.flag('no-defaults')) {
        if (status === MppsStatus.InProgress) modifications.set('PerformedProcedureStepStatus', status);
        else withFinalDefaults(modifications, status as typeof MppsStatus.Completed);
      }
      operation = async (client) => {
        const response = await client.setMpps(uid, modifications);
        out(describeResponse('N-SET', response));
        if (isAccepted(response)) out(`MPPS ${uid} is ${modifications.string('PerformedProcedureStepStatus')?.trim() || 'updated'}`);
        return exitFor(response);
      };
    } else {
      const uid = requireUid(args);
      let tags: number[];
      try {
        tags = keys.map((k) => resolveKey(k.replace(/=.*$/, '')));
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      operation = async (client) => {
        const response = await client.getMpps(uid, tags);
        if (!isAccepted(response) || !response.dataset) {
          out(describeResponse('N-GET', response));
          return EXIT_STATUS;
        }
        if (args.flag('json')) {
          out(JSON.stringify(datasetToJson(response.dataset), null, 2));
        } else {
          out(describeResponse('N-GET', response));
          const d = mppsSummary(response.dataset);
          out(`MPPS ${uid}: ${d.status ?? '?'}, ${d.patientName ?? ''} (${d.patientId ?? ''}), ${d.modality ?? ''}, started ${d.start ?? '?'}${d.end ? `, ended ${d.end}` : ''}, ${d.series} series, ${d.instances} instances`);
        }
        return exitFor(response);
      };
    }
    const client = await associate(peer, { contexts: mppsContexts() });
    try {
      return await operation(client);
    } finally {
      await client.releaseOrAbort();
    }
  },
};
