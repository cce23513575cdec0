// Issue 14.4 and 14.12: QIDO-RS keys below the searched level are matched (in their study-level
// form) or answered with a 299 Warning, never ignored silently; and our QIDO client sees the
// server's "more results" warning (PS3.18 8.3.4.1 / 10.6.3.3).
import { TestContext, test } from 'node:test';
import assert from 'node:assert/strict';
import { DicomwebClient } from '../../../src/dicomweb/client';
import { get, startHarness } from '../dicomweb/server/helpers';

const SAMPLES = ['CT_small.dcm', 'MR_small.dcm', 'rtplan.dcm', 'JPEG2000.dcm'];

async function harness(t: TestContext, maxSearchResults?: number) {
  const h = await startHarness(SAMPLES, maxSearchResults ? { maxSearchResults } : {});
  t.after(() => h.close());
  return h;
}

const studyUids = (body: any[]) => body.map((m) => m['0020000D'].Value[0] as string).sort();

test('issue 14.4: QIDO /studies?Modality=CT matches the studies with a CT series (as ModalitiesInStudy)', async (t) => {
  const h = await harness(t);
  const all = await get(h, '/studies');
  const byModality = await get(h, '/studies?Modality=CT');
  const byModalities = await get(h, '/studies?ModalitiesInStudy=CT');
  assert.equal(byModality.status, 200);
  assert.equal(all.json().length, SAMPLES.length);
  assert.deepEqual(studyUids(byModality.json()), studyUids(byModalities.json()));
  assert.deepEqual(studyUids(byModality.json()), ['1.3.6.1.4.1.5962.1.2.1.20040119072730.12322']);
  assert.equal(byModality.headers.warning, undefined);
  assert.deepEqual(byModality.json()[0]['00080061']?.Value, ['CT'], 'the answer holds the study-level form');
});

test('issue 14.4: QIDO keys below the level with no study-level form get a 299 Warning saying they were not matched', async (t) => {
  const h = await harness(t);
  const r = await get(h, '/studies?SeriesDescription=nothing-like-this');
  assert.equal(r.status, 200);
  assert.equal(r.json().length, SAMPLES.length);
  assert.match(String(r.headers.warning), /^299 [^ ]+ ".*SeriesDescription.*not matched/);
});

test('issue 14.12: our QIDO client sees the server\'s "more results" warning', async (t) => {
  const h = await harness(t, 2);
  const client = new DicomwebClient({ baseUrl: h.url });
  t.after(() => client.close());
  const page = await client.search({ level: 'STUDY' });
  assert.equal(page.matches.length, 2);
  assert.equal(page.hasMore, true, `the client missed the warning: ${page.warnings.join(' | ')}`);
  const all = [];
  for await (const m of client.searchAll({ level: 'STUDY' }, {}, { pageSize: 2 })) all.push(m);
  assert.equal(all.length, SAMPLES.length);
});
