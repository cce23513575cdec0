// The entry of the bundle cli-echo.js: dicomnet echo alone (src/cli/bundles.ts says why), without
// the association recorder: the executable runs dicomnet echo --record with the full tool.
import { noRecorder } from '../network-options';
import { singleCommandCli } from '../run';
import { echoCommandWith } from './echo';

export const runCli = singleCommandCli([echoCommandWith(noRecorder)], async () => undefined);
