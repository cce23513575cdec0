// Small VS Code UI helpers shared by the folders below: notifications, progress, workspace trust, labels.
export { describeEcho, echoIcon, echoMark, escapeMarkdown } from './labels';
export { ShownMessage, notify, recentMessages, sentence } from './notify';
export type { Severity } from './notify';
export { withCancellableProgress } from './progress';
export { requireTrust } from './trust';
