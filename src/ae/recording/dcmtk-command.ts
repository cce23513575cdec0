// "Copy as DCMTK command": the echoscu / findscu / movescu / getscu / storescu line that repeats
// what an association did (its first service request), from its record alone.
import { AssociationRecord, RecordedContext, RecordedMessage } from './record';

export interface DcmtkCommand {
  tool: 'echoscu' | 'findscu' | 'movescu' | 'getscu' | 'storescu';
  /** The arguments, unquoted (for spawn). */
  argv: string[];
  /** The line for a shell, arguments quoted where needed. */
  line: string;
  /** What the line cannot carry (e.g. the files a C-STORE sent, which the record does not name). */
  note?: string;
}

/** Stands for the files of a C-STORE: the record knows their SOP instances, not their paths. */
export const STORE_FILES_PLACEHOLDER = 'FILE...';

const VERIFICATION = '1.2.840.10008.1.1';
const IMPLICIT_LE = '1.2.840.10008.1.2';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const EXPLICIT_BE = '1.2.840.10008.1.2.2';
const DEFLATED = '1.2.840.10008.1.2.1.99';
const PATIENT_ROOT = new Set(['1.2.840.10008.5.1.4.1.2.1.1', '1.2.840.10008.5.1.4.1.2.1.2', '1.2.840.10008.5.1.4.1.2.1.3']);
const WORKLIST = '1.2.840.10008.5.1.4.31';
/** DCMTK's -pdu range. */
const PDU_MIN = 4096;
const PDU_MAX = 131072;

/** Compressed transfer syntaxes and the storescu -x / getscu +x letter that proposes / prefers them. */
const COMPRESSED_FLAG: Record<string, string> = {
  '1.2.840.10008.1.2.4.70': 's', '1.2.840.10008.1.2.4.50': 'y', '1.2.840.10008.1.2.4.51': 'x',
  '1.2.840.10008.1.2.4.90': 'v', '1.2.840.10008.1.2.4.91': 'w', '1.2.840.10008.1.2.4.80': 't', '1.2.840.10008.1.2.4.81': 'u',
  '1.2.840.10008.1.2.5': 'r', [DEFLATED]: 'd',
};

function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_.,:=\/+@-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The transfer syntax option for a query/echo context: -xi, -xb, -xd when the proposal was one of those first; nothing for DCMTK's default. */
function proposalOption(context: RecordedContext | undefined): string[] {
  const first = context?.proposedTransferSyntaxes[0]?.uid;
  const proposed = context?.proposedTransferSyntaxes.map((t) => t.uid) ?? [];
  if (proposed.length === 1 && first === IMPLICIT_LE) return ['-xi'];
  if (first === EXPLICIT_BE) return ['-xb'];
  if (first === DEFLATED) return ['-xd'];
  return [];
}

/** Builds the command, or undefined when no DCMTK tool repeats the association (no request and not an echo's proposal, or DIMSE-N only). */
export function dcmtkCommand(record: AssociationRecord): DcmtkCommand | undefined {
  const ourSide = record.direction === 'outbound';
  const requests = record.messages.filter((m) => m.direction === (ourSide ? 'sent' : 'received') && (m.commandField & 0x8000) === 0);
  const negotiation = record.negotiation;
  const [host, port] = splitAddress(record.peerAddress, ourSide);
  const common: string[] = ['-aet', record.callingAeTitle, '-aec', record.calledAeTitle];
  const maxPdu = negotiation?.requestor.maxPdu;
  if (maxPdu !== undefined && maxPdu !== 0) common.push('-pdu', String(Math.min(Math.max(maxPdu, PDU_MIN), PDU_MAX)));
  const first = requests.find((m) => m.commandField !== 0x0fff);
  if (!first) return negotiationOnly(record, common, host, port);
  const contextOf = (m: RecordedMessage) => negotiation?.contexts.find((c) => c.id === m.contextId);
  const keys = (m: RecordedMessage) => {
    const out: string[] = [];
    if (m.identifier?.level) out.push('-k', `0008,0052=${m.identifier.level}`);
    for (const key of m.identifier?.keys ?? []) {
      if (key.value.startsWith('(')) continue; // a sequence or binary value: not expressible as one -k
      out.push('-k', `${key.tag}=${key.value}`);
    }
    return out;
  };
  const model = (m: RecordedMessage) => (m.sopClass?.uid === WORKLIST ? '-W' : PATIENT_ROOT.has(m.sopClass?.uid ?? '') ? '-P' : '-S');
  let tool: DcmtkCommand['tool'];
  let args: string[];
  let note: string | undefined;
  switch (first.commandField) {
    case 0x0030:
      tool = 'echoscu';
      args = [...common, ...(first.sopClass?.uid === VERIFICATION ? proposalOption(contextOf(first)) : [])];
      break;
    case 0x0020:
      tool = 'findscu';
      args = [...common, model(first), ...proposalOption(contextOf(first)), ...keys(first)];
      break;
    case 0x0021:
      tool = 'movescu';
      args = [...common, model(first), ...proposalOption(contextOf(first)), ...(first.moveDestination ? ['-aem', first.moveDestination] : []), ...keys(first)];
      break;
    case 0x0010: {
      tool = 'getscu';
      const storeContext = negotiation?.contexts.find((c) => c.result === 0 && c.transferSyntax && COMPRESSED_FLAG[c.transferSyntax.uid]
        && negotiation.roles.some((r) => r.sopClass.uid === c.abstractSyntax.uid));
      const prefer = storeContext ? [`+x${COMPRESSED_FLAG[storeContext.transferSyntax!.uid]}`] : [];
      args = [...common, model(first), ...proposalOption(contextOf(first)), ...prefer, ...keys(first)];
      break;
    }
    case 0x0001: {
      tool = 'storescu';
      const stores = requests.filter((m) => m.commandField === 0x0001);
      const compressed = new Set(stores.map((m) => contextOf(m)?.transferSyntax?.uid).filter((uid): uid is string => uid !== undefined && COMPRESSED_FLAG[uid] !== undefined));
      const propose = compressed.size === 1 ? [`-x${COMPRESSED_FLAG[[...compressed][0]]}`] : [];
      args = [...common, ...propose];
      note = `${stores.length} instance${stores.length === 1 ? '' : 's'} were sent; give their files in place of ${STORE_FILES_PLACEHOLDER}`;
      break;
    }
    default:
      return undefined;
  }
  const argv = [...args, host, port, ...(tool === 'storescu' ? [STORE_FILES_PLACEHOLDER] : [])];
  return { tool, argv, line: [tool, ...argv.map(shellQuote)].join(' '), ...(note ? { note } : {}) };
}

/**
 * An association that ended before its first request (rejected, aborted) and proposed only the
 * Verification SOP class was an echo: echoscu repeats its negotiation. Nothing else can be told
 * from the proposal alone (a query's keys, a C-STORE's files).
 */
function negotiationOnly(record: AssociationRecord, common: string[], host: string, port: string): DcmtkCommand | undefined {
  const contexts = record.negotiation?.contexts ?? [];
  if (contexts.length === 0 || !contexts.every((c) => c.abstractSyntax.uid === VERIFICATION)) return undefined;
  const argv = [...common, ...proposalOption(contexts[0]), host, port];
  return {
    tool: 'echoscu', argv, line: ['echoscu', ...argv.map(shellQuote)].join(' '),
    note: 'the association ended before a C-ECHO was sent; the line repeats its negotiation',
  };
}

/** An outbound record's peer is the host and port we called; an inbound one's is the caller (whose SCP port we do not know). */
function splitAddress(address: string, outbound: boolean): [string, string] {
  const colon = address.lastIndexOf(':');
  const host = colon > 0 ? address.slice(0, colon) : address;
  return outbound ? [host, address.slice(colon + 1)] : ['HOST', 'PORT'];
}
