// DIMSE-N messages (PS3.7 10.1 and 10.3): which command elements each request and response
// carries, built from one description per service and checked on receipt.
import { Command, CommandField, DATASET_PRESENT, NO_DATASET, commandName } from './command';
import { NServiceName } from './n-status';
import { Status, statusClass } from './status';

export interface NServiceSpec {
  service: NServiceName;
  request: number;
  response: number;
  /**
   * N-EVENT-REPORT and N-CREATE name their instance with the Affected SOP Class/Instance UID,
   * the others with the Requested ones (tables 10.3-1 to 10.3-12).
   */
  names: 'affected' | 'requested';
  /** The request's instance UID is mandatory (all but N-CREATE, where the performer may assign it). */
  instanceRequired: boolean;
  /** The request's data set: none (N-GET, N-DELETE), mandatory (N-SET), or optional. */
  requestDataset: 'none' | 'required' | 'optional';
  /** The response may carry a data set (not N-DELETE). */
  responseDataset: boolean;
  /** Event Type ID / Action Type ID: mandatory in the request, echoed in a success response (C(=)). */
  typeId?: 'eventTypeId' | 'actionTypeId';
}

export const N_SERVICES: Readonly<Record<NServiceName, NServiceSpec>> = {
  'n-event-report': {
    service: 'n-event-report', request: CommandField.NEventReportRq, response: CommandField.NEventReportRsp,
    names: 'affected', instanceRequired: true, requestDataset: 'optional', responseDataset: true, typeId: 'eventTypeId',
  },
  'n-get': {
    service: 'n-get', request: CommandField.NGetRq, response: CommandField.NGetRsp,
    names: 'requested', instanceRequired: true, requestDataset: 'none', responseDataset: true,
  },
  'n-set': {
    service: 'n-set', request: CommandField.NSetRq, response: CommandField.NSetRsp,
    names: 'requested', instanceRequired: true, requestDataset: 'required', responseDataset: true,
  },
  'n-action': {
    service: 'n-action', request: CommandField.NActionRq, response: CommandField.NActionRsp,
    names: 'requested', instanceRequired: true, requestDataset: 'optional', responseDataset: true, typeId: 'actionTypeId',
  },
  'n-create': {
    service: 'n-create', request: CommandField.NCreateRq, response: CommandField.NCreateRsp,
    names: 'affected', instanceRequired: false, requestDataset: 'optional', responseDataset: true,
  },
  'n-delete': {
    service: 'n-delete', request: CommandField.NDeleteRq, response: CommandField.NDeleteRsp,
    names: 'requested', instanceRequired: true, requestDataset: 'none', responseDataset: false,
  },
};

const BY_FIELD = new Map<number, NServiceSpec>();
for (const spec of Object.values(N_SERVICES)) {
  BY_FIELD.set(spec.request, spec);
  BY_FIELD.set(spec.response, spec);
}

/** The DIMSE-N service of a request or response command field, or undefined for DIMSE-C. */
export function nServiceOf(commandField: number): NServiceSpec | undefined {
  return BY_FIELD.get(commandField);
}

export interface NRequestFields {
  messageId: number;
  sopClassUid: string;
  /** Mandatory except for N-CREATE (then the performer assigns one). */
  sopInstanceUid?: string;
  eventTypeId?: number;
  actionTypeId?: number;
  /** N-GET: the attributes to return (all when absent). */
  attributeIdentifierList?: readonly number[];
  /** Whether a data set (Event Information, Modification List, Action Information, Attribute List) follows. */
  hasDataset: boolean;
}

/**
 * The command of a DIMSE-N request (PS3.7 tables 10.3-1, -3, -5, -7, -9, -11).
 * @throws RangeError when a mandatory parameter is missing or a data set is where none may be.
 */
export function buildNRequest(service: NServiceName, fields: NRequestFields): Command {
  const spec = N_SERVICES[service];
  const name = commandName({ commandField: spec.request, commandDataSetType: NO_DATASET });
  if (!fields.sopClassUid) throw new RangeError(`an ${name} needs a SOP Class UID`);
  if (spec.instanceRequired && !fields.sopInstanceUid) throw new RangeError(`an ${name} needs a SOP Instance UID`);
  if (spec.requestDataset === 'none' && fields.hasDataset) throw new RangeError(`an ${name} carries no data set`);
  if (spec.requestDataset === 'required' && !fields.hasDataset) throw new RangeError(`an ${name} needs a data set`);
  const typeId = spec.typeId ? fields[spec.typeId] : undefined;
  if (spec.typeId && typeId === undefined) throw new RangeError(`an ${name} needs ${spec.typeId === 'eventTypeId' ? 'an Event Type ID' : 'an Action Type ID'}`);
  const command: Command = {
    commandField: spec.request,
    messageId: fields.messageId,
    commandDataSetType: fields.hasDataset ? DATASET_PRESENT : NO_DATASET,
  };
  if (spec.names === 'affected') {
    command.affectedSopClassUid = fields.sopClassUid;
    if (fields.sopInstanceUid) command.affectedSopInstanceUid = fields.sopInstanceUid;
  } else {
    command.requestedSopClassUid = fields.sopClassUid;
    command.requestedSopInstanceUid = fields.sopInstanceUid;
  }
  if (spec.typeId) command[spec.typeId] = typeId;
  if (service === 'n-get' && fields.attributeIdentifierList?.length) command.attributeIdentifierList = [...fields.attributeIdentifierList];
  return command;
}

/** The SOP Class and Instance UIDs a request is about, whichever elements its service uses. */
export function nRequestTarget(command: Command): { sopClassUid?: string; sopInstanceUid?: string } {
  const spec = nServiceOf(command.commandField);
  if (spec?.names === 'requested') return { sopClassUid: command.requestedSopClassUid, sopInstanceUid: command.requestedSopInstanceUid };
  return { sopClassUid: command.affectedSopClassUid, sopInstanceUid: command.affectedSopInstanceUid };
}

export interface NResponseFields {
  status: number;
  hasDataset?: boolean;
  /** N-CREATE: the UID the performer assigned (mandatory in a success response when the request had none). */
  sopInstanceUid?: string;
  errorComment?: string;
  errorId?: number;
  offendingElement?: readonly number[];
  /** 0105, 0107, 0120: the attributes concerned (PS3.7 C.4.2, C.5.13, C.5.17). */
  attributeIdentifierList?: readonly number[];
}

/**
 * The command of the DIMSE-N response to `request` (PS3.7 tables 10.3-2, -4, -6, -8, -10, -12): the
 * Affected SOP Class and Instance UIDs echo the request's, the Event/Action Type ID is echoed on
 * success, and failure details are added where given.
 */
export function buildNResponse(request: Command, fields: NResponseFields): Command {
  const spec = nServiceOf(request.commandField);
  if (!spec || spec.request !== request.commandField) throw new RangeError(`${commandName(request)} is not a DIMSE-N request`);
  const target = nRequestTarget(request);
  const instance = fields.sopInstanceUid ?? target.sopInstanceUid;
  const hasDataset = spec.responseDataset && fields.hasDataset === true;
  const command: Command = {
    commandField: spec.response,
    messageIdBeingRespondedTo: request.messageId,
    commandDataSetType: hasDataset ? DATASET_PRESENT : NO_DATASET,
    status: fields.status,
  };
  if (target.sopClassUid) command.affectedSopClassUid = target.sopClassUid;
  // An N-CREATE-RSP names the instance only on success (10.1.5.1.4), or the duplicate one (C.5.8).
  const names = spec.service !== 'n-create' || statusClass(fields.status) === 'success' || statusClass(fields.status) === 'warning'
    || fields.status === Status.DuplicateSopInstance;
  if (instance && names) command.affectedSopInstanceUid = instance;
  if (spec.typeId && fields.status === Status.Success) command[spec.typeId] = request[spec.typeId];
  if (fields.errorComment) command.errorComment = fields.errorComment.slice(0, 64);
  if (fields.errorId !== undefined) command.errorId = fields.errorId;
  if (fields.offendingElement?.length) command.offendingElement = [...fields.offendingElement];
  if (fields.attributeIdentifierList?.length) command.attributeIdentifierList = [...fields.attributeIdentifierList];
  return command;
}

/** A request that lacks what its service makes mandatory: the status to refuse it with, and why. */
export interface NRequestProblem {
  status: number;
  comment: string;
}

/**
 * Checks a received DIMSE-N request against PS3.7 10.3: the SOP Class UID, the SOP Instance UID (but for
 * N-CREATE), the Event/Action Type ID, and whether a data set is present where required.
 */
export function checkNRequest(command: Command, hasDataset: boolean): NRequestProblem | undefined {
  const spec = nServiceOf(command.commandField);
  if (!spec) return { status: Status.UnrecognizedOperation, comment: `${commandName(command)} is not a DIMSE-N request` };
  const name = commandName(command);
  const target = nRequestTarget(command);
  const which = spec.names === 'affected' ? 'Affected' : 'Requested';
  if (!target.sopClassUid) return { status: Status.NoSuchSopClass, comment: `the ${name} has no ${which} SOP Class UID` };
  if (spec.instanceRequired && !target.sopInstanceUid) {
    return { status: Status.NoSuchSopInstance, comment: `the ${name} has no ${which} SOP Instance UID` };
  }
  if (spec.typeId === 'eventTypeId' && command.eventTypeId === undefined) return { status: Status.NoSuchEventType, comment: `the ${name} has no Event Type ID` };
  if (spec.typeId === 'actionTypeId' && command.actionTypeId === undefined) return { status: Status.NoSuchAction, comment: `the ${name} has no Action Type ID` };
  if (spec.requestDataset === 'required' && !hasDataset) return { status: Status.ProcessingFailure, comment: `the ${name} has no data set` };
  return undefined;
}

/**
 * Checks a received DIMSE-N response against its request: the right command field, and Affected SOP
 * Class/Instance UIDs equal to the request's when present (U(=) in PS3.7 10.1). Returns why not.
 */
export function checkNResponse(request: Command, response: Command): string | undefined {
  const spec = nServiceOf(request.commandField);
  if (!spec) return `${commandName(request)} is not a DIMSE-N request`;
  if (response.commandField !== spec.response) return `${commandName(response)} answered an ${commandName(request)}`;
  if (response.status === undefined) return `the ${commandName(response)} has no Status`;
  const target = nRequestTarget(request);
  if (response.affectedSopClassUid && target.sopClassUid && response.affectedSopClassUid !== target.sopClassUid) {
    return `the ${commandName(response)} names SOP Class ${response.affectedSopClassUid}, not ${target.sopClassUid}`;
  }
  if (response.affectedSopInstanceUid && target.sopInstanceUid && response.affectedSopInstanceUid !== target.sopInstanceUid) {
    return `the ${commandName(response)} names SOP Instance ${response.affectedSopInstanceUid}, not ${target.sopInstanceUid}`;
  }
  return undefined;
}
