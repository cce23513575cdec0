// Issue 15, WADO-RS side: dicomnet scp --http-port over every compressed pydicom sample. The
// default Accept (Explicit VR LE) and frames as application/octet-stream are decoded in the codec
// pool and compared with pydicom's decoding of the original; transfer-syntax=* (as OHIF asks)
// gives the stored frames in their own media types; /rendered and /thumbnail are real PNG and
// JPEG files (Pillow opens them) whose pixels are pydicom's, windowed by the data set's window.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readPart10, readPart10Header } from '../../src/dicom/part10';
import { encodingOf } from '../../src/dicom/transfer-syntaxes';
import { PYDICOM_FILES } from '../helpers/dicom-files';
import { Background, dicomnet, run, startScp } from '../helpers/processes';
import { get, parts } from '../unit/dicomweb/server/helpers';

const PYTHON = '/usr/bin/python3';
const COMPARE = path.join(__dirname, '..', '..', '..', 'test', 'helpers', 'compare_pixels.py');
const EVLE = '1.2.840.10008.1.2.1';
const LOSSY = new Set(['1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51', '1.2.840.10008.1.2.4.91', '1.2.840.10008.1.2.4.81']);
const CORRUPT = 'JPEG2000-embedded-sequence-delimiter.dcm';
const DICOM = 'multipart/related; type="application/dicom"';
const OHIF_FRAMES = 'multipart/related; type="application/octet-stream"; transfer-syntax=*';

interface Sample { name: string; file: string; ts: string; study: string; series: string; sop: string }

async function compressedSamples(): Promise<Sample[]> {
  const out: Sample[] = [];
  for (const name of readdirSync(PYDICOM_FILES).filter((f) => f.endsWith('.dcm')).sort()) {
    const file = path.join(PYDICOM_FILES, name);
    try {
      const h = await readPart10Header(file);
      if (!encodingOf(h.transferSyntaxUid).encapsulated) continue;
      if (!(await readPart10(file)).dataset.has('PixelData')) continue;
      out.push({ name, file, ts: h.transferSyntaxUid, study: h.studyInstanceUid!, series: h.seriesInstanceUid!, sop: h.sopInstanceUid! });
    } catch {
      continue;
    }
  }
  return out;
}

interface Comparison { ok: boolean; max?: number; error?: string }

async function compare(pairs: Array<{ ref: string; ours: string }>): Promise<Comparison[]> {
  const r = await run(PYTHON, [COMPARE], { input: JSON.stringify(pairs), timeoutMs: 180_000 });
  assert.equal(r.code, 0, `compare_pixels.py failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Comparison[];
}

/** pydicom's pixel array of frame `frame` (0-based) as bytes of its own dtype, and whether pydicom could decode it. */
async function pydicomFrames(items: Array<{ file: string; frame: number }>): Promise<Array<string | null>> {
  const script = `
import json, sys, hashlib, warnings
warnings.simplefilter('ignore')
import pydicom
out = []
for it in json.load(sys.stdin):
    try:
        ds = pydicom.dcmread(it['file'])
        a = ds.pixel_array
        n = int(ds.get('NumberOfFrames', 1) or 1)
        f = a[it['frame']] if n > 1 else a
        out.append(hashlib.sha256(f.astype(f.dtype.newbyteorder('<')).tobytes()).hexdigest())
    except Exception:
        out.append(None)
print(json.dumps(out))`;
  const r = await run(PYTHON, ['-c', script], { input: JSON.stringify(items), timeoutMs: 180_000 });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Array<string | null>;
}

const sha = (b: Buffer) => require('node:crypto').createHash('sha256').update(b).digest('hex') as string;

describe('WADO-RS transfer syntaxes and rendering over every compressed pydicom sample (dicomnet scp --http-port)', () => {
  let dir: string;
  let work: string;
  let scp: Background & { port: number };
  let h: { url: string };
  let samples: Sample[];
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dicomnet-wado-archive-'));
    work = mkdtempSync(path.join(tmpdir(), 'dicomnet-wado-work-'));
    scp = await startScp(['--dir', dir, '--http-port', '0']);
    const m = await scp.waitFor(/DICOMweb server at (http:\/\/\S+)/);
    h = { url: m[1]! };
    samples = (await compressedSamples()).filter((s, i, all) => all.findIndex((t) => t.sop === s.sop) === i);
    assert.ok(samples.length >= 18, `only ${samples.length} compressed samples`);
    const stored = await dicomnet(['store', '127.0.0.1', String(scp.port), ...samples.map((s) => s.file)], { timeoutMs: 120_000 });
    assert.equal(stored.code === 0 || stored.code === 2, true, stored.stdout + stored.stderr);
  });
  after(async () => {
    await scp?.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  test('the default Accept answers every instance in Explicit VR LE with pydicom\'s pixels; only the corrupt codestream is refused, with its reason', async () => {
    const pairs: Array<{ ref: string; ours: string; what: string; tolerance: number }> = [];
    const statuses: Record<string, number> = {};
    for (const s of samples) {
      const r = await get(h, `/studies/${s.study}/series/${s.series}/instances/${s.sop}`, { Accept: DICOM });
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      if (s.name === CORRUPT) {
        assert.equal(r.status, 500, s.name);
        assert.match(r.json().error, /could not be converted: .*JPEG 2000.* codestream is 3722445056 × 1024/);
        continue;
      }
      assert.equal(r.status, 200, `${s.name}: ${r.body.toString('utf8', 0, 300)}`);
      const [part] = await parts(r);
      assert.equal(part!.headers['content-type'], `application/dicom; transfer-syntax=${EVLE}`, s.name);
      const ours = path.join(work, `${s.name}.wado.dcm`);
      writeFileSync(ours, part!.body);
      assert.equal((await readPart10Header(ours)).transferSyntaxUid, EVLE);
      pairs.push({ ref: s.file, ours, what: s.name, tolerance: LOSSY.has(s.ts) ? 2 : 0 });
    }
    assert.equal(statuses[406], undefined, `no 406: ${JSON.stringify(statuses)}`);
    const results = await compare(pairs);
    let compared = 0;
    results.forEach((c, i) => {
      // pydicom 2.3 here has no JPEG-LS, JPEG lossless or 12-bit JPEG decoder: those references are skipped (codecs.test.ts checks them with DCMTK).
      if (!c.ok && /NotImplementedError|missing required dependencies|pixel data handler|not supported|No available image handler|cannot handle|broken data stream|Unable to decode/i.test(c.error ?? '')) return;
      assert.ok(c.ok, `${pairs[i]!.what}: ${c.error}`);
      assert.ok(c.max! <= pairs[i]!.tolerance, `${pairs[i]!.what}: differs from pydicom by up to ${c.max}`);
      compared++;
    });
    assert.ok(compared >= 15, `only ${compared} instances compared with pydicom`);
  });

  test('frames: transfer-syntax=* gives the stored frames in their media types; application/octet-stream gives pydicom\'s decoded frames', async () => {
    const items: Array<{ file: string; frame: number }> = [];
    const got: Array<{ what: string; body: Buffer; tolerance: number }> = [];
    let asStored = 0;
    for (const s of samples) {
      if (s.name === CORRUPT) continue;
      const base = `/studies/${s.study}/series/${s.series}/instances/${s.sop}/frames/1`;
      const stored = await get(h, base, { Accept: OHIF_FRAMES });
      assert.equal(stored.status, 200, `${s.name}: ${stored.body.toString('utf8', 0, 300)}`);
      const [frame] = await parts(stored);
      assert.match(frame!.headers['content-type']!, /^image\/(jpeg|jls|jp2|jphc|dicom-rle); transfer-syntax=/, s.name);
      asStored++;
      const decoded = await get(h, base, { Accept: 'multipart/related; type="application/octet-stream"' });
      assert.equal(decoded.status, 200, `${s.name}: ${decoded.body.toString('utf8', 0, 300)}`);
      const [raw] = await parts(decoded);
      assert.equal(raw!.headers['content-type'], `application/octet-stream; transfer-syntax=${EVLE}`);
      items.push({ file: s.file, frame: 0 });
      got.push({ what: s.name, body: raw!.body, tolerance: LOSSY.has(s.ts) ? 2 : 0 });
    }
    assert.ok(asStored >= 17);
    const refs = await pydicomFrames(items);
    // Lossy frames and those pydicom cannot decode here are compared as whole instances above.
    const eligible = refs.map((ref, i) => ({ ref, ...got[i]! })).filter((e) => e.ref !== null && e.tolerance === 0);
    for (const e of eligible) assert.equal(sha(e.body), e.ref, `${e.what}: the decoded frame differs from pydicom's`);
    assert.ok(eligible.length >= 3, `only ${eligible.length} decoded frames compared with pydicom's`);
  });

  test('/rendered and /thumbnail: PNG and JPEG that Pillow opens, of the right size; the PNG of a CT is pydicom\'s pixels through the data set\'s window', async () => {
    const ct = samples.find((s) => s.name === 'MR_small_RLE.dcm')!;
    const base = `/studies/${ct.study}/series/${ct.series}/instances/${ct.sop}`;
    const files: Record<string, string> = {};
    for (const [what, accept, query] of [
      ['rendered', 'image/png', ''], ['rendered', 'image/jpeg', '?quality=80'], ['thumbnail', 'image/png', ''],
      ['rendered', 'image/png', '?viewport=64,64&window=100,400,linear'],
    ] as const) {
      const r = await get(h, `${base}/${what}${query}`, { Accept: accept });
      assert.equal(r.status, 200, `${what}${query}: ${r.body.toString('utf8', 0, 300)}`);
      assert.equal(r.headers['content-type'], accept);
      const f = path.join(work, `${what}${files[`${what}${accept}`] ? '2' : ''}.${accept.split('/')[1]}`);
      writeFileSync(f, r.body);
      files[`${what}${accept}${query}`] = f;
    }
    const series = await get(h, `/studies/${ct.study}/series/${ct.series}/thumbnail`);
    assert.equal(series.status, 200);
    assert.equal(series.headers['content-type'], 'image/jpeg');
    const study = await get(h, `/studies/${ct.study}/rendered`, { Accept: 'multipart/related; type="image/png"' });
    assert.equal(study.status, 200);
    assert.ok((await parts(study)).every((p) => p.headers['content-type'] === 'image/png'));
    assert.equal((await get(h, `${base}/rendered`, { Accept: 'image/gif' })).status, 406);
    assert.equal((await get(h, `${base}/rendered?quality=0`)).status, 400);
    const script = `
import json, sys, warnings
warnings.simplefilter('ignore')
import numpy as np, pydicom
from PIL import Image
files = json.loads(sys.argv[1])
ds = pydicom.dcmread(sys.argv[2])
a = ds.pixel_array.astype(np.float64) * float(getattr(ds, 'RescaleSlope', 1)) + float(getattr(ds, 'RescaleIntercept', 0))
def window(c, w):
    # PS3.3 C.11.2.1.2.1 (LINEAR)
    y = ((a - (c - 0.5)) / (w - 1) + 0.5) * 255
    return np.clip(np.where(a <= c - 0.5 - (w - 1) / 2, 0, np.where(a > c - 0.5 + (w - 1) / 2, 255, y)), 0, 255)
if 'WindowCenter' in ds:
    c = float(ds.WindowCenter[0] if ds['WindowCenter'].VM > 1 else ds.WindowCenter)
    w = float(ds.WindowWidth[0] if ds['WindowWidth'].VM > 1 else ds.WindowWidth)
else:
    c = (a.max() + a.min()) / 2; w = max(1, a.max() - a.min())
png = np.asarray(Image.open(files['rendered'])).astype(np.float64)
out = {'sizes': {k: list(Image.open(v).size) for k, v in files.items()}, 'pngMax': float(np.abs(png - window(c, w)).max()),
       'shape': [a.shape[1], a.shape[0]], 'jpegMean': float(np.abs(np.asarray(Image.open(files['jpeg'])).astype(np.float64) - window(c, w)).mean())}
print(json.dumps(out))`;
    const r = await run(PYTHON, ['-c', script, JSON.stringify({
      rendered: files['renderedimage/png'], jpeg: files['renderedimage/jpeg?quality=80'], thumbnail: files['thumbnailimage/png'],
      viewport: files['renderedimage/png?viewport=64,64&window=100,400,linear'],
    }), ct.file], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { sizes: Record<string, [number, number]>; shape: [number, number]; pngMax: number; jpegMean: number };
    assert.deepEqual(out.sizes['rendered'], out.shape);
    assert.ok(out.pngMax <= 1, `the PNG differs from pydicom's windowed pixels by up to ${out.pngMax}`);
    assert.ok(out.jpegMean <= 3, `the JPEG differs from pydicom's windowed pixels by ${out.jpegMean} on average`);
    assert.ok(Math.max(...out.sizes['thumbnail']!) <= 128);
    assert.ok(Math.max(...out.sizes['viewport']!) <= 64);
  });
});
