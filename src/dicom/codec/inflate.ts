// Synchronous incremental raw inflate (Deflated Explicit VR Little Endian, PS3.5 A.5).
// Node's zlib has no public synchronous streaming API, so this uses pako (a dependency of dcmjs).

import { DicomParseError } from '../errors';

interface PakoInflate {
  push(data: Uint8Array, flush?: boolean | number): boolean;
  onData: (chunk: Uint8Array) => void;
  err: number;
  msg: string;
  ended: boolean;
}

type Pako = { Inflate: new (opts: { raw: boolean; chunkSize?: number }) => PakoInflate };
// Required on first use: only deflated data sets need it, and loading pako costs every process.
let pako: Pako | undefined;
// eslint-disable-next-line @typescript-eslint/no-var-requires
const loadPako = (): Pako => (pako ??= require('pako') as Pako);

const Z_SYNC_FLUSH = 2;

export class IncrementalInflater {
  private readonly inflate: PakoInflate;
  private out: ((chunk: Buffer) => void) | undefined;
  private finished = false;

  constructor(onData: (chunk: Buffer) => void) {
    this.inflate = new (loadPako().Inflate)({ raw: true, chunkSize: 64 * 1024 });
    this.out = onData;
    this.inflate.onData = (c: Uint8Array) => {
      this.out?.(Buffer.from(c.buffer, c.byteOffset, c.byteLength));
    };
  }

  push(chunk: Buffer): void {
    if (this.finished || this.inflate.ended) return;
    this.inflate.push(chunk, Z_SYNC_FLUSH);
    if (this.inflate.err) throw new DicomParseError(`The deflated dataset is corrupt: ${this.inflate.msg || 'inflate error ' + this.inflate.err}.`);
  }

  /** Stop delivering data (the consumer has what it needs). */
  detach(): void {
    this.out = undefined;
    this.finished = true;
  }

  /**
   * Ends the input. A stream without its final block is accepted: some writers omit it, and a
   * dataset cut short is reported by the tokenizer when it ends inside an element.
   */
  end(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.inflate.err) throw new DicomParseError(`The deflated dataset is corrupt: ${this.inflate.msg}.`);
  }
}
