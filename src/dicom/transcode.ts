// Converting a data set between transfer syntaxes: a Transform stream, or a whole data set in
// memory. Between the uncompressed syntaxes (Implicit VR LE, Explicit VR LE, Explicit VR BE,
// Deflated Explicit VR LE), and from and to the compressed ones the codec layer reads and writes;
// the conversion itself is TranscodeEngine's (transcode-engine.ts). The output keeps its order
// whatever order the codec pool's frames finish in.
import { Transform, TransformCallback } from 'node:stream';
import { Deferred, Piece, needsPixelWork, syntaxLabel } from './codecs';
import { loadZlib } from './lazy-builtins';
import { UnsupportedTransferSyntaxError } from './errors';
import { TranscodeEngine, TranscodeOptions } from './transcode-engine';
import { transferSyntax, ExplicitVRLittleEndian } from './transfer-syntaxes';

type Pako = {
  Deflate: new (opts: { raw: boolean; level?: number }) => {
    push(data: Uint8Array, flush: number | boolean): boolean;
    onData: (c: Uint8Array) => void;
    err: number;
    msg: string;
  };
};
// Required on first use (deflating is rare; loading pako costs every process at start-up).
let pako: Pako | undefined;
// eslint-disable-next-line @typescript-eslint/no-var-requires
const loadPako = (): Pako => (pako ??= require('pako') as Pako);

/** Bytes of pieces that are known, in order, from the front of a queue. */
function takeReady(queue: Piece[]): Buffer[] {
  const out: Buffer[] = [];
  while (queue.length) {
    const p = queue[0]!;
    if (p instanceof Deferred) {
      if (!p.isSettled) break;
      out.push(...p.take());
    } else {
      out.push(p);
    }
    queue.shift();
  }
  return out;
}

/**
 * A Transform stream converting a data set (no file meta) from one syntax to another. Compressed
 * syntaxes on either side go through the codec pool (opts.pool, else the shared one).
 */
export function createTranscoder(fromTs: string, toTs: string, opts: TranscodeOptions = {}): Transform {
  const deflate = transferSyntax(toTs)?.deflated === true;
  const engine = new TranscodeEngine(fromTs, deflate ? ExplicitVRLittleEndian : toTs, opts);
  const queue: Piece[] = [];
  let deflater: InstanceType<Pako['Deflate']> | undefined;
  let t!: Transform;
  // Group small pieces (headers) into one chunk; pass large ones as they are.
  let small: Buffer[] = [];
  let smallSize = 0;
  const flushSmall = () => {
    if (small.length) t.push(small.length === 1 ? small[0] : Buffer.concat(small, smallSize));
    small = [];
    smallSize = 0;
  };
  const out = (b: Buffer) => {
    if (b.length >= 16 * 1024) {
      flushSmall();
      t.push(b);
    } else {
      small.push(b);
      smallSize += b.length;
      if (smallSize >= 64 * 1024) flushSmall();
    }
  };
  if (deflate) {
    deflater = new (loadPako().Deflate)({ raw: true, level: opts.deflateLevel ?? 6 });
    deflater.onData = (c: Uint8Array) => out(Buffer.from(c.buffer, c.byteOffset, c.byteLength));
  }
  const write = (bufs: Buffer[]) => {
    for (const b of bufs) {
      if (b.length === 0) continue;
      if (deflater) deflater.push(b, 0);
      else out(b);
    }
    flushSmall();
  };
  t = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      void (async () => {
        queue.push(...engine.push(chunk));
        write(takeReady(queue));
        for (let wait = engine.backpressure(); wait; wait = engine.backpressure()) {
          await wait;
          write(takeReady(queue));
        }
      })().then(() => cb(), (e: Error) => cb(e));
    },
    flush(cb: TransformCallback) {
      void (async () => {
        queue.push(...engine.end());
        write(takeReady(queue));
        while (queue.length) {
          await (queue[0] as Deferred).settled;
          write(takeReady(queue));
        }
        if (deflater) {
          deflater.push(new Uint8Array(0), true);
          flushSmall();
        }
      })().then(() => cb(), (e: Error) => cb(e));
    },
  });
  return t;
}

/** Converts a whole data set (no file meta) held in memory, between uncompressed syntaxes. */
export function transcodeBuffer(buf: Buffer, fromTs: string, toTs: string, opts: TranscodeOptions = {}): Buffer {
  if (needsPixelWork(fromTs, toTs)) {
    throw new UnsupportedTransferSyntaxError(`Converting from ${syntaxLabel(fromTs)} to ${syntaxLabel(toTs)} goes through the codec workers; use transcodeDataset.`, toTs);
  }
  // With the whole input at hand, native zlib deflates faster than the incremental deflater.
  const deflate = transferSyntax(toTs)?.deflated === true;
  const engine = new TranscodeEngine(fromTs, deflate ? ExplicitVRLittleEndian : toTs, opts);
  const out = [...engine.push(buf), ...engine.end()] as Buffer[];
  const body = out.length === 1 ? out[0] : Buffer.concat(out);
  return deflate ? loadZlib().deflateRawSync(body, { level: opts.deflateLevel ?? 6 }) : body;
}

/** Converts a whole data set (no file meta) held in memory, between any syntaxes the codecs handle. */
export async function transcodeDataset(buf: Buffer, fromTs: string, toTs: string, opts: TranscodeOptions = {}): Promise<Buffer> {
  if (!needsPixelWork(fromTs, toTs)) return transcodeBuffer(buf, fromTs, toTs, opts);
  const parts: Buffer[] = [];
  const t = createTranscoder(fromTs, toTs, opts);
  t.on('data', (c: Buffer) => parts.push(c));
  await new Promise<void>((resolve, reject) => {
    t.on('end', resolve);
    t.on('error', reject);
    t.end(buf);
  });
  return Buffer.concat(parts);
}
