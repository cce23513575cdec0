// File meta elements (group 0002) belong in a file's meta header, never in a data set (PS3.10
// 7.1, PS3.7 6.3.1), but some senders put their file's meta into the data set they send. Written
// after a fresh meta header, those elements would be read as part of it (a stale Transfer Syntax
// UID winning, or an Implicit VR element breaking the Explicit VR meta). This drops the leading
// group 0002 elements of a data set while its bytes stream in, counting, never buffering values.

import { syntaxOf } from './codec';
import { KNOWN_VRS, hasLongExplicitHeader } from './vr';

const EMPTY = Buffer.alloc(0);

export class LeadingMetaStripper {
  /** File meta elements dropped so far. */
  dropped = 0;
  private readonly explicit: boolean;
  private readonly little: boolean;
  /** Past the leading group 0002 elements (or unable to strip: a deflated stream): bytes pass as they are. */
  private passing: boolean;
  /** Bytes of the element being dropped still to come. */
  private skipping = 0;
  /** The start of an element header that spans fragments. */
  private partial: Buffer | undefined;

  constructor(transferSyntaxUid: string) {
    const s = syntaxOf(transferSyntaxUid);
    this.explicit = s.explicit;
    this.little = s.little;
    // A deflated data set cannot be cut without inflating it: it is checked after the fact.
    this.passing = s.deflated;
  }

  /** The bytes of `chunk` that belong to the data set (possibly none yet, possibly held-back bytes too). */
  push(chunk: Buffer): Buffer {
    if (this.passing) return chunk;
    let data = this.partial ? Buffer.concat([this.partial, chunk]) : chunk;
    this.partial = undefined;
    let pos = 0;
    for (;;) {
      if (this.skipping > 0) {
        const n = Math.min(this.skipping, data.length - pos);
        pos += n;
        this.skipping -= n;
        if (this.skipping > 0) return EMPTY;
      }
      const left = data.length - pos;
      if (left < 8) {
        if (left > 0) this.partial = Buffer.from(data.subarray(pos));
        return EMPTY;
      }
      const group = this.little ? data.readUInt16LE(pos) : data.readUInt16BE(pos);
      if (group !== 0x0002) return this.passOn(data, pos);
      let header = 8;
      let length: number;
      if (this.explicit) {
        const vr = data.toString('latin1', pos + 4, pos + 6);
        if (!KNOWN_VRS.has(vr)) return this.passOn(data, pos);
        if (hasLongExplicitHeader(vr)) {
          if (left < 12) {
            this.partial = Buffer.from(data.subarray(pos));
            return EMPTY;
          }
          header = 12;
          length = this.little ? data.readUInt32LE(pos + 8) : data.readUInt32BE(pos + 8);
        } else {
          length = this.little ? data.readUInt16LE(pos + 6) : data.readUInt16BE(pos + 6);
        }
      } else {
        length = this.little ? data.readUInt32LE(pos + 4) : data.readUInt32BE(pos + 4);
      }
      // An undefined length cannot be skipped by counting; such a data set is left to the parser.
      if (length === 0xffffffff) return this.passOn(data, pos);
      this.dropped++;
      pos += header;
      this.skipping = length;
    }
  }

  /** The data set ended: an incomplete element header still held goes on as it is (for the parser to judge). */
  end(): Buffer {
    const rest = this.partial ?? EMPTY;
    this.partial = undefined;
    this.passing = true;
    return rest;
  }

  private passOn(data: Buffer, pos: number): Buffer {
    this.passing = true;
    return pos === 0 ? data : data.subarray(pos);
  }
}
