import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  RequestClient, RequestServer, RequestTimeoutError, RequestCancelledError, RequestFailedError,
  parseDatasetViewerMessage, parseQueryResultsMessage, parseResponse,
  type DatasetRequests, type RequestMessage, type CancelMessage, type ResponseMessage,
} from '../../../src/shared/webview-protocol';
import { contentSecurityPolicy, makeNonce, webviewHtml } from '../../../src/extension/webviews/html';

type Sent = RequestMessage | CancelMessage;

describe('webview message protocol', () => {
  test('a request gets a fresh id and settles with its response; other responses are not taken', async () => {
    const sent: Sent[] = [];
    const client = new RequestClient<DatasetRequests>((m) => sent.push(m));
    const a = client.request('fullValue', { id: 'd/00100010' });
    const b = client.request('frame', { frame: 2 });
    assert.deepEqual(sent.map((m) => [m.type, (m as RequestMessage).requestId, (m as RequestMessage).method]), [['request', 1, 'fullValue'], ['request', 2, 'frame']]);
    assert.equal(client.handleMessage({ type: 'response', requestId: 99, ok: true, result: 1 }), false);
    assert.equal(client.handleMessage({ type: 'ds/init' }), false);
    assert.equal(client.handleMessage({ type: 'response', requestId: 2, ok: false, error: 'Frame 3 does not exist.' }), true);
    assert.equal(client.handleMessage({ type: 'response', requestId: 1, ok: true, result: { id: 'd/00100010', text: 'DOE', truncated: false } }), true);
    assert.deepEqual(await a, { id: 'd/00100010', text: 'DOE', truncated: false });
    await assert.rejects(b, (e: Error) => e instanceof RequestFailedError && e.message === 'Frame 3 does not exist.');
    // A late duplicate is ignored.
    assert.equal(client.handleMessage({ type: 'response', requestId: 1, ok: true, result: null }), false);
    assert.equal(client.pendingCount, 0);
  });

  test('a request without an answer times out and tells the other side to stop', async () => {
    const sent: Sent[] = [];
    const client = new RequestClient<DatasetRequests>((m) => sent.push(m));
    await assert.rejects(client.request('frame', { frame: 0 }, { timeoutMs: 5 }), RequestTimeoutError);
    assert.deepEqual(sent[1], { type: 'cancel', requestId: 1 });
    assert.equal(client.pendingCount, 0);
  });

  test('aborting a request rejects it and sends a cancel; dispose rejects what is left', async () => {
    const sent: Sent[] = [];
    const client = new RequestClient<DatasetRequests>((m) => sent.push(m));
    const controller = new AbortController();
    const p = client.request('frame', { frame: 1 }, { signal: controller.signal });
    controller.abort();
    await assert.rejects(p, RequestCancelledError);
    assert.deepEqual(sent.at(-1), { type: 'cancel', requestId: 1 });
    await assert.rejects(client.request('frame', { frame: 1 }, { signal: controller.signal }), RequestCancelledError);
    const left = client.request('fullValue', { id: 'd/00080005' });
    client.dispose();
    await assert.rejects(left, RequestCancelledError);
  });

  test('the answering side runs handlers, reports errors, and drops answers to cancelled requests', async () => {
    const responses: ResponseMessage[] = [];
    let release: () => void = () => undefined;
    let seenSignal: AbortSignal | undefined;
    const server = new RequestServer<DatasetRequests>((m) => responses.push(m), {
      fullValue: async ({ id }) => {
        if (id === 'bad') throw new Error('That row is not in this file.');
        return { id, text: 'x', truncated: false };
      },
      frame: async (_p, signal) => {
        seenSignal = signal;
        await new Promise<void>((r) => { release = r; });
        throw new Error('should not be answered');
      },
    });
    await server.handle({ type: 'request', requestId: 1, method: 'fullValue', params: { id: 'd/1' } });
    await server.handle({ type: 'request', requestId: 2, method: 'fullValue', params: { id: 'bad' } });
    await server.handle({ type: 'request', requestId: 3, method: 'nothing', params: {} });
    const running = server.handle({ type: 'request', requestId: 4, method: 'frame', params: { frame: 0 } });
    assert.equal(server.runningCount, 1);
    server.cancel(4);
    assert.equal(seenSignal?.aborted, true);
    release();
    await running;
    assert.deepEqual(responses, [
      { type: 'response', requestId: 1, ok: true, result: { id: 'd/1', text: 'x', truncated: false } },
      { type: 'response', requestId: 2, ok: false, error: 'That row is not in this file.' },
      { type: 'response', requestId: 3, ok: false, error: 'Unknown request nothing.' },
    ]);
  });

  test('client and server wired together', async () => {
    let server: RequestServer<DatasetRequests> | undefined;
    const client = new RequestClient<DatasetRequests>((m) => {
      if (m.type === 'request') void server!.handle(m);
      else server!.cancel(m.requestId);
    });
    server = new RequestServer<DatasetRequests>((m) => client.handleMessage(m), {
      fullValue: async ({ id }) => ({ id, text: id.toUpperCase(), truncated: true }),
      frame: async () => { throw new Error('no image'); },
    });
    assert.deepEqual(await client.request('fullValue', { id: 'd/abc' }), { id: 'd/abc', text: 'D/ABC', truncated: true });
    await assert.rejects(client.request('frame', { frame: 0 }), /no image/);
  });

  test('messages from the webviews are checked before use', () => {
    assert.deepEqual(parseQueryResultsMessage({ type: 'qr/action', action: 'retrieve', rowIds: [3, 1] }), { type: 'qr/action', action: 'retrieve', rowIds: [3, 1] });
    assert.equal(parseQueryResultsMessage({ type: 'qr/action', action: 'rm -rf', rowIds: [1] }), undefined);
    assert.equal(parseQueryResultsMessage({ type: 'qr/action', action: 'open', rowIds: [-1] }), undefined);
    assert.equal(parseQueryResultsMessage({ type: 'qr/action', action: 'open', rowIds: '1' }), undefined);
    assert.equal(parseQueryResultsMessage(null), undefined);
    assert.deepEqual(parseQueryResultsMessage({ type: 'qr/cancel', extra: 1 }), { type: 'qr/cancel' });
    // Show Association names no association: the host runs it for the one it knows.
    assert.deepEqual(parseQueryResultsMessage({ type: 'qr/showAssociation', id: 'other' }), { type: 'qr/showAssociation' });
    assert.deepEqual(parseDatasetViewerMessage({ type: 'request', requestId: 7, method: 'frame', params: { frame: 3 } }), { type: 'request', requestId: 7, method: 'frame', params: { frame: 3 } });
    assert.equal(parseDatasetViewerMessage({ type: 'request', requestId: 7, method: 'frame', params: { frame: -1 } }), undefined);
    assert.equal(parseDatasetViewerMessage({ type: 'request', requestId: 0, method: 'frame', params: { frame: 1 } }), undefined);
    assert.equal(parseDatasetViewerMessage({ type: 'request', requestId: 7, method: 'eval', params: {} }), undefined);
    assert.equal(parseDatasetViewerMessage({ type: 'request', requestId: 7, method: 'fullValue', params: { id: 'd/'.repeat(2000) } }), undefined);
    assert.deepEqual(parseDatasetViewerMessage({ type: 'ds/copy', rowId: 'd/00100010', what: 'line' }), { type: 'ds/copy', rowId: 'd/00100010', what: 'line' });
    assert.equal(parseDatasetViewerMessage({ type: 'ds/copy', rowId: 'd/00100010', what: 'all' }), undefined);
    assert.deepEqual(parseDatasetViewerMessage({ type: 'cancel', requestId: 3 }), { type: 'cancel', requestId: 3 });
    assert.equal(parseResponse({ type: 'response', requestId: 1, ok: 'yes' }), undefined);
    assert.deepEqual(parseResponse({ type: 'response', requestId: 1, ok: false }), { type: 'response', requestId: 1, ok: false, error: 'The request failed.' });
  });

  test('the page: strict CSP with a fresh nonce, no inline code, escaped text', () => {
    const a = makeNonce();
    const b = makeNonce();
    assert.notEqual(a, b);
    assert.match(a, /^[A-Za-z0-9+/]{22}==$/);
    const csp = contentSecurityPolicy('https://x.vscode-cdn.net', a);
    assert.equal(csp, `default-src 'none'; script-src 'nonce-${a}'; style-src https://x.vscode-cdn.net; font-src https://x.vscode-cdn.net; img-src https://x.vscode-cdn.net data:`);
    const html = webviewHtml({ title: '<b>"CT"</b>', cspSource: 'https://x.vscode-cdn.net', nonce: a, scriptUri: 'https://x/s.js', styleUris: ['https://x/s.css'], codiconUri: 'https://x/c.css' });
    assert.ok(!html.includes('unsafe-inline') && !html.includes('unsafe-eval'));
    assert.match(html, /<title>&lt;b&gt;&quot;CT&quot;&lt;\/b&gt;<\/title>/);
    assert.match(html, new RegExp(`<script nonce="${a.replace(/[+/]/g, '\\$&')}" src="https://x/s.js"></script>`));
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.match(html, /<link rel="stylesheet" id="vscode-codicon-stylesheet" href="https:\/\/x\/c.css">/);
    assert.ok(!/style="/.test(html));
  });
});
