// Writing answers: small JSON bodies at once, JSON arrays and byte streams with backpressure, so
// that a slow client slows the server's reading down instead of filling its memory.

import { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * A Warning header value (RFC 7234 5.5, code 299: a persistent warning): the sentence quoted,
 * with quotes and backslashes replaced and characters beyond Latin-1 (which a header cannot
 * carry) written as "?".
 */
export function warning(message: string): string {
  return `299 dicomnet "${message.replace(/["\\]/g, "'").replace(/[^\t\x20-\x7e\xa0-\xff]/g, '?')}"`;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, contentType = 'application/json', headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Type': `${contentType}; charset=utf-8`, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Waits until the response can take more, or rejects when the client has gone. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => { cleanup(); resolve(); };
    const gone = () => { cleanup(); reject(new Error('The client closed the connection.')); };
    const cleanup = () => { res.off('drain', done); res.off('close', gone); };
    res.on('drain', done);
    res.on('close', gone);
  });
}

/** Writes a JSON array whose items are produced one at a time. The headers must be set already. */
export async function writeJsonArray(res: ServerResponse, items: Iterable<unknown> | AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  let buffered = '[';
  for await (const item of items) {
    buffered += (n++ === 0 ? '' : ',') + JSON.stringify(item);
    if (buffered.length >= 64 * 1024) {
      const ok = res.write(buffered);
      buffered = '';
      if (!ok) await drained(res);
    }
  }
  res.end(`${buffered}]`);
  return n;
}

/** Streams a body to the response; a failure midway destroys the connection (the status is sent). */
export async function streamBody(res: ServerResponse, body: Readable): Promise<void> {
  await pipeline(body, res);
}
