// The public entry of src/cli/commands: what the other folders import from it.

export { commitCommand } from './commit';
export { echoCommand } from './echo';
export { findCommand, worklistCommand } from './find';
export { mppsCommand } from './mpps';
export { qidoCommand } from './qido';
export { getCommand, moveCommand } from './retrieve';
export { scpCommand } from './scp';
export { storeCommand } from './store';
export { stowCommand } from './stow';
export { transcodeCommand } from './transcode';
export { wadoCommand } from './wado';
export { inspectCommand } from './inspect';
