// Storage commitment requests the archive answered: <dir>/<Transaction UID>.json, one record per
// transaction with what was committed, what failed and how the report went out. A Transaction UID
// is used once (PS3.4 J.3.3.1.2): one found here is a reused one.
import { AnsweredCommitment } from '../../services';
import { JsonRecordFolder } from '../json-records';

export const COMMITMENT_DIR = '.storage-commitment';

export class CommitmentLog {
  private readonly folder: JsonRecordFolder<AnsweredCommitment>;
  private readonly known = new Set<string>();

  private constructor(readonly dir: string) {
    this.folder = new JsonRecordFolder(dir);
  }

  static async open(dir: string): Promise<CommitmentLog> {
    const log = new CommitmentLog(dir);
    await log.folder.removeLeftovers();
    for (const answer of await log.folder.list()) log.known.add(answer.transactionUid);
    return log;
  }

  has(transactionUid: string): boolean {
    return this.known.has(transactionUid);
  }

  async record(answer: AnsweredCommitment): Promise<void> {
    this.known.add(answer.transactionUid);
    await this.folder.write(answer.transactionUid, answer);
  }

  /** Every answered request, most recent first. */
  async list(skipped?: (file: string, reason: string) => void): Promise<AnsweredCommitment[]> {
    const all = await this.folder.list(skipped);
    return all.sort((a, b) => (a.receivedAt < b.receivedAt ? 1 : a.receivedAt > b.receivedAt ? -1 : 0));
  }
}
