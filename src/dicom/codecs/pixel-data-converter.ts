// The top-level Pixel Data of one data set, converted frame by frame as it streams: native frames
// are cut from the value, encapsulated ones assembled from fragments, each frame goes to the codec
// pool, and the results come back in order as the target's Pixel Data element. Decoded frames are
// written as they arrive; encoded ones are held until the last one is done, because the offset
// table in front of them needs every frame's size.

import { Tags, ITEM, SEQUENCE_DELIMITATION, UNDEFINED_LENGTH } from '../tag';
import { swapInPlace } from '../codec';
import { PixelPlan } from './plan';
import { CodecPool } from './codec-pool';
import { FrameAssembler } from './frame-assembler';
import { Deferred } from './deferred';
import { nativeFrameLength, describeLayout } from './pixel-description';
import type { DecodedFrame, EncodedFrame } from './frame-codec';
import { FrameDecodeError, FrameEncodeError, UnsupportedConversionError, CodecPoolError } from './errors';
import { lowerFirst } from '../errors';

const EXTENDED_OFFSET_TABLE = 0x7fe00001;
const EXTENDED_OFFSET_TABLE_LENGTHS = 0x7fe00002;

export interface PixelOutput {
  /** Bytes ready now. */
  write(b: Buffer): void;
  /** A place for bytes known later. */
  later(): Deferred;
  /** An element header in the target syntax. */
  header(tag: number, vr: string, length: number): Buffer;
}

export interface PixelResult {
  /** Bytes of native samples that went into (or came out of) the codecs. */
  nativeBytes: number;
  /** Bytes of codestreams written (encapsulated target), 0 otherwise. */
  encodedBytes: number;
}

export interface PixelConverterOptions {
  /** The target is little endian (false only for Explicit VR Big Endian). */
  targetLittle: boolean;
  /** Offsets from a usable Extended Offset Table of the source. */
  extendedOffsets?: number[];
  /** Frames in the pool at once (default: twice the pool size). */
  maxInFlight?: number;
}

function itemHeader(tag: number, length: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeUInt16LE(tag >>> 16, 0);
  b.writeUInt16LE(tag & 0xffff, 2);
  b.writeUInt32LE(length, 4);
  return b;
}

function longHeader(tag: number, vr: string, length: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16LE(tag >>> 16, 0);
  b.writeUInt16LE(tag & 0xffff, 2);
  b.write(vr, 4, 'latin1');
  b.writeUInt32LE(length, 8);
  return b;
}

export class PixelDataConverter {
  /** Resolves when every frame is converted and written; rejects with the first frame's failure. */
  readonly finished: Promise<PixelResult>;
  private resolveFinished!: (r: PixelResult) => void;
  private rejectFinished!: (e: Error) => void;
  private failure: Error | undefined;
  private readonly inFlight: Promise<unknown>[] = [];
  private readonly maxInFlight: number;
  private readonly frameLength: number;
  private readonly encoded: Array<Uint8Array | undefined>;
  private encodedDone = 0;
  private nativeBytes = 0;
  private outputSlot: Deferred | undefined;
  private assembler: FrameAssembler | undefined;
  // Native source: the frame being filled.
  private pending: Buffer | undefined;
  private pendingFill = 0;
  private nativeFrames = 0;
  private sourceUnit = 1;
  private sourceLength = 0;
  private frameSlots: Deferred[] = [];

  constructor(private readonly plan: PixelPlan, private readonly pool: CodecPool, private readonly out: PixelOutput, private readonly opts: PixelConverterOptions) {
    this.finished = new Promise<PixelResult>((resolve, reject) => {
      this.resolveFinished = resolve;
      this.rejectFinished = reject;
    });
    this.finished.catch(() => undefined);
    this.maxInFlight = opts.maxInFlight ?? pool.size * 2;
    this.frameLength = nativeFrameLength(plan.source);
    this.encoded = new Array(plan.frames).fill(undefined);
  }

  /** A promise to wait for before feeding more, when enough frames are in the pool. */
  backpressure(): Promise<void> | undefined {
    if (this.inFlight.length < this.maxInFlight) return undefined;
    return this.inFlight[0]!.then(() => undefined, () => undefined);
  }

  // ---- native source (the plan encodes) ----

  /** `swapUnit` > 1 when the source's byte order differs from little endian (Explicit VR Big Endian OW). */
  beginNative(length: number, swapUnit: number): void {
    const needed = this.frameLength * this.plan.frames;
    if (length < needed) {
      throw new UnsupportedConversionError(`Pixel Data holds ${length} bytes, too few for ${this.plan.frames} frame${this.plan.frames === 1 ? '' : 's'} of ${describeLayout(this.plan.source)}.`);
    }
    this.sourceUnit = swapUnit;
    this.sourceLength = length;
    this.beginEncapsulatedOutput();
  }

  nativeChunk(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length && this.nativeFrames < this.plan.frames) {
      if (!this.pending) {
        this.pending = Buffer.allocUnsafe(this.frameLength);
        this.pendingFill = 0;
      }
      const take = Math.min(this.frameLength - this.pendingFill, chunk.length - at);
      chunk.copy(this.pending, this.pendingFill, at, at + take);
      this.pendingFill += take;
      at += take;
      if (this.pendingFill === this.frameLength) {
        const frame = swapInPlace(this.pending, this.sourceUnit);
        this.pending = undefined;
        this.submit(this.nativeFrames++, frame);
      }
    }
    // Bytes past the last frame (an even-length pad) are dropped.
  }

  endNative(): void {
    if (this.nativeFrames < this.plan.frames) {
      throw new UnsupportedConversionError(`Pixel Data ended after ${this.nativeFrames} of ${this.plan.frames} frames (${this.sourceLength} bytes).`);
    }
  }

  // ---- encapsulated source (the plan decodes or transcodes) ----

  beginFragments(): void {
    this.assembler = new FrameAssembler(this.plan.frames, this.plan.from, (i, bytes) => this.submit(i, bytes), this.opts.extendedOffsets);
    if (this.plan.work === 'decode') {
      const length = nativeFrameLength(this.plan.target) * this.plan.frames;
      if (length + (length % 2) > 0xfffffffe) throw new UnsupportedConversionError(`The decoded Pixel Data would hold ${length} bytes, more than one element can.`);
      const vr = this.plan.target.bitsAllocated > 8 ? 'OW' : 'OB';
      this.out.write(this.out.header(Tags.PixelData, vr, length + (length % 2)));
    } else {
      this.beginEncapsulatedOutput();
    }
  }

  fragment(data: Buffer): void {
    this.assembler!.fragment(data);
  }

  endFragments(): void {
    this.assembler!.end();
    if (this.plan.work === 'decode') {
      const length = nativeFrameLength(this.plan.target) * this.plan.frames;
      if (length % 2) this.out.write(Buffer.alloc(1));
      this.allSubmitted();
    }
  }

  // ---- frames ----

  private beginEncapsulatedOutput(): void {
    this.outputSlot = this.out.later();
  }

  private submit(index: number, bytes: Buffer): void {
    if (this.failure) return;
    const plan = this.plan;
    const slot = plan.work === 'decode' ? this.out.later() : undefined;
    if (slot) this.frameSlots.push(slot);
    let task: Promise<DecodedFrame | EncodedFrame>;
    if (plan.work === 'decode') task = this.pool.decode(plan.from, bytes, plan.source);
    else if (plan.work === 'encode') task = this.pool.encode(plan.to, bytes, plan.source, plan.params);
    else task = this.pool.transcode(plan.from, bytes, plan.source, plan.to, plan.params);
    const done = task.then((r) => this.accept(index, r, slot), (e: Error) => this.fail(index, e, slot));
    this.inFlight.push(done);
    void done.finally(() => {
      const i = this.inFlight.indexOf(done);
      if (i >= 0) this.inFlight.splice(i, 1);
    });
    if (plan.work !== 'decode' && index === plan.frames - 1) this.allSubmitted();
  }

  private allSubmitted(): void {
    void Promise.all(this.inFlight).then(() => this.complete());
  }

  private accept(index: number, r: DecodedFrame | EncodedFrame, slot: Deferred | undefined): void {
    if (this.failure) return;
    const planned = this.plan.target.photometricInterpretation;
    if (r.description.photometricInterpretation !== planned) {
      this.fail(index, new FrameDecodeError(`The frame came out as ${r.description.photometricInterpretation} where ${planned} was planned.`), slot);
      return;
    }
    if ('samples' in r) {
      const samples = Buffer.from(r.samples.buffer, r.samples.byteOffset, r.samples.byteLength);
      if (!this.opts.targetLittle && this.plan.target.bitsAllocated > 8) swapInPlace(samples, 2);
      this.nativeBytes += samples.length;
      slot!.fill([samples]);
      return;
    }
    this.nativeBytes += this.frameLength;
    this.encoded[index] = r.data;
    this.encodedDone++;
  }

  private fail(index: number, e: Error, slot: Deferred | undefined): void {
    if (this.failure) return;
    const message = this.plan.frames > 1 ? `Frame ${index + 1} of ${this.plan.frames}: ${lowerFirst(e.message)}` : e.message;
    const Cls = e instanceof FrameEncodeError ? FrameEncodeError : e instanceof UnsupportedConversionError ? UnsupportedConversionError
      : e instanceof CodecPoolError ? CodecPoolError : FrameDecodeError;
    this.failure = new Cls(message);
    slot?.fail(this.failure);
    for (const s of this.frameSlots) s.fail(this.failure);
    this.outputSlot?.fail(this.failure);
    this.rejectFinished(this.failure);
  }

  private complete(): void {
    if (this.failure) return;
    if (this.plan.work === 'decode') {
      this.resolveFinished({ nativeBytes: this.nativeBytes, encodedBytes: 0 });
      return;
    }
    if (this.encodedDone !== this.plan.frames) return;
    const parts: Buffer[] = [];
    const frames = this.encoded.map((d) => Buffer.from(d!.buffer, d!.byteOffset, d!.byteLength));
    const offsets: number[] = [];
    let position = 0;
    for (const f of frames) {
      offsets.push(position);
      position += 8 + f.length + (f.length % 2);
    }
    // A Basic Offset Table holds 32-bit offsets; beyond 4 GiB the Extended one (64-bit) is used and the basic one stays empty (PS3.5 A.4).
    const extended = offsets[offsets.length - 1]! > 0xffffffff;
    if (extended) {
      const table = Buffer.alloc(frames.length * 8);
      const lengths = Buffer.alloc(frames.length * 8);
      frames.forEach((f, i) => {
        table.writeBigUInt64LE(BigInt(offsets[i]!), i * 8);
        lengths.writeBigUInt64LE(BigInt(f.length), i * 8);
      });
      parts.push(longHeader(EXTENDED_OFFSET_TABLE, 'OV', table.length), table, longHeader(EXTENDED_OFFSET_TABLE_LENGTHS, 'OV', lengths.length), lengths);
    }
    parts.push(longHeader(Tags.PixelData, 'OB', UNDEFINED_LENGTH));
    if (extended) {
      parts.push(itemHeader(ITEM, 0));
    } else {
      const bot = Buffer.alloc(frames.length * 4);
      offsets.forEach((o, i) => bot.writeUInt32LE(o, i * 4));
      parts.push(itemHeader(ITEM, bot.length), bot);
    }
    let encodedBytes = 0;
    for (const f of frames) {
      // Items have even lengths: a codestream of odd length gets a trailing zero byte, as DICOM's writers do.
      parts.push(itemHeader(ITEM, f.length + (f.length % 2)), f);
      if (f.length % 2) parts.push(Buffer.alloc(1));
      encodedBytes += f.length;
    }
    parts.push(itemHeader(SEQUENCE_DELIMITATION, 0));
    this.outputSlot!.fill(parts);
    this.resolveFinished({ nativeBytes: this.nativeBytes, encodedBytes });
  }
}
