// The entry of the bundle cli-get.js: dicomnet get (getscu) alone (src/cli/bundles.ts says why),
// without the association recorder: the executable runs it with --record with the full tool.
import { noRecorder } from '../network-options';
import { singleCommandCli } from '../run';
import { getCommandWith } from './retrieve';

export const runCli = singleCommandCli([getCommandWith(noRecorder)], async () => undefined);
