// Splitting a message into PDVs no larger than the peer accepts (PS3.8 §9.3.5, Annex E).
import { Pdv } from '../net';

/** PDU variable-field bytes a PDV item adds around its data: item length (4) + context ID + control header. */
export const PDV_OVERHEAD = 6;

/**
 * Cuts `data` into PDVs of at most `maxData` bytes (views, no copies). `isLast` is set on the
 * final fragment only when `final` is true (more data may follow from a stream).
 */
export function fragment(data: Buffer, contextId: number, isCommand: boolean, maxData: number, final: boolean): Pdv[] {
  const pdvs: Pdv[] = [];
  if (data.length === 0) {
    if (final) pdvs.push({ contextId, isCommand, isLast: true, data });
    return pdvs;
  }
  for (let offset = 0; offset < data.length; offset += maxData) {
    const end = Math.min(offset + maxData, data.length);
    pdvs.push({ contextId, isCommand, isLast: final && end === data.length, data: data.subarray(offset, end) });
  }
  return pdvs;
}
