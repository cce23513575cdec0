// dicomnet scp --dir: storage into an archive folder.
import { FileStore, DuplicatePolicy } from '../../archive/file-store';
import { StorageScp } from '../../services/store-scp';
import { formatStatus } from '../../dimse/status';
import { transferSyntaxName } from '../../dicom/uids';
import { UsageError } from '../args';
import { formatBytes } from '../progress';
import { ScpExtension } from './scp';

export const storageExtension: ScpExtension = {
  options: [
    { name: 'dir', alias: 'd', kind: 'string', valueName: 'DIR', description: 'store received instances under DIR/<study>/<series>/<instance>.dcm' },
    { name: 'on-duplicate', kind: 'string', valueName: 'POLICY', description: 'an instance already stored: overwrite (default), keep, or reject' },
    { name: 'promiscuous', kind: 'flag', description: 'accept unknown SOP classes too (with --dir)' },
    { name: 'fsync', kind: 'flag', description: 'flush each instance to disk before acknowledging it' },
  ],
  async setup(args, server) {
    const dir = args.string('dir');
    const policy = args.string('on-duplicate') ?? 'overwrite';
    if (!['overwrite', 'keep', 'reject'].includes(policy)) throw new UsageError(`--on-duplicate must be overwrite, keep or reject, not "${policy}"`);
    if (!dir) {
      for (const name of ['on-duplicate', 'promiscuous', 'fsync']) if (args.has(name)) throw new UsageError(`--${name} needs --dir`);
      return { services: [] };
    }
    const store = new FileStore({
      root: dir,
      onDuplicate: policy as DuplicatePolicy,
      fsync: args.flag('fsync'),
      onStored: (i) => server.log(`${i.kept ? 'kept existing' : i.replaced ? 'replaced' : 'stored'} ${i.relativePath} from ${i.callingAeTitle} (${formatBytes(i.size)}, ${transferSyntaxName(i.transferSyntaxUid) ?? i.transferSyntaxUid})`),
      onRefused: (i, o, detail) => server.log(`refused ${i.sopInstanceUid || '(no UID)'} from ${i.callingAeTitle}: ${formatStatus(o.status, 'store')} ${detail}`),
    });
    return { services: [new StorageScp(store, { promiscuous: args.flag('promiscuous') })] };
  },
};
