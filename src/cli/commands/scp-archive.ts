// dicomnet scp --dir / --worklist / --http-port: storage, Query/Retrieve and Modality Worklist over
// folders, and DICOMweb over the same archive.
import { ArchiveServices } from '../../archive';
import { WorklistStore } from '../../archive';
import { DuplicatePolicy } from '../../archive';
import { parseDestination } from '../../ae';
import { FindScp } from '../../services';
import { Uids, transferSyntaxName } from '../../dicom';
import { formatStatus } from '../../dimse';
import { Args, OptionSpec, UsageError } from '../args';
import { formatBytes } from '../progress';
import { ScpService } from '../../services';
import { DicomwebServer } from '../../dicomweb';
import { StoreAs } from '../../archive';
import { LOSSY_OPTIONS, checkTarget, lossyParams, syntaxNameList, syntaxOption } from '../conversion-options';
import { CommitmentReportRouter, commitmentReportReceiver } from '../../services';
import { CommitmentResult } from '../../services';
import { recorderFor } from '../record-file';

function describeReport(r: CommitmentResult): string {
  return `storage commitment report ${r.transactionUid} from ${r.reportedBy}: ${r.committed.length} committed, ${r.failed.length} failed`;
}

export const ARCHIVE_OPTIONS: OptionSpec[] = [
  { name: 'dir', alias: 'd', kind: 'string', valueName: 'DIR', description: 'archive folder: store received instances as DIR/<study>/<series>/<instance>.dcm and serve Q/R (FIND, MOVE, GET) over them' },
  { name: 'dest', kind: 'string', repeatable: true, valueName: 'AET=HOST:PORT', description: 'a C-MOVE destination, and where a storage commitment requester gets its report when its association has ended (with --dir)' },
  { name: 'commitment-report', kind: 'string', valueName: 'same|new', description: 'storage commitment reports: on the request\'s association while it is open, else a new one (same, default), or always on a new one (new; the requester must be a --dest)' },
  { name: 'mpps', kind: 'string', valueName: 'DIR', description: 'keep MPPS instances (N-CREATE/N-SET) in DIR (default DIR/.mpps of --dir; list them with dicomnet mpps list)' },
  { name: 'worklist', kind: 'string', valueName: 'DIR', description: 'serve Modality Worklist items from DIR (Part 10, DCMTK .wl, or DICOM JSON files)' },
  { name: 'on-duplicate', kind: 'string', valueName: 'POLICY', description: 'an instance already stored: overwrite (default), keep, or reject' },
  { name: 'promiscuous', kind: 'flag', description: 'accept unknown SOP classes too (with --dir)' },
  { name: 'fsync', kind: 'flag', description: 'flush each instance to disk before acknowledging it' },
  { name: 'store-as', kind: 'string', valueName: 'SYNTAX', description: `convert received instances to this transfer syntax before storing them (default: keep as received): a UID or ${syntaxNameList()}` },
  ...LOSSY_OPTIONS,
  { name: 'ignore-case', kind: 'flag', description: 'match person names case-insensitively' },
  { name: 'http-port', kind: 'number', valueName: 'PORT', description: 'also serve the archive over DICOMweb (QIDO-RS, WADO-RS, STOW-RS) at http://HOST:PORT/dicomweb (with --dir; 0 = any free port)' },
  { name: 'http-bind', kind: 'string', valueName: 'ADDRESS', description: 'address the DICOMweb server listens on (default 127.0.0.1)' },
  { name: 'http-token', kind: 'string', valueName: 'TOKEN', description: 'require Authorization: Bearer TOKEN on DICOMweb requests' },
  { name: 'http-max-body', kind: 'number', valueName: 'BYTES', description: 'largest STOW-RS request body (default 4 GiB)' },
];

/** What the archive options serve, and how to close it at shutdown. */
export interface ServedArchive {
  services: ScpService[];
  close?: () => Promise<void>;
}

/** Opens the archive, worklist and DICOMweb server the options ask for (none: no services). */
export async function openArchive(args: Args, log: (line: string) => void): Promise<ServedArchive> {
  const dir = args.string('dir');
  const worklistDir = args.string('worklist');
  const policy = args.string('on-duplicate') ?? 'overwrite';
  if (!['overwrite', 'keep', 'reject'].includes(policy)) throw new UsageError(`--on-duplicate must be overwrite, keep or reject, not "${policy}"`);
  let destinations;
  try {
    destinations = args.strings('dest').map(parseDestination);
  } catch (error) {
    throw new UsageError(`--dest ${(error as Error).message}`);
  }
  if (!dir) {
    for (const name of ['dest', 'mpps', 'commitment-report', 'on-duplicate', 'promiscuous', 'fsync', 'store-as', 'allow-lossy', 'http-port', 'http-bind', 'http-token', 'http-max-body']) if (args.has(name)) throw new UsageError(`--${name} needs --dir`);
    // Storage commitment reports for requests of ours are taken (and logged) even without an archive.
    const reports = commitmentReportReceiver({ router: new CommitmentReportRouter(), onReport: (r) => log(describeReport(r)) });
    if (!worklistDir) return { services: [reports] };
    const worklist = new WorklistStore({ dir: worklistDir, log });
    return { services: [new FindScp([Uids.ModalityWorklistFind], (q) => worklist.find(q), { caseInsensitivePersonNames: args.flag('ignore-case') }, 'worklist'), reports] };
  }
  const reportOn = args.string('commitment-report') ?? 'same';
  if (reportOn !== 'same' && reportOn !== 'new') throw new UsageError(`--commitment-report must be same or new, not "${reportOn}"`);
  const http = httpOptions(args);
  const storeAs = storeAsOption(args);
  const archive = await ArchiveServices.open({
    dir,
    aeTitle: args.string('aet') ?? 'DICOMNET',
    onDuplicate: policy as DuplicatePolicy,
    fsync: args.flag('fsync'),
    storeAs,
    promiscuous: args.flag('promiscuous'),
    destinations,
    worklistDir,
    caseInsensitivePersonNames: args.flag('ignore-case'),
    recorder: recorderFor(args),
    log,
    onStored: (i) => log(`${i.kept ? 'kept existing' : i.replaced ? 'replaced' : 'stored'} ${i.relativePath} from ${i.callingAeTitle} (${formatBytes(i.size)}, ${transferSyntaxName(i.transferSyntaxUid) ?? i.transferSyntaxUid}${i.conversion ? `; ${i.receivedTransferSyntaxUid ? 'converted: ' : ''}${i.conversion}` : ''})`),
    refused: (uid, aet, status, detail) => log(`refused ${uid || '(no UID)'} from ${aet}: ${formatStatus(status, 'store')} ${detail}`),
    find: (f) => log(`C-FIND ${f.level} from ${f.peer}: ${f.matches} match${f.matches === 1 ? '' : 'es'}${f.cancelled ? ' (cancelled)' : ''} in ${f.ms} ms`),
    retrieve: (r) => log(`C-${r.operation.toUpperCase()}${r.destination ? ` to ${r.destination}` : ''} from ${r.peer}: ${r.completed} completed, ${r.failed} failed, ${r.warning} warning${r.cancelled ? ' (cancelled)' : ''}: ${formatStatus(r.status, r.operation)}`),
    mppsDir: args.string('mpps'),
    commitmentReportOn: reportOn,
    mpps: (e) => log(`MPPS ${e.operation} ${e.sopInstanceUid || '(no UID)'} from ${e.callingAeTitle}: ${formatStatus(e.status, e.operation === 'N-CREATE' ? 'n-create' : e.operation === 'N-SET' ? 'n-set' : 'n-get')}`
      + `${e.comment ? ` "${e.comment}"` : ''}${e.stepStatus ? `, now ${e.stepStatus}` : ''}`),
    commitment: (a) => log(`storage commitment ${a.transactionUid} from ${a.requestedBy}: ${a.committed.length} committed, ${a.failed.length} failed`
      + (a.delivery === 'undelivered' ? `; report not delivered: ${a.error}` : `; report sent on ${a.delivery === 'same-association' ? 'the same' : 'a new'} association`)),
    commitmentReport: (r) => log(describeReport(r)),
  });
  const stats = archive.index.stats();
  log(`archive ${dir}: ${stats.studies} studies, ${stats.instances} instances`);
  const web = http && await startDicomweb(http, args, archive, log);
  return { services: archive.services, close: async () => { await web?.close(); await archive.close(); } };
}

/** --store-as and the lossy options that go with it; undefined without --store-as. */
function storeAsOption(args: Args): StoreAs | undefined {
  const text = args.string('store-as');
  const params = lossyParams(args);
  if (!text) {
    if (params.lossy) throw new UsageError('--allow-lossy needs --store-as');
    return undefined;
  }
  const transferSyntaxUid = syntaxOption(text, 'store-as');
  checkTarget(transferSyntaxUid, params, 'store-as');
  return { transferSyntaxUid, params };
}

interface HttpOptions {
  port: number;
  host: string;
  token?: string;
  maxBodyBytes?: number;
}

/** The --http-* options, checked before anything is opened; undefined without --http-port. */
function httpOptions(args: Args): HttpOptions | undefined {
  const orphan = ['http-bind', 'http-token', 'http-max-body'].find((name) => args.has(name));
  if (!args.has('http-port')) {
    if (orphan) throw new UsageError(`--${orphan} needs --http-port`);
    return undefined;
  }
  const maxBodyBytes = args.number('http-max-body');
  if (maxBodyBytes !== undefined && !(Number.isInteger(maxBodyBytes) && maxBodyBytes > 0)) throw new UsageError('--http-max-body must be a positive whole number of bytes');
  const token = args.string('http-token');
  if (token !== undefined && !/^[\x21-\x7e]+$/.test(token)) throw new UsageError('--http-token must be printable ASCII without spaces');
  return { port: args.integer('http-port', 0, 65535)!, host: args.string('http-bind') ?? '127.0.0.1', token, maxBodyBytes };
}

/** The DICOMweb server of --http-port, on the same archive. */
async function startDicomweb(http: HttpOptions, args: Args, archive: ArchiveServices, log: (line: string) => void): Promise<DicomwebServer> {
  const web = new DicomwebServer({
    archive, ...http, aeTitle: args.string('aet') ?? 'DICOMNET',
    acceptUnknownSopClasses: args.flag('promiscuous'), caseInsensitivePersonNames: args.flag('ignore-case'), log,
  });
  await web.listen();
  log(`DICOMweb server at ${web.url}${http.token !== undefined ? ' (bearer token required)' : ''}`);
  return web;
}
