// WADO-RS rendered resources and thumbnails (PS3.18 10.4.1.1.7 and .8, 8.3.5.1): frames decoded in
// the codec pool, windowed (the `window` parameter, else the instance's own window or VOI, else
// its value range), fitted into `viewport` and written as image/jpeg (the codec layer's JPEG
// Baseline encoder, `quality`) or image/png (pngjs). An instance or a frame is one image; several
// frames, and the instances of a study or series, are multipart/related parts, one at a time. A
// thumbnail is always one image: the middle image instance of the first series that has one.

import { PNG } from 'pngjs';
import { Tags } from '../../dicom';
import { CodecPool, FrameDecodeError, JPEGBaseline, PixelDescription, UnsupportedConversionError, describePixels } from '../../dicom';
import { ImageInfo, NoImageError, Picture, PixelDecodeError, RenderOptions, UnsupportedImageError, VoiFunction, frameFromSamples, isGray, nativeSamples, renderFrame } from '../../dicom';
import { RetrievableInstance } from '../../services';
import { AcceptEntry } from '../multipart';
import { MediaTypes } from '../media-types';
import { HttpError } from './http-error';
import { RequestContext, ServerContext } from './context';
import { acceptEntries } from './negotiation';
import { openInstance } from './dataset-scan';
import { locateElement } from './bulk-source';
import { readInstanceMetadata } from './metadata-reader';
import { PIXEL_TAGS, collect, pixelAttributesOf, storedFrames } from './pixels';
import { instancesOf } from './retrieve';
import { indexedNumber, indexedRecord } from './indexed-values';
import { PartQueue, PartSource } from './part-queue';
import { describeSent, sendParts } from './parts-answer';
import { Target, targetPath } from './routes';

const THUMBNAIL_SIZE = 128;
const DEFAULT_QUALITY = 90;
const MAX_VIEWPORT = 65535;
type ImageType = typeof MediaTypes.JPEG | typeof MediaTypes.PNG;

export interface RenderedRoute {
  what: 'rendered' | 'thumbnail';
  target: Target;
  frames?: number[];
}

interface Rendering {
  type: ImageType;
  quality: number;
  render: RenderOptions;
}

const VOI_FUNCTIONS: Record<string, VoiFunction> = { linear: 'LINEAR', 'linear-exact': 'LINEAR_EXACT', sigmoid: 'SIGMOID' };

function numbers(name: string, raw: string, count: [number, number]): number[] {
  const parts = raw.split(',').map((s) => s.trim());
  const values = parts.map(Number);
  if (parts.length < count[0] || parts.length > count[1] || parts.some((p) => p === '') || values.some((v) => !Number.isFinite(v))) {
    throw new HttpError(400, `The ${name} parameter "${raw}" is not ${count[0] === count[1] ? count[0] : `${count[0]} to ${count[1]}`} comma-separated numbers.`);
  }
  return values;
}

/** The `window`, `viewport` and `quality` query parameters (PS3.18 8.3.5.1). */
export function renderingParameters(params: URLSearchParams, thumbnail: boolean): Omit<Rendering, 'type'> {
  const render: RenderOptions = {};
  const window = params.get('window');
  if (window !== null) {
    const [center, width, ...rest] = window.split(',').map((s) => s.trim());
    const [c, w] = numbers('window', `${center ?? ''},${width ?? ''}`, [2, 2]);
    const fn = VOI_FUNCTIONS[(rest[0] ?? 'linear').toLowerCase()];
    if (!fn || rest.length > 1) throw new HttpError(400, `The window parameter "${window}" is not center,width[,linear|linear-exact|sigmoid].`);
    if (w! <= 0) throw new HttpError(400, `The window width in "${window}" must be greater than 0.`);
    render.window = { center: c!, width: w!, fn };
  }
  const viewport = params.get('viewport');
  if (viewport !== null) {
    const v = numbers('viewport', viewport, [2, 2]);
    if (v.some((n) => !Number.isInteger(n) || n < 1 || n > MAX_VIEWPORT)) {
      throw new HttpError(400, `The viewport parameter "${viewport}" must be two whole numbers of pixels from 1 to ${MAX_VIEWPORT} (a source region is not supported).`);
    }
    render.viewport = { width: v[0]!, height: v[1]! };
  } else if (thumbnail) {
    render.viewport = { width: THUMBNAIL_SIZE, height: THUMBNAIL_SIZE };
  }
  const qualityText = params.get('quality');
  let quality = DEFAULT_QUALITY;
  if (qualityText !== null) {
    quality = Number(qualityText);
    if (!Number.isInteger(quality) || quality < 1 || quality > 100) throw new HttpError(400, `The quality parameter "${qualityText}" must be a whole number from 1 to 100.`);
  }
  return { quality, render };
}

/** image/jpeg (the default) or image/png, as the client prefers; multipart when several images go. */
export function renderedMediaType(accept: readonly AcceptEntry[], multipart: boolean): ImageType {
  if (accept.length === 0) return MediaTypes.JPEG;
  let best: { type: ImageType; q: number; s: number } | undefined;
  for (const type of [MediaTypes.JPEG, MediaTypes.PNG] as ImageType[]) {
    const [t, sub] = type.split('/');
    let s = -1;
    let q = 0;
    for (const e of accept) {
      let mt = { type: e.type, subtype: e.subtype };
      const isMultipart = e.type === 'multipart';
      if (isMultipart) {
        if (!multipart || (e.subtype !== 'related' && e.subtype !== '*')) continue;
        const inner = e.params['type']?.split('/');
        mt = inner && inner.length === 2 ? { type: inner[0]!.trim().toLowerCase(), subtype: inner[1]!.split(';')[0]!.trim().toLowerCase() } : { type: '*', subtype: '*' };
      }
      const m = mt.type === t && mt.subtype === sub ? 2 : mt.type === t && mt.subtype === '*' ? 1 : mt.type === '*' && mt.subtype === '*' ? 0 : -1;
      if (m > s) { s = m; q = e.q; }
    }
    if (s >= 0 && q > 0 && (!best || q > best.q)) best = { type, q, s };
  }
  if (!best) throw new HttpError(406, `Rendered images and thumbnails are sent as image/jpeg or image/png${multipart ? ' (in multipart/related)' : ''}; the Accept header allows neither.`);
  return best.type;
}

/** The picture of frame `n` (from 1) of an instance. */
async function renderInstanceFrame(pool: CodecPool, instance: RetrievableInstance, n: number | undefined, o: RenderOptions): Promise<Picture> {
  const sop = instance.sopInstanceUid;
  const file = await openInstance(instance.path);
  try {
    const meta = await readInstanceMetadata(file);
    const located = await locateElement(file, [Tags.PixelData], PIXEL_TAGS);
    const stored = await storedFrames(file, located, sop);
    // An instance's rendering is its first frame; its thumbnail, its middle frame.
    const frame = n ?? 1;
    if (frame > stored.count) throw new HttpError(404, `Instance ${sop} has ${stored.count} frame${stored.count === 1 ? '' : 's'}; there is no frame ${frame}.`);
    let description: PixelDescription;
    try {
      description = describePixels(pixelAttributesOf(located)).description;
    } catch (error) {
      if (error instanceof UnsupportedConversionError) throw new HttpError(422, `Instance ${sop} cannot be rendered: ${error.message}`);
      throw error;
    }
    const info: ImageInfo = {
      rows: description.rows, columns: description.columns, frames: stored.count, samplesPerPixel: description.samplesPerPixel,
      photometric: description.photometricInterpretation, bitsAllocated: description.bitsAllocated, bitsStored: description.bitsStored,
      highBit: description.highBit, pixelRepresentation: description.pixelRepresentation, planarConfiguration: description.planarConfiguration,
      transferSyntaxUid: stored.ts, pixelTag: Tags.PixelData,
    };
    const padding = meta.dataset.number(0x00280120);
    if (padding !== undefined && Number.isFinite(padding)) info.pixelPaddingValue = padding;
    const bytes = await collect(stored.frame(frame).body());
    let samples: Uint8Array;
    let photometric: string;
    if (located.value!.kind === 'encapsulated') {
      const decoded = await pool.decode(stored.ts, bytes, description);
      samples = decoded.samples;
      photometric = decoded.description.photometricInterpretation;
    } else {
      ({ samples, photometric } = nativeSamples(bytes, info));
    }
    return renderFrame(frameFromSamples(meta.dataset, info, frame - 1, samples, photometric), o);
  } catch (error) {
    if (error instanceof UnsupportedImageError || error instanceof NoImageError || error instanceof PixelDecodeError
      || error instanceof FrameDecodeError || error instanceof UnsupportedConversionError) {
      throw new HttpError(422, `Instance ${sop} cannot be rendered: ${error.message}`);
    }
    throw error;
  } finally {
    await file.handle.close().catch(() => undefined);
  }
}

/** The picture written as JPEG or PNG (gray pictures with one channel). */
async function encodePicture(pool: CodecPool, p: Picture, type: ImageType, quality: number): Promise<Buffer> {
  const gray = isGray(p);
  if (type === MediaTypes.PNG) {
    const png = new PNG({ width: p.width, height: p.height });
    png.data = Buffer.from(p.rgba.buffer, p.rgba.byteOffset, p.rgba.byteLength);
    return PNG.sync.write(png, { colorType: gray ? 0 : 2, inputColorType: 6, inputHasAlpha: true });
  }
  const channels = gray ? 1 : 3;
  const samples = new Uint8Array(p.width * p.height * channels);
  for (let i = 0; i < p.width * p.height; i++) for (let c = 0; c < channels; c++) samples[i * channels + c] = p.rgba[i * 4 + c]!;
  const d: PixelDescription = {
    rows: p.height, columns: p.width, samplesPerPixel: channels, bitsAllocated: 8, bitsStored: 8, highBit: 7,
    pixelRepresentation: 0, photometricInterpretation: gray ? 'MONOCHROME2' : 'RGB', planarConfiguration: 0,
  };
  const encoded = await pool.encode(JPEGBaseline, samples, d, { lossy: true, quality });
  return Buffer.from(encoded.data.buffer, encoded.data.byteOffset, encoded.data.byteLength);
}

function hasImage(server: ServerContext, i: RetrievableInstance): boolean {
  return indexedNumber(indexedRecord(server, i.sopInstanceUid), Tags.Rows) !== undefined;
}

/** The instance a thumbnail of a study or series shows: the middle image of the first series with images. */
function representative(server: ServerContext, instances: RetrievableInstance[]): RetrievableInstance | undefined {
  const images = instances.filter((i) => hasImage(server, i));
  const series = images[0]?.seriesInstanceUid;
  const ofSeries = images.filter((i) => i.seriesInstanceUid === series);
  const number = (i: RetrievableInstance) => indexedNumber(indexedRecord(server, i.sopInstanceUid), Tags.InstanceNumber) ?? 0;
  ofSeries.sort((a, b) => number(a) - number(b));
  return ofSeries[Math.floor((ofSeries.length - 1) / 2)];
}

async function sendImage(rc: RequestContext, body: Buffer, type: ImageType, location: string): Promise<void> {
  rc.res.writeHead(200, { 'Content-Type': type, 'Content-Length': String(body.length), 'Content-Location': location });
  rc.res.end(body);
}

export async function handleRendered(server: ServerContext, rc: RequestContext, route: RenderedRoute): Promise<void> {
  const thumbnail = route.what === 'thumbnail';
  const instances = instancesOf(server, route.target);
  const accept = acceptEntries(rc.req.headers.accept, rc.url.searchParams.get('accept'));
  const { quality, render } = renderingParameters(rc.url.searchParams, thumbnail);
  const pool = server.pool();
  const location = rc.baseUrl + targetPath(route.target) + (route.frames ? `/frames/${route.frames.join(',')}` : '') + `/${route.what}`;
  // One image: a thumbnail, an instance, or one frame.
  const single = thumbnail || route.target.instance !== undefined && (route.frames === undefined || route.frames.length === 1);
  if (single) {
    const type = renderedMediaType(accept, false);
    const instance = route.target.instance !== undefined ? instances[0]! : representative(server, instances);
    if (!instance) throw new HttpError(404, `The archive holds no image in ${route.target.series !== undefined ? 'series' : 'study'} ${route.target.series ?? route.target.study}.`);
    const frames = Math.max(1, Math.trunc(indexedNumber(indexedRecord(server, instance.sopInstanceUid), Tags.NumberOfFrames) ?? 1));
    const frame = route.frames?.[0] ?? (thumbnail ? Math.floor((frames + 1) / 2) : 1);
    const picture = await renderInstanceFrame(pool, instance, frame, render);
    await sendImage(rc, await encodePicture(pool, picture, type, quality), type, location);
    rc.note = `${type} ${picture.width} × ${picture.height} of ${instance.sopInstanceUid} frame ${frame}`;
    return;
  }
  const type = renderedMediaType(accept, true);
  const jobs = route.frames
    ? route.frames.map((n) => ({ instance: instances[0]!, frame: n, label: `Frame ${n}` }))
    : instances.filter((i) => hasImage(server, i)).map((i) => ({ instance: i, frame: 1, label: `Instance ${i.sopInstanceUid}` }));
  if (jobs.length === 0) throw new HttpError(404, `The archive holds no image in ${route.target.series !== undefined ? 'series' : 'study'} ${route.target.series ?? route.target.study}.`);
  const sources: PartSource[] = jobs.map((j) => ({
    label: j.label,
    converts: true,
    async make() {
      const body = await encodePicture(pool, await renderInstanceFrame(pool, j.instance, j.frame, render), type, quality);
      const where = rc.baseUrl + targetPath({ study: j.instance.studyInstanceUid, series: j.instance.seriesInstanceUid, instance: j.instance.sopInstanceUid });
      return { part: { headers: { 'Content-Type': type, 'Content-Location': `${where}${route.frames ? `/frames/${j.frame}` : ''}/rendered`, 'Content-Length': body.length }, body } };
    },
  }));
  const queue = new PartQueue(sources, pool.size);
  const sent = await sendParts(rc, queue, {
    partType: type,
    nothingSent: (failures) => new HttpError(422, `Nothing could be rendered. ${failures[0]}`),
  });
  rc.note = describeSent(sent, 'image', ` as ${type}`);
}
