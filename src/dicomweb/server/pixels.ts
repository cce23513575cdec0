// WADO-RS frames and bulk data (PS3.18 10.4.1.1.3 to .5): byte ranges of an instance's pixel data
// or of another large value, streamed from the file. Uncompressed frames go out as
// application/octet-stream (little endian); frames of encapsulated pixel data go out as stored,
// in the media type of their transfer syntax (never decompressed).

import { Tag, Tags } from '../../dicom/tag';
import { ExplicitVRLittleEndian } from '../../dicom/transfer-syntaxes';
import { formatMediaType, makeBoundary, multipartStream, MultipartWritePart } from '../multipart';
import { MediaTypes, bulkDataMediaType, multipartContentType } from '../media-types';
import { Readable } from 'node:stream';
import { HttpError } from './http-error';
import { RequestContext, ServerContext } from './context';
import { acceptEntries, negotiateBulk } from './negotiation';
import { streamBody } from './respond';
import { InstanceTarget, targetPath } from './routes';
import { OpenInstance, openInstance } from './dataset-scan';
import { EncapsulatedValue, Fragment, Located, NativeValue, fileRange, locateElement, readFragments, valueBytes } from './bulk-source';
import { instancesOf } from './retrieve';

const IMAGE_TAGS: Tag[] = [Tags.Rows, Tags.Columns, Tags.SamplesPerPixel, Tags.BitsAllocated, Tags.NumberOfFrames];

/** One part of the answer: where its bytes come from. */
interface Piece {
  location: string;
  length?: number;
  body: () => AsyncGenerator<Buffer>;
}

function uint16(v: Buffer | undefined): number | undefined {
  return v && v.length >= 2 ? v.readUInt16LE(0) : undefined;
}

function frameCount(located: Located): number {
  const raw = located.attributes.get(Tags.NumberOfFrames)?.toString('latin1').replace(/[\0 ]+$/, '').trim();
  if (!raw) return 1;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

function checkFrames(frames: readonly number[], count: number, sop: string): void {
  const bad = frames.find((f) => f > count);
  if (bad !== undefined) throw new HttpError(404, `Instance ${sop} has ${count} frame${count === 1 ? '' : 's'}; there is no frame ${bad}.`);
}

/** Byte ranges of native frames inside the pixel data value. */
function nativeFrames(file: OpenInstance, located: Located, value: NativeValue, frames: readonly number[], sop: string, baseUrl: string): Piece[] {
  const rows = uint16(located.attributes.get(Tags.Rows));
  const columns = uint16(located.attributes.get(Tags.Columns));
  const bits = uint16(located.attributes.get(Tags.BitsAllocated));
  const samples = uint16(located.attributes.get(Tags.SamplesPerPixel)) ?? 1;
  if (!rows || !columns || !bits) throw new HttpError(404, `Instance ${sop} lacks Rows, Columns or Bits Allocated, so it has no frames.`);
  const frameBits = rows * columns * samples * bits;
  if (frameBits % 8 !== 0) throw new HttpError(406, `The frames of instance ${sop} do not start on byte boundaries (1-bit pixels), so they cannot be sent one by one.`);
  const frameBytes = frameBits / 8;
  const count = frameCount(located);
  checkFrames(frames, count, sop);
  if (value.length < count * frameBytes) {
    throw new HttpError(500, `The pixel data of instance ${sop} holds ${value.length} bytes, fewer than ${count} frames of ${frameBytes}.`);
  }
  return frames.map((n) => ({
    location: `${baseUrl}/frames/${n}`,
    length: frameBytes,
    body: () => valueBytes(file, [Tags.PixelData], value, (n - 1) * frameBytes, frameBytes),
  }));
}

/** Which fragments make up each frame of encapsulated pixel data (PS3.5 A.4). */
function fragmentsPerFrame(fragments: Fragment[], count: number, offsetTable: Buffer, sop: string): Fragment[][] {
  const data = fragments.slice(1);
  if (count === 1) return [data];
  if (data.length === count) return data.map((f) => [f]);
  if (offsetTable.length === 4 * count && data.length > 0) {
    // Offsets count from the first byte of the first fragment's item header.
    const start = data[0]!.offset - 8;
    const byOffset = new Map(data.map((f, i) => [f.offset - 8 - start, i]));
    const firsts: number[] = [];
    for (let k = 0; k < count; k++) {
      const i = byOffset.get(offsetTable.readUInt32LE(4 * k));
      if (i === undefined) break;
      firsts.push(i);
    }
    if (firsts.length === count && firsts.every((x, k) => k === 0 || x > firsts[k - 1]!)) {
      return firsts.map((first, k) => data.slice(first, k + 1 < count ? firsts[k + 1] : data.length));
    }
  }
  throw new HttpError(406, `The frames of instance ${sop} cannot be told apart: ${data.length} fragments for ${count} frames and no usable Basic Offset Table.`);
}

async function encapsulatedFrames(file: OpenInstance, located: Located, value: EncapsulatedValue, frames: readonly number[], sop: string, baseUrl: string): Promise<Piece[]> {
  const count = frameCount(located);
  checkFrames(frames, count, sop);
  const fragments = await readFragments(file, value);
  if (fragments.length === 0) throw new HttpError(500, `The encapsulated pixel data of instance ${sop} has no Basic Offset Table item.`);
  const table = fragments[0]!;
  const offsetTable = Buffer.alloc(Math.min(table.length, 4 * count + 4));
  if (offsetTable.length > 0) await file.handle.read(offsetTable, 0, offsetTable.length, file.head.datasetOffset + table.offset);
  const perFrame = fragmentsPerFrame(fragments, count, table.length === 4 * count ? offsetTable.subarray(0, 4 * count) : Buffer.alloc(0), sop);
  const at = (f: Fragment) => file.head.datasetOffset + f.offset;
  return frames.map((n) => {
    const parts = perFrame[n - 1]!;
    return {
      location: `${baseUrl}/frames/${n}`,
      length: parts.reduce((s, f) => s + f.length, 0),
      body: async function* () {
        for (const f of parts) yield* fileRange(file, at(f), at(f) + f.length);
      },
    };
  });
}

/** Sends the pieces as multipart/related or as one bare part, then closes the file. */
async function sendPieces(rc: RequestContext, pieces: Piece[], partType: string, transferSyntaxUid: string | undefined): Promise<void> {
  const ts = transferSyntaxUid ?? ExplicitVRLittleEndian;
  const mode = negotiateBulk(acceptEntries(rc.req.headers.accept, rc.url.searchParams.get('accept')), partType, ts, pieces.length === 1);
  const typeWithSyntax = transferSyntaxUid
    ? formatMediaType({ type: partType.split('/')[0]!, subtype: partType.split('/')[1]!, params: { 'transfer-syntax': transferSyntaxUid } })
    : partType;
  const total = pieces.reduce((s, p) => s + (p.length ?? 0), 0);
  rc.note = `${pieces.length} part${pieces.length === 1 ? '' : 's'}, ${total} bytes`;
  if (mode === 'single') {
    const piece = pieces[0]!;
    rc.res.writeHead(200, {
      'Content-Type': typeWithSyntax,
      'Content-Location': piece.location,
      ...(piece.length !== undefined ? { 'Content-Length': String(piece.length) } : {}),
    });
    await streamBody(rc.res, Readable.from(piece.body(), { objectMode: false }));
    return;
  }
  const boundary = makeBoundary();
  rc.res.writeHead(200, { 'Content-Type': multipartContentType(partType, boundary, transferSyntaxUid) });
  const parts = (function* (): Generator<MultipartWritePart> {
    for (const p of pieces) {
      yield { headers: { 'Content-Type': typeWithSyntax, 'Content-Location': p.location, 'Content-Length': p.length }, body: p.body() };
    }
  })();
  await streamBody(rc.res, multipartStream(parts, boundary));
}

async function withInstance(server: ServerContext, target: InstanceTarget, use: (file: OpenInstance, sop: string, baseUrl: string) => Promise<void>, rc: RequestContext): Promise<void> {
  const [instance] = instancesOf(server, target);
  const file = await openInstance(instance!.path);
  try {
    await use(file, instance!.sopInstanceUid, rc.baseUrl + targetPath(target));
  } finally {
    await file.handle.close().catch(() => undefined);
  }
}

/** Pieces for frames of the pixel data, uncompressed or encapsulated. */
async function framePieces(file: OpenInstance, located: Located, frames: readonly number[] | 'all', sop: string, baseUrl: string): Promise<{ pieces: Piece[]; partType: string; ts: string }> {
  const value = located.value!;
  const list = frames === 'all' ? Array.from({ length: frameCount(located) }, (_, i) => i + 1) : frames;
  if (value.kind === 'native') {
    return { pieces: nativeFrames(file, located, value, list, sop, baseUrl), partType: MediaTypes.OCTET_STREAM, ts: ExplicitVRLittleEndian };
  }
  const ts = file.head.transferSyntaxUid;
  const partType = bulkDataMediaType(ts);
  if (!partType) throw new HttpError(406, `Instance ${sop} is stored in transfer syntax ${ts}, for which DICOMweb names no frame media type.`);
  return { pieces: await encapsulatedFrames(file, located, value, list, sop, baseUrl), partType, ts };
}

export async function handleFrames(server: ServerContext, rc: RequestContext, target: InstanceTarget, frames: number[]): Promise<void> {
  await withInstance(server, target, async (file, sop, baseUrl) => {
    const located = await locateElement(file, [Tags.PixelData], IMAGE_TAGS);
    if (!located.value) throw new HttpError(404, `Instance ${sop} has no pixel data.`);
    const { pieces, partType, ts } = await framePieces(file, located, frames, sop, baseUrl);
    await sendPieces(rc, pieces, partType, ts);
  }, rc);
}

export async function handleBulkData(server: ServerContext, rc: RequestContext, target: InstanceTarget, path: number[]): Promise<void> {
  await withInstance(server, target, async (file, sop, baseUrl) => {
    const located = await locateElement(file, path, IMAGE_TAGS);
    const value = located.value;
    if (!value) throw new HttpError(404, `Instance ${sop} has no element at ${path.map((x, i) => (i % 2 ? String(x) : x.toString(16).toUpperCase().padStart(8, '0'))).join('/')}.`);
    const isPixelData = path.length === 1 && path[0] === Tags.PixelData;
    if (value.kind === 'encapsulated') {
      if (!isPixelData) throw new HttpError(404, `The element at that path of instance ${sop} is encapsulated data other than pixel data.`);
      const { pieces, partType, ts } = await framePieces(file, located, 'all', sop, baseUrl);
      await sendPieces(rc, pieces, partType, ts);
      return;
    }
    const location = `${baseUrl}/bulkdata/${rc.url.pathname.split('/bulkdata/')[1] ?? ''}`;
    const piece: Piece = { location, length: value.length, body: () => valueBytes(file, path, value, 0, value.length) };
    await sendPieces(rc, [piece], MediaTypes.OCTET_STREAM, isPixelData ? ExplicitVRLittleEndian : undefined);
  }, rc);
}
