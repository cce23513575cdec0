// How each element of the Nodes tree looks: label, description, icon, tooltip, context value.
import vscode = require('vscode');
import { describeFilter } from '../config';
import type { StudyFilter } from '../config';
import type { NodeView } from '../backends';
import type { InstanceSummary, SeriesSummary, StudySummary } from '../engine';
import { escapeMarkdown } from '../ui';
import { plural } from '../text';
import {
  CommitmentElement, InstanceElement, MessageElement, MppsElement, NodeElement, RecordGroupElement, SeriesElement, StudyElement,
} from './elements';

export function formatDicomDate(date: string): string {
  return /^\d{8}$/.test(date) ? `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6)}` : date;
}

export function nodeItem(e: NodeElement, filter: StudyFilter, view: NodeView): vscode.TreeItem {
  const item = new vscode.TreeItem(e.node.name, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = e.id;
  item.contextValue = view.contextValue;
  item.description = view.description;
  item.iconPath = view.icon;
  const tip = new vscode.MarkdownString(undefined, true);
  tip.appendMarkdown(`**${escapeMarkdown(e.node.name)}**\n\n`);
  view.describe(tip);
  tip.appendMarkdown(`\n\nStudies listed: ${escapeMarkdown(describeFilter(filter))}`);
  item.tooltip = tip;
  return item;
}

export function studyLabel(s: StudySummary): string {
  return s.patientName || s.patientId || '(no patient name)';
}

export function studyItem(e: StudyElement): vscode.TreeItem {
  const s = e.study;
  const item = new vscode.TreeItem(studyLabel(s), vscode.TreeItemCollapsibleState.Collapsed);
  item.id = e.id;
  item.contextValue = 'dicomStudy';
  item.iconPath = new vscode.ThemeIcon('folder-library');
  const counts = [
    s.numberOfSeries !== undefined ? `${s.numberOfSeries} series` : undefined,
    s.numberOfInstances !== undefined ? plural(s.numberOfInstances, 'instance') : undefined,
  ].filter(Boolean).join(', ');
  item.description = [s.patientId, formatDicomDate(s.studyDate), s.modalities.join('/'), s.description, counts].filter(Boolean).join(' · ');
  const tip = new vscode.MarkdownString();
  tip.appendMarkdown(`**${escapeMarkdown(studyLabel(s))}**  \nPatient ID: ${escapeMarkdown(s.patientId || '—')}  \nDate: ${formatDicomDate(s.studyDate) || '—'} ${s.studyTime.slice(0, 6)}  \n`
    + `Modalities: ${s.modalities.join(', ') || '—'}  \nDescription: ${escapeMarkdown(s.description || '—')}  \nAccession: ${escapeMarkdown(s.accessionNumber || '—')}  \n`
    + `${counts ? `${counts}  \n` : ''}Study Instance UID: \`${s.studyInstanceUid}\``);
  item.tooltip = tip;
  return item;
}

export function seriesLabel(s: SeriesSummary): string {
  return `Series ${s.seriesNumber ?? '?'}${s.modality ? ` · ${s.modality}` : ''}`;
}

export function seriesItem(e: SeriesElement): vscode.TreeItem {
  const s = e.series;
  const item = new vscode.TreeItem(seriesLabel(s), vscode.TreeItemCollapsibleState.Collapsed);
  item.id = e.id;
  item.contextValue = 'dicomSeries';
  item.iconPath = new vscode.ThemeIcon('layers');
  item.description = [s.description, s.numberOfInstances !== undefined ? plural(s.numberOfInstances, 'instance') : undefined].filter(Boolean).join(' · ');
  item.tooltip = new vscode.MarkdownString(`**${escapeMarkdown(seriesLabel(s))}**  \n${escapeMarkdown(s.description || '')}  \nSeries Instance UID: \`${s.seriesInstanceUid}\``);
  return item;
}

export function instanceLabel(s: InstanceSummary): string {
  return `Instance ${s.instanceNumber ?? '?'}`;
}

export function instanceItem(e: InstanceElement): vscode.TreeItem {
  const s = e.instance;
  const item = new vscode.TreeItem(instanceLabel(s), vscode.TreeItemCollapsibleState.None);
  item.id = e.id;
  item.contextValue = 'dicomInstance';
  item.iconPath = new vscode.ThemeIcon('file-media');
  item.description = s.sopClassName ?? s.sopClassUid;
  item.tooltip = new vscode.MarkdownString(`**${escapeMarkdown(instanceLabel(s))}**  \n${escapeMarkdown(s.sopClassName ?? s.sopClassUid)}  \nSOP Instance UID: \`${s.sopInstanceUid}\``);
  return item;
}

export function messageItem(e: MessageElement): vscode.TreeItem {
  const item = new vscode.TreeItem(e.text, vscode.TreeItemCollapsibleState.None);
  item.id = e.id;
  item.contextValue = `dicomMessage.${e.severity}`;
  item.iconPath = e.severity === 'error'
    ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'))
    : e.severity === 'warning' ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')) : new vscode.ThemeIcon('info');
  item.tooltip = e.tooltip ?? e.text;
  if (e.command) item.command = e.command;
  return item;
}

/** "2024-02-01 10:20" from a DICOM date and time ("20240201 102000.000"). */
export function formatDicomDateTime(value: string): string {
  const [date, time = ''] = value.split(' ');
  const t = /^\d{4}/.test(time) ? ` ${time.slice(0, 2)}:${time.slice(2, 4)}` : '';
  return `${formatDicomDate(date ?? '')}${t}`;
}

function localTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export function recordGroupItem(e: RecordGroupElement): vscode.TreeItem {
  const mpps = e.group === 'mpps';
  const item = new vscode.TreeItem(mpps ? 'MPPS received' : 'Storage commitment requests answered',
    e.records.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  item.id = e.id;
  item.contextValue = `dicomRecords.${e.group}`;
  item.iconPath = new vscode.ThemeIcon(mpps ? 'pulse' : 'verified');
  if (e.group === 'mpps') {
    const inProgress = e.records.filter((r) => r.status === 'IN PROGRESS').length;
    item.description = e.records.length ? `${e.records.length}${inProgress ? ` · ${inProgress} in progress` : ''}` : 'none yet';
    item.tooltip = 'Modality Performed Procedure Steps the local SCP received (N-CREATE, N-SET), latest change first';
  } else {
    const failing = e.records.filter((r) => r.failed.length > 0).length;
    item.description = e.records.length ? `${e.records.length}${failing ? ` · ${failing} with failures` : ''}` : 'none yet';
    item.tooltip = 'Storage Commitment requests (N-ACTION) the local SCP answered, latest first';
  }
  return item;
}

const MPPS_ICONS: Record<string, [string, string | undefined]> = {
  'IN PROGRESS': ['sync', 'charts.blue'],
  COMPLETED: ['pass', 'testing.iconPassed'],
  DISCONTINUED: ['circle-slash', 'list.warningForeground'],
};

export function mppsItem(e: MppsElement): vscode.TreeItem {
  const m = e.mpps;
  const patient = m.patientName || m.patientId || '(no patient)';
  const item = new vscode.TreeItem(patient, vscode.TreeItemCollapsibleState.None);
  item.id = e.id;
  item.contextValue = 'dicomMpps';
  const [icon, color] = MPPS_ICONS[m.status] ?? ['question', undefined];
  item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
  const times = m.start ? `${formatDicomDateTime(m.start)}${m.end ? ` – ${formatDicomDateTime(m.end)}` : ''}` : '';
  item.description = [m.status, m.procedureStepId && `step ${m.procedureStepId}`, m.modality, times].filter(Boolean).join(' · ');
  const tip = new vscode.MarkdownString();
  tip.appendMarkdown(`**${escapeMarkdown(patient)}**  \nStatus: ${escapeMarkdown(m.status || '—')}  \nPatient ID: ${escapeMarkdown(m.patientId || '—')}  \n`
    + `Procedure step ID: ${escapeMarkdown(m.procedureStepId || '—')}  \nDescription: ${escapeMarkdown(m.description || '—')}  \nModality: ${escapeMarkdown(m.modality || '—')}  \n`
    + `Started: ${formatDicomDateTime(m.start) || '—'}  \nEnded: ${formatDicomDateTime(m.end) || '—'}  \n`
    + `Performed: ${m.series} series, ${plural(m.instances, 'instance')}  \nFrom: ${escapeMarkdown(m.createdBy)}  \n`
    + `SOP Instance UID: \`${m.sopInstanceUid}\`\n\n${m.history.map((h) => `- ${escapeMarkdown(h)}`).join('\n')}`);
  item.tooltip = tip;
  return item;
}

export function commitmentItem(e: CommitmentElement): vscode.TreeItem {
  const c = e.commitment;
  const item = new vscode.TreeItem(`From ${c.requestedBy}`, vscode.TreeItemCollapsibleState.None);
  item.id = e.id;
  item.contextValue = 'dicomCommitment';
  item.iconPath = c.failed.length
    ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'))
    : new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
  item.description = `${c.committed} committed · ${c.failed.length} failed · ${localTime(c.receivedAt)}`;
  const tip = new vscode.MarkdownString();
  tip.appendMarkdown(`**Storage commitment from ${escapeMarkdown(c.requestedBy)}**  \nTransaction UID: \`${c.transactionUid}\`  \nReceived: ${localTime(c.receivedAt)}  \n`
    + `Committed: ${c.committed}  \nFailed: ${c.failed.length}  \nReport: ${escapeMarkdown(c.delivery)}`);
  if (c.failed.length) {
    const shown = c.failed.slice(0, 10).map((f) => `- \`${f.sopInstanceUid}\`: ${escapeMarkdown(f.reason)}`);
    if (c.failed.length > 10) shown.push(`- … and ${c.failed.length - 10} more`);
    tip.appendMarkdown(`\n\n${shown.join('\n')}`);
  }
  item.tooltip = tip;
  return item;
}
