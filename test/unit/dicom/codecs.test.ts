// The codec layer on generated images: lossless round trips through every target, lossy coding
// only when allowed and then marked, offset tables, odd-length fragments, big endian input, the
// attributes a conversion changes, and a pool that carries on after a corrupt frame or a crash.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Dataset, encodeDataset, parseDataset } from '../../../src/dicom';
import { createTranscoder, transcodeDataset } from '../../../src/dicom/transcode';
import {
  CodecPool, CodecPoolError, FrameDecodeError, UnsupportedConversionError, resolveTransferSyntax, PixelPlan,
  RLELossless, JPEGLSLossless, JPEGLSNearLossless, JPEG2000Lossless, JPEG2000, HTJ2KLossless, HTJ2KLosslessRPCL, JPEGLosslessSV1,
  JPEGLosslessP14, JPEGBaseline, HTJ2K, canEncodeLosslessly,
} from '../../../src/dicom/codecs';
import { UnsupportedTransferSyntaxError } from '../../../src/dicom/errors';
import { prng, randomSplit } from './samples';

const EVLE = '1.2.840.10008.1.2.1';
const IVLE = '1.2.840.10008.1.2';
const EVBE = '1.2.840.10008.1.2.2';
const LOSSLESS = [RLELossless, JPEGLSLossless, JPEG2000Lossless, HTJ2KLossless, HTJ2KLosslessRPCL, JPEGLosslessSV1, JPEGLosslessP14];

const pool = new CodecPool({ size: 2 });
after(() => pool.close());

interface Image {
  rows: number;
  columns: number;
  frames: number;
  samples: number;
  bitsAllocated: number;
  bitsStored: number;
  signed: boolean;
  photometric: string;
  planar?: number;
}

/** Smooth content with noise, so that codecs have something to predict and something to miss. */
function pixels(img: Image, seed = 1): Buffer {
  const bytes = img.bitsAllocated / 8;
  const count = img.rows * img.columns * img.samples * img.frames;
  const out = Buffer.alloc(count * bytes);
  const next = prng(seed);
  const max = 2 ** img.bitsStored;
  for (let i = 0; i < count; i++) {
    const x = i % img.columns;
    const y = Math.floor(i / img.columns) % img.rows;
    let v = Math.floor(((Math.sin(x / 7) + Math.cos(y / 5) + 2) / 4) * (max - 1) * 0.9 + next() * max * 0.05) % max;
    if (img.signed) v -= max / 2;
    if (bytes === 1) out.writeUInt8(v & 0xff, i);
    else if (img.signed) out.writeInt16LE(v, i * 2);
    else out.writeUInt16LE(v, i * 2);
  }
  return out;
}

function imageDataset(img: Image, pixelData: Buffer): Dataset {
  const ds = new Dataset();
  ds.set('SOPClassUID', 'UI', '1.2.840.10008.5.1.4.1.1.7');
  ds.set('SOPInstanceUID', 'UI', '2.25.1234');
  ds.set('SamplesPerPixel', 'US', img.samples);
  ds.set('PhotometricInterpretation', 'CS', img.photometric);
  if (img.samples > 1) ds.set('PlanarConfiguration', 'US', img.planar ?? 0);
  if (img.frames > 1) ds.set('NumberOfFrames', 'IS', String(img.frames));
  ds.set('Rows', 'US', img.rows);
  ds.set('Columns', 'US', img.columns);
  ds.set('BitsAllocated', 'US', img.bitsAllocated);
  ds.set('BitsStored', 'US', img.bitsStored);
  ds.set('HighBit', 'US', img.bitsStored - 1);
  ds.set('PixelRepresentation', 'US', img.signed ? 1 : 0);
  ds.set('PixelData', img.bitsAllocated > 8 ? 'OW' : 'OB', pixelData);
  return ds;
}

const IMAGES: Record<string, Image> = {
  'CT-like 16-bit signed, 12 stored': { rows: 64, columns: 48, frames: 1, samples: 1, bitsAllocated: 16, bitsStored: 12, signed: true, photometric: 'MONOCHROME2' },
  '16-bit unsigned, 3 frames': { rows: 32, columns: 40, frames: 3, samples: 1, bitsAllocated: 16, bitsStored: 16, signed: false, photometric: 'MONOCHROME2' },
  '8-bit gray, odd size': { rows: 17, columns: 23, frames: 1, samples: 1, bitsAllocated: 8, bitsStored: 8, signed: false, photometric: 'MONOCHROME2' },
  '8-bit RGB colour-by-pixel': { rows: 20, columns: 30, frames: 2, samples: 3, bitsAllocated: 8, bitsStored: 8, signed: false, photometric: 'RGB' },
  '8-bit RGB colour-by-plane': { rows: 20, columns: 30, frames: 1, samples: 3, bitsAllocated: 8, bitsStored: 8, signed: false, photometric: 'RGB', planar: 1 },
};

/** The native frames of a data set in Explicit VR LE, colour-by-pixel. */
function nativeOf(buf: Buffer, ts: string): { ds: Dataset; data: Buffer } {
  const ds = parseDataset(buf, ts);
  return { ds, data: ds.bytes('PixelData')! };
}

function interleaved(img: Image, data: Buffer): Buffer {
  if (img.samples === 1 || !img.planar) return data;
  const pixelsPerFrame = img.rows * img.columns;
  const out = Buffer.alloc(data.length);
  for (let f = 0; f < img.frames; f++) {
    const base = f * pixelsPerFrame * 3;
    for (let p = 0; p < pixelsPerFrame; p++) for (let s = 0; s < 3; s++) out[base + p * 3 + s] = data[base + s * pixelsPerFrame + p]!;
  }
  return out;
}

describe('lossless round trips through every target', () => {
  for (const [name, img] of Object.entries(IMAGES)) {
    for (const target of LOSSLESS) {
      test(`${name} via ${resolveName(target)}`, async () => {
        const source = pixels(img);
        const encoded = await transcodeDataset(encodeDataset(imageDataset(img, source), EVLE), EVLE, target, { pool });
        const enc = parseDataset(encoded, target);
        assert.equal(enc.get('PixelData')!.fragments!.length, img.frames + 1, 'one fragment per frame after the offset table');
        assert.ok(enc.get('PixelData')!.fragments!.every((f) => f.length % 2 === 0), 'fragments have even lengths');
        if (img.samples > 1) assert.equal(enc.number('PlanarConfiguration'), 0);
        assert.equal(enc.string('LossyImageCompression'), undefined, 'lossless coding does not mark the image lossy');
        const back = nativeOf(await transcodeDataset(encoded, target, EVLE, { pool }), EVLE);
        // An odd number of bytes is padded to even length with one zero byte.
        assert.equal(back.data.length, source.length + (source.length % 2));
        assert.ok(back.data.subarray(0, source.length).equals(interleaved(img, source)), 'pixel-identical after the round trip');
        assert.equal(back.ds.get('PixelData')!.vr, img.bitsAllocated > 8 ? 'OW' : 'OB');
      });
    }
  }
});

function resolveName(uid: string): string {
  return uid.split('.').slice(-2).join('.');
}

describe('attributes a conversion changes', () => {
  test('RGB to JPEG 2000 lossless is YBR_RCT (reversible colour transform) and back RGB', async () => {
    const img = IMAGES['8-bit RGB colour-by-pixel']!;
    const encoded = await transcodeDataset(encodeDataset(imageDataset(img, pixels(img)), EVLE), EVLE, JPEG2000Lossless, { pool });
    assert.equal(parseDataset(encoded, JPEG2000Lossless).string('PhotometricInterpretation'), 'YBR_RCT');
    const back = parseDataset(await transcodeDataset(encoded, JPEG2000Lossless, EVLE, { pool }), EVLE);
    assert.equal(back.string('PhotometricInterpretation'), 'RGB');
  });

  test('native YBR_FULL_422 is coded as YBR_FULL without loss', async () => {
    const img: Image = { rows: 4, columns: 6, frames: 1, samples: 3, bitsAllocated: 8, bitsStored: 8, signed: false, photometric: 'YBR_FULL_422' };
    const native = Buffer.from(Array.from({ length: 4 * 6 * 2 }, (_, i) => (i * 37) & 0xff));
    const encoded = await transcodeDataset(encodeDataset(imageDataset(img, native), EVLE), EVLE, JPEGLSLossless, { pool });
    const back = parseDataset(await transcodeDataset(encoded, JPEGLSLossless, EVLE, { pool }), EVLE);
    assert.equal(back.string('PhotometricInterpretation'), 'YBR_FULL');
    const full = back.bytes('PixelData')!;
    // Pixel 2k and 2k+1 share the chroma of the pair: Y1 Y2 Cb Cr → (Y1 Cb Cr)(Y2 Cb Cr).
    for (let pair = 0; pair < 12; pair++) {
      const [y1, y2, cb, cr] = native.subarray(pair * 4, pair * 4 + 4);
      assert.deepEqual([...full.subarray(pair * 6, pair * 6 + 6)], [y1, cb, cr, y2, cb, cr]);
    }
  });

  test('lossy coding is refused unless allowed; then Lossy Image Compression, ratio and method are set', async () => {
    const img = IMAGES['CT-like 16-bit signed, 12 stored']!;
    const source = pixels(img);
    const input = encodeDataset(imageDataset(img, source).set('LossyImageCompressionRatio', 'DS', '2'), EVLE);
    await assert.rejects(transcodeDataset(input, EVLE, JPEGLSNearLossless, { pool }), (e: Error) =>
      e instanceof UnsupportedConversionError && /lossy and lossy compression was not allowed/.test(e.message));
    const encoded = await transcodeDataset(input, EVLE, JPEGLSNearLossless, { pool, lossy: true, nearLossless: 2 });
    const ds = parseDataset(encoded, JPEGLSNearLossless);
    assert.equal(ds.string('LossyImageCompression'), '01');
    const ratios = ds.strings('LossyImageCompressionRatio')!;
    assert.equal(ratios.length, 2, 'the earlier ratio stays first');
    assert.equal(ratios[0], '2');
    assert.ok(Number(ratios[1]) > 1, `ratio ${ratios[1]}`);
    assert.deepEqual(ds.strings('LossyImageCompressionMethod'), ['ISO_14495_1']);
    const back = parseDataset(await transcodeDataset(encoded, JPEGLSNearLossless, EVLE, { pool }), EVLE).bytes('PixelData')!;
    let worst = 0;
    for (let i = 0; i < source.length; i += 2) worst = Math.max(worst, Math.abs(back.readInt16LE(i) - source.readInt16LE(i)));
    assert.ok(worst <= 2, `near-lossless 2 keeps every sample within ±2 (worst ${worst})`);
  });

  test('JPEG 2000 and HTJ2K "either" syntaxes are coded reversibly without permission for loss', async () => {
    const img = IMAGES['16-bit unsigned, 3 frames']!;
    const source = pixels(img);
    for (const ts of [JPEG2000, HTJ2K]) {
      let plan: PixelPlan | undefined;
      const encoded = await transcodeDataset(encodeDataset(imageDataset(img, source), EVLE), EVLE, ts, { pool, onPlan: (p) => { plan = p; } });
      assert.equal(plan?.lossy, false);
      assert.equal(parseDataset(encoded, ts).string('LossyImageCompression'), undefined);
      assert.ok(parseDataset(await transcodeDataset(encoded, ts, EVLE, { pool }), EVLE).bytes('PixelData')!.equals(source));
    }
    assert.equal(canEncodeLosslessly(JPEGBaseline), false);
  });

  test('images a target cannot hold are refused with a sentence', async () => {
    const img: Image = { rows: 8, columns: 8, frames: 1, samples: 1, bitsAllocated: 16, bitsStored: 12, signed: false, photometric: 'MONOCHROME2' };
    await assert.rejects(transcodeDataset(encodeDataset(imageDataset(img, pixels(img)), EVLE), EVLE, JPEGBaseline, { pool, lossy: true }),
      /JPEG Baseline \(Process 1\) takes 8-bit unsigned samples only\./);
    const overflowing = Buffer.alloc(128, 0xff);
    await assert.rejects(transcodeDataset(encodeDataset(imageDataset(img, overflowing), EVLE), EVLE, JPEG2000Lossless, { pool }),
      /Sample 0 has the value 65535, outside Bits Stored 12, so JPEG 2000 Image Compression \(Lossless Only\) cannot hold the frame without loss\./);
  });

  test('Explicit VR Big Endian input is compressed from its own byte order', async () => {
    const img = IMAGES['CT-like 16-bit signed, 12 stored']!;
    const source = pixels(img);
    const be = encodeDataset(imageDataset(img, source), EVBE);
    const encoded = await transcodeDataset(be, EVBE, RLELossless, { pool });
    assert.ok(nativeOf(await transcodeDataset(encoded, RLELossless, EVLE, { pool }), EVLE).data.equals(source));
    const backToBe = parseDataset(await transcodeDataset(encoded, RLELossless, EVBE, { pool }), EVBE);
    assert.ok(backToBe.bytes('PixelData')!.equals(source), 'decoded into Big Endian (values read back little endian)');
  });

  test('Implicit VR LE target keeps the attributes readable', async () => {
    const img = IMAGES['8-bit RGB colour-by-plane']!;
    const encoded = await transcodeDataset(encodeDataset(imageDataset(img, pixels(img)), EVLE), EVLE, JPEGLSLossless, { pool });
    const back = parseDataset(await transcodeDataset(encoded, JPEGLSLossless, IVLE, { pool }), IVLE);
    assert.equal(back.number('PlanarConfiguration'), 0);
    assert.ok(back.bytes('PixelData')!.equals(interleaved(img, pixels(img))));
  });
});

/** An encapsulated data set built by hand: the codestreams of `frames` split into fragments as told. */
function encapsulated(ds: Dataset, fragments: Buffer[], bot: Buffer, eot?: { offsets: number[]; lengths: number[] }): Dataset {
  const out = new Dataset();
  for (const el of ds.elements()) if (el.tag !== 0x7fe00010) out.add(el);
  if (eot) {
    const o = Buffer.alloc(eot.offsets.length * 8);
    const l = Buffer.alloc(eot.lengths.length * 8);
    eot.offsets.forEach((v, i) => o.writeBigUInt64LE(BigInt(v), i * 8));
    eot.lengths.forEach((v, i) => l.writeBigUInt64LE(BigInt(v), i * 8));
    out.add({ tag: 0x7fe00001, vr: 'OV', value: o });
    out.add({ tag: 0x7fe00002, vr: 'OV', value: l });
  }
  out.add({ tag: 0x7fe00010, vr: 'OB', fragments: [bot, ...fragments], undefinedLength: true });
  return out;
}

describe('finding the frames of encapsulated pixel data', () => {
  const img = IMAGES['16-bit unsigned, 3 frames']!;
  const source = pixels(img);

  async function codestreams(): Promise<{ ds: Dataset; frames: Buffer[] }> {
    const encoded = parseDataset(await transcodeDataset(encodeDataset(imageDataset(img, source), EVLE), EVLE, JPEGLSLossless, { pool }), JPEGLSLossless);
    return { ds: encoded, frames: encoded.get('PixelData')!.fragments!.slice(1) };
  }

  async function decodes(ds: Dataset): Promise<void> {
    const back = await transcodeDataset(encodeDataset(ds, JPEGLSLossless), JPEGLSLossless, EVLE, { pool });
    const out = parseDataset(back, EVLE);
    assert.ok(out.bytes('PixelData')!.equals(source));
    assert.equal(out.get(0x7fe00001), undefined, 'no Extended Offset Table in native data');
  }

  test('by the Basic Offset Table, frames split over several odd-length fragments', async () => {
    const { ds, frames } = await codestreams();
    const fragments: Buffer[] = [];
    const offsets: number[] = [];
    let position = 0;
    for (const f of frames) {
      offsets.push(position);
      for (const part of [f.subarray(0, 101), f.subarray(101, 200), f.subarray(200)]) {
        fragments.push(part);
        position += 8 + part.length;
      }
    }
    const bot = Buffer.alloc(offsets.length * 4);
    offsets.forEach((o, i) => bot.writeUInt32LE(o, i * 4));
    // Written by hand: our own writer pads odd fragments (PS3.5 7.1), as files from the wild do not.
    const withoutPixels = new Dataset();
    for (const el of ds.elements()) if (el.tag !== 0x7fe00010) withoutPixels.add(el);
    const header = encodeDataset(withoutPixels, JPEGLSLossless);
    const item = (value: Buffer) => {
      const h = Buffer.alloc(8);
      h.writeUInt16LE(0xfffe, 0); h.writeUInt16LE(0xe000, 2); h.writeUInt32LE(value.length, 4);
      return [h, value];
    };
    const pixelHeader = Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42, 0, 0, 0xff, 0xff, 0xff, 0xff]);
    const delimiter = Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]);
    const raw = Buffer.concat([header, pixelHeader, ...item(bot), ...fragments.flatMap(item), delimiter]);
    assert.ok(fragments.some((f) => f.length % 2 === 1), 'the fixture has odd-length fragments');
    const back = parseDataset(await transcodeDataset(raw, JPEGLSLossless, EVLE, { pool }), EVLE);
    assert.ok(back.bytes('PixelData')!.equals(source));
  });

  test('by the Extended Offset Table (empty Basic Offset Table)', async () => {
    const { ds, frames } = await codestreams();
    const fragments = frames.flatMap((f) => [f.subarray(0, 64), f.subarray(64)]);
    const offsets = frames.map((_, i) => frames.slice(0, i).reduce((n, f) => n + 16 + f.length, 0));
    await decodes(encapsulated(ds, fragments, Buffer.alloc(0), { offsets, lengths: frames.map((f) => f.length) }));
  });

  test('by the codestream markers when there is no offset table', async () => {
    const { ds, frames } = await codestreams();
    await decodes(encapsulated(ds, frames.flatMap((f) => [f.subarray(0, 50), f.subarray(50)]), Buffer.alloc(0)));
  });

  test('too few frames is a sentence, not a hang', async () => {
    const { ds, frames } = await codestreams();
    await assert.rejects(transcodeDataset(encodeDataset(encapsulated(ds, frames.slice(0, 2), Buffer.alloc(0)), JPEGLSLossless), JPEGLSLossless, EVLE, { pool }),
      /Cannot tell which of the 2 fragments belong to which of the 3 frames \(no usable offset table\)\.$/);
  });

  test('many frames keep their order whatever order the workers finish in, with random input chunks', async () => {
    const many: Image = { ...img, frames: 24 };
    const data = pixels(many, 7);
    const encoded = await transcodeDataset(encodeDataset(imageDataset(many, data), EVLE), EVLE, HTJ2KLossless, { pool });
    const chunks: Buffer[] = [];
    await pipeline(Readable.from(randomSplit(encoded, prng(5), 3000)), createTranscoder(HTJ2KLossless, EVLE, { pool }), async function* (s) {
      for await (const c of s) chunks.push(c as Buffer);
    });
    assert.ok(parseDataset(Buffer.concat(chunks), EVLE).bytes('PixelData')!.equals(data));
  });
});

describe('failures stay with their frame', () => {
  const img = IMAGES['16-bit unsigned, 3 frames']!;
  const source = pixels(img);

  test('a corrupt codestream fails its instance with one sentence naming the frame; the pool goes on', async () => {
    const encoded = parseDataset(await transcodeDataset(encodeDataset(imageDataset(img, source), EVLE), EVLE, JPEGLSLossless, { pool }), JPEGLSLossless);
    const fragments = encoded.get('PixelData')!.fragments!;
    // The scan data after the header becomes marker bytes the decoder cannot take.
    const broken = Buffer.from(fragments[2]!);
    const scan = broken.indexOf(Buffer.from([0xff, 0xda]));
    broken.fill(0xff, scan + 20, broken.length - 2);
    const bad = encapsulated(encoded, [fragments[1]!, broken, fragments[3]!], fragments[0]!);
    await assert.rejects(transcodeDataset(encodeDataset(bad, JPEGLSLossless), JPEGLSLossless, EVLE, { pool }), (e: Error) =>
      e instanceof FrameDecodeError && /^Frame 2 of 3: the JPEG-LS Lossless Image Compression codestream could not be decoded \(.+\)\.$/.test(e.message) && !e.message.includes('::'));
    const good = parseDataset(await transcodeDataset(encodeDataset(encoded, JPEGLSLossless), JPEGLSLossless, EVLE, { pool }), EVLE);
    assert.ok(good.bytes('PixelData')!.equals(source), 'the next instance converts');
  });

  test('a codestream whose size differs from the image is refused before decoding', async () => {
    const encoded = parseDataset(await transcodeDataset(encodeDataset(imageDataset(img, source), EVLE), EVLE, JPEG2000Lossless, { pool }), JPEG2000Lossless);
    encoded.set('Rows', 'US', 4000);
    await assert.rejects(transcodeDataset(encodeDataset(encoded, JPEG2000Lossless), JPEG2000Lossless, EVLE, { pool }),
      /the JPEG 2000 Image Compression \(Lossless Only\) codestream is 40 × 32 but the image is 40 × 4000 \(Columns × Rows\)\./);
  });

  test('a worker that crashes fails its frame; a new worker takes the next one', async () => {
    const crashing = new CodecPool({ size: 1, workerScript: join(__dirname, '..', '..', 'helpers', 'codec-crash-worker.js') });
    try {
      const d = { rows: 2, columns: 2, samplesPerPixel: 1, bitsAllocated: 8, bitsStored: 8, highBit: 7, pixelRepresentation: 0, photometricInterpretation: 'MONOCHROME2', planarConfiguration: 0 };
      await assert.rejects(crashing.encode(RLELossless, Buffer.from('CRSH'), d), (e: Error) =>
        e instanceof CodecPoolError && /^The codec worker stopped \(exit code 7\) while working on a frame; the frame was not converted\.$/.test(e.message));
      const ok = await crashing.encode(RLELossless, Buffer.from([1, 2, 3, 4]), d);
      const back = await crashing.decode(RLELossless, ok.data, d);
      assert.deepEqual([...back.samples], [1, 2, 3, 4]);
    } finally {
      await crashing.close();
    }
  });

  test('unknown and undecodable syntaxes are refused when the transcoder is made', () => {
    assert.throws(() => createTranscoder('1.2.840.10008.1.2.4.100', EVLE), (e: Error) =>
      e instanceof UnsupportedTransferSyntaxError && e.message === 'MPEG2 Main Profile / Main Level (1.2.840.10008.1.2.4.100) cannot be decoded, so it cannot be converted.');
    assert.throws(() => createTranscoder(EVLE, '1.2.840.10008.1.2.4.51'), /JPEG Extended \(Process 2 & 4\) \(1\.2\.840\.10008\.1\.2\.4\.51\) cannot be written\./);
  });
});

describe('syntax names', () => {
  test('readable names and UIDs resolve; anything else is a sentence listing the names', () => {
    assert.equal(resolveTransferSyntax('jpeg-ls-lossless'), JPEGLSLossless);
    assert.equal(resolveTransferSyntax('J2K-Lossless'), JPEG2000Lossless);
    assert.equal(resolveTransferSyntax('htj2k-lossless'), HTJ2KLossless);
    assert.equal(resolveTransferSyntax('rle'), RLELossless);
    assert.equal(resolveTransferSyntax('jpeg-lossless'), JPEGLosslessSV1);
    assert.equal(resolveTransferSyntax('explicit-le'), EVLE);
    assert.equal(resolveTransferSyntax('implicit-le'), IVLE);
    assert.equal(resolveTransferSyntax('jpeg-baseline'), JPEGBaseline);
    assert.equal(resolveTransferSyntax('1.2.840.10008.1.2.4.80'), JPEGLSLossless);
    assert.throws(() => resolveTransferSyntax('jpeg-xs'), /"jpeg-xs" is not a transfer syntax this tool knows; use a UID or one of explicit-le, .*jpeg-ls-lossless.*\.$/);
  });
});
