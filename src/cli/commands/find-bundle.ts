// The entry of the bundle cli-find.js: dicomnet find (findscu) and worklist alone (src/cli/bundles.ts
// says why), without the association recorder: the executable runs them with --record with the full tool.
import { Args } from '../args';
import { singleCommandCli } from '../run';
import { findCommandWith, worklistCommandWith } from './find';

function noRecorder(args: Args): undefined {
  if (args.has('record')) throw new Error('this bundle does not record associations: the dicomnet executable runs find and worklist --record with the full tool');
  return undefined;
}

export const runCli = singleCommandCli([findCommandWith(noRecorder), worklistCommandWith(noRecorder)], async () => undefined);
