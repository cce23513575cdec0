// A local HTTP(S) server on 127.0.0.1 for the DICOMweb client tests, and synthetic Part 10
// instances generated chunk by chunk (so a 200 MB response never sits in the test's memory).
import * as http from 'node:http';
import * as https from 'node:https';
import { once } from 'node:events';
import { AddressInfo } from 'node:net';
import { Dataset } from '../../../../src/dicom/dataset-model';
import { encodeDataset } from '../../../../src/dicom';
import { buildFileMeta } from '../../../../src/dicom/file-meta';
import { ExplicitVRLittleEndian } from '../../../../src/dicom/transfer-syntaxes';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

export interface TestServer {
  url: string;
  port: number;
  /** Every request seen: method, URL (path and query) and headers. */
  requests: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders }>;
  close(): Promise<void>;
}

export async function startServer(handler: Handler, tls?: { cert: Buffer; key: Buffer }): Promise<TestServer> {
  const requests: TestServer['requests'] = [];
  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    Promise.resolve(handler(req, res)).catch((error) => {
      if (!res.headersSent) {
        res.statusCode = 599;
        res.end(String(error));
      } else {
        res.destroy();
      }
    });
  };
  const server = tls ? https.createServer({ cert: tls.cert, key: tls.key }, listener) : http.createServer(listener);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Writes a chunk and waits for the socket to take it (backpressure on the server side). */
export async function write(res: http.ServerResponse, chunk: Buffer | string): Promise<void> {
  if (res.write(chunk)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

export async function readAll(req: AsyncIterable<Buffer>): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const p of req) pieces.push(p);
  return Buffer.concat(pieces);
}

export interface SyntheticInstance {
  study: string;
  series: string;
  sop: string;
  /** Bytes of the file meta and the data set up to the pixel data value. */
  head: Buffer;
  pixelBytes: number;
  size: number;
}

/** The header of a Part 10 CT-like instance whose pixel data (OW) is pixelBytes long. */
export function syntheticInstance(uids: { study: string; series: string; sop: string }, pixelBytes: number): SyntheticInstance {
  const ds = new Dataset();
  ds.set('SOPClassUID', 'UI', '1.2.840.10008.5.1.4.1.1.7');
  ds.set('SOPInstanceUID', 'UI', uids.sop);
  ds.set('PatientName', 'PN', 'Test^Stream');
  ds.set('StudyInstanceUID', 'UI', uids.study);
  ds.set('SeriesInstanceUID', 'UI', uids.series);
  const pixelHeader = Buffer.alloc(12);
  pixelHeader.writeUInt16LE(0x7fe0, 0);
  pixelHeader.writeUInt16LE(0x0010, 2);
  pixelHeader.write('OW', 4, 'latin1');
  pixelHeader.writeUInt32LE(pixelBytes, 8);
  const head = Buffer.concat([
    buildFileMeta({ sopClassUid: '1.2.840.10008.5.1.4.1.1.7', sopInstanceUid: uids.sop, transferSyntaxUid: ExplicitVRLittleEndian }),
    encodeDataset(ds, ExplicitVRLittleEndian),
    pixelHeader,
  ]);
  return { ...uids, head, pixelBytes, size: head.length + pixelBytes };
}

/** The pixel byte at a position: deterministic, so the reader can check what it got. */
export function pixelByte(sopIndex: number, position: number): number {
  return (position * 31 + sopIndex * 7) & 0xff;
}

/** Fills a buffer with the pixel bytes of an instance from a position. */
export function pixelChunk(sopIndex: number, from: number, length: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) b[i] = pixelByte(sopIndex, from + i);
  return b;
}

/** The whole file of a small synthetic instance. */
export function instanceBytes(inst: SyntheticInstance, sopIndex: number): Buffer {
  return Buffer.concat([inst.head, pixelChunk(sopIndex, 0, inst.pixelBytes)]);
}
