// dicomnet scp --dir / --worklist: storage, Query/Retrieve and Modality Worklist over folders.
import { ArchiveServices } from '../../archive/archive-services';
import { WorklistStore } from '../../archive/worklist/worklist-store';
import { DuplicatePolicy } from '../../archive/file-store';
import { parseDestination } from '../../ae/move-destinations';
import { FindScp } from '../../services/find-scp';
import { Uids, transferSyntaxName } from '../../dicom/uids';
import { formatStatus } from '../../dimse/status';
import { UsageError } from '../args';
import { formatBytes } from '../progress';
import { ScpExtension } from './scp';

export const archiveExtension: ScpExtension = {
  options: [
    { name: 'dir', alias: 'd', kind: 'string', valueName: 'DIR', description: 'archive folder: store received instances as DIR/<study>/<series>/<instance>.dcm and serve Q/R (FIND, MOVE, GET) over them' },
    { name: 'dest', kind: 'string', repeatable: true, valueName: 'AET=HOST:PORT', description: 'a C-MOVE destination (with --dir)' },
    { name: 'worklist', kind: 'string', valueName: 'DIR', description: 'serve Modality Worklist items from DIR (Part 10, DCMTK .wl, or DICOM JSON files)' },
    { name: 'on-duplicate', kind: 'string', valueName: 'POLICY', description: 'an instance already stored: overwrite (default), keep, or reject' },
    { name: 'promiscuous', kind: 'flag', description: 'accept unknown SOP classes too (with --dir)' },
    { name: 'fsync', kind: 'flag', description: 'flush each instance to disk before acknowledging it' },
    { name: 'ignore-case', kind: 'flag', description: 'match person names case-insensitively' },
  ],
  async setup(args, server) {
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
      for (const name of ['dest', 'on-duplicate', 'promiscuous', 'fsync']) if (args.has(name)) throw new UsageError(`--${name} needs --dir`);
      if (!worklistDir) return { services: [] };
      const worklist = new WorklistStore({ dir: worklistDir, log: server.log });
      return { services: [new FindScp([Uids.ModalityWorklistFind], (q) => worklist.find(q), { caseInsensitivePersonNames: args.flag('ignore-case') }, 'worklist')] };
    }
    const archive = await ArchiveServices.open({
      dir,
      aeTitle: args.string('aet') ?? 'DICOMNET',
      onDuplicate: policy as DuplicatePolicy,
      fsync: args.flag('fsync'),
      promiscuous: args.flag('promiscuous'),
      destinations,
      worklistDir,
      caseInsensitivePersonNames: args.flag('ignore-case'),
      log: server.log,
      onStored: (i) => server.log(`${i.kept ? 'kept existing' : i.replaced ? 'replaced' : 'stored'} ${i.relativePath} from ${i.callingAeTitle} (${formatBytes(i.size)}, ${transferSyntaxName(i.transferSyntaxUid) ?? i.transferSyntaxUid})`),
      refused: (uid, aet, status, detail) => server.log(`refused ${uid || '(no UID)'} from ${aet}: ${formatStatus(status, 'store')} ${detail}`),
      find: (f) => server.log(`C-FIND ${f.level} from ${f.peer}: ${f.matches} match${f.matches === 1 ? '' : 'es'}${f.cancelled ? ' (cancelled)' : ''} in ${f.ms} ms`),
      retrieve: (r) => server.log(`C-${r.operation.toUpperCase()}${r.destination ? ` to ${r.destination}` : ''} from ${r.peer}: ${r.completed} completed, ${r.failed} failed, ${r.warning} warning${r.cancelled ? ' (cancelled)' : ''}: ${formatStatus(r.status, r.operation)}`),
    });
    const stats = archive.index.stats();
    server.log(`archive ${dir}: ${stats.studies} studies, ${stats.instances} instances`);
    return { services: archive.services, close: () => archive.close() };
  },
};
