export { CommitmentLog, COMMITMENT_DIR } from './commitment-log';
export { archiveCommitmentBackend } from './archive-commitment';
