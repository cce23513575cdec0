// What a node holds, level by level, whatever it speaks: C-FIND for DIMSE nodes and the local
// archive, QIDO-RS for DICOMweb nodes.
import { filterKeys } from './config/filters';
import { StudyFilter } from './config/nodes';
import type { App } from './app';
import type { Listing } from './engine/query';
import type { InstanceSummary, SeriesSummary, StudySummary } from './engine/types';
import type { AnyNode } from './targets';

export async function listStudies(app: App, node: AnyNode, filter: StudyFilter, signal?: AbortSignal): Promise<Listing<StudySummary>> {
  const engine = app.engine();
  if (node.kind === 'dicomweb') return engine.qidoStudies(await app.webTarget(node), filterKeys(filter), app.log, signal);
  return engine.queryStudies(await app.target(node), filterKeys(filter), app.log, signal);
}

export async function listSeries(app: App, node: AnyNode, studyInstanceUid: string): Promise<Listing<SeriesSummary>> {
  const engine = app.engine();
  if (node.kind === 'dicomweb') return engine.qidoSeries(await app.webTarget(node), studyInstanceUid, app.log);
  return engine.querySeries(await app.target(node), studyInstanceUid, app.log);
}

export async function listInstances(app: App, node: AnyNode, studyInstanceUid: string, seriesInstanceUid: string): Promise<Listing<InstanceSummary>> {
  const engine = app.engine();
  if (node.kind === 'dicomweb') return engine.qidoInstances(await app.webTarget(node), studyInstanceUid, seriesInstanceUid, app.log);
  return engine.queryInstances(await app.target(node), studyInstanceUid, seriesInstanceUid, app.log);
}
