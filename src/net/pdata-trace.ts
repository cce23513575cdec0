// The P-DATA-TF being received, collected for tracing only: P-DATA streams through the association
// as pieces of PDVs and is never assembled otherwise.
import { PDataTf, PDU_P_DATA_TF } from './pdu-types';

export class ReceivedPDataTrace {
  /** Per PDV its pieces; the first `owned` of them are copies, the rest may be views of the read buffer. */
  private pdvs: { contextId: number; header: number; pieces: Buffer[]; owned: number }[] = [];
  private pdvOpen = false;

  constructor(readonly length: number) {}

  piece(contextId: number, header: number, data: Buffer, pdvDone: boolean): void {
    if (!this.pdvOpen) {
      this.pdvs.push({ contextId, header, pieces: [], owned: 0 });
      this.pdvOpen = true;
    }
    this.pdvs[this.pdvs.length - 1].pieces.push(data);
    if (pdvDone) this.pdvOpen = false;
  }

  /** The pieces collected so far are views about to be overwritten: keep copies. */
  keepCopies(): void {
    for (const p of this.pdvs) {
      if (p.owned === p.pieces.length) continue;
      p.pieces.splice(p.owned, p.pieces.length - p.owned, Buffer.concat(p.pieces.slice(p.owned)));
      p.owned = p.pieces.length;
    }
  }

  pdu(): PDataTf {
    return {
      type: PDU_P_DATA_TF,
      pdvs: this.pdvs.map((p) => ({ contextId: p.contextId, isCommand: (p.header & 1) !== 0, isLast: (p.header & 2) !== 0, data: Buffer.concat(p.pieces) })),
    };
  }
}
