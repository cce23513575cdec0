// The public entry of src/dimse: what the other folders import from it.

export { DimseChannel, ResponseStream, UnfinishedMessageError, type IncomingMessage } from './channel';
export {
  CommandField, DATASET_PRESENT, NO_DATASET, Priority, commandName, hasDataset, refusalOf, type Command,
} from './command';
export {
  buildNRequest, buildNResponse, checkNRequest, checkNResponse, nRequestTarget, nServiceOf,
  type NRequestFields, type NResponseFields,
} from './n-commands';
export { N_STATUS_CODES, type NServiceName } from './n-status';
export { type DatasetSink, type DatasetSource } from './sink';
export { Status, formatStatus, serviceOfCommand, statusClass, statusName, type ServiceName, type StatusClass } from './status';
export { isResponse } from './command';
