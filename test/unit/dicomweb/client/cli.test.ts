// The dicomnet qido / stow / wado commands (the built dist/cli.js) against a local server:
// options to requests, secrets from the environment never printed, exit codes.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Args, parseArgs } from '../../../../src/cli/args';
import { qidoCommand, qidoPlan } from '../../../../src/cli/commands/qido';
import { buildStowResponse } from '../../../../src/dicomweb/stow-response';
import { refusingPort } from '../../../helpers/peers';
import { dicomnet } from '../../../helpers/processes';
import { instanceBytes, startServer, syntheticInstance } from './test-server';

const dir = mkdtempSync(path.join(tmpdir(), 'dicomnet-web-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const escapeRe = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const plan = (argv: string[]) => qidoPlan(new Args(parseArgs(argv, qidoCommand.options)));

describe('dicomnet qido: what the options ask for', () => {
  test('levels and resources from --study, --series and --level', () => {
    assert.deepEqual(plan([]).resource, { level: 'STUDY' });
    assert.deepEqual(plan(['--study', '1.2']).resource, { level: 'SERIES', studyInstanceUID: '1.2' });
    assert.deepEqual(plan(['--study', '1.2', '--series', '1.3']).resource, { level: 'IMAGE', studyInstanceUID: '1.2', seriesInstanceUID: '1.3' });
    assert.deepEqual(plan(['--study', '1.2', '-L', 'image']).resource, { level: 'IMAGE', studyInstanceUID: '1.2' });
    assert.deepEqual(plan(['--level', 'SERIES']).resource, { level: 'SERIES' });
    assert.deepEqual(plan(['--level', 'INSTANCE']).resource, { level: 'IMAGE' });
    const s = plan(['--level', 'STUDY', '--study', '1.2']);
    assert.deepEqual(s.resource, { level: 'STUDY' });
    assert.deepEqual(s.keys, { StudyInstanceUID: '1.2' });
    assert.deepEqual(plan(['--series', '1.3']).keys, { SeriesInstanceUID: '1.3' });
  });

  test('keys, includefields, paging and fuzzy matching', () => {
    const p = plan(['-k', 'PatientName=DOE^*', '-k', '0010,0020=ID1', '-k', '(0008,0060)', '-k', 'ReferencedStudySequence.0008,1155=1.2',
      '--includefield', 'PatientAge,00081030', '-i', 'StudyID', '--limit', '10', '--offset', '5', '--fuzzy']);
    assert.deepEqual(p.keys, { PatientName: 'DOE^*', '00100020': 'ID1', '00080060': '', 'ReferencedStudySequence.00081155': '1.2' });
    assert.deepEqual(p.search, { includeFields: ['PatientAge', '00081030', 'StudyID'], limit: 10, offset: 5, fuzzyMatching: true });
    assert.equal(plan(['-i', 'all']).search.includeFields, 'all');
  });

  test('bad options are usage errors', () => {
    assert.throws(() => plan(['--study', '1.02']), /--study "1\.02" is not a valid UID/);
    assert.throws(() => plan(['--level', 'PATIENT']), /--level must be STUDY, SERIES or IMAGE/);
    assert.throws(() => plan(['--level', 'STUDY', '--series', '1.2']), /--series cannot be used with --level STUDY/);
    assert.throws(() => plan(['-k', 'NoSuchKey=1']), /"NoSuchKey" is not a DICOM keyword/);
    assert.throws(() => plan(['-k', 'PatientID=1', '-k', 'PatientID=2']), /given twice/);
    assert.throws(() => plan(['--limit', '0']), /--limit must be a whole number from 1/);
  });
});

describe('dicomnet qido / stow / wado processes', () => {
  test('the token from DICOMNET_TOKEN and --header reach the server; JSON on stdout; the secret is never printed', async () => {
    const server = await startServer((req, res) => {
      if (!req.url!.endsWith('/metadata')) {
        res.writeHead(200, { 'Content-Type': 'application/dicom+json' });
        res.end(JSON.stringify([{ '0020000D': { vr: 'UI', Value: ['1.2.3'] }, '00100010': { vr: 'PN', Value: [{ Alphabetic: 'DOE^JOHN' }] } }]));
      } else {
        res.writeHead(403, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ message: 'token not valid for this study' }));
      }
    });
    const secret = 'tok-5ecr3t-value';
    try {
      const ok = await dicomnet(['qido', '--url', `${server.url}/dw/`, '-k', 'PatientName=DOE*', '-H', 'X-Tenant: t1'], { env: { DICOMNET_TOKEN: secret } });
      assert.equal(ok.code, 0, ok.stderr);
      assert.deepEqual(JSON.parse(ok.stdout), [{ '0020000D': { vr: 'UI', Value: ['1.2.3'] }, '00100010': { vr: 'PN', Value: [{ Alphabetic: 'DOE^JOHN' }] } }]);
      assert.equal(server.requests[0].url, '/dw/studies?PatientName=DOE*');
      assert.equal(server.requests[0].headers.authorization, `Bearer ${secret}`);
      assert.equal(server.requests[0].headers['x-tenant'], 't1');

      const table = await dicomnet(['qido', '--url', `${server.url}/dw`, '--table', '-k', 'PatientName=DOE*'], { env: { DICOMNET_TOKEN: secret } });
      assert.match(table.stdout, /^PatientName\s+PatientID/);
      assert.match(table.stdout, /^DOE\^JOHN\s+1\.2\.3$/m);

      const refused = await dicomnet(['wado', '--url', `${server.url}/dw`, '--study', '1.2.3', '--metadata', '-v'], { env: { DICOMNET_TOKEN: secret } });
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /^dicomnet: The server answered 403 Forbidden to GET http:\/\/127\.0\.0\.1:\d+\/dw\/studies\/1\.2\.3\/metadata: token not valid for this study\.\n/);
      assert.equal(server.requests[2].headers.authorization, `Bearer ${secret}`);
      for (const r of [ok, table, refused]) assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret));

      const basic = await dicomnet(['qido', '--url', `${server.url}/dw`, '--user', 'alice'], { env: { DICOMNET_PASSWORD: 'pw-from-env' } });
      assert.equal(basic.code, 0, basic.stderr);
      assert.equal(server.requests[3].headers.authorization, `Basic ${Buffer.from('alice:pw-from-env').toString('base64')}`);
    } finally {
      await server.close();
    }
  });

  test('usage errors exit 2; an unreachable server or a timeout exits 3', async () => {
    for (const [args, pattern] of [
      [['qido'], /--url is required/],
      [['qido', '--url', 'ftp://x'], /--url must start with http:\/\/ or https:\/\//],
      [['qido', '--url', 'http://x', '--token', 't', '--user', 'u'], /either --token or --user/],
      [['qido', '--url', 'http://x', '--password', 'p'], /--password needs --user/],
      [['qido', '--url', 'http://x', '-H', 'nocolon'], /--header needs "Name: value"/],
      [['wado', '--url', 'http://x'], /--study is required/],
      [['wado', '--url', 'http://x', '--study', '1.2', '--instance', '1.3'], /--instance needs --series/],
      [['wado', '--url', 'http://x', '--study', '1.2', '--metadata', '--rendered'], /cannot be used together/],
      [['stow', '--url', 'http://x'], /No input/],
      [['qido', '--url', 'http://x', '--ca', path.join(dir, 'none.pem')], /Cannot read the CA file .*none\.pem: ENOENT/],
    ] as Array<[string[], RegExp]>) {
      const r = await dicomnet(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
    }
    const closed = await refusingPort();
    try {
      const down = await dicomnet(['qido', '--url', `http://127.0.0.1:${closed.port}`]);
      assert.equal(down.code, 3);
      assert.equal(down.stderr, `dicomnet: Cannot connect to 127.0.0.1:${closed.port}: the connection was refused.\n`);
    } finally {
      closed.close();
    }
    const silent = await startServer(() => undefined);
    try {
      const slow = await dicomnet(['qido', '--url', silent.url, '--timeout', '0.3']);
      assert.equal(slow.code, 3);
      assert.equal(slow.stderr, `dicomnet: The server at 127.0.0.1:${silent.port} sent nothing for 0.3 s (GET ${silent.url}/studies).\n`);
    } finally {
      await silent.close();
    }
  });

  test('stow prints one line per file and a summary, exits 1 when the server fails some', async () => {
    const STUDY = '1.2.826.0.1.3680043.10.9';
    const files = [0, 1].map((i) => {
      const inst = syntheticInstance({ study: STUDY, series: `${STUDY}.1`, sop: `${STUDY}.1.${i + 1}` }, 500);
      const p = path.join(dir, `s${i}.dcm`);
      writeFileSync(p, instanceBytes(inst, i));
      return { path: p, sop: inst.sop };
    });
    writeFileSync(path.join(dir, 'notes.txt'), 'not dicom at all, not even close, and long enough to be looked at by the header reader');
    const server = await startServer(async (req, res) => {
      for await (const _ of req) { /* read the upload */ }
      const r = buildStowResponse({
        stored: [{ sopClassUID: '1.2.840.10008.5.1.4.1.1.7', sopInstanceUID: files[0].sop }],
        failed: [{ sopClassUID: '1.2.840.10008.5.1.4.1.1.7', sopInstanceUID: files[1].sop, failureReason: 0x0110 }],
      });
      res.writeHead(r.status, { 'Content-Type': 'application/dicom+json' });
      res.end(JSON.stringify(r.body));
    });
    try {
      const r = await dicomnet(['stow', '--url', server.url, files[0].path, '--input', files[1].path, path.join(dir, 'notes.txt')]);
      assert.equal(r.code, 1, r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.equal(lines[0], `SKIP ${path.join(dir, 'notes.txt')}: not a DICOM file`);
      // --input paths come before the positional ones.
      assert.match(lines[1], new RegExp(`^FAIL ${escapeRe(files[1].path)}: failed: Processing failure \\(0110\\) \\(${escapeRe(files[1].sop)}, \\d+ B\\)$`));
      assert.match(lines[2], new RegExp(`^OK   ${escapeRe(files[0].path)}: stored \\(${escapeRe(files[0].sop)}, \\d+ B\\)$`));
      assert.equal(lines.length, 4);
      assert.match(lines[lines.length - 1], /^Stored 1 of 3 files \(.* in .* s, .*\); 1 failed; 1 not usable\.$/);
      assert.equal(server.requests.length, 1);
      assert.equal(server.requests[0].url, '/studies');
    } finally {
      await server.close();
    }
  });
});
