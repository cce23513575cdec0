// The top-level attributes a pixel data conversion reads (rows, bits, photometric interpretation,
// ...) and those it rewrites (Photometric Interpretation, Planar Configuration, Lossy Image
// Compression with its ratio and method, the extended offset table). The rewritten ones get a slot
// in the output at their place in tag order (inserted where absent), filled once the plan, and for
// a lossy ratio the sizes, are known.
import { Syntax, swapped } from './codec';
import { Deferred, PixelAttributes, PixelDataConverter, PixelPlan } from './codecs';
import { Tag } from './tag';
import { headerBytes, writeU16 } from './transcode-headers';
import { swapUnit } from './vr';

/** Top-level attributes the pixel conversion reads. */
const PIXEL_ATTRIBUTES = new Set<number>([
  0x00280002, 0x00280004, 0x00280006, 0x00280008, 0x00280010, 0x00280011,
  0x00280100, 0x00280101, 0x00280102, 0x00280103, 0x00282110, 0x00282112, 0x00282114, 0x7fe00001, 0x7fe00002,
]);
const PHOTOMETRIC = 0x00280004;
const PLANAR_CONFIGURATION = 0x00280006;
const LOSSY_IMAGE_COMPRESSION = 0x00282110;
const LOSSY_RATIO = 0x00282112;
const LOSSY_METHOD = 0x00282114;
const EXTENDED_OFFSET_TABLE = 0x7fe00001;
const EXTENDED_OFFSET_TABLE_LENGTHS = 0x7fe00002;
/** Top-level attributes a pixel conversion may rewrite, insert or drop, in tag order. */
const MANAGED = [PHOTOMETRIC, PLANAR_CONFIGURATION, LOSSY_IMAGE_COMPRESSION, LOSSY_RATIO, LOSSY_METHOD, EXTENDED_OFFSET_TABLE, EXTENDED_OFFSET_TABLE_LENGTHS];

interface Captured {
  vr: string;
  value: Buffer;
}

export class ManagedAttributes {
  private readonly captured = new Map<number, Captured>();
  private capturing: { tag: number; vr: string; parts: Buffer[] } | undefined;
  private managedIndex = 0;
  private readonly slots = new Map<number, Deferred>();

  /** `later` reserves a place in the output whose bytes come later. */
  constructor(private readonly from: Syntax, private readonly to: Syntax, private readonly later: () => Deferred) {}

  /**
   * At a top-level element: captures its value if the conversion reads it. True when the
   * conversion rewrites it: its value is dropped, its slot written instead.
   */
  startElement(tag: Tag, vr: string): boolean {
    if (PIXEL_ATTRIBUTES.has(tag)) this.capturing = { tag, vr, parts: [] };
    return MANAGED.includes(tag);
  }

  valueChunk(chunk: Buffer): void {
    if (this.capturing) this.capturing.parts.push(Buffer.from(chunk));
  }

  valueEnd(): void {
    if (this.capturing) {
      const c = this.capturing;
      this.capturing = undefined;
      this.captured.set(c.tag, { vr: c.vr, value: Buffer.concat(c.parts) });
    }
  }

  /** The Extended Offset Table's value, when the source has one. */
  extendedOffsetTable(): Buffer | undefined {
    return this.captured.get(EXTENDED_OFFSET_TABLE)?.value;
  }

  /** Places the slots of managed attributes up to `tag` (inserted where absent); true when `tag` is one. */
  placeSlots(tag: Tag): boolean {
    while (this.managedIndex < MANAGED.length && MANAGED[this.managedIndex]! <= tag) {
      const t = MANAGED[this.managedIndex++]!;
      this.slots.set(t, this.later());
      if (t === tag) return true;
    }
    return false;
  }

  private text(tag: Tag): string | undefined {
    const c = this.captured.get(tag);
    return c ? c.value.toString('latin1').replace(/[\0 ]+$/, '').trim() : undefined;
  }

  private uint(tag: Tag): number | undefined {
    const c = this.captured.get(tag);
    if (!c || c.value.length < 2) return undefined;
    return this.from.little ? c.value.readUInt16LE(0) : c.value.readUInt16BE(0);
  }

  pixelAttributes(): PixelAttributes {
    return {
      rows: this.uint(0x00280010), columns: this.uint(0x00280011), samplesPerPixel: this.uint(0x00280002),
      bitsAllocated: this.uint(0x00280100), bitsStored: this.uint(0x00280101), highBit: this.uint(0x00280102),
      pixelRepresentation: this.uint(0x00280103), planarConfiguration: this.uint(PLANAR_CONFIGURATION),
      photometricInterpretation: this.text(PHOTOMETRIC), numberOfFrames: this.text(0x00280008),
    };
  }

  /** A whole element in the target syntax (text padded to even length with a space). */
  private elementBytes(tag: Tag, vr: string, value: Buffer): Buffer[] {
    const v = value.length % 2 ? Buffer.concat([value, Buffer.from(' ')]) : value;
    return [headerBytes(this.to, tag, vr, v.length).buf, v];
  }

  /** The captured element as it was (byte-swapped if the byte order changes), or nothing. */
  private original(tag: Tag): Buffer[] {
    const c = this.captured.get(tag);
    if (!c || tag === EXTENDED_OFFSET_TABLE || tag === EXTENDED_OFFSET_TABLE_LENGTHS) return [];
    const value = this.from.little !== this.to.little ? swapped(c.value, swapUnit(c.vr)) : c.value;
    return [headerBytes(this.to, tag, c.vr, value.length).buf, value];
  }

  private usBytes(tag: Tag, v: number): Buffer[] {
    const b = Buffer.alloc(2);
    writeU16(this.to, b, 0, v);
    return [headerBytes(this.to, tag, 'US', 2).buf, b];
  }

  /** Fills the managed attributes' slots for the plan (undefined: no pixel data, all unchanged). */
  fillSlots(plan: PixelPlan | undefined, converter?: PixelDataConverter): void {
    const changes = plan && plan.work !== 'copy';
    this.slots.get(PHOTOMETRIC)?.fill(changes && plan.source.photometricInterpretation !== plan.target.photometricInterpretation
      ? this.elementBytes(PHOTOMETRIC, 'CS', Buffer.from(plan.target.photometricInterpretation, 'latin1')) : this.original(PHOTOMETRIC));
    this.slots.get(PLANAR_CONFIGURATION)?.fill(changes && plan.target.samplesPerPixel > 1
      ? this.usBytes(PLANAR_CONFIGURATION, plan.target.planarConfiguration) : this.original(PLANAR_CONFIGURATION));
    this.slots.get(EXTENDED_OFFSET_TABLE)?.fill(changes ? [] : this.original(EXTENDED_OFFSET_TABLE));
    this.slots.get(EXTENDED_OFFSET_TABLE_LENGTHS)?.fill(changes ? [] : this.original(EXTENDED_OFFSET_TABLE_LENGTHS));
    if (!plan?.lossy) {
      for (const t of [LOSSY_IMAGE_COMPRESSION, LOSSY_RATIO, LOSSY_METHOD]) this.slots.get(t)?.fill(this.original(t));
      return;
    }
    // Lossy: "01", and this compression's ratio and method after the earlier ones (PS3.3 C.7.6.1.1.5), once the sizes are known.
    this.slots.get(LOSSY_IMAGE_COMPRESSION)?.fill(this.elementBytes(LOSSY_IMAGE_COMPRESSION, 'CS', Buffer.from('01')));
    converter!.finished.then((r) => {
      const ratio = r.encodedBytes > 0 ? (r.nativeBytes / r.encodedBytes).toFixed(2).replace(/\.?0+$/, '') : '1';
      const values = (tag: Tag, add: string) => [...(this.text(tag) ?? '').split('\\').filter((v) => v.trim() !== ''), add].join('\\');
      this.slots.get(LOSSY_RATIO)?.fill(this.elementBytes(LOSSY_RATIO, 'DS', Buffer.from(values(LOSSY_RATIO, ratio), 'latin1')));
      this.slots.get(LOSSY_METHOD)?.fill(this.elementBytes(LOSSY_METHOD, 'CS', Buffer.from(values(LOSSY_METHOD, plan.method!), 'latin1')));
    }, (e: Error) => {
      this.slots.get(LOSSY_RATIO)?.fail(e);
      this.slots.get(LOSSY_METHOD)?.fail(e);
    });
  }
}
