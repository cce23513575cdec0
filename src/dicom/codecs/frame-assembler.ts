// Which fragments of encapsulated Pixel Data make up which frame (PS3.5 A.4), as the fragments
// stream in: by the Extended Offset Table, else the Basic Offset Table, else (one frame) all of
// them, else one fragment per frame or the codestream start markers, decided at the end.

import { RLELossless } from './syntaxes';
import { FrameDecodeError } from './errors';

const ITEM_HEADER = 8;

/** JPEG, JPEG-LS (FFD8), JPEG 2000 codestream (FF4F FF51) or JP2 file (0000000C 6A502020). */
export function startsCodestream(f: Uint8Array): boolean {
  if (f.length < 4) return false;
  if (f[0] === 0xff && f[1] === 0xd8) return true;
  if (f[0] === 0xff && f[1] === 0x4f && f[2] === 0xff && f[3] === 0x51) return true;
  return f.length >= 8 && f[0] === 0 && f[1] === 0 && f[2] === 0 && f[3] === 12 && f[4] === 0x6a && f[5] === 0x50 && f[6] === 0x20 && f[7] === 0x20;
}

/** Offsets from an offset table value (32-bit or 64-bit little endian entries), if it has one per frame starting at 0. */
export function tableOffsets(table: Buffer | undefined, frames: number, width: 4 | 8): number[] | undefined {
  if (!table || table.length !== frames * width) return undefined;
  const out: number[] = [];
  for (let i = 0; i < frames; i++) out.push(width === 4 ? table.readUInt32LE(i * 4) : Number(table.readBigUInt64LE(i * 8)));
  if (out[0] !== 0) return undefined;
  for (let i = 1; i < out.length; i++) if (out[i]! <= out[i - 1]!) return undefined;
  return out;
}

export class FrameAssembler {
  private bot: Buffer | undefined;
  private offsets: number[] | undefined;
  private mode: 'offsets' | 'single' | 'buffered' | undefined;
  private current: Buffer[] = [];
  private held: Buffer[] = [];
  private frameIndex = 0;
  private itemPosition = 0;

  constructor(
    private readonly frames: number,
    private readonly syntax: string,
    private readonly onFrame: (index: number, bytes: Buffer) => void,
    /** Offsets from the Extended Offset Table (7FE0,0001), if the data set has a usable one. */
    private readonly extendedOffsets?: number[],
  ) {}

  /** The next fragment, in order; the first one is the Basic Offset Table. */
  fragment(data: Buffer): void {
    if (this.bot === undefined) {
      this.bot = data;
      this.offsets = this.frames > 1 ? this.extendedOffsets ?? tableOffsets(data.length ? data : undefined, this.frames, 4) : undefined;
      this.mode = this.offsets ? 'offsets' : this.frames === 1 ? 'single' : 'buffered';
      return;
    }
    const position = this.itemPosition;
    this.itemPosition += ITEM_HEADER + data.length;
    if (this.mode === 'buffered') {
      this.held.push(data);
      return;
    }
    if (this.mode === 'offsets') {
      const next = this.offsets![this.frameIndex + 1];
      if (next !== undefined && position >= next) {
        if (position !== next) throw this.mismatch();
        this.flush();
      }
    }
    this.current.push(data);
  }

  /** After the last fragment: the last frame goes out and the frame count is checked. */
  end(): void {
    if (this.bot === undefined) throw new FrameDecodeError('Encapsulated Pixel Data has no items, not even an offset table.');
    if (this.mode === 'buffered') {
      const held = this.held;
      this.held = [];
      if (held.length === this.frames || this.syntax === RLELossless) {
        for (const f of held) {
          this.current.push(f);
          this.flush();
        }
      } else {
        const starts = held.map((f, i) => (startsCodestream(f) ? i : -1)).filter((i) => i >= 0);
        if (starts.length !== this.frames || starts[0] !== 0) throw this.unassignable(held.length);
        starts.forEach((s, k) => {
          this.current.push(...held.slice(s, starts[k + 1] ?? held.length));
          this.flush();
        });
      }
    } else if (this.current.length) {
      this.flush();
    }
    if (this.frameIndex !== this.frames) {
      throw new FrameDecodeError(`Encapsulated Pixel Data holds ${this.frameIndex} frame${this.frameIndex === 1 ? '' : 's'} but Number of Frames is ${this.frames}.`);
    }
  }

  private flush(): void {
    if (this.current.length === 0) throw this.mismatch();
    const bytes = this.current.length === 1 ? this.current[0]! : Buffer.concat(this.current);
    this.current = [];
    if (this.frameIndex >= this.frames) throw new FrameDecodeError(`Encapsulated Pixel Data holds more frames than Number of Frames (${this.frames}).`);
    this.onFrame(this.frameIndex++, bytes);
  }

  private mismatch(): FrameDecodeError {
    return new FrameDecodeError('The offset table of the encapsulated Pixel Data does not point at fragment boundaries.');
  }

  private unassignable(fragments: number): FrameDecodeError {
    return new FrameDecodeError(`Cannot tell which of the ${fragments} fragments belong to which of the ${this.frames} frames (no usable offset table).`);
  }
}
