// Splits a TCP byte stream into complete PDUs. The declared PDU length is checked against the
// limit for its type before any buffer for it exists; bytes are only held as they arrive.
import { AbortReason, PduDecodeError } from './errors';
import { isKnownPduType } from './pdu-decode';
import { PDU_P_DATA_TF } from './pdu-types';

/** No PDU may exceed this, whatever was negotiated (an unlimited maximum length included). */
export const HARD_PDU_CAP = 64 * 1024 * 1024;
/** Association PDUs with 128 contexts and large identity tokens stay far below this. */
export const CONTROL_PDU_CAP = 1024 * 1024;

export interface PduReaderOptions {
  /** Our advertised maximum P-DATA-TF length (0 = unlimited, still bounded by the hard cap). */
  maxPDataLength: number;
}

export class PduReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failed = false;
  maxPDataLength: number;

  constructor(options: PduReaderOptions, private readonly onPdu: (raw: Buffer) => void,
    private readonly onError: (error: PduDecodeError) => void) {
    this.maxPDataLength = options.maxPDataLength;
  }

  private limitFor(type: number): number {
    if (type !== PDU_P_DATA_TF) return CONTROL_PDU_CAP;
    return this.maxPDataLength > 0 ? Math.min(this.maxPDataLength, HARD_PDU_CAP) : HARD_PDU_CAP;
  }

  /** Feeds received bytes; calls onPdu for each complete PDU (raw bytes, header included). */
  push(chunk: Buffer): void {
    if (this.failed) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= 6) {
      const head = this.peekHeader();
      const type = head[0];
      const length = head.readUInt32BE(2);
      if (!isKnownPduType(type)) {
        return this.fail(new PduDecodeError(`received an unknown PDU type 0x${type.toString(16).padStart(2, '0')}`, AbortReason.UnrecognizedPdu));
      }
      const limit = this.limitFor(type);
      if (length > limit) {
        return this.fail(new PduDecodeError(`received a PDU of ${length} bytes, more than the ${limit} allowed`, AbortReason.InvalidPduParameterValue));
      }
      const total = length + 6;
      if (this.buffered < total) return;
      this.onPdu(this.take(total));
      if (this.failed) return;
    }
  }

  private fail(error: PduDecodeError): void {
    this.failed = true;
    this.chunks = [];
    this.buffered = 0;
    this.onError(error);
  }

  private peekHeader(): Buffer {
    const first = this.chunks[0];
    if (first.length >= 6) return first;
    return this.take(6, true);
  }

  /** Removes (or with peek, copies) the first n buffered bytes; zero-copy when they sit in one chunk. */
  private take(n: number, peek = false): Buffer {
    const first = this.chunks[0];
    if (first.length >= n) {
      if (peek) return first.subarray(0, n);
      const out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift(); else this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    let i = 0;
    while (filled < n) {
      const chunk = this.chunks[i];
      const count = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, count);
      filled += count;
      if (!peek) {
        if (count === chunk.length) { this.chunks.shift(); continue; }
        this.chunks[0] = chunk.subarray(count);
      }
      i++;
    }
    if (!peek) this.buffered -= n;
    return out;
  }
}
