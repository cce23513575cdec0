// The entry of the bundle cli-echo.js: dicomnet echo alone (src/cli/bundles.ts says why).
import { finishRecords } from '../record-file';
import { singleCommandCli } from '../run';
import { echoCommand } from './echo';

export const runCli = singleCommandCli([echoCommand], finishRecords);
