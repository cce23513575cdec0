// The entry of the bundle cli-find.js: dicomnet find (findscu) and worklist alone (src/cli/bundles.ts says why).
import { finishRecords } from '../record-file';
import { singleCommandCli } from '../run';
import { findCommand, worklistCommand } from './find';

export const runCli = singleCommandCli([findCommand, worklistCommand], finishRecords);
