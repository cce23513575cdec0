// An indexed instance as get() and add() return it: a view over the index entry.

import * as path from 'node:path';
import { QueryRecord } from '../../services';
import { IndexedInstance } from './archive-index-types';
import { InstanceEntry } from './entries';
import { InstanceRecord } from './records';

/** An indexed instance as callers see it; paths are worked out only when asked for. */
export class InstanceView implements IndexedInstance {
  readonly record: QueryRecord;
  constructor(private readonly root: string, private readonly entry: InstanceEntry) {
    this.record = new InstanceRecord(entry);
  }

  get path(): string { return path.join(this.root, this.entry.relativePath); }
  get relativePath(): string { return this.entry.relativePath; }
  get sopClassUid(): string { return this.entry.sopClassUid; }
  get sopInstanceUid(): string { return this.entry.uid; }
  get transferSyntaxUid(): string { return this.entry.transferSyntaxUid; }
  get datasetOffset(): number { return this.entry.datasetOffset; }
  get fileSize(): number { return this.entry.size; }
  get mtimeMs(): number { return this.entry.mtimeMs; }
  get characterSet(): readonly string[] { return this.entry.charset; }
  get studyInstanceUid(): string { return this.entry.series.study.uid; }
  get seriesInstanceUid(): string { return this.entry.series.uid; }

  toJSON(): Omit<IndexedInstance, 'record'> {
    return {
      path: this.path, relativePath: this.relativePath, sopClassUid: this.sopClassUid, sopInstanceUid: this.sopInstanceUid,
      transferSyntaxUid: this.transferSyntaxUid, datasetOffset: this.datasetOffset, fileSize: this.fileSize, mtimeMs: this.mtimeMs,
      characterSet: this.characterSet, studyInstanceUid: this.studyInstanceUid, seriesInstanceUid: this.seriesInstanceUid,
    };
  }
}
