// WADO-RS frames and bulk data (PS3.18 10.4.1.1.3 to .5): byte ranges of an instance's pixel data
// or of another large value, streamed from the file. Frames go out as stored when the client takes
// that (uncompressed ones as application/octet-stream, little endian; compressed ones in the media
// type of their transfer syntax), else decoded or encoded frame by frame in the codec pool, each
// conversion complete before its part starts (frame-syntax.ts decides which).

import { Tag, Tags } from '../../dicom';
import { ExplicitVRLittleEndian } from '../../dicom';
import {
  CodecPool, PixelAttributes, PixelDescription, describePixels, nativeFrameLength, UnsupportedConversionError,
} from '../../dicom';
import { formatMediaType, makeBoundary, multipartStream, MultipartWritePart } from '../multipart';
import { MediaTypes, multipartContentType } from '../media-types';
import { Readable } from 'node:stream';
import { HttpError } from './http-error';
import { RequestContext, ServerContext } from './context';
import { acceptEntries, negotiateBulk } from './negotiation';
import { FrameChoice, chooseFrameForm, frameEncodeParams } from './frame-syntax';
import { PartQueue, PartSource } from './part-queue';
import { describeSent, sendParts } from './parts-answer';
import { streamBody } from './respond';
import { InstanceTarget, targetPath } from './routes';
import { OpenInstance, openInstance } from './dataset-scan';
import { EncapsulatedValue, Fragment, Located, NativeValue, fileRange, locateElement, readFragments, valueBytes } from './bulk-source';
import { instancesOf } from './retrieve';

/** The top-level attributes read on the way to the pixel data. */
export const PIXEL_TAGS: Tag[] = [
  Tags.SamplesPerPixel, Tags.PhotometricInterpretation, Tags.PlanarConfiguration, Tags.NumberOfFrames, Tags.Rows, Tags.Columns,
  Tags.BitsAllocated, Tags.BitsStored, Tags.HighBit, Tags.PixelRepresentation,
];

/** One part of the answer: where its bytes come from. */
interface Piece {
  location: string;
  length?: number;
  body: () => AsyncGenerator<Buffer>;
}

function uint16(v: Buffer | undefined): number | undefined {
  return v && v.length >= 2 ? v.readUInt16LE(0) : undefined;
}

function text(v: Buffer | undefined): string | undefined {
  const t = v?.toString('latin1').replace(/[\0 ]+$/, '').trim();
  return t ? t : undefined;
}

/** The Image Pixel attributes met on the way to the pixel data. */
export function pixelAttributesOf(located: Located): PixelAttributes {
  const a = located.attributes;
  return {
    rows: uint16(a.get(Tags.Rows)), columns: uint16(a.get(Tags.Columns)), samplesPerPixel: uint16(a.get(Tags.SamplesPerPixel)),
    bitsAllocated: uint16(a.get(Tags.BitsAllocated)), bitsStored: uint16(a.get(Tags.BitsStored)), highBit: uint16(a.get(Tags.HighBit)),
    pixelRepresentation: uint16(a.get(Tags.PixelRepresentation)), planarConfiguration: uint16(a.get(Tags.PlanarConfiguration)),
    photometricInterpretation: text(a.get(Tags.PhotometricInterpretation)), numberOfFrames: text(a.get(Tags.NumberOfFrames)),
  };
}

/** The frame layout, or undefined when the attributes do not describe a valid one (then only the stored bytes can go). */
function describe(attrs: PixelAttributes): PixelDescription | undefined {
  try {
    return describePixels(attrs).description;
  } catch (error) {
    if (error instanceof UnsupportedConversionError) return undefined;
    throw error;
  }
}

function frameCount(located: Located): number {
  const raw = text(located.attributes.get(Tags.NumberOfFrames));
  if (!raw) return 1;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

function checkFrames(frames: readonly number[], count: number, sop: string): void {
  const bad = frames.find((f) => f > count);
  if (bad !== undefined) throw new HttpError(404, `Instance ${sop} has ${count} frame${count === 1 ? '' : 's'}; there is no frame ${bad}.`);
}

/** Where the stored bytes of frame n (from 1) are, and how many there are. */
export interface StoredFrame {
  length: number;
  body(): AsyncGenerator<Buffer>;
}

/** Byte ranges of native frames inside the pixel data value. */
function nativeFrames(file: OpenInstance, located: Located, value: NativeValue, sop: string): (n: number) => StoredFrame {
  const attrs = pixelAttributesOf(located);
  if (!attrs.rows || !attrs.columns || !attrs.bitsAllocated) throw new HttpError(404, `Instance ${sop} lacks Rows, Columns or Bits Allocated, so it has no frames.`);
  const d = describe(attrs);
  const frameBits = attrs.rows * attrs.columns * (attrs.samplesPerPixel ?? 1) * attrs.bitsAllocated;
  if (frameBits % 8 !== 0) throw new HttpError(406, `The frames of instance ${sop} do not start on byte boundaries (1-bit pixels), so they cannot be sent one by one.`);
  const frameBytes = d ? nativeFrameLength(d) : frameBits / 8;
  const count = frameCount(located);
  if (value.length < count * frameBytes) {
    throw new HttpError(500, `The pixel data of instance ${sop} holds ${value.length} bytes, fewer than ${count} frames of ${frameBytes}.`);
  }
  return (n) => ({ length: frameBytes, body: () => valueBytes(file, [Tags.PixelData], value, (n - 1) * frameBytes, frameBytes) });
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

async function encapsulatedFrames(file: OpenInstance, located: Located, value: EncapsulatedValue, sop: string): Promise<(n: number) => StoredFrame> {
  const count = frameCount(located);
  const fragments = await readFragments(file, value);
  if (fragments.length === 0) throw new HttpError(500, `The encapsulated pixel data of instance ${sop} has no Basic Offset Table item.`);
  const table = fragments[0]!;
  const offsetTable = Buffer.alloc(Math.min(table.length, 4 * count + 4));
  if (offsetTable.length > 0) await file.handle.read(offsetTable, 0, offsetTable.length, file.head.datasetOffset + table.offset);
  const perFrame = fragmentsPerFrame(fragments, count, table.length === 4 * count ? offsetTable.subarray(0, 4 * count) : Buffer.alloc(0), sop);
  const at = (f: Fragment) => file.head.datasetOffset + f.offset;
  return (n) => {
    const parts = perFrame[n - 1]!;
    return {
      length: parts.reduce((sum, f) => sum + f.length, 0),
      body: async function* () {
        for (const f of parts) yield* fileRange(file, at(f), at(f) + f.length);
      },
    };
  };
}

/** The frames of an instance as stored: how many, their syntax, and each one's bytes. */
export interface StoredFrames {
  count: number;
  /** The stored transfer syntax (frames of native pixel data are little endian whatever it says). */
  ts: string;
  frame(n: number): StoredFrame;
}

/** @throws HttpError 404 (no frames), 406 (frames that cannot be cut apart), 500 (pixel data shorter than its attributes say). */
export async function storedFrames(file: OpenInstance, located: Located, sop: string): Promise<StoredFrames> {
  const value = located.value;
  if (!value) throw new HttpError(404, `Instance ${sop} has no pixel data.`);
  const frame = value.kind === 'native' ? nativeFrames(file, located, value, sop) : await encapsulatedFrames(file, located, value, sop);
  return { count: frameCount(located), ts: file.head.transferSyntaxUid, frame };
}

export async function collect(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

function asBuffer(u: Uint8Array): Buffer {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/** One frame's stored bytes in the chosen form, through the codec pool. */
async function convertFrame(pool: CodecPool, choice: FrameChoice, stored: string, bytes: Buffer, d: PixelDescription): Promise<Buffer> {
  const to = choice.form.ts;
  switch (choice.form.work) {
    case 'decode': return asBuffer((await pool.decode(stored, bytes, d)).samples);
    case 'encode': return asBuffer((await pool.encode(to, bytes, d, frameEncodeParams(to))).data);
    case 'transcode': return asBuffer((await pool.transcode(stored, bytes, d, to, frameEncodeParams(to))).data);
    default: return bytes;
  }
}

/**
 * The frames (from 1) of the instance in the form the Accept header asks for; conversions in the
 * pool. `whole`: the pixel data's bulk data URI, whose uncompressed value goes as one part.
 */
async function sendFrames(server: ServerContext, rc: RequestContext, file: OpenInstance, located: Located, list: readonly number[], sop: string, baseUrl: string, whole?: string): Promise<void> {
  const stored = await storedFrames(file, located, sop);
  checkFrames(list, stored.count, sop);
  const attrs = pixelAttributesOf(located);
  const description = describe(attrs);
  const accept = acceptEntries(rc.req.headers.accept, rc.url.searchParams.get('accept'));
  const value = whole !== undefined && located.value?.kind === 'native' ? located.value : undefined;
  const choice = chooseFrameForm(accept, stored.ts, description ? attrs : undefined, value ? 1 : list.length);
  if (choice.form.work !== 'stored' && list.length > 1) choice.mode = 'multipart';
  const { partType, ts } = choice.form;
  const typeWithSyntax = formatMediaType({ type: partType.split('/')[0]!, subtype: partType.split('/')[1]!, params: { 'transfer-syntax': ts } });
  const pool = server.pool();
  if (value && choice.form.work === 'stored') {
    const piece = { location: whole!, length: value.length, body: () => valueBytes(file, [Tags.PixelData], value, 0, value.length) };
    await sendValue(rc, piece, typeWithSyntax, choice.mode);
    return;
  }
  const sources: PartSource[] = list.map((n) => ({
    label: `Frame ${n}`,
    converts: choice.form.work !== 'stored',
    async make() {
      const f = stored.frame(n);
      const headers = (length: number) => ({ 'Content-Type': typeWithSyntax, 'Content-Location': `${baseUrl}/frames/${n}`, 'Content-Length': length });
      if (choice.form.work === 'stored') return { part: { headers: headers(f.length), body: f.body() } };
      const out = await convertFrame(pool, choice, stored.ts, await collect(f.body()), description!);
      return { part: { headers: headers(out.length), body: out } };
    },
  }));
  const queue = new PartQueue(sources, pool.size);
  const how = choice.form.work === 'stored' ? '' : `, ${choice.form.work === 'decode' ? 'decoded' : 'encoded'} to ${ts}`;
  const nothingSent = (failures: readonly string[]) => new HttpError(500, `Instance ${sop}: ${failures[0]!.replace(' was left out: ', ' could not be converted: ')}`);
  if (choice.mode === 'single') {
    if (!(await queue.ready())) throw nothingSent(queue.failures);
    const parts = queue.parts();
    const { value: part } = await parts.next();
    const headers = part!.headers as Record<string, string | number>;
    rc.res.writeHead(200, { 'Content-Type': typeWithSyntax, 'Content-Location': headers['Content-Location']!, 'Content-Length': headers['Content-Length']! });
    try {
      await streamBody(rc.res, Readable.from(part!.body as AsyncIterable<Buffer> | Buffer[], { objectMode: false }));
    } finally {
      await parts.return(undefined);
    }
    rc.note = `1 frame${how}`;
    return;
  }
  const sent = await sendParts(rc, queue, { partType, transferSyntaxUid: ts, nothingSent });
  rc.note = describeSent(sent, 'frame', how);
}

/** Opens the instance a target names for the time `use` runs. */
export async function withInstance(server: ServerContext, rc: RequestContext, target: InstanceTarget, use: (file: OpenInstance, sop: string, baseUrl: string) => Promise<void>): Promise<void> {
  const [instance] = instancesOf(server, target);
  const file = await openInstance(instance!.path);
  try {
    await use(file, instance!.sopInstanceUid, rc.baseUrl + targetPath(target));
  } finally {
    await file.handle.close().catch(() => undefined);
  }
}

/** One value as one part (multipart, or bare when asked for). */
async function sendValue(rc: RequestContext, piece: Piece, contentType: string, mode: 'multipart' | 'single'): Promise<void> {
  rc.note = `1 part, ${piece.length} bytes`;
  if (mode === 'single') {
    rc.res.writeHead(200, { 'Content-Type': contentType, 'Content-Location': piece.location, 'Content-Length': String(piece.length) });
    await streamBody(rc.res, Readable.from(piece.body(), { objectMode: false }));
    return;
  }
  const boundary = makeBoundary();
  const [type] = contentType.split(';');
  rc.res.writeHead(200, { 'Content-Type': multipartContentType(type!, boundary, contentType.includes('transfer-syntax') ? ExplicitVRLittleEndian : undefined) });
  const part: MultipartWritePart = { headers: { 'Content-Type': contentType, 'Content-Location': piece.location, 'Content-Length': piece.length }, body: piece.body() };
  await streamBody(rc.res, multipartStream([part], boundary));
}

export async function handleFrames(server: ServerContext, rc: RequestContext, target: InstanceTarget, frames: number[]): Promise<void> {
  await withInstance(server, rc, target, async (file, sop, baseUrl) => {
    const located = await locateElement(file, [Tags.PixelData], PIXEL_TAGS);
    await sendFrames(server, rc, file, located, frames, sop, baseUrl);
  });
}

export async function handleBulkData(server: ServerContext, rc: RequestContext, target: InstanceTarget, path: number[]): Promise<void> {
  await withInstance(server, rc, target, async (file, sop, baseUrl) => {
    const located = await locateElement(file, path, PIXEL_TAGS);
    const value = located.value;
    if (!value) throw new HttpError(404, `Instance ${sop} has no element at ${path.map((x, i) => (i % 2 ? String(x) : x.toString(16).toUpperCase().padStart(8, '0'))).join('/')}.`);
    const isPixelData = path.length === 1 && path[0] === Tags.PixelData;
    if (isPixelData) {
      // The pixel data's bulk data is its frames, in the form the client takes (PS3.18 8.7.3.4).
      const all = Array.from({ length: frameCount(located) }, (_, i) => i + 1);
      await sendFrames(server, rc, file, located, all, sop, baseUrl, `${baseUrl}/bulkdata/7FE00010`);
      return;
    }
    if (value.kind === 'encapsulated') throw new HttpError(404, `The element at that path of instance ${sop} is encapsulated data other than pixel data.`);
    const location = `${baseUrl}/bulkdata/${rc.url.pathname.split('/bulkdata/')[1] ?? ''}`;
    const mode = negotiateBulk(acceptEntries(rc.req.headers.accept, rc.url.searchParams.get('accept')), MediaTypes.OCTET_STREAM, ExplicitVRLittleEndian, true);
    await sendValue(rc, { location, length: value.length, body: () => valueBytes(file, path, value, 0, value.length) }, MediaTypes.OCTET_STREAM, mode);
  });
}
