// What the Nodes tree holds: nodes, then studies, series and instances fetched lazily, and
// message rows (errors with their reason, empty results, hints).
import type { AnsweredCommitmentSummary, InstanceSummary, MppsSummary, SeriesSummary, StudySummary } from '../engine';
import type { AnyNode } from '../config';

export interface NodeElement {
  kind: 'node';
  id: string;
  node: AnyNode;
}

export interface StudyElement {
  kind: 'study';
  id: string;
  parent: NodeElement;
  node: AnyNode;
  study: StudySummary;
}

export interface SeriesElement {
  kind: 'series';
  id: string;
  parent: StudyElement;
  node: AnyNode;
  series: SeriesSummary;
}

export interface InstanceElement {
  kind: 'instance';
  id: string;
  parent: SeriesElement;
  node: AnyNode;
  instance: InstanceSummary;
}

/** A folder of records a node keeps beside its studies: the local archive's MPPS or commitment requests. */
export type RecordGroupElement = {
  kind: 'recordGroup';
  id: string;
  parent: NodeElement;
  node: AnyNode;
} & ({ group: 'mpps'; records: MppsSummary[] } | { group: 'commitments'; records: AnsweredCommitmentSummary[] });

export interface MppsElement {
  kind: 'mpps';
  id: string;
  parent: RecordGroupElement;
  node: AnyNode;
  mpps: MppsSummary;
}

export interface CommitmentElement {
  kind: 'commitment';
  id: string;
  parent: RecordGroupElement;
  node: AnyNode;
  commitment: AnsweredCommitmentSummary;
}

export interface MessageElement {
  kind: 'message';
  id: string;
  parent?: NodeElement | StudyElement | SeriesElement;
  severity: 'error' | 'warning' | 'info';
  text: string;
  tooltip?: string;
  /** Run when the row is clicked. */
  command?: { command: string; title: string; arguments?: unknown[] };
}

export type TreeElement = NodeElement | StudyElement | SeriesElement | InstanceElement | RecordGroupElement | MppsElement | CommitmentElement | MessageElement;
export type DataElement = StudyElement | SeriesElement | InstanceElement;

export function isDataElement(e: unknown): e is DataElement {
  const kind = (e as { kind?: unknown } | undefined)?.kind;
  return kind === 'study' || kind === 'series' || kind === 'instance';
}

export function isNodeElement(e: unknown): e is NodeElement {
  return (e as { kind?: unknown } | undefined)?.kind === 'node' && typeof (e as NodeElement).node === 'object';
}

/** The study, series and instance UIDs an element stands for. */
export function scopeOf(e: DataElement): { studyInstanceUid: string; seriesInstanceUid?: string; sopInstanceUid?: string } {
  switch (e.kind) {
    case 'study': return { studyInstanceUid: e.study.studyInstanceUid };
    case 'series': return { studyInstanceUid: e.series.studyInstanceUid, seriesInstanceUid: e.series.seriesInstanceUid };
    case 'instance': return {
      studyInstanceUid: e.instance.studyInstanceUid, seriesInstanceUid: e.instance.seriesInstanceUid, sopInstanceUid: e.instance.sopInstanceUid,
    };
  }
}

export function uidOf(e: DataElement): string {
  return e.kind === 'study' ? e.study.studyInstanceUid : e.kind === 'series' ? e.series.seriesInstanceUid : e.instance.sopInstanceUid;
}
