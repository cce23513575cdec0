// Splits a TCP byte stream into PDUs. The declared PDU length is checked against the limit for
// its type before any buffer for it exists; bytes are only held as they arrive. With a
// P-DATA handler, P-DATA-TF PDUs are not assembled at all: each PDV's data is handed on as views
// of the received chunks (no copy), piece by piece.
import { AbortReason, PduDecodeError } from './errors';
import { isKnownPduType } from './pdu-decode';
import { PDU_P_DATA_TF } from './pdu-types';

/**
 * No PDU held in memory whole may exceed this, whatever was negotiated (an unlimited maximum
 * length included). A P-DATA-TF streamed to a P-DATA handler is never held whole: with an
 * unlimited maximum, it may be as long as its 32-bit length field says.
 */
export const HARD_PDU_CAP = 64 * 1024 * 1024;
/** Association PDUs with 128 contexts and large identity tokens stay far below this. */
export const CONTROL_PDU_CAP = 1024 * 1024;

export interface PduReaderOptions {
  /** Our advertised maximum P-DATA-TF length (0 = unlimited; bounded by the hard cap only when P-DATA is buffered). */
  maxPDataLength: number;
}

/** Receives P-DATA-TF PDUs as they stream in. */
export interface PDataHandler {
  /** A P-DATA-TF of this length (from its header) begins. */
  start(length: number): void;
  /**
   * A piece of a PDV's data (a view of the received bytes). `pdvDone` marks the PDV's last
   * piece; a PDV with no data gives one empty piece.
   */
  piece(contextId: number, controlHeader: number, data: Buffer, pdvDone: boolean): void;
  /** The P-DATA-TF ended (its last PDV is done). */
  end(): void;
}

type Phase = 'pdu-header' | 'pdu-body' | 'pdv-header' | 'pdv-data';

export class PduReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private failed = false;
  private phase: Phase = 'pdu-header';
  /** Bytes of the current P-DATA-TF not yet consumed (streaming mode). */
  private pduRemaining = 0;
  private pdvRemaining = 0;
  private pdvContext = 0;
  private pdvHeader = 0;
  private pduLength = 0;
  maxPDataLength: number;

  constructor(options: PduReaderOptions, private readonly onPdu: (raw: Buffer) => void,
    private readonly onError: (error: PduDecodeError) => void, private readonly pdata?: PDataHandler) {
    this.maxPDataLength = options.maxPDataLength;
  }

  private limitFor(type: number): number {
    if (type !== PDU_P_DATA_TF) return CONTROL_PDU_CAP;
    if (this.pdata) return this.maxPDataLength > 0 ? this.maxPDataLength : 0xffffffff;
    return this.maxPDataLength > 0 ? Math.min(this.maxPDataLength, HARD_PDU_CAP) : HARD_PDU_CAP;
  }

  /** Stops reading for good (after an abort): later bytes are dropped. */
  stop(): void {
    this.failed = true;
    this.chunks = [];
    this.buffered = 0;
  }

  /**
   * Feeds received bytes. A `borrowed` chunk is valid only during this call (its buffer is read
   * into again): what is left of it when the call returns is copied, and complete PDUs other than
   * P-DATA are handed on as copies. P-DATA pieces stay views, valid until the caller says otherwise.
   */
  push(chunk: Buffer, borrowed = false): void {
    if (this.failed) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    try {
      this.consume(borrowed);
    } finally {
      // Only the chunk of this call can be a view still: earlier leftovers were copied when their call ended.
      const last = this.chunks.length - 1;
      if (borrowed && last >= 0 && this.chunks[last].buffer === chunk.buffer) this.chunks[last] = Buffer.from(this.chunks[last]);
    }
  }

  private consume(borrowed: boolean): void {
    while (!this.failed) {
      if (this.phase === 'pdu-header') {
        if (this.buffered < 6) return;
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
        if (type === PDU_P_DATA_TF && this.pdata) {
          if (length < 6) return this.fail(new PduDecodeError(`a P-DATA-TF of ${length} bytes cannot hold a PDV`, AbortReason.InvalidPduParameterValue));
          this.take(6);
          this.pduRemaining = length;
          this.pduLength = length;
          this.phase = 'pdv-header';
          this.pdata.start(length);
          continue;
        }
        this.pduLength = length;
        this.phase = 'pdu-body';
      }
      if (this.phase === 'pdu-body') {
        const total = this.pduLength + 6;
        if (this.buffered < total) return;
        this.phase = 'pdu-header';
        const raw = this.take(total);
        // Decoded PDUs keep views of their bytes (the request lives as long as the association).
        this.onPdu(borrowed ? Buffer.from(raw) : raw);
        continue;
      }
      if (this.phase === 'pdv-header') {
        if (this.buffered < 6) return;
        const head = this.take(6);
        const length = head.readUInt32BE(0);
        if (length < 2) return this.fail(new PduDecodeError(`a PDV item length of ${length} is too short (at least 2)`, AbortReason.InvalidPduParameterValue));
        if (length + 4 > this.pduRemaining) {
          return this.fail(new PduDecodeError(`a PDV item claims ${length} bytes but only ${this.pduRemaining - 4} remain in its PDU`, AbortReason.InvalidPduParameterValue));
        }
        this.pduRemaining -= length + 4;
        this.pdvContext = head[4];
        this.pdvHeader = head[5];
        this.pdvRemaining = length - 2;
        this.phase = 'pdv-data';
        if (this.pdvRemaining === 0) {
          this.pdata!.piece(this.pdvContext, this.pdvHeader, Buffer.alloc(0), true);
          this.pdvFinished();
        }
        continue;
      }
      // pdv-data: hand on what is there, without copying.
      if (this.buffered === 0) return;
      const first = this.chunks[0];
      const n = Math.min(first.length, this.pdvRemaining);
      const piece = n === first.length ? first : first.subarray(0, n);
      if (n === first.length) this.chunks.shift(); else this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      this.pdvRemaining -= n;
      const done = this.pdvRemaining === 0;
      this.pdata!.piece(this.pdvContext, this.pdvHeader, piece, done);
      if (done) this.pdvFinished();
    }
  }

  private pdvFinished(): void {
    if (this.failed) return;
    if (this.pduRemaining === 0) {
      this.phase = 'pdu-header';
      this.pdata!.end();
    } else if (this.pduRemaining < 6) {
      this.fail(new PduDecodeError(`a P-DATA-TF ends with ${this.pduRemaining} stray bytes after its last PDV`, AbortReason.InvalidPduParameterValue));
    } else {
      this.phase = 'pdv-header';
    }
  }

  private fail(error: PduDecodeError): void {
    this.stop();
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
