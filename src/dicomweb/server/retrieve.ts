// WADO-RS retrieval of studies, series and instances (PS3.18 10.4): each instance streamed from its
// file as a part of multipart/related; type="application/dicom", in its stored transfer syntax or,
// for uncompressed data the client wants otherwise, converted to Explicit VR Little Endian on the
// way. Metadata is the instances' DICOM JSON with BulkDataURIs for the large values.

import { createReadStream } from 'node:fs';
import { buildFileMeta } from '../../dicom/file-meta';
import { ExplicitVRLittleEndian } from '../../dicom/transfer-syntaxes';
import { createTranscoder } from '../../dicom/transcode';
import { RetrievableInstance } from '../../services/query-backend';
import { formatMediaType, makeBoundary, multipartStream, MultipartWritePart } from '../multipart';
import { MediaTypes, multipartContentType } from '../media-types';
import { HttpError } from './http-error';
import { RequestContext, ServerContext } from './context';
import { acceptEntries, cannotSend, instanceRenditions, InstanceRendition, negotiateJson } from './negotiation';
import { streamBody, writeJsonArray } from './respond';
import { Target, targetPath } from './routes';
import { openInstance } from './dataset-scan';
import { metadataJson, readInstanceMetadata } from './metadata-reader';

/** The instances a retrieve target names; 404 when there are none. */
export function instancesOf(server: ServerContext, target: Target): RetrievableInstance[] {
  const found = server.archive.index.instancesOf(target.study, target.series, target.instance);
  if (found.length === 0) {
    const what = target.instance !== undefined ? `instance ${target.instance} in series ${target.series} of study ${target.study}`
      : target.series !== undefined ? `series ${target.series} in study ${target.study}` : `study ${target.study}`;
    throw new HttpError(404, `The archive holds no ${what}.`);
  }
  return found;
}

function instanceUrl(baseUrl: string, i: RetrievableInstance): string {
  return baseUrl + targetPath({ study: i.studyInstanceUid, series: i.seriesInstanceUid, instance: i.sopInstanceUid });
}

/** The Part 10 file re-encoded in Explicit VR Little Endian: new file meta, then the converted data set. */
async function* transcodedFile(i: RetrievableInstance): AsyncGenerator<Buffer> {
  yield buildFileMeta({ sopClassUid: i.sopClassUid, sopInstanceUid: i.sopInstanceUid, transferSyntaxUid: ExplicitVRLittleEndian });
  const source = createReadStream(i.path, { start: i.datasetOffset, highWaterMark: 1024 * 1024 });
  const transcoder = createTranscoder(i.transferSyntaxUid, ExplicitVRLittleEndian);
  source.on('error', (e) => transcoder.destroy(e));
  source.pipe(transcoder);
  try {
    for await (const chunk of transcoder) yield chunk as Buffer;
  } finally {
    source.destroy();
    transcoder.destroy();
  }
}

function* instanceParts(plan: { instance: RetrievableInstance; rendition: InstanceRendition }[], baseUrl: string): Generator<MultipartWritePart> {
  for (const { instance, rendition } of plan) {
    const contentType = formatMediaType({ type: 'application', subtype: 'dicom', params: { 'transfer-syntax': rendition.transferSyntaxUid } });
    yield {
      headers: {
        'Content-Type': contentType,
        'Content-Location': instanceUrl(baseUrl, instance),
        ...(rendition.transcode ? {} : { 'Content-Length': instance.fileSize }),
      },
      body: rendition.transcode
        ? transcodedFile(instance)
        : createReadStream(instance.path, { highWaterMark: 1024 * 1024 }),
    };
  }
}

export async function handleRetrieve(server: ServerContext, rc: RequestContext, target: Target): Promise<void> {
  const instances = instancesOf(server, target);
  const choose = instanceRenditions(acceptEntries(rc.req.headers.accept, rc.url.searchParams.get('accept')));
  const plan = instances.map((instance) => {
    const rendition = choose(instance.transferSyntaxUid);
    if (!rendition) throw cannotSend(instance.transferSyntaxUid, instance.sopInstanceUid);
    return { instance, rendition };
  });
  const first = plan[0]!.rendition.transferSyntaxUid;
  const same = plan.every((p) => p.rendition.transferSyntaxUid === first);
  const boundary = makeBoundary();
  rc.res.writeHead(200, { 'Content-Type': multipartContentType(MediaTypes.DICOM, boundary, same ? first : undefined) });
  const bytes = plan.reduce((n, p) => n + p.instance.fileSize, 0);
  rc.note = `${plan.length} instance${plan.length === 1 ? '' : 's'}, ${bytes} bytes`;
  await streamBody(rc.res, multipartStream(instanceParts(plan, rc.baseUrl), boundary));
}

export async function handleMetadata(server: ServerContext, rc: RequestContext, target: Target): Promise<void> {
  const instances = instancesOf(server, target);
  const contentType = negotiateJson(acceptEntries(rc.req.headers.accept, rc.url.searchParams.get('accept')));
  const read = async (i: RetrievableInstance) => {
    const file = await openInstance(i.path);
    try {
      return metadataJson(await readInstanceMetadata(file), `${instanceUrl(rc.baseUrl, i)}/bulkdata`);
    } finally {
      await file.handle.close();
    }
  };
  // The first instance is read before the status is sent: an unreadable file is then a clean error.
  const first = await read(instances[0]!);
  rc.res.writeHead(200, { 'Content-Type': `${contentType}; charset=utf-8` });
  const n = await writeJsonArray(rc.res, (async function* () {
    yield first;
    for (const i of instances.slice(1)) yield await read(i);
  })());
  rc.note = `${n} instance${n === 1 ? '' : 's'}`;
}
