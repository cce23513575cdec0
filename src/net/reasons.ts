// Readable sentences for the result/source/reason codes of A-ASSOCIATE-RJ and A-ABORT (PS3.8 §9.3.4, §9.3.8).

export const enum RejectResult { Permanent = 1, Transient = 2 }
export const enum RejectSource { ServiceUser = 1, ServiceProviderAcse = 2, ServiceProviderPresentation = 3 }
export const enum RejectReason {
  // source 1
  NoReasonGiven = 1,
  ApplicationContextNotSupported = 2,
  CallingAeNotRecognized = 3,
  CalledAeNotRecognized = 7,
  // source 2
  ProtocolVersionNotSupported = 2,
  // source 3
  TemporaryCongestion = 1,
  LocalLimitExceeded = 2,
}

const userReasons: Record<number, string> = {
  1: 'no reason given',
  2: 'application context name not supported',
  3: 'calling AE title not recognised',
  7: 'called AE title not recognised',
};
const acseReasons: Record<number, string> = {
  1: 'no reason given',
  2: 'protocol version not supported',
};
const presentationReasons: Record<number, string> = {
  1: 'temporary congestion',
  2: 'local limit exceeded (too many associations)',
};

const rejectSources: Record<number, string> = {
  1: 'service user',
  2: 'service provider (ACSE)',
  3: 'service provider (presentation)',
};
const rejectReasonsBySource: Record<number, Record<number, string>> = { 1: userReasons, 2: acseReasons, 3: presentationReasons };

/** The words for an A-ASSOCIATE-RJ's result, source and reason, each on its own (PS3.8 Table 9-21). */
export function rejectWords(result: number, source: number, reason: number): { result: string; source: string; reason: string } {
  return {
    result: result === 1 ? 'permanent' : result === 2 ? 'transient' : `result ${result}`,
    source: rejectSources[source] ?? `unknown source ${source}`,
    reason: rejectReasonsBySource[source]?.[reason] ?? `reason ${reason}`,
  };
}

export function describeReject(result: number, source: number, reason: number): string {
  const how = result === 1 ? 'rejected permanently' : result === 2 ? 'rejected transiently' : `rejected (result ${result})`;
  const words = rejectWords(result, source, reason);
  const by = rejectSources[source] ? `by the ${words.source}` : `by an unknown source ${source}`;
  return `${how} ${by}: ${words.reason}`;
}

const abortReasons: Record<number, string> = {
  0: 'reason not specified',
  1: 'unrecognised PDU',
  2: 'unexpected PDU',
  4: 'unrecognised PDU parameter',
  5: 'unexpected PDU parameter',
  6: 'invalid PDU parameter value',
};

/** The words for an A-ABORT's source and reason (PS3.8 Table 9-26); the reason is significant for the provider only. */
export function abortWords(source: number, reason: number): { source: string; reason: string } {
  return {
    source: source === 0 ? 'service user' : source === 2 ? 'service provider' : `source ${source}`,
    reason: source === 2 ? abortReasons[reason] ?? `reason ${reason}` : 'not significant (service-user abort)',
  };
}

export function describeAbort(source: number, reason: number, byPeer: boolean): string {
  const who = byPeer ? 'by the peer' : 'locally';
  if (source === 0) return `${who} (service user)`;
  if (source === 2) return `${who} (service provider: ${abortReasons[reason] ?? `reason ${reason}`})`;
  return `${who} (source ${source}, reason ${reason})`;
}

export function describeContextResult(result: number): string {
  switch (result) {
    case 0: return 'accepted';
    case 1: return 'rejected by the user';
    case 2: return 'rejected: no reason';
    case 3: return 'rejected: abstract syntax not supported';
    case 4: return 'rejected: transfer syntaxes not supported';
    default: return `result ${result}`;
  }
}
