// C-ECHO for the Echo Node command and the Add Node wizard.
import { echoContext } from '../../ae';
import { formatStatus, statusClass } from '../../dimse';
import { withAssociation } from './association';
import { recordIdOf } from './recorder';
import { DimseTarget, EngineLog } from './types';

export interface EchoOutcome {
  ok: boolean;
  /** Round trip of the C-ECHO exchange. */
  ms: number;
  statusText: string;
  /** The record of the association (DICOM Associations view). */
  associationId?: string;
}

export async function echo(target: DimseTarget, log: EngineLog, signal?: AbortSignal): Promise<EchoOutcome> {
  return withAssociation(target, [echoContext()], log, { purpose: 'C-ECHO', signal }, async (client) => {
    const result = await client.echo();
    const outcome: EchoOutcome = {
      ok: statusClass(result.status) === 'success', ms: Math.round(result.roundTripMs * 10) / 10, statusText: formatStatus(result.status, 'echo'),
      associationId: recordIdOf(client.association),
    };
    log.info(`C-ECHO ${target.calledAeTitle}@${target.host}:${target.port}: ${outcome.statusText} in ${outcome.ms} ms`);
    return outcome;
  });
}
