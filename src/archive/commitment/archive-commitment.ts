// What the archive commits to: an instance it has indexed, under the SOP class the request names,
// whose file is still on disk. Anything else is listed as failed with its Failure Reason.
import { statSync } from 'node:fs';
import { isStorageSopClass } from '../../dicom';
import { CommitmentBackend } from '../../services';
import { FailureReason, SopReference } from '../../services';
import { ArchiveIndex } from '../archive-index';
import { CommitmentLog } from './commitment-log';

export function archiveCommitmentBackend(index: ArchiveIndex, log: CommitmentLog, options: { promiscuous?: boolean } = {}): CommitmentBackend {
  return {
    check(ref: SopReference): number {
      const held = index.get(ref.sopInstanceUid);
      if (!held) {
        return isStorageSopClass(ref.sopClassUid) || options.promiscuous ? FailureReason.NoSuchObjectInstance : FailureReason.ReferencedSopClassNotSupported;
      }
      if (held.sopClassUid !== ref.sopClassUid) return FailureReason.ClassInstanceConflict;
      try {
        if (!statSync(held.path).isFile()) return FailureReason.NoSuchObjectInstance;
      } catch {
        return FailureReason.NoSuchObjectInstance;
      }
      return 0;
    },
    isKnownTransaction: (transactionUid) => log.has(transactionUid),
  };
}
