// The entry of the bundle cli-find.js: dicomnet find (findscu) and worklist alone (src/cli/bundles.ts
// says why), without the association recorder: the executable runs them with --record with the full tool.
import { noRecorder } from '../network-options';
import { singleCommandCli } from '../run';
import { findCommandWith, worklistCommandWith } from './find';

export const runCli = singleCommandCli([findCommandWith(noRecorder), worklistCommandWith(noRecorder)], async () => undefined);
