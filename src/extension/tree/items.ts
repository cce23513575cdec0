// How each element of the Nodes tree looks: label, description, icon, tooltip, context value.
import * as vscode from 'vscode';
import { describeFilter } from '../config/filters';
import type { StudyFilter } from '../config/nodes';
import type { NodeView } from '../backends/backend';
import type { InstanceSummary, SeriesSummary, StudySummary } from '../engine/types';
import type { EchoStatus } from '../state';
import { InstanceElement, MessageElement, NodeElement, SeriesElement, StudyElement } from './elements';

export function formatDicomDate(date: string): string {
  return /^\d{8}$/.test(date) ? `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6)}` : date;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

/** " · echo ok", " · echo failed", or nothing before the first echo. */
export function echoMark(echo: EchoStatus | undefined): string {
  return echo ? (echo.ok ? ' · echo ok' : ' · echo failed') : '';
}

/** The icon of a node's last echo, if there was one. */
export function echoIcon(echo: EchoStatus | undefined): vscode.ThemeIcon | undefined {
  if (!echo) return undefined;
  return new vscode.ThemeIcon(echo.ok ? 'pass-filled' : 'error', new vscode.ThemeColor(echo.ok ? 'testing.iconPassed' : 'testing.iconFailed'));
}

/** The last echo's line of a node's tooltip. */
export function describeEcho(tip: vscode.MarkdownString, echo: EchoStatus | undefined): void {
  if (echo) tip.appendMarkdown(`Last echo ${new Date(echo.at).toLocaleString()}: ${escapeMarkdown(echo.message)}\n\n`);
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
