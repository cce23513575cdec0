// The request paths of the DICOMweb server: which resource each names, and the paths it refuses.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveResource } from '../../../../src/dicomweb/server/routes';
import { HttpError } from '../../../../src/dicomweb/server/http-error';

const S = '1.2.840.113619.2.1';
const SE = '1.2.840.113619.2.1.2';
const I = '1.2.840.113619.2.1.2.3';

function status(p: string): number {
  try {
    resolveResource(p);
    return 200;
  } catch (error) {
    assert.ok(error instanceof HttpError);
    return error.status;
  }
}

describe('DICOMweb server routes', () => {
  test('search resources take GET; /studies and /studies/{s} take POST too', () => {
    assert.deepEqual(resolveResource('/studies'), { GET: { kind: 'search', path: '/studies' }, POST: { kind: 'store' } });
    assert.deepEqual(resolveResource('/series/'), { GET: { kind: 'search', path: '/series' } });
    assert.deepEqual(resolveResource(`/studies/${S}/instances`), { GET: { kind: 'search', path: `/studies/${S}/instances` } });
    assert.deepEqual(resolveResource(`/studies/${S}/series/${SE}/instances`).GET, { kind: 'search', path: `/studies/${S}/series/${SE}/instances` });
    assert.deepEqual(resolveResource(`/studies/${S}`), { GET: { kind: 'instances', target: { study: S } }, POST: { kind: 'store', study: S } });
  });

  test('retrieve resources: instances, metadata, frames, bulk data, rendered', () => {
    const t = { study: S, series: SE, instance: I };
    const base = `/studies/${S}/series/${SE}/instances/${I}`;
    assert.deepEqual(resolveResource(`/studies/${S}/series/${SE}`).GET, { kind: 'instances', target: { study: S, series: SE } });
    assert.deepEqual(resolveResource(`/studies/${S}/metadata`).GET, { kind: 'metadata', target: { study: S } });
    assert.deepEqual(resolveResource(base).GET, { kind: 'instances', target: t });
    assert.deepEqual(resolveResource(`${base}/metadata`).GET, { kind: 'metadata', target: t });
    assert.deepEqual(resolveResource(`${base}/frames/3,1, 2`).GET, { kind: 'frames', target: t, frames: [3, 1, 2] });
    assert.deepEqual(resolveResource(`${base}/bulkdata/7fe00010`).GET, { kind: 'bulkdata', target: t, path: [0x7fe00010] });
    assert.deepEqual(resolveResource(`${base}/bulkdata/00540016/0/00181072`).GET, { kind: 'bulkdata', target: t, path: [0x00540016, 0, 0x00181072] });
    assert.deepEqual(resolveResource(`${base}/frames/1/rendered`).GET, { kind: 'rendered', what: 'rendered', target: { study: S, series: SE, instance: I }, frames: [1] });
    assert.deepEqual(resolveResource(`/studies/${S}/thumbnail`).GET, { kind: 'rendered', what: 'thumbnail', target: { study: S } });
  });

  test('bad UIDs, "." and "..", bad frame lists are 400; paths that name nothing are 404', () => {
    for (const p of [
      '/studies/1.2.x', `/studies/${S}/series/1..2`, '/studies/../studies', `/studies/${S}/series/%2E%2E/instances`, '/studies/%zz',
      `/studies/${S}//series`, `/studies/${S}/series/${SE}/instances/${I}/frames/0`, `/studies/${S}/series/${SE}/instances/${I}/frames/1,x`,
      `/studies/${'9'.repeat(65)}`, '/studies/./x',
    ]) assert.equal(status(p), 400, p);
    for (const p of [
      '/', '/patients', '/studies/x/y'.replace('x', S), `/studies/${S}/series/${SE}/frames/1`, `/studies/${S}/series/${SE}/instances/${I}/bulkdata`,
      `/studies/${S}/series/${SE}/instances/${I}/bulkdata/7FE00010/0`, `/studies/${S}/series/${SE}/instances/${I}/bulkdata/xyz`, `/studies/${S}/series/${SE}/instances/${I}/pixels`,
    ]) assert.equal(status(p), 404, p);
    assert.equal(status(`/studies/${'1'.repeat(3000)}`), 414);
  });
});
