// Readable renderings of PDUs for --trace output and the extension's trace log.
import { describeAbort, describeContextResult, describeReject } from './reasons';
import {
  Pdu, UserInformation, PDU_ABORT, PDU_ASSOCIATE_AC, PDU_ASSOCIATE_RJ, PDU_ASSOCIATE_RQ, PDU_P_DATA_TF,
  PDU_RELEASE_RP, PDU_RELEASE_RQ,
} from './pdu-types';

const PDU_NAMES: Record<number, string> = {
  [PDU_ASSOCIATE_RQ]: 'A-ASSOCIATE-RQ', [PDU_ASSOCIATE_AC]: 'A-ASSOCIATE-AC', [PDU_ASSOCIATE_RJ]: 'A-ASSOCIATE-RJ',
  [PDU_P_DATA_TF]: 'P-DATA-TF', [PDU_RELEASE_RQ]: 'A-RELEASE-RQ', [PDU_RELEASE_RP]: 'A-RELEASE-RP', [PDU_ABORT]: 'A-ABORT',
};

export function pduName(type: number): string {
  return PDU_NAMES[type] ?? `PDU 0x${type.toString(16)}`;
}

export type UidNamer = (uid: string) => string | undefined;

function userInfoLines(info: UserInformation, name: UidNamer): string[] {
  const lines: string[] = [];
  lines.push(`  max PDU length: ${info.maximumLength ?? '(absent)'}${info.maximumLength === 0 ? ' (unlimited)' : ''}`);
  if (info.implementationClassUid) lines.push(`  implementation class UID: ${info.implementationClassUid}`);
  if (info.implementationVersionName) lines.push(`  implementation version: ${info.implementationVersionName}`);
  if (info.asyncOperationsWindow) {
    lines.push(`  async operations window: invoked ${info.asyncOperationsWindow.maxOperationsInvoked}, performed ${info.asyncOperationsWindow.maxOperationsPerformed}`);
  }
  for (const r of info.roleSelections) lines.push(`  role selection: ${label(r.sopClassUid, name)} SCU=${r.scuRole} SCP=${r.scpRole}`);
  for (const e of info.sopClassExtended) lines.push(`  extended negotiation: ${label(e.sopClassUid, name)} [${e.serviceClassApplicationInformation.toString('hex')}]`);
  for (const c of info.sopClassCommonExtended) {
    lines.push(`  common extended negotiation: ${label(c.sopClassUid, name)} service ${label(c.serviceClassUid, name)}${c.relatedGeneralSopClassUids.length ? ` related ${c.relatedGeneralSopClassUids.join(', ')}` : ''}`);
  }
  if (info.userIdentityRq) {
    const id = info.userIdentityRq;
    // The secondary field is a password or key: never printed.
    lines.push(`  user identity: type ${id.type}, primary ${id.type <= 2 ? JSON.stringify(id.primaryField.toString('utf8')) : `${id.primaryField.length} bytes`}${id.secondaryField.length ? ', secondary (hidden)' : ''}${id.positiveResponseRequested ? ', response requested' : ''}`);
  }
  if (info.userIdentityAc) lines.push(`  user identity response: ${info.userIdentityAc.serverResponse.length} bytes`);
  for (const u of info.unknown) lines.push(`  unknown sub-item 0x${u.type.toString(16)} (${u.data.length} bytes, ignored)`);
  return lines;
}

function label(uid: string, name: UidNamer): string {
  const n = name(uid);
  return n ? `${n} (${uid})` : uid;
}

/** A multi-line description of a PDU. P-DATA-TF is summarised per PDV (payloads are not dumped). */
export function formatPdu(pdu: Pdu, length: number, name: UidNamer = () => undefined): string {
  const head = `${pduName(pdu.type)} (${length} bytes)`;
  switch (pdu.type) {
    case PDU_ASSOCIATE_RQ:
      return [
        head,
        `  called AE "${pdu.calledAeTitle}", calling AE "${pdu.callingAeTitle}", protocol version ${pdu.protocolVersion}`,
        `  application context: ${pdu.applicationContext}`,
        ...pdu.presentationContexts.map((c) => `  context ${c.id}: ${label(c.abstractSyntax, name)}\n${c.transferSyntaxes.map((ts) => `      ${label(ts, name)}`).join('\n')}`),
        ...userInfoLines(pdu.userInformation, name),
      ].join('\n');
    case PDU_ASSOCIATE_AC:
      return [
        head,
        `  called AE "${pdu.calledAeTitle}", calling AE "${pdu.callingAeTitle}", protocol version ${pdu.protocolVersion}`,
        ...pdu.presentationContexts.map((c) => `  context ${c.id}: ${describeContextResult(c.result)}${c.result === 0 ? ` ${label(c.transferSyntax, name)}` : ''}`),
        ...userInfoLines(pdu.userInformation, name),
      ].join('\n');
    case PDU_ASSOCIATE_RJ:
      return `${head}: ${describeReject(pdu.result, pdu.source, pdu.reason)}`;
    case PDU_P_DATA_TF:
      return `${head}: ${pdu.pdvs.map((p) => `PDV ctx ${p.contextId} ${p.isCommand ? 'command' : 'data set'}${p.isLast ? ' last' : ''} ${p.data.length} bytes`).join('; ')}`;
    case PDU_RELEASE_RQ:
    case PDU_RELEASE_RP:
      return head;
    case PDU_ABORT:
      return `${head}: ${describeAbort(pdu.source, pdu.reason, true).replace('by the peer ', '')}`;
  }
}
