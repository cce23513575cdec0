// DIMSE status codes (PS3.7 Annex C) and their meaning per service (PS3.4).
import { Uids } from '../dicom';
import { CommandField } from './command';
import { NServiceName, isNService, nStatusName } from './n-status';

export type StatusClass = 'success' | 'warning' | 'failure' | 'cancel' | 'pending';
export type ServiceName = 'echo' | 'store' | 'find' | 'move' | 'get' | 'worklist' | 'general' | NServiceName;

export const Status = {
  Success: 0x0000,
  Cancel: 0xfe00,
  Pending: 0xff00,
  PendingWarning: 0xff01,
  // general warnings (PS3.7 C.4)
  Warning: 0x0001,
  AttributeListError: 0x0107,
  AttributeValueOutOfRange: 0x0116,
  // general failures (PS3.7 C.5)
  NoSuchAttribute: 0x0105,
  InvalidAttributeValue: 0x0106,
  ProcessingFailure: 0x0110,
  DuplicateSopInstance: 0x0111,
  NoSuchSopInstance: 0x0112,
  NoSuchEventType: 0x0113,
  NoSuchArgument: 0x0114,
  InvalidArgumentValue: 0x0115,
  InvalidObjectInstance: 0x0117,
  NoSuchSopClass: 0x0118,
  ClassInstanceConflict: 0x0119,
  MissingAttribute: 0x0120,
  MissingAttributeValue: 0x0121,
  SopClassNotSupported: 0x0122,
  NoSuchAction: 0x0123,
  NotAuthorized: 0x0124,
  DuplicateInvocation: 0x0210,
  UnrecognizedOperation: 0x0211,
  MistypedArgument: 0x0212,
  ResourceLimitation: 0x0213,
  // storage
  OutOfResources: 0xa700,
  DataSetDoesNotMatchSopClass: 0xa900,
  CannotUnderstand: 0xc000,
  CoercionOfDataElements: 0xb000,
  ElementsDiscarded: 0xb006,
  DataSetDoesNotMatchSopClassWarning: 0xb007,
  // query/retrieve
  OutOfResourcesMatches: 0xa701,
  OutOfResourcesSubOperations: 0xa702,
  MoveDestinationUnknown: 0xa801,
  IdentifierDoesNotMatchSopClass: 0xa900,
  UnableToProcess: 0xc000,
  SubOperationsCompleteWithFailures: 0xb000,
} as const;

export function statusClass(status: number): StatusClass {
  if (status === 0x0000) return 'success';
  if (status === 0xff00 || status === 0xff01) return 'pending';
  if (status === 0xfe00) return 'cancel';
  if (status === 0x0001 || status === 0x0107 || status === 0x0116 || (status & 0xf000) === 0xb000) return 'warning';
  return 'failure';
}

const general: Record<number, string> = {
  0x0000: 'Success',
  0xfe00: 'Cancel',
  0xff00: 'Pending',
  0xff01: 'Pending (warning: optional keys not supported)',
  0x0001: 'Warning',
  0x0107: 'Warning: attribute list error',
  0x0116: 'Warning: attribute value out of range',
  0x0105: 'No such attribute',
  0x0106: 'Invalid attribute value',
  0x0110: 'Processing failure',
  0x0111: 'Duplicate SOP instance',
  0x0112: 'No such SOP instance',
  0x0113: 'No such event type',
  0x0114: 'No such argument',
  0x0115: 'Invalid argument value',
  0x0117: 'Invalid object instance',
  0x0118: 'No such SOP class',
  0x0119: 'Class-instance conflict',
  0x0120: 'Missing attribute',
  0x0121: 'Missing attribute value',
  0x0122: 'SOP class not supported',
  0x0123: 'No such action',
  0x0124: 'Refused: not authorized',
  0x0210: 'Duplicate invocation',
  0x0211: 'Unrecognized operation',
  0x0212: 'Mistyped argument',
  0x0213: 'Resource limitation',
};

const store: Record<number, string> = {
  0xb000: 'Warning: coercion of data elements',
  0xb006: 'Warning: elements discarded',
  0xb007: 'Warning: data set does not match SOP class',
};

const query: Record<number, string> = {
  0xa700: 'Refused: out of resources',
  0xa701: 'Refused: out of resources (unable to calculate number of matches)',
  0xa702: 'Refused: out of resources (unable to perform sub-operations)',
  0xa801: 'Refused: move destination unknown',
  0xa900: 'Failed: identifier does not match SOP class',
  0xb000: 'Warning: sub-operations complete, one or more failures or warnings',
};

// Pending as PS3.4 words it per service: C-FIND C.4.1.1.4 (Table C.4-1), worklist K.4.1.1.4,
// C-MOVE C.4.2.1.5, C-GET C.4.3.1.4. Services that define no Pending keep the general name.
const matchesPending: Record<number, string> = {
  0xff00: 'Pending: matches are continuing – current match is supplied, any optional keys were supported in the same manner as required keys',
  0xff01: 'Pending: matches are continuing – warning that one or more optional keys were not supported',
};
const subOperationsPending: Record<number, string> = {
  0xff00: 'Pending: sub-operations are continuing',
};
const pending: Partial<Record<ServiceName, Record<number, string>>> = {
  find: matchesPending, worklist: matchesPending, move: subOperationsPending, get: subOperationsPending,
};

/** By request command field (a response's is the same with bit 15 set). */
const SERVICE_OF_FIELD: Record<number, ServiceName> = {
  [CommandField.CStoreRq]: 'store', [CommandField.CGetRq]: 'get', [CommandField.CFindRq]: 'find',
  [CommandField.CMoveRq]: 'move', [CommandField.CEchoRq]: 'echo', [CommandField.NEventReportRq]: 'n-event-report',
  [CommandField.NGetRq]: 'n-get', [CommandField.NSetRq]: 'n-set', [CommandField.NActionRq]: 'n-action',
  [CommandField.NCreateRq]: 'n-create', [CommandField.NDeleteRq]: 'n-delete',
};

/** The service a request or response command belongs to, for naming its statuses ('general' when unknown). */
export function serviceOfCommand(commandField: number, sopClassUid?: string): ServiceName {
  const field = commandField & 0x7fff;
  if (field === CommandField.CFindRq && sopClassUid === Uids.ModalityWorklistFind) return 'worklist';
  return SERVICE_OF_FIELD[field] ?? 'general';
}

/** The standard's name for a status in the context of a service, e.g. "Refused: move destination unknown". */
export function statusName(status: number, service: ServiceName = 'general'): string {
  const pendingName = pending[service]?.[status];
  if (pendingName) return pendingName;
  if (service === 'store') {
    if (store[status]) return store[status];
    if ((status & 0xff00) === 0xa700) return 'Refused: out of resources';
    if ((status & 0xff00) === 0xa900) return 'Error: data set does not match SOP class';
    if ((status & 0xf000) === 0xc000) return 'Error: cannot understand';
  }
  if (service === 'find' || service === 'move' || service === 'get' || service === 'worklist') {
    if (query[status]) return query[status];
    // PS3.4 C.4.1.1.4 (C-FIND), C.4.2.1.5 (C-MOVE), C.4.3.1.4 (C-GET).
    if (status === 0xfe00) {
      return service === 'move' || service === 'get' ? 'Cancel: sub-operations terminated due to Cancel indication' : 'Cancel: matching terminated due to Cancel request';
    }
    if ((status & 0xf000) === 0xc000) return 'Failed: unable to process';
  }
  if (isNService(service)) {
    const name = nStatusName(status);
    if (name) return name;
  }
  if (general[status]) return general[status];
  switch (statusClass(status)) {
    case 'warning': return 'Warning';
    case 'failure': return 'Failure';
    default: return 'Unknown status';
  }
}

export function formatStatus(status: number, service: ServiceName = 'general'): string {
  return `0x${status.toString(16).toUpperCase().padStart(4, '0')} (${statusName(status, service)})`;
}
