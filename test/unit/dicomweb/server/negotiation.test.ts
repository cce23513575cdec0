// WADO-RS content negotiation (PS3.18 8.7.3.5): which transfer syntax an instance goes out in,
// which form frames take, and which image type a rendering takes; 406 only when nothing fits.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAccept } from '../../../../src/dicomweb/multipart';
import { chooseInstanceRendition, dicomAcceptances } from '../../../../src/dicomweb/server/instance-syntax';
import { chooseFrameForm } from '../../../../src/dicomweb/server/frame-syntax';
import { renderedMediaType, renderingParameters } from '../../../../src/dicomweb/server/rendered';
import { HttpError } from '../../../../src/dicomweb/server/http-error';

const EVLE = '1.2.840.10008.1.2.1';
const RLE = '1.2.840.10008.1.2.5';
const J2K = '1.2.840.10008.1.2.4.90';
const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
const MONO16 = { rows: 64, columns: 64, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 12, photometricInterpretation: 'MONOCHROME2' };
const instance = (accept: string, stored: string) => chooseInstanceRendition(stored, dicomAcceptances(accept ? parseAccept(accept) : []), MONO16);
const frames = (accept: string, stored: string, parts = 1) => chooseFrameForm(accept ? parseAccept(accept) : [], stored, MONO16, parts);
const status = (code: number) => (e: unknown) => e instanceof HttpError && e.status === code;

describe('instance transfer syntax', () => {
  test('no transfer-syntax (and no Accept) means Explicit VR LE: a compressed instance is converted', () => {
    assert.deepEqual(instance('multipart/related; type="application/dicom"', RLE), { transferSyntaxUid: EVLE, convert: true });
    assert.deepEqual(instance('', J2K), { transferSyntaxUid: EVLE, convert: true });
    assert.deepEqual(instance('multipart/related; type="application/dicom"', EVLE), { transferSyntaxUid: EVLE, convert: false });
  });
  test('transfer-syntax=* is as stored; a named syntax converts to it; q-values order the choices', () => {
    assert.deepEqual(instance('multipart/related; type="application/dicom"; transfer-syntax=*', J2K), { transferSyntaxUid: J2K, convert: false });
    assert.deepEqual(instance(`multipart/related; type="application/dicom"; transfer-syntax=${RLE}`, J2K), { transferSyntaxUid: RLE, convert: true });
    assert.deepEqual(instance(`multipart/related; type="application/dicom"; transfer-syntax=${RLE}; q=0.5, multipart/related; type="application/dicom"`, J2K),
      { transferSyntaxUid: EVLE, convert: true });
  });
  test('a lossy syntax asked for 12-bit data cannot be made: a refusal with the reason, not a silent other syntax', () => {
    const r = instance(`multipart/related; type="application/dicom"; transfer-syntax=${JPEG_BASELINE}`, EVLE);
    assert.ok('refusal' in r);
    assert.match((r as { refusal: string }).refusal, /cannot be converted to JPEG Baseline.*8-bit unsigned samples only/);
  });
  test('an Accept without application/dicom is a 406', () => {
    assert.throws(() => dicomAcceptances(parseAccept('application/json')), status(406));
  });
});

describe('frame forms', () => {
  test('OHIF\'s octet-stream with transfer-syntax=* takes the stored frames in their media type', () => {
    const c = frames('multipart/related; type="application/octet-stream"; transfer-syntax=*', J2K);
    assert.deepEqual(c.form, { partType: 'image/jp2', ts: J2K, work: 'stored' });
  });
  test('application/octet-stream without a syntax decodes; image/jls encodes; */* takes what is stored', () => {
    assert.equal(frames('multipart/related; type="application/octet-stream"', RLE).form.work, 'decode');
    assert.deepEqual(frames('multipart/related; type="image/jls"', EVLE).form, { partType: 'image/jls', ts: '1.2.840.10008.1.2.4.80', work: 'encode' });
    assert.deepEqual(frames('*/*', RLE).form, { partType: 'image/dicom-rle', ts: RLE, work: 'stored' });
    assert.equal(frames('application/octet-stream', EVLE).mode, 'single');
    assert.equal(frames('multipart/related; type="application/octet-stream"', EVLE, 3).mode, 'multipart');
  });
  test('image/jpeg for 12-bit data: a 406 that says why', () => {
    assert.throws(() => frames(`multipart/related; type="image/jpeg"; transfer-syntax=${JPEG_BASELINE}`, EVLE),
      (e: unknown) => status(406)(e) && /takes 8-bit unsigned samples only/.test((e as Error).message));
  });
});

describe('rendered media types and parameters', () => {
  test('image/jpeg by default, image/png on request, image/* and multipart/related forms; 406 for anything else', () => {
    assert.equal(renderedMediaType([], false), 'image/jpeg');
    assert.equal(renderedMediaType(parseAccept('image/png'), false), 'image/png');
    assert.equal(renderedMediaType(parseAccept('image/jpeg;q=0.5, image/png'), false), 'image/png');
    assert.equal(renderedMediaType(parseAccept('image/*'), false), 'image/jpeg');
    assert.equal(renderedMediaType(parseAccept('multipart/related; type="image/png"'), true), 'image/png');
    assert.throws(() => renderedMediaType(parseAccept('image/gif'), false), status(406));
    assert.throws(() => renderedMediaType(parseAccept('multipart/related; type="image/png"'), false), status(406));
  });
  test('window, viewport and quality are parsed; thumbnails fit 128 × 128; bad values are 400s', () => {
    const p = renderingParameters(new URLSearchParams('window=40,400,sigmoid&viewport=256,128&quality=75'), false);
    assert.deepEqual(p, { quality: 75, render: { window: { center: 40, width: 400, fn: 'SIGMOID' }, viewport: { width: 256, height: 128 } } });
    assert.deepEqual(renderingParameters(new URLSearchParams(''), true).render.viewport, { width: 128, height: 128 });
    for (const q of ['window=40', 'window=40,0', 'window=40,400,cubic', 'viewport=0,10', 'viewport=10,10,0,0,5,5', 'quality=101', 'quality=x']) {
      assert.throws(() => renderingParameters(new URLSearchParams(q), false), status(400), q);
    }
  });
});
