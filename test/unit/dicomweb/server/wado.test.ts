// The DICOMweb server over a temporary archive, with real HTTP requests: QIDO-RS answers and
// paging, WADO-RS instances (stored bytes or converted, compressed ones decoded), metadata with
// bulk data URIs, frames and bulk data byte-exact against pydicom, CORS and the bearer token.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parsePart10 } from '../../../../src/dicom/part10';
import { datasetToJson } from '../../../../src/dicom/json';
import { writeSyntheticInstance } from '../../../helpers/dicom-files';
import { Harness, SAMPLES, get, parts, pydicom, raw, startHarness } from './helpers';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Sample { study: string; series: string; sop: string; ts: string; frames: string[]; pixel?: string; name: string; decoded?: string; decodedFrames?: string[] }

const NAMES = ['CT_small.dcm', 'MR_small_bigendian.dcm', 'SC_rgb_rle_2frame.dcm', 'image_dfl.dcm', 'rtdose.dcm', 'waveform_ecg.dcm', 'test-SR.dcm'];

/** UIDs and SHA-256 of each frame of each file, as pydicom sees them. */
function oracle(files: string[]): Record<string, Sample> {
  return pydicom<Record<string, Sample>>(`
import json, hashlib, pydicom
from pydicom.encaps import generate_pixel_data_frame
out = {}
for f in ${JSON.stringify(files)}:
    ds = pydicom.dcmread(f)
    h = lambda b: hashlib.sha256(b).hexdigest()
    s = {'name': f, 'study': ds.StudyInstanceUID, 'series': ds.SeriesInstanceUID, 'sop': ds.SOPInstanceUID, 'ts': str(ds.file_meta.TransferSyntaxUID), 'frames': []}
    if 'PixelData' in ds:
        n = int(ds.get('NumberOfFrames', 1) or 1)
        if ds.file_meta.TransferSyntaxUID.is_compressed:
            s['frames'] = [h(fr) for fr in generate_pixel_data_frame(ds.PixelData, n)]
            a = ds.pixel_array
            s['decoded'] = h(a.tobytes())
            s['decodedFrames'] = [h(a[i].tobytes()) for i in range(n)] if n > 1 else [h(a.tobytes())]
        else:
            ref = pydicom.dcmread(f.replace('MR_small_bigendian', 'MR_small')) if 'bigendian' in f else ds
            data = ref.PixelData
            size = len(data) // n
            s['frames'] = [h(data[i*size:(i+1)*size]) for i in range(n)]
            s['pixel'] = h(data)
    if 'WaveformSequence' in ds:
        s['pixel'] = h(ds.WaveformSequence[0].WaveformData)
    out[f.split('/')[-1]] = s
print(json.dumps(out))
`);
}

describe('DICOMweb server: QIDO-RS, WADO-RS, metadata, frames', () => {
  let h: Harness;
  let s: Record<string, Sample>;
  let multiframe: string;
  const wado = (x: Sample) => `/studies/${x.study}/series/${x.series}/instances/${x.sop}`;

  before(async () => {
    h = await startHarness(NAMES, {}, {}, async (dir) => {
      multiframe = path.join(dir, 'multiframe.dcm');
      await writeSyntheticInstance(multiframe, 3 * 512 * 512 * 2);
    });
    s = oracle([...NAMES.map((n) => path.join(SAMPLES, n)), multiframe]);
  });
  after(async () => { await h?.close(); });

  test('GET /studies lists every study once, as DICOM JSON with a Retrieve URL per study', async () => {
    const r = await get(h, '/studies');
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^application\/dicom\+json/);
    const studies = r.json() as any[];
    const uids = studies.map((x) => x['0020000D'].Value[0]).sort();
    assert.deepEqual(uids, [...new Set(Object.values(s).map((x) => x.study))].sort());
    for (const x of studies) assert.equal(x['00081190'].Value[0], `${h.url}/studies/${x['0020000D'].Value[0]}`);
    const ct = studies.find((x) => x['0020000D'].Value[0] === s['CT_small.dcm']!.study);
    assert.deepEqual(ct['00100010'].Value, [{ Alphabetic: 'CompressedSamples^CT1' }]);
    assert.deepEqual(ct['00080061'].Value, ['CT']);
    assert.equal(ct['00201208'].Value[0], 1);
    assert.equal(ct['00080005'], undefined, 'JSON text is Unicode: no Specific Character Set');
  });

  test('matching: wildcards, UID lists, the path UIDs, relational searches', async () => {
    const names = (await get(h, '/studies?PatientName=Compressed*')).json().map((x: any) => x['00100010'].Value[0].Alphabetic).sort();
    assert.deepEqual(names, ['CompressedSamples^CT1', 'CompressedSamples^MR1']);
    const two = [s['CT_small.dcm']!.study, s['rtdose.dcm']!.study];
    const listed = (await get(h, `/studies?StudyInstanceUID=${two.join(',')}`)).json().map((x: any) => x['0020000D'].Value[0]).sort();
    assert.deepEqual(listed, [...two].sort());
    const mr = s['MR_small_bigendian.dcm']!;
    const series = (await get(h, `/studies/${mr.study}/series`)).json();
    assert.deepEqual(series.map((x: any) => x['0020000E'].Value[0]), [mr.series]);
    assert.equal(series[0]['00081190'].Value[0], `${h.url}/studies/${mr.study}/series/${mr.series}`);
    const instances = (await get(h, `/studies/${mr.study}/series/${mr.series}/instances`)).json();
    assert.deepEqual(instances.map((x: any) => x['00080018'].Value[0]), [mr.sop]);
    assert.equal(instances[0]['00081190'].Value[0], `${h.url}${wado(mr)}`);
    const ct = (await get(h, '/series?Modality=CT')).json().map((x: any) => x['0020000D'].Value[0]);
    assert.ok(ct.includes(s['CT_small.dcm']!.study));
    const rt = (await get(h, '/instances?SOPClassUID=1.2.840.10008.5.1.4.1.1.481.2')).json();
    assert.deepEqual(rt.map((x: any) => x['00080018'].Value[0]), [s['rtdose.dcm']!.sop]);
    // Study attributes on an all-instances search come along (PS3.18 10.6.3.3.3).
    assert.ok(rt[0]['0020000D'] && rt[0]['00100020']);
    assert.deepEqual((await get(h, '/studies?PatientName=NOBODY')).json(), []);
  });

  test('includefield adds attributes; includefield=all adds everything the index keeps', async () => {
    const one = (await get(h, `/studies?StudyInstanceUID=${s['CT_small.dcm']!.study}&includefield=StudyDescription`)).json()[0];
    assert.ok('00081030' in one);
    const all = (await get(h, `/instances?SOPInstanceUID=${s['CT_small.dcm']!.sop}&includefield=all`)).json()[0];
    for (const tag of ['00080008', '00280010', '00200013', '0008103E', '00081030']) assert.ok(tag in all, tag);
  });

  test('limit and offset page through all matches; a Warning says when more are left', async () => {
    const everything = (await get(h, '/instances')).json().map((x: any) => x['00080018'].Value[0]);
    assert.equal(everything.length, NAMES.length + 1);
    const seen: string[] = [];
    for (let offset = 0; offset < everything.length; offset += 3) {
      const r = await get(h, `/instances?limit=3&offset=${offset}`);
      const page = r.json().map((x: any) => x['00080018'].Value[0]);
      seen.push(...page);
      const last = offset + 3 >= everything.length;
      if (last) assert.equal(r.headers.warning, undefined);
      else assert.match(String(r.headers.warning), /^299 dicomnet ".*additional results that can be requested.*offset=\d+/);
    }
    assert.deepEqual(seen, everything);
    assert.deepEqual((await get(h, `/instances?offset=${everything.length}`)).json(), []);
  });

  test('bad QIDO requests get 400 (unknown keyword, bad number), 406 (XML), and accept= picks application/json', async () => {
    for (const q of ['/studies?NoSuchKeyword=1', '/studies?limit=abc', '/studies?StudyDate=yesterday', '/studies?StudyInstanceUID=1.2.abc']) {
      const r = await get(h, q);
      assert.equal(r.status, 400, q);
      assert.equal(typeof r.json().error, 'string');
    }
    const xml = await get(h, '/studies', { Accept: 'multipart/related; type="application/dicom+xml"' });
    assert.equal(xml.status, 406);
    const json = await get(h, '/studies?accept=application/json');
    assert.equal(json.status, 200);
    assert.match(String(json.headers['content-type']), /^application\/json/);
  });

  test('WADO-RS sends stored instances byte for byte with transfer-syntax=*, with Content-Location', async () => {
    for (const name of ['CT_small.dcm', 'SC_rgb_rle_2frame.dcm', 'image_dfl.dcm']) {
      const x = s[name]!;
      const r = await get(h, `/studies/${x.study}`, { Accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' });
      assert.equal(r.status, 200, name);
      const [part, ...rest] = await parts(r);
      assert.equal(rest.length, 0);
      assert.deepEqual(part!.body, readFileSync(path.join(SAMPLES, name)), name);
      assert.equal(part!.headers['content-location'], `${h.url}${wado(x)}`);
      assert.equal(part!.headers['content-type'], `application/dicom; transfer-syntax=${x.ts}`);
    }
  });

  test('instances the client wants in Explicit VR LE (the default) are converted, compressed ones decoded; a named syntax is kept', async () => {
    const mr = s['MR_small_bigendian.dcm']!;
    for (const accept of ['multipart/related; type="application/dicom"', 'multipart/related; type="application/dicom"; transfer-syntax=*']) {
      const r = await get(h, wado(mr), { Accept: accept });
      assert.equal(r.status, 200, accept);
      const [part] = await parts(r);
      assert.equal(part!.headers['content-type'], 'application/dicom; transfer-syntax=1.2.840.10008.1.2.1');
      const got = parsePart10(part!.body);
      assert.equal(got.transferSyntaxUid, '1.2.840.10008.1.2.1');
      const original = parsePart10(readFileSync(path.join(SAMPLES, 'MR_small_bigendian.dcm')));
      assert.deepEqual(datasetToJson(got.dataset), datasetToJson(original.dataset));
    }
    const rle = s['SC_rgb_rle_2frame.dcm']!;
    // No Accept header and a bare application/dicom both mean Explicit VR Little Endian (PS3.18 8.7.3.5.2).
    for (const headers of [{}, { Accept: 'multipart/related; type="application/dicom"' }, { Accept: '*/*' }] as Record<string, string>[]) {
      const r = await get(h, wado(rle), headers);
      assert.equal(r.status, 200, JSON.stringify(headers));
      const [part] = await parts(r);
      const got = parsePart10(part!.body);
      assert.equal(got.transferSyntaxUid, '1.2.840.10008.1.2.1');
      assert.equal(sha(got.dataset.bytes('PixelData')!), rle.decoded, 'the decoded pixels are pydicom\'s');
      assert.equal(got.dataset.string('PhotometricInterpretation'), 'RGB');
    }
    const named = await get(h, wado(rle), { Accept: 'multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.5' });
    assert.equal(named.status, 200);
    assert.deepEqual((await parts(named))[0]!.body, readFileSync(path.join(SAMPLES, 'SC_rgb_rle_2frame.dcm')));
    assert.equal(await get(h, `/studies/1.2.3.4.5.6`).then((r) => r.status), 404);
  });

  test('metadata is the data set as DICOM JSON, pixel data as a BulkDataURI that serves the exact bytes', async () => {
    const ct = s['CT_small.dcm']!;
    const r = await get(h, `${wado(ct)}/metadata`);
    assert.equal(r.status, 200);
    const [meta] = r.json();
    const expected = datasetToJson(parsePart10(readFileSync(path.join(SAMPLES, 'CT_small.dcm'))).dataset) as any;
    const uri = meta['7FE00010'].BulkDataURI as string;
    assert.equal(uri, `${h.url}${wado(ct)}/bulkdata/7FE00010`);
    // Every value left out is a large binary one; everything else is exactly the data set.
    for (const [tag, attr] of Object.entries(meta) as [string, any][]) {
      if (!attr.BulkDataURI) continue;
      assert.ok(['OB', 'OW', 'UN'].includes(attr.vr) && (tag === '7FE00010' || Buffer.from(expected[tag].InlineBinary, 'base64').length > 1024), tag);
      delete meta[tag];
      delete expected[tag];
    }
    assert.deepEqual(meta, expected);
    const bulk = await get(h, new URL(uri).pathname.slice(new URL(h.url).pathname.length));
    assert.equal(bulk.status, 200);
    const [part] = await parts(bulk);
    assert.equal(sha(part!.body), ct.pixel);
    // Study-level metadata holds one object per instance.
    assert.equal((await get(h, `/studies/${ct.study}/metadata`)).json().length, 1);
  });

  test('bulk data inside a sequence (waveform data) has its own URI with the exact bytes', async () => {
    const ecg = s['waveform_ecg.dcm']!;
    const [meta] = (await get(h, `${wado(ecg)}/metadata`)).json();
    const item = meta['54000100'].Value[0];
    const uri = item['54001010'].BulkDataURI as string;
    assert.equal(uri, `${h.url}${wado(ecg)}/bulkdata/54000100/0/54001010`);
    const single = await get(h, `${wado(ecg)}/bulkdata/54000100/0/54001010`, { Accept: 'application/octet-stream' });
    assert.equal(single.status, 200);
    assert.match(String(single.headers['content-type']), /^application\/octet-stream/);
    assert.equal(sha(single.body), ecg.pixel);
    assert.equal((await get(h, `${wado(ecg)}/bulkdata/54000100/7/54001010`)).status, 404);
  });

  test('frames are byte-exact against pydicom: native LE, big endian, deflated, implicit 32-bit, RLE, multi-frame', async () => {
    const cases: Array<[string, number[]]> = [
      ['CT_small.dcm', [1]], ['MR_small_bigendian.dcm', [1]], ['image_dfl.dcm', [1]], ['rtdose.dcm', [15, 3]],
      ['SC_rgb_rle_2frame.dcm', [2, 1]], ['multiframe.dcm', [3, 1, 2]],
    ];
    for (const [name, frames] of cases) {
      const x = s[name]!;
      const r = await get(h, `${wado(x)}/frames/${frames.join(',')}`, { Accept: 'multipart/related; type="application/octet-stream"; transfer-syntax=*, multipart/related; type="image/dicom-rle"; transfer-syntax=*' });
      assert.equal(r.status, 200, `${name}: ${r.body.toString().slice(0, 200)}`);
      const got = await parts(r);
      assert.deepEqual(got.map((p) => sha(p.body)), frames.map((n) => x.frames[n - 1]), name);
      const type = name.includes('rle') ? 'image/dicom-rle; transfer-syntax=1.2.840.10008.1.2.5' : 'application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1';
      assert.equal(got[0]!.headers['content-type'], type, name);
      assert.equal(got[0]!.headers['content-location'], `${h.url}${wado(x)}/frames/${frames[0]}`);
    }
  });

  test('frame requests: a single bare part on request, 404 past the last frame, 400 for frame 0, 406 with the reason for a form we cannot make', async () => {
    const ct = s['CT_small.dcm']!;
    const bare = await get(h, `${wado(ct)}/frames/1`, { Accept: 'application/octet-stream' });
    assert.equal(bare.status, 200);
    assert.equal(bare.headers['content-type'], 'application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1');
    assert.equal(sha(bare.body), ct.frames[0]);
    assert.equal((await get(h, `${wado(ct)}/frames/2`)).status, 404);
    assert.equal((await get(h, `${wado(ct)}/frames/0`)).status, 400);
    const lossy = await get(h, `${wado(ct)}/frames/1`, { Accept: 'multipart/related; type="image/jpeg"; transfer-syntax=1.2.840.10008.1.2.4.50' });
    assert.equal(lossy.status, 406);
    assert.equal(lossy.json().error, 'The frames are stored as application/octet-stream in Explicit VR Little Endian and cannot be converted to JPEG Baseline (Process 1) '
      + '(JPEG Baseline (Process 1) takes 8-bit unsigned samples only).');
    const rle = s['SC_rgb_rle_2frame.dcm']!;
    // Uncompressed bytes of a compressed instance: decoded in the codec pool, equal to pydicom's.
    const decoded = await get(h, `${wado(rle)}/frames/2`, { Accept: 'multipart/related; type="application/octet-stream"' });
    assert.equal(decoded.status, 200);
    const [frame] = await parts(decoded);
    assert.equal(frame!.headers['content-type'], 'application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1');
    assert.equal(sha(frame!.body), rle.decodedFrames![1]);
  });

  test('CORS: every answer allows any origin, OPTIONS answers the pre-flight with 204', async () => {
    const r = await get(h, '/studies', { Origin: 'http://viewer.example' });
    assert.equal(r.headers['access-control-allow-origin'], '*');
    const pre = await raw(h.url, `${new URL(h.url).pathname}/studies`, {
      method: 'OPTIONS', headers: { Origin: 'http://viewer.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers['access-control-allow-origin'], '*');
    assert.match(String(pre.headers['access-control-allow-methods']), /GET.*POST/);
    assert.match(String(pre.headers['access-control-allow-headers']), /Authorization/i);
    const err = await get(h, '/nothing-here');
    assert.equal(err.status, 404);
    assert.equal(err.headers['access-control-allow-origin'], '*');
  });
});

describe('DICOMweb server with a bearer token', () => {
  let h: Harness;
  before(async () => { h = await startHarness(['CT_small.dcm'], { token: 's3cret-token' }); });
  after(async () => { await h?.close(); });

  test('requests without the token get 401 with WWW-Authenticate; the right token gets through; pre-flights need none', async () => {
    const none = await get(h, '/studies');
    assert.equal(none.status, 401);
    assert.equal(none.headers['www-authenticate'], 'Bearer realm="dicomweb"');
    assert.match(none.json().error, /Bearer/);
    const wrong = await get(h, '/studies', { Authorization: 'Bearer nope' });
    assert.equal(wrong.status, 401);
    assert.match(String(wrong.headers['www-authenticate']), /invalid_token/);
    const basic = await get(h, '/studies', { Authorization: 'Basic czNjcmV0LXRva2Vu' });
    assert.equal(basic.status, 401);
    const ok = await get(h, '/studies', { Authorization: 'Bearer s3cret-token' });
    assert.equal(ok.status, 200);
    assert.equal(ok.json().length, 1);
    const pre = await raw(h.url, `${new URL(h.url).pathname}/studies`, { method: 'OPTIONS' });
    assert.equal(pre.status, 204);
  });
});
