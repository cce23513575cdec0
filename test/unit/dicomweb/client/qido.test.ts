// QIDO-RS through DicomwebClient: resource paths, query parameters, paging, odd answers.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Dataset } from '../../../../src/dicom/dataset-model';
import { DicomwebClient, DicomwebError, formatQuery } from '../../../../src/dicomweb/client';
import { startServer } from './test-server';

const S = '1.2.840.1';
const SE = '1.2.840.1.2';

function match(i: number): Record<string, unknown> {
  return { '00080018': { vr: 'UI', Value: [`1.2.3.${i}`] } };
}

describe('QIDO-RS searches', () => {
  test('each search resource and its query parameters', async () => {
    const server = await startServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/dicom+json' });
      res.end('[]');
    });
    const client = new DicomwebClient({ baseUrl: `${server.url}/wado/rs` });
    try {
      await client.searchStudies({ PatientName: 'DOE*', StudyDate: '20240101-20240131', ModalitiesInStudy: '' }, { includeFields: ['PatientAge', 0x00081030], limit: 10, offset: 20, fuzzyMatching: true });
      await client.searchSeries({ Modality: 'CT' });
      await client.searchSeries({}, { study: S });
      await client.searchInstances();
      await client.searchInstances({}, { study: S });
      await client.searchInstances({ InstanceNumber: '1' }, { study: S, series: SE, includeFields: 'all' });
      const ds = new Dataset();
      ds.set('PatientID', 'LO', 'P 1+2');
      ds.set('StudyInstanceUID', 'UI', '1.2.3\\1.2.4');
      await client.searchStudies(ds);
      await client.searchStudies({ 'ReferencedStudySequence.ReferencedSOPInstanceUID': '1.2.3', '00100020': 'X' });
      const urls = server.requests.map((r) => decodeURIComponent(r.url.replace(/\+/g, ' ')));
      assert.deepEqual(urls, [
        '/wado/rs/studies?PatientName=DOE*&StudyDate=20240101-20240131&includefield=ModalitiesInStudy&includefield=PatientAge&includefield=StudyDescription&fuzzymatching=true&limit=10&offset=20',
        '/wado/rs/series?Modality=CT',
        `/wado/rs/studies/${S}/series`,
        '/wado/rs/instances',
        `/wado/rs/studies/${S}/instances`,
        `/wado/rs/studies/${S}/series/${SE}/instances?InstanceNumber=1&includefield=all`,
        '/wado/rs/studies?PatientID=P 1+2&StudyInstanceUID=1.2.3,1.2.4',
        '/wado/rs/studies?ReferencedStudySequence.ReferencedSOPInstanceUID=1.2.3&PatientID=X',
      ]);
      // "+", "&", "=" and spaces are escaped; ",", "^", "*", "-" and ":" travel as they are (some
      // servers, Orthanc among them, do not percent-decode query values).
      assert.equal(server.requests[6].url, '/wado/rs/studies?PatientID=P%201%2B2&StudyInstanceUID=1.2.3,1.2.4');
      assert.equal(server.requests[0].url, '/wado/rs/studies?PatientName=DOE*&StudyDate=20240101-20240131&includefield=ModalitiesInStudy&includefield=PatientAge&includefield=StudyDescription&fuzzymatching=true&limit=10&offset=20');
      assert.equal(formatQuery(new URLSearchParams([['PatientName', 'DOE^J*'], ['AccessionNumber', 'a&b=c#d%e f'], ['ReferringPhysicianName', 'Müller']])),
        'PatientName=DOE^J*&AccessionNumber=a%26b%3Dc%23d%25e%20f&ReferringPhysicianName=M%C3%BCller');
    } finally {
      client.close();
      await server.close();
    }
  });

  test('204 No Content and an empty body are no matches; Warning headers are returned', async () => {
    let n = 0;
    const server = await startServer((req, res) => {
      if (n++ === 0) {
        res.writeHead(204, { Warning: '299 qido "The fuzzymatching parameter is not supported. Only literal matching has been performed."' });
        res.end();
      } else {
        res.writeHead(200, { 'Content-Type': 'application/dicom+json' });
        res.end();
      }
    });
    const client = new DicomwebClient({ baseUrl: server.url });
    try {
      const page = await client.search({ level: 'STUDY' }, {}, { fuzzyMatching: true });
      assert.deepEqual(page, { matches: [], warnings: ['The fuzzymatching parameter is not supported. Only literal matching has been performed.'], hasMore: false });
      assert.deepEqual(await client.searchStudies(), []);
    } finally {
      client.close();
      await server.close();
    }
  });

  test('answers that are not a DICOM JSON array are response errors', async () => {
    const bodies = ['<html>hello</html>', '{"00080018":{"vr":"UI"}}', '[1, 2]'];
    let n = 0;
    const server = await startServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/dicom+json' });
      res.end(bodies[n++]);
    });
    const client = new DicomwebClient({ baseUrl: server.url });
    try {
      await assert.rejects(client.searchStudies(), { kind: 'response', message: `The answer to GET ${server.url}/studies is not JSON (it starts with "<html>hello</html>").` });
      await assert.rejects(client.searchStudies(), { kind: 'response', message: `The answer to GET ${server.url}/studies is not a DICOM JSON array of objects.` });
      await assert.rejects(client.searchStudies(), { kind: 'response' });
    } finally {
      client.close();
      await server.close();
    }
  });

  test('an answer larger than the JSON limit is refused', async () => {
    const server = await startServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/dicom+json' });
      res.end(JSON.stringify(Array.from({ length: 1000 }, (_, i) => match(i))));
    });
    const client = new DicomwebClient({ baseUrl: server.url, maxJsonBytes: 10_000 });
    try {
      await assert.rejects(client.searchInstances(), { kind: 'response', message: `The answer to GET ${server.url}/instances is larger than the limit of 10000 bytes.` });
    } finally {
      client.close();
      await server.close();
    }
  });

  test('invalid keys are refused before any request', async () => {
    const client = new DicomwebClient({ baseUrl: 'http://127.0.0.1:9' });
    await assert.rejects(client.searchStudies({ NoSuchKeyword: 'x' }), (e: unknown) => e instanceof DicomwebError && e.kind === 'io' && /NoSuchKeyword/.test(e.message));
    await assert.rejects(client.searchSeries({}, { study: 'x.y' }), { kind: 'io' });
    client.close();
  });

  test('searchAll follows offset until a short page, and honours maxResults', async () => {
    const total = 23;
    const server = await startServer((req, res) => {
      const q = new URL(req.url!, 'http://x').searchParams;
      const limit = Number(q.get('limit'));
      const offset = Number(q.get('offset') ?? 0);
      const page = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => match(offset + i));
      res.writeHead(200, { 'Content-Type': 'application/dicom+json' });
      res.end(JSON.stringify(page));
    });
    const client = new DicomwebClient({ baseUrl: server.url });
    try {
      const all = [];
      for await (const m of client.searchAll({ level: 'IMAGE', studyInstanceUID: S }, { Modality: 'MR' }, { pageSize: 5 })) all.push(m);
      assert.deepEqual(all, Array.from({ length: total }, (_, i) => match(i)));
      assert.deepEqual(server.requests.map((r) => r.url), [0, 5, 10, 15, 20].map((o) => `/studies/${S}/instances?Modality=MR&limit=5&offset=${o}`));

      server.requests.length = 0;
      const some = [];
      for await (const m of client.searchAll({ level: 'STUDY' }, {}, { pageSize: 10, offset: 3, maxResults: 12 })) some.push(m);
      assert.deepEqual(some, Array.from({ length: 12 }, (_, i) => match(3 + i)));
      assert.deepEqual(server.requests.map((r) => r.url), ['/studies?limit=10&offset=3', '/studies?limit=10&offset=13']);

      // An exact multiple of the page size ends with an empty page.
      server.requests.length = 0;
      const exact = [];
      for await (const m of client.searchAll({ level: 'STUDY' }, {}, { pageSize: 23 })) exact.push(m);
      assert.equal(exact.length, 23);
      assert.equal(server.requests.length, 2);
    } finally {
      client.close();
      await server.close();
    }
  });

  test('searchAll goes on after a short page when the server warns of more results, and stops on a server that ignores offset', async () => {
    let mode: 'capped' | 'ignores' = 'capped';
    const server = await startServer((req, res) => {
      const q = new URL(req.url!, 'http://x').searchParams;
      const offset = Number(q.get('offset') ?? 0);
      if (mode === 'capped') {
        // Caps pages at 3 whatever the limit, and says so while more remain (7 in all).
        const page = Array.from({ length: Math.max(0, Math.min(3, 7 - offset)) }, (_, i) => match(offset + i));
        res.writeHead(200, { 'Content-Type': 'application/dicom+json', ...(offset + 3 < 7 ? { Warning: '299 x "There are additional results that can be requested"' } : {}) });
        res.end(JSON.stringify(page));
      } else {
        res.writeHead(200, { 'Content-Type': 'application/dicom+json' });
        res.end(JSON.stringify([match(0), match(1)]));
      }
    });
    const client = new DicomwebClient({ baseUrl: server.url });
    try {
      const got = [];
      for await (const m of client.searchAll({ level: 'STUDY' }, {}, { pageSize: 10 })) got.push(m);
      assert.deepEqual(got, Array.from({ length: 7 }, (_, i) => match(i)));
      mode = 'ignores';
      const seen = [];
      await assert.rejects((async () => { for await (const m of client.searchAll({ level: 'STUDY' }, {}, { pageSize: 2 })) seen.push(m); })(), {
        kind: 'response',
        message: 'The server sent the same matches for offset 2 as for the page before; it does not seem to support offset.',
      });
      assert.equal(seen.length, 2);
    } finally {
      client.close();
      await server.close();
    }
  });
});
