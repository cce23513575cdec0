import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPart10, writePart10 } from '../../../../src/dicom/part10';
import { Dataset } from '../../../../src/dicom/dataset-model';
import {
  FrameDecoder, FrameData, GrayFrame, NoImageError, UnsupportedImageError, DecodeCancelledError,
  summarizeImage, applyWindow, voiLevel, dragWindow,
} from '../../../../src/dicom/pixels';

const SAMPLES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const WORKER = join(__dirname, '..', '..', '..', '..', 'src', 'dicom', 'pixels', 'pixel-worker.js');

interface OracleSpec {
  file: string;
  frame?: number;
  rescale?: boolean;
  toRgb?: boolean;
}

const ORACLES: Record<string, OracleSpec> = {
  ct: { file: 'CT_small.dcm', rescale: true },
  mr: { file: 'MR_small.dcm' },
  j2k: { file: 'JPEG2000.dcm', rescale: true },
  jpegRgb: { file: 'SC_rgb_jpeg_dcmtk.dcm', toRgb: true },
  rle16: { file: 'SC_rgb_rle_16bit.dcm' },
  rle2: { file: 'SC_rgb_rle_2frame.dcm', frame: 1 },
  bigEndianRgb: { file: 'SC_rgb_dcmtk_+eb+cr.dcm' },
  dose0: { file: 'rtdose.dcm', frame: 0 },
  dose3: { file: 'rtdose.dcm', frame: 3 },
  dose14: { file: 'rtdose.dcm', frame: 14 },
};

/** pydicom's pixel_array (a frame of it, rescaled or converted to RGB when asked), flattened: the oracle. One python run for all. */
function pydicomPixels(specs: Record<string, OracleSpec>): Record<string, number[]> {
  const script = `
import pydicom, json, sys, numpy as np
from pydicom.pixel_data_handlers.util import convert_color_space
out = {}
for key, spec in json.loads(sys.argv[1]).items():
    d = pydicom.dcmread(${JSON.stringify(SAMPLES)} + '/' + spec['file'])
    a = d.pixel_array
    if 'frame' in spec: a = a[spec['frame']]
    if spec.get('toRgb'): a = convert_color_space(a, d.PhotometricInterpretation, 'RGB')
    a = a.astype(np.float64)
    if spec.get('rescale'): a = a * float(getattr(d, 'RescaleSlope', 1)) + float(getattr(d, 'RescaleIntercept', 0))
    out[key] = a.reshape(-1).tolist()
print(json.dumps(out))`;
  const r = spawnSync('/usr/bin/python3', ['-c', script, JSON.stringify(specs)], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, number[]>;
}

function gray(f: FrameData): GrayFrame {
  assert.equal(f.kind, 'gray');
  return f as GrayFrame;
}

function rgbOf(f: FrameData): number[] {
  assert.equal(f.kind, 'rgba');
  const out: number[] = [];
  for (let i = 0; i < f.pixels.length; i += 4) out.push(f.pixels[i]!, f.pixels[i + 1]!, f.pixels[i + 2]!);
  return out;
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('image preview decoding (worker)', () => {
  let decoder: FrameDecoder;
  let tmp: string;
  let expected: Record<string, number[]>;
  before(() => {
    expected = pydicomPixels(ORACLES);
    decoder = new FrameDecoder({ workerScript: WORKER });
    tmp = mkdtempSync(join(tmpdir(), 'pixels-test-'));
  });
  after(() => {
    decoder.dispose();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('CT_small: modality values (Hounsfield units) equal pydicom pixel_array × slope + intercept', async () => {
    const f = gray(await decoder.decodeFrame(join(SAMPLES, 'CT_small.dcm'), 0));
    assert.deepEqual([f.width, f.height, f.frameCount, f.photometric, f.invert], [128, 128, 1, 'MONOCHROME2', false]);
    assert.ok(f.pixels instanceof Int16Array);
    assert.deepEqual(f.rescale, { slope: 1, intercept: -1024 });
    const ct = expected.ct!;
    assert.deepEqual(Array.from(f.pixels), ct);
    assert.equal(f.min, Math.min(...ct));
    assert.equal(f.max, Math.max(...ct));
    // No window in the file: one spanning the values.
    assert.deepEqual(f.windows, []);
    assert.equal(f.window.center, (f.min + f.max) / 2);
  });

  test('RLE, JPEG-LS and JPEG 2000 lossless decode to the uncompressed MR_small values; its window comes from the file', async () => {
        for (const name of ['MR_small.dcm', 'MR_small_RLE.dcm', 'MR_small_jpeg_ls_lossless.dcm', 'MR_small_jp2klossless.dcm', 'MR_small_bigendian.dcm']) {
      const f = gray(await decoder.decodeFrame(join(SAMPLES, name), 0));
      assert.deepEqual(Array.from(f.pixels), expected.mr, name);
      assert.deepEqual(f.window, { center: 600, width: 1600 }, name);
    }
  });

  test('JPEG 2000 (lossy syntax) equals pydicom', async () => {
    const f = gray(await decoder.decodeFrame(join(SAMPLES, 'JPEG2000.dcm'), 0));
    assert.deepEqual([f.width, f.height], [256, 1024]);
    assert.equal(maxDifference(f.pixels, expected.j2k!), 0);
  });

  test('JPEG baseline color comes back as RGBA close to pydicom\'s RGB conversion; JPEG extended 12-bit decodes', async () => {
    const f = await decoder.decodeFrame(join(SAMPLES, 'SC_rgb_jpeg_dcmtk.dcm'), 0);
    assert.deepEqual([f.kind, f.width, f.height], ['rgba', 100, 100]);
    assert.ok(maxDifference(rgbOf(f), expected.jpegRgb!) <= 3);
    assert.ok(Array.from(f.pixels).filter((_, i) => i % 4 === 3).every((a) => a === 255));
    const ext = gray(await decoder.decodeFrame(join(SAMPLES, 'JPGExtended.dcm'), 0));
    assert.deepEqual([ext.width, ext.height], [256, 1024]);
    assert.ok(ext.max > ext.min);
  });

  test('RLE color: 16-bit RGB scaled to 8 bits, and the second frame of a two-frame file', async () => {
    const wide = await decoder.decodeFrame(join(SAMPLES, 'SC_rgb_rle_16bit.dcm'), 0);
    assert.deepEqual(rgbOf(wide), expected.rle16!.map((v) => Math.floor(v / 256)));
    const second = await decoder.decodeFrame(join(SAMPLES, 'SC_rgb_rle_2frame.dcm'), 1);
    assert.equal(second.frameCount, 2);
    assert.deepEqual(rgbOf(second), expected.rle2);
    const planar = await decoder.decodeFrame(join(SAMPLES, 'SC_rgb_dcmtk_+eb+cr.dcm'), 0);
    assert.deepEqual(rgbOf(planar), expected.bigEndianRgb);
  });

  test('multi-frame: frames on demand (rtdose, 32-bit, 15 frames)', async () => {
    for (const frame of [0, 3, 14]) {
      const f = gray(await decoder.decodeFrame(join(SAMPLES, 'rtdose.dcm'), frame));
      assert.equal(f.frame, frame);
      assert.equal(f.frameCount, 15);
      assert.deepEqual(Array.from(f.pixels), expected[`dose${frame}`], `frame ${frame}`);
    }
    await assert.rejects(decoder.decodeFrame(join(SAMPLES, 'rtdose.dcm'), 15), UnsupportedImageError);
  });

  test('a large multi-frame file: any frame comes back from the worker with its own values', async () => {
    const rows = 512;
    const cols = 512;
    const frames = 100; // 50 MB of 16-bit pixels
    const data = Buffer.alloc(rows * cols * 2 * frames);
    for (let fr = 0; fr < frames; fr++) {
      for (let i = 0; i < rows * cols; i += 997) data.writeUInt16LE((fr * 10 + i) & 0x0fff, (fr * rows * cols + i) * 2);
    }
    const ds = new Dataset();
    ds.set('SOPClassUID', '1.2.840.10008.5.1.4.1.1.7.2');
    ds.set('SOPInstanceUID', '1.2.3.4.5.6.7');
    ds.set('SamplesPerPixel', 1).set('PhotometricInterpretation', 'MONOCHROME2').set('NumberOfFrames', String(frames));
    ds.set('Rows', rows).set('Columns', cols).set('BitsAllocated', 16).set('BitsStored', 12).set('HighBit', 11).set('PixelRepresentation', 0);
    ds.set('PixelData', 'OW', data);
    const path = join(tmp, 'big.dcm');
    await writePart10(path, ds, { transferSyntaxUid: '1.2.840.10008.1.2.1' });
    const results = await Promise.all([99, 0, 57].map((fr) => decoder.decodeFrame(path, fr)));
    for (const [k, fr] of [99, 0, 57].entries()) {
      const f = gray(results[k]!);
      assert.equal(f.frame, fr);
      assert.equal(f.pixels[997], (fr * 10 + 997) & 0x0fff);
      assert.equal(f.pixels[1], 0);
    }
  });

  test('cancelled requests: a queued one is dropped, the others are answered by the same worker', async () => {
    const controller = new AbortController();
    const first = decoder.decodeFrame(join(SAMPLES, 'CT_small.dcm'), 0);
    const second = decoder.decodeFrame(join(SAMPLES, 'MR_small.dcm'), 0, { signal: controller.signal });
    const third = decoder.decodeFrame(join(SAMPLES, 'MR_small_RLE.dcm'), 0);
    controller.abort();
    await assert.rejects(second, DecodeCancelledError);
    assert.equal((await first).width, 128);
    assert.equal((await third).width, 64);
    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(decoder.decodeFrame(join(SAMPLES, 'CT_small.dcm'), 0, { signal: aborted.signal }), DecodeCancelledError);
    assert.equal(decoder.pendingCount, 0);
  });

  test('a dataset without an image reports "no image"', async () => {
    await assert.rejects(decoder.decodeFrame(join(SAMPLES, 'rtplan.dcm'), 0), (e: Error) => {
      assert.ok(e instanceof NoImageError);
      assert.equal(e.message, 'RT Plan Storage instances have no image to show.');
      return true;
    });
    const file = await readPart10(join(SAMPLES, 'rtplan.dcm'));
    assert.deepEqual(summarizeImage(file.dataset, file.transferSyntaxUid), { hasImage: false, reason: 'RT Plan Storage instances have no image to show.' });
    const ct = await readPart10(join(SAMPLES, 'CT_small.dcm'));
    assert.deepEqual(summarizeImage(ct.dataset, ct.transferSyntaxUid), {
      hasImage: true, rows: 128, columns: 128, frames: 1, samplesPerPixel: 1, photometric: 'MONOCHROME2', bitsAllocated: 16, bitsStored: 16,
      transferSyntaxUid: '1.2.840.10008.1.2.1',
    });
  });

  test('bytes held by the host decode like the file', async () => {
    const { readFileSync } = await import('node:fs');
    const bytes = readFileSync(join(SAMPLES, 'CT_small.dcm'));
    const a = gray(await decoder.decodeFrame({ key: 'ct', bytes }, 0));
    const b = gray(await decoder.decodeFrame({ key: 'ct', bytes: new Uint8Array(0) }, 0));
    assert.deepEqual(Array.from(a.pixels), Array.from(b.pixels));
    assert.equal(a.pixels[0], -849);
  });
});

describe('window/level', () => {
  test('linear VOI (PS3.3 C.11.2.1.2.1) at its ends and middle', () => {
    assert.equal(voiLevel(-1000, 40, 400, 'LINEAR'), 0);
    assert.equal(voiLevel(1000, 40, 400, 'LINEAR'), 255);
    assert.ok(Math.abs(voiLevel(40, 40, 400, 'LINEAR') - 127.8) < 0.5);
    assert.equal(voiLevel(40 - 200, 40, 400, 'LINEAR_EXACT'), 0);
    assert.ok(Math.abs(voiLevel(40, 40, 400, 'SIGMOID') - 127.5) < 1e-9);
  });

  test('applyWindow maps through a table for integer frames, inverts MONOCHROME1, and agrees with the float path', () => {
    const pixels = new Int16Array([-1000, 0, 40, 240, 1000]);
    const frame = { pixels, min: -1000, max: 1000 };
    const out = applyWindow(frame, 40, 400, 'LINEAR', false, new Uint8ClampedArray(20));
    assert.deepEqual([out[0], out[4], out[8], out[12], out[16]], [0, Math.round(voiLevel(0, 40, 400, 'LINEAR')), 128, 255, 255]);
    assert.equal(out[3], 255);
    const inv = applyWindow(frame, 40, 400, 'LINEAR', true, new Uint8ClampedArray(20));
    assert.deepEqual([inv[0], inv[16]], [255, 0]);
    const floats = applyWindow({ pixels: Float32Array.from(pixels), min: -1000, max: 1000 }, 40, 400, 'LINEAR', false, new Uint8ClampedArray(20));
    assert.deepEqual(Array.from(floats), Array.from(out));
  });

  test('a drag right widens the window and a drag down raises the center, scaled to the value range', () => {
    assert.deepEqual(dragWindow({ center: 40, width: 400 }, 100, 50, 2000, { width: 200, height: 100 }), { center: 1040, width: 1400 });
    assert.equal(dragWindow({ center: 40, width: 400 }, -10_000, 0, 2000, { width: 200, height: 100 }).width, 1);
  });
});
