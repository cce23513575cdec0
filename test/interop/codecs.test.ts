// Issue 15: the codec layer against reference decoders. pydicom (numpy + Pillow here) decodes
// the originals it can; DCMTK (dcmdjpls, dcmdjpeg) and OpenJPEG (opj_decompress) stand in for it
// where it cannot, and decode what we write as a second opinion; dicomnet scp --store-as
// converts on receive and refuses a corrupt codestream without losing the association.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { transcodeFile } from '../../src/dicom/transcode-file';
import { readPart10, readPart10Header } from '../../src/dicom/part10';
import {
  CodecPool, encodeRefusal, RLELossless, JPEGLSLossless, JPEG2000Lossless, HTJ2KLossless, JPEGLosslessSV1, JPEGBaseline,
  PixelPlan, FrameDecodeError,
} from '../../src/dicom/codecs';
import { encodingOf } from '../../src/dicom/transfer-syntaxes';
import { PYDICOM_FILES } from '../helpers/dicom-files';
import { dicomnet, run, startScp, startStorescp } from '../helpers/processes';
import { startOrthanc } from '../helpers/orthanc';
import { ApplicationEntity } from '../../src/ae/client';
import { storeFileList } from '../../src/ae/store';
import { collectStoreInputs } from '../../src/ae/store-inputs';

const EVLE = '1.2.840.10008.1.2.1';
const LOSSLESS = [RLELossless, JPEGLSLossless, JPEG2000Lossless, HTJ2KLossless, JPEGLosslessSV1];
const PYTHON = '/usr/bin/python3';
const COMPARE = path.join(__dirname, '..', '..', '..', 'test', 'helpers', 'compare_pixels.py');
const temp = (name: string) => mkdtempSync(path.join(tmpdir(), `dicomnet-codecs-${name}-`));
const pool = new CodecPool({ size: 2 });
after(() => pool.close());

/** Samples pydicom 2.3 with numpy and Pillow cannot decode here, and the tool that decodes them instead. */
const NOT_BY_PYDICOM: Record<string, 'dcmdjpls' | 'dcmdjpeg' | 'opj'> = {
  'MR_small_jpeg_ls_lossless.dcm': 'dcmdjpls', // no JPEG-LS handler (needs CharPyLS/pylibjpeg)
  'SC_rgb_jpeg_gdcm.dcm': 'dcmdjpeg', // JPEG lossless (needs GDCM/pylibjpeg)
  'JPGExtended.dcm': 'dcmdjpeg', // 12-bit JPEG: Pillow takes 8-bit only
  'JPEG-lossy.dcm': 'dcmdjpeg',
  'GDCMJ2K_TextGBR.dcm': 'opj', // Pillow: "broken data stream"
};
/** Its JPEG 2000 codestream claims 3722445056 columns (pydicom fails on it too). */
const CORRUPT = 'JPEG2000-embedded-sequence-delimiter.dcm';
const LOSSY = new Set(['1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51', '1.2.840.10008.1.2.4.91']);

interface Comparison { ok: boolean; max?: number; error?: string }

/** pydicom's pixel arrays of each pair compared (YBR references turned RGB when ours are RGB). */
async function compare(pairs: Array<{ ref: string; ours: string }>): Promise<Comparison[]> {
  const r = await run(PYTHON, [COMPARE], { input: JSON.stringify(pairs), timeoutMs: 120_000 });
  assert.equal(r.code, 0, `compare_pixels.py failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Comparison[];
}

async function compressedSamples(): Promise<Array<{ name: string; file: string; ts: string }>> {
  const out = [];
  for (const name of readdirSync(PYDICOM_FILES).filter((f) => f.endsWith('.dcm')).sort()) {
    const file = path.join(PYDICOM_FILES, name);
    let ts: string;
    try {
      ts = (await readPart10Header(file)).transferSyntaxUid;
    } catch {
      continue;
    }
    if (!encodingOf(ts).encapsulated) continue;
    const parsed = await readPart10(file);
    if (!parsed.dataset.has('PixelData')) continue;
    out.push({ name, file, ts });
  }
  return out;
}

/** OpenJPEG's decoding of a file's first frame, colour-by-pixel, as a native Part 10 file's pixel bytes. */
async function opjDecode(file: string, dir: string): Promise<Buffer> {
  const { dataset } = await readPart10(file);
  const fragments = dataset.get('PixelData')!.fragments!.slice(1);
  const stream = path.join(dir, `${path.basename(file)}.j2k`);
  writeFileSync(stream, Buffer.concat(fragments));
  const raw = path.join(dir, `${path.basename(file)}.rawl`);
  const r = await run('opj_decompress', ['-i', stream, '-o', raw, '-quiet']);
  assert.equal(r.code, 0, `opj_decompress ${file}: ${r.stderr}${r.stdout}`);
  const planes = readFileSync(raw);
  const samples = dataset.number('SamplesPerPixel') ?? 1;
  const bytes = (dataset.number('BitsAllocated') ?? 8) > 8 ? 2 : 1;
  const pixels = planes.length / samples / bytes;
  const out = Buffer.alloc(planes.length);
  for (let p = 0; p < pixels; p++) for (let s = 0; s < samples; s++) planes.copy(out, (p * samples + s) * bytes, (s * pixels + p) * bytes, (s * pixels + p + 1) * bytes);
  return out;
}

async function pixelBytes(file: string): Promise<Buffer> {
  return (await readPart10(file)).dataset.bytes('PixelData')!;
}

describe('every compressed pydicom sample, decoded and round-tripped', () => {
  test('decodes to Explicit VR LE equal to the reference decoder, and every lossless target gives it back identically', async () => {
    const dir = temp('samples');
    const samples = await compressedSamples();
    assert.ok(samples.length >= 30, `only ${samples.length} compressed samples`);
    const pairs: Array<{ ref: string; ours: string; what: string; tolerance: number }> = [];
    const exact: Array<{ a: Buffer; b: Buffer; what: string }> = [];
    let roundTrips = 0;
    for (const s of samples) {
      const ours = path.join(dir, `${s.name}.evle.dcm`);
      if (s.name === CORRUPT) {
        await assert.rejects(transcodeFile(s.file, ours, EVLE, { pool }), (e: Error) =>
          e instanceof FrameDecodeError && /^The JPEG 2000 Image Compression codestream is 3722445056 × 1024 but the image is 256 × 1024 \(Columns × Rows\)\.$/.test(e.message));
        assert.equal(existsSync(ours), false, 'nothing is left behind');
        continue;
      }
      let plan: PixelPlan | undefined;
      await transcodeFile(s.file, ours, EVLE, { pool, onPlan: (p) => { plan = p; } });
      assert.equal((await readPart10Header(ours)).transferSyntaxUid, EVLE, s.name);
      const tolerance = LOSSY.has(s.ts) ? 2 : 0;
      const by = NOT_BY_PYDICOM[s.name];
      if (by === 'opj') {
        exact.push({ a: await opjDecode(s.file, dir), b: await pixelBytes(ours), what: `${s.name}: opj_decompress vs ours` });
      } else if (by) {
        const ref = path.join(dir, `${s.name}.${by}.dcm`);
        const r = await run(by, [s.file, ref]);
        assert.equal(r.code, 0, `${by} ${s.name}: ${r.stderr}`);
        pairs.push({ ref, ours, what: `${s.name} (reference: ${by})`, tolerance });
      } else {
        pairs.push({ ref: s.file, ours, what: `${s.name} (reference: pydicom)`, tolerance });
      }
      const decoded = await pixelBytes(ours);
      for (const target of LOSSLESS) {
        if (encodeRefusal(target, plan!.target, {})) continue;
        const compressed = path.join(dir, `${s.name}.${target}.dcm`);
        const back = path.join(dir, `${s.name}.${target}.back.dcm`);
        await transcodeFile(ours, compressed, target, { pool });
        await transcodeFile(compressed, back, EVLE, { pool });
        exact.push({ a: decoded, b: await pixelBytes(back), what: `${s.name} via ${target}` });
        roundTrips++;
      }
    }
    const results = await compare(pairs);
    results.forEach((r, i) => {
      assert.ok(r.ok, `${pairs[i]!.what}: ${r.error}`);
      assert.ok(r.max! <= pairs[i]!.tolerance, `${pairs[i]!.what}: differs by up to ${r.max}`);
    });
    for (const e of exact) assert.ok(e.a.equals(e.b), `${e.what}: pixels differ`);
    assert.ok(roundTrips >= 100, `only ${roundTrips} round trips`);
  });
});

describe('second opinions on what we write', () => {
  const SOURCES = ['CT_small.dcm', 'MR_small.dcm', 'SC_rgb_small_odd.dcm', 'SC_rgb_rle_2frame.dcm', 'rtdose_rle.dcm'];
  const DCMTK: Record<string, string> = { [JPEGLSLossless]: 'dcmdjpls', [RLELossless]: 'dcmdrle', [JPEGLosslessSV1]: 'dcmdjpeg' };

  test('DCMTK (dcmdjpls, dcmdrle, dcmdjpeg) and opj_decompress decode our lossless output to the source pixels', async () => {
    const dir = temp('opinions');
    const pairs: Array<{ ref: string; ours: string; what: string }> = [];
    let checked = 0;
    for (const name of SOURCES) {
      const native = path.join(dir, `${name}.evle.dcm`);
      let plan: PixelPlan | undefined;
      await transcodeFile(path.join(PYDICOM_FILES, name), native, EVLE, { pool, onPlan: (p) => { plan = p; } });
      const description = plan?.target ?? plan?.source;
      for (const target of [...Object.keys(DCMTK), JPEG2000Lossless, HTJ2KLossless]) {
        if (description && encodeRefusal(target, description, {})) continue;
        const compressed = path.join(dir, `${name}.${target}.dcm`);
        await transcodeFile(native, compressed, target, { pool });
        const tool = DCMTK[target];
        if (tool) {
          const decoded = path.join(dir, `${name}.${target}.${tool}.dcm`);
          const r = await run(tool, [compressed, decoded]);
          assert.equal(r.code, 0, `${tool} ${name} (${target}): ${r.stderr}`);
          pairs.push({ ref: native, ours: decoded, what: `${tool} on ${name} as ${target}` });
        } else {
          const frames = (await readPart10(native)).dataset.string('NumberOfFrames');
          const firstFrame = (await pixelBytes(native)).subarray(0, (await opjDecode(compressed, dir)).length);
          assert.ok((await opjDecode(compressed, dir)).equals(firstFrame), `opj_decompress on ${name} as ${target} (frames: ${frames ?? 1})`);
        }
        checked++;
      }
    }
    const results = await compare(pairs);
    results.forEach((r, i) => assert.ok(r.ok && r.max === 0, `${pairs[i]!.what}: ${r.error ?? `differs by up to ${r.max}`}`));
    assert.ok(checked >= 15, `only ${checked} outputs checked`);
  });

  test('lossy JPEG Baseline only with permission; dcmdjpeg decodes it within ±2 of our decoder', async () => {
    const dir = temp('baseline');
    const native = path.join(dir, 'rgb.evle.dcm');
    await transcodeFile(path.join(PYDICOM_FILES, 'SC_rgb_small_odd.dcm'), native, EVLE, { pool });
    await assert.rejects(transcodeFile(native, path.join(dir, 'refused.dcm'), JPEGBaseline, { pool }), /lossy and lossy compression was not allowed/);
    const jpeg = path.join(dir, 'rgb.jpeg.dcm');
    await transcodeFile(native, jpeg, JPEGBaseline, { pool, lossy: true, quality: 95 });
    const { dataset } = await readPart10(jpeg);
    assert.equal(dataset.string('LossyImageCompression'), '01');
    assert.deepEqual(dataset.strings('LossyImageCompressionMethod'), ['ISO_10918_1']);
    assert.equal(dataset.string('PhotometricInterpretation'), 'YBR_FULL_422');
    const ours = path.join(dir, 'rgb.ours.dcm');
    await transcodeFile(jpeg, ours, EVLE, { pool });
    const theirs = path.join(dir, 'rgb.dcmdjpeg.dcm');
    const r = await run('dcmdjpeg', [jpeg, theirs]);
    assert.equal(r.code, 0, r.stderr);
    const [result] = await compare([{ ref: theirs, ours }]);
    assert.ok(result!.ok && result!.max! <= 2, `dcmdjpeg vs ours: ${result!.error ?? result!.max}`);
  });
});

describe('dicomnet scp --store-as', () => {
  test('converts on receive (index and C-FIND unaffected) and refuses a corrupt codestream without ending the association', async () => {
    const dir = temp('store-as');
    const inputs = temp('store-as-in');
    // A copy of the JPEG-LS sample whose scan data (inside its one fragment) is broken.
    const good = path.join(PYDICOM_FILES, 'MR_small_jpeg_ls_lossless.dcm');
    const bytes = readFileSync(good);
    const fragment = (await readPart10(good)).dataset.get('PixelData')!.fragments!.at(-1)!;
    const start = bytes.indexOf(fragment);
    const broken = Buffer.from(bytes);
    broken.fill(0xff, start + fragment.indexOf(Buffer.from([0xff, 0xda])) + 20, start + fragment.length - 2);
    const brokenFile = path.join(inputs, 'broken.dcm');
    writeFileSync(brokenFile, broken);
    const rle = path.join(PYDICOM_FILES, 'SC_rgb_rle_2frame.dcm');
    const scp = await startScp(['--aet', 'ARCHIVE', '--dir', dir, '--store-as', 'explicit-le']);
    try {
      // One association, each file in its own syntax: the broken file first, then two good ones.
      const r = await run('dcmsend', ['-v', '-dn', '127.0.0.1', String(scp.port), '-aec', 'ARCHIVE', brokenFile, good, rle], { env: { TCP_NODELAY: '1' } });
      const said = r.stderr + r.stdout;
      assert.match(said, /Received C-STORE Response \(Error: CannotUnderstand\)/, `dcmsend: ${said}`);
      assert.match(said, /Number of associations\s+: 1/);
      assert.match(said, /with status SUCCESS\s+: 2/);
      await scp.waitFor(/refused \S+ from \S+: .*the pixel data cannot be converted: the JPEG-LS Lossless Image Compression codestream could not be decoded/);
      await scp.waitFor(/stored \S+ from \S+ \([^)]*Explicit VR Little Endian; converted: RLE Lossless → Explicit VR Little Endian \(lossless\)\)/);
      const h = await readPart10Header(good);
      const find = await run('findscu', ['-v', '-S', '-k', 'QueryRetrieveLevel=IMAGE', '-k', `StudyInstanceUID=${h.studyInstanceUid}`, '-k', `SeriesInstanceUID=${h.seriesInstanceUid}`,
        '-k', `SOPInstanceUID=${h.sopInstanceUid}`, '127.0.0.1', String(scp.port), '-aec', 'ARCHIVE']);
      assert.match(find.stderr + find.stdout, /Find Response: 1 \(Pending\)/, `the converted instance is in the index: ${find.stderr}`);
      const storedPath = path.join(dir, h.studyInstanceUid!, h.seriesInstanceUid!, `${h.sopInstanceUid}.dcm`);
      assert.equal((await readPart10Header(storedPath)).transferSyntaxUid, EVLE);
      const ref = path.join(inputs, 'ref.dcm');
      assert.equal((await run('dcmdjpls', [good, ref])).code, 0);
      const [c] = await compare([{ ref, ours: storedPath }]);
      assert.ok(c!.ok && c!.max === 0, `stored pixels: ${c!.error ?? c!.max}`);
    } finally {
      await scp.stop();
    }
  });
});

describe('decompressed for a peer that accepts only Implicit VR LE (storescp +xi)', () => {
  // Distinct SOP Instance UIDs (several samples share one): JPEG-LS, JPEG 2000 (grey and YBR_RCT), RLE colour, JPEG Baseline YBR, 12-bit JPEG.
  const SAMPLES = ['MR_small_jpeg_ls_lossless.dcm', 'JPEG2000.dcm', 'GDCMJ2K_TextGBR.dcm', 'SC_rgb_rle_2frame.dcm', 'SC_rgb_jpeg_dcmtk.dcm', 'JPGExtended.dcm'];
  const IVLE = '1.2.840.10008.1.2';

  /** What storescp wrote, by SOP Instance UID. */
  async function received(dir: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const f of readdirSync(dir)) out.set((await readPart10Header(path.join(dir, f))).sopInstanceUid, path.join(dir, f));
    return out;
  }

  /** Each sample's pixels as we decode them, against what arrived. */
  async function checkArrived(files: Map<string, string>, work: string): Promise<void> {
    for (const name of SAMPLES) {
      const sample = path.join(PYDICOM_FILES, name);
      const arrived = files.get((await readPart10Header(sample)).sopInstanceUid);
      assert.ok(arrived, `${name} did not arrive`);
      assert.equal((await readPart10Header(arrived)).transferSyntaxUid, IVLE, name);
      const ours = path.join(work, `${name}.evle.dcm`);
      await transcodeFile(sample, ours, EVLE, { pool });
      assert.ok((await pixelBytes(ours)).equals(await pixelBytes(arrived)), `${name}: pixels differ`);
    }
  }

  test('dicomnet store converts each file and says how on its line', async () => {
    const out = temp('xi-store');
    const storescp = await startStorescp(['+xi', '-od', out]);
    try {
      const r = await dicomnet(['store', '127.0.0.1', String(storescp.port), '--aec', 'STORESCP', ...SAMPLES.map((n) => path.join(PYDICOM_FILES, n))]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      for (const name of SAMPLES) {
        assert.match(r.stdout, new RegExp(`OK {3}\\S*${name.replace(/[.+]/g, '\\$&')}: .*Implicit VR Little Endian, converted .* → Implicit VR Little Endian \\(lossless`), name);
      }
      assert.match(r.stdout, /SC_rgb_jpeg_dcmtk\.dcm: .*converted JPEG Baseline \(Process 1\) → Implicit VR Little Endian \(lossless, YBR_FULL → RGB\)/);
      await checkArrived(await received(out), temp('xi-store-ref'));
    } finally {
      await storescp.stop();
    }
  });

  test('a C-MOVE out of dicomnet scp delivers them decompressed', async () => {
    const out = temp('xi-move');
    const archive = temp('xi-move-archive');
    const storescp = await startStorescp(['+xi', '-od', out]);
    const scp = await startScp(['--aet', 'ARCHIVE', '--dir', archive, '--dest', `STORESCP=127.0.0.1:${storescp.port}`]);
    try {
      const seed = await run('dcmsend', ['-dn', '127.0.0.1', String(scp.port), '-aec', 'ARCHIVE', ...SAMPLES.map((n) => path.join(PYDICOM_FILES, n))]);
      assert.equal(seed.code, 0, seed.stderr);
      for (const name of SAMPLES) {
        const study = (await readPart10Header(path.join(PYDICOM_FILES, name))).studyInstanceUid!;
        const r = await dicomnet(['move', '127.0.0.1', String(scp.port), '--aec', 'ARCHIVE', '--dest', 'STORESCP', '--level', 'STUDY', '-k', `StudyInstanceUID=${study}`]);
        assert.equal(r.code, 0, `${name}: ${r.stdout}${r.stderr}`);
      }
      await checkArrived(await received(out), temp('xi-move-ref'));
    } finally {
      await scp.stop();
      await storescp.stop();
    }
  });
});

/** The samples of a NumPy .npy file (what Orthanc's /numpy answers) as numbers, with its shape. */
function readNpy(b: Buffer): { shape: number[]; values: number[] } {
  const headerLength = b.readUInt16LE(8);
  const header = b.toString('latin1', 10, 10 + headerLength);
  const descr = /'descr': '([<|>])([a-z])(\d)'/.exec(header)!;
  const shape = /'shape': \(([^)]*)\)/.exec(header)![1]!.split(',').map((x) => x.trim()).filter(Boolean).map(Number);
  const data = b.subarray(10 + headerLength);
  const size = Number(descr[3]);
  const values: number[] = [];
  for (let at = 0; at + size <= data.length; at += size) {
    if (descr[2] === 'f') values.push(size === 4 ? data.readFloatLE(at) : data.readDoubleLE(at));
    else if (descr[2] === 'u') values.push(size === 1 ? data[at]! : size === 2 ? data.readUInt16LE(at) : data.readUInt32LE(at));
    else values.push(size === 1 ? data.readInt8(at) : size === 2 ? data.readInt16LE(at) : data.readInt32LE(at));
  }
  return { shape, values };
}

describe('Orthanc stores and decodes what we write', () => {
  test('JPEG-LS, RLE, JPEG lossless and JPEG Baseline from dicomnet, decoded by Orthanc to our pixels', async () => {
    const dir = temp('orthanc');
    const orthanc = await startOrthanc();
    const ae = new ApplicationEntity({ aeTitle: 'DICOMNET' });
    try {
      const cases: Array<{ source: string; ts: string; lossy?: boolean }> = [
        ...['CT_small.dcm', 'MR_small.dcm'].flatMap((source) => [JPEGLSLossless, RLELossless, JPEGLosslessSV1].map((ts) => ({ source, ts }))),
        { source: 'SC_rgb_small_odd.dcm', ts: JPEGLSLossless }, { source: 'SC_rgb_small_odd.dcm', ts: JPEGBaseline, lossy: true },
      ];
      for (const c of cases) {
        const native = path.join(dir, `${c.source}.evle.dcm`);
        await transcodeFile(path.join(PYDICOM_FILES, c.source), native, EVLE, { pool });
        const compressed = path.join(dir, `${c.source}.${c.ts}.dcm`);
        await transcodeFile(native, compressed, c.ts, { pool, lossy: c.lossy });
        const ours = path.join(dir, `${c.source}.${c.ts}.back.dcm`);
        await transcodeFile(compressed, ours, EVLE, { pool });
        for (const id of await orthanc.rest<string[]>('GET', '/instances')) await orthanc.rest('DELETE', `/instances/${id}`);
        const [sent] = await storeFileList(ae, (await collectStoreInputs([compressed])).files, { host: '127.0.0.1', port: orthanc.dicomPort, calledAeTitle: 'ORTHANC' });
        assert.equal(sent!.outcome, 'success', `${c.source} as ${c.ts}: ${sent!.message}`);
        assert.equal(sent!.sentTransferSyntaxUid, c.ts, 'sent as it is');
        const [id] = await orthanc.rest<string[]>('GET', '/instances');
        const res = await fetch(`${orthanc.url}/instances/${id}/frames/0/numpy?rescale=0`);
        assert.equal(res.status, 200, `${c.source} as ${c.ts}: Orthanc could not decode it (${res.status})`);
        const { values } = readNpy(Buffer.from(await res.arrayBuffer()));
        const { dataset } = await readPart10(ours);
        const mine = dataset.bytes('PixelData')!;
        const bits = dataset.number('BitsAllocated')!;
        const signed = dataset.number('PixelRepresentation') === 1;
        const expected = Array.from({ length: values.length }, (_, i) => (bits === 8 ? mine[i]! : signed ? mine.readInt16LE(i * 2) : mine.readUInt16LE(i * 2)));
        const worst = values.reduce((m, v, i) => Math.max(m, Math.abs(v - expected[i]!)), 0);
        assert.ok(worst <= (c.lossy ? 2 : 0), `${c.source} as ${c.ts}: Orthanc's pixels differ from ours by up to ${worst}`);
      }
    } finally {
      await orthanc.stop();
    }
  });
});
