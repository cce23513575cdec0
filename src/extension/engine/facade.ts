// The engine as the extension sees it: the second bundle (dist/engine.js), loaded with require()
// the first time a DICOM view or command needs it, so activating the extension stays cheap.
export { echo, type EchoOutcome } from './echo';
export { describeError, errorCode, type ErrorCode } from './errors';
export { LocalScp, PortInUseError, nextFreePort } from './local-scp';
export { queryStudies, querySeries, queryInstances, find, worklist, keysProblem, type Listing } from './query';
export { move, get, scopeLevel } from './retrieve';
export { send } from './send';
export { commit } from './commit';
export { associationRecorder, associationIdOf } from './recorder';
export { viewerEngine } from './viewer';
export { formatRecord, dcmtkCommand } from '../../ae';
export { dicomwebCheck, qidoFind, qidoInstances, qidoSeries, qidoStudies, stowSend, wadoRetrieve, type WebTarget } from './dicomweb';

/** Set when this bundle is evaluated: tests prove activation does not load it. */
(globalThis as Record<string, unknown>).__dicomNetworkEngineLoaded = true;
