// The entry of the bundle cli-echo.js: dicomnet echo alone (src/cli/bundles.ts says why), without
// the association recorder: the executable runs dicomnet echo --record with the full tool.
import { Args } from '../args';
import { singleCommandCli } from '../run';
import { echoCommandWith } from './echo';

function noRecorder(args: Args): undefined {
  if (args.has('record')) throw new Error('this bundle does not record associations: the dicomnet executable runs echo --record with the full tool');
  return undefined;
}

export const runCli = singleCommandCli([echoCommandWith(noRecorder)], async () => undefined);
