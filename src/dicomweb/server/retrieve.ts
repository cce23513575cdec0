// WADO-RS retrieval of studies, series and instances (PS3.18 10.4): each instance a part of
// multipart/related; type="application/dicom", streamed from its file when the client takes its
// stored transfer syntax, else converted (through the codec pool when its pixel data changes
// syntax) into a spool and sent once complete. Instances that cannot be sent in any syntax the
// client takes are left out with a sentence each: in Warning headers and a 206 status when that
// is known before the answer starts, in a Warning trailer and the log when a conversion fails
// later. Metadata is the instances' DICOM JSON with BulkDataURIs for the large values.

import { createReadStream } from 'node:fs';
import { buildFileMeta } from '../../dicom';
import { createTranscoder } from '../../dicom';
import { CodecPool, isLossyOnly, syntaxLabel } from '../../dicom';
import { RetrievableInstance } from '../../services';
import { formatMediaType } from '../multipart';
import { MediaTypes } from '../media-types';
import { HttpError } from './http-error';
import { RequestContext, ServerContext } from './context';
import { acceptEntries, negotiateJson } from './negotiation';
import { InstanceRendition, chooseInstanceRendition, dicomAcceptances } from './instance-syntax';
import { indexedPixelAttributes, indexedRecord } from './indexed-values';
import { PartQueue, PartSource, ProducedPart } from './part-queue';
import { describeSent, sendParts } from './parts-answer';
import { Spool } from './spool';
import { writeJsonArray } from './respond';
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

/** The Part 10 file in another transfer syntax, spooled: new file meta, then the converted data set. */
async function convertInstance(i: RetrievableInstance, target: string, pool: CodecPool): Promise<Spool> {
  const spool = new Spool();
  const source = createReadStream(i.path, { start: i.datasetOffset, highWaterMark: 1024 * 1024 });
  try {
    await spool.write(buildFileMeta({ sopClassUid: i.sopClassUid, sopInstanceUid: i.sopInstanceUid, transferSyntaxUid: target }));
    // Lossy coding only for a lossy-only syntax the client named (JPEG Baseline, JPEG-LS near-lossless).
    const transcoder = createTranscoder(i.transferSyntaxUid, target, { pool, lossy: isLossyOnly(target) });
    source.on('error', (e) => transcoder.destroy(e));
    source.pipe(transcoder);
    for await (const chunk of transcoder) await spool.write(chunk as Buffer);
    return spool;
  } catch (error) {
    await spool.dispose();
    throw error;
  } finally {
    source.destroy();
  }
}

function instancePart(i: RetrievableInstance, rendition: InstanceRendition, baseUrl: string, pool: CodecPool): PartSource {
  const headers = (length?: number) => ({
    'Content-Type': formatMediaType({ type: 'application', subtype: 'dicom', params: { 'transfer-syntax': rendition.transferSyntaxUid } }),
    'Content-Location': instanceUrl(baseUrl, i),
    ...(length !== undefined ? { 'Content-Length': length } : {}),
  });
  return {
    label: `Instance ${i.sopInstanceUid}`,
    converts: rendition.convert,
    async make(): Promise<ProducedPart> {
      if (!rendition.convert) {
        return { part: { headers: headers(i.fileSize), body: createReadStream(i.path, { highWaterMark: 1024 * 1024 }) } };
      }
      const spool = await convertInstance(i, rendition.transferSyntaxUid, pool);
      return { part: { headers: headers(spool.size), body: spool.read() }, dispose: () => spool.dispose() };
    },
  };
}

export async function handleRetrieve(server: ServerContext, rc: RequestContext, target: Target): Promise<void> {
  const instances = instancesOf(server, target);
  const acceptances = dicomAcceptances(acceptEntries(rc.req.headers.accept, rc.url.searchParams.get('accept')));
  const planned: Array<{ instance: RetrievableInstance; rendition: InstanceRendition }> = [];
  const refused: string[] = [];
  for (const instance of instances) {
    const attrs = indexedPixelAttributes(indexedRecord(server, instance.sopInstanceUid));
    const choice = chooseInstanceRendition(instance.transferSyntaxUid, acceptances, attrs);
    if ('refusal' in choice) refused.push(`Instance ${instance.sopInstanceUid} was left out: ${choice.refusal}.`);
    else planned.push({ instance, rendition: choice });
  }
  const only = (failures: readonly string[], how: string) => failures[0]!.replace(' was left out: ', how);
  if (planned.length === 0) {
    throw new HttpError(406, instances.length === 1 ? only(refused, ' cannot be sent: ')
      : `None of the ${instances.length} instances can be sent in a transfer syntax the Accept header allows. ${refused[0]}`);
  }
  const pool = server.pool();
  const queue = new PartQueue(planned.map((p) => instancePart(p.instance, p.rendition, rc.baseUrl, pool)), pool.size);
  const syntaxes = [...new Set(planned.map((p) => p.rendition.transferSyntaxUid))];
  const sent = await sendParts(rc, queue, {
    partType: MediaTypes.DICOM,
    transferSyntaxUid: syntaxes.length === 1 ? syntaxes[0] : undefined,
    refused,
    // Every conversion failed (corrupt codestreams): nothing can be sent, and the reason is the data's.
    nothingSent: (failures) => new HttpError(500, instances.length === 1 ? only(failures, ' could not be converted: ')
      : `None of the ${instances.length} instances could be sent. ${failures[0]}`),
  });
  const converted = planned.filter((p) => p.rendition.convert).length;
  rc.note = describeSent(sent, 'instance', converted ? `, ${converted} converted${syntaxes.length === 1 ? ` to ${syntaxLabel(syntaxes[0]!)}` : ''}` : '');
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
