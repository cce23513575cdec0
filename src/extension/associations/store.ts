// The associations the extension made or took, for the DICOM Associations view and the association
// detail: fed by the engine's one shared recorder (src/extension/engine/recorder.ts) once the engine
// bundle is loaded. Activation builds the store; only record types come from the engine here.
import vscode = require('vscode');
import type { AssociationRecord, AssociationRecorder } from '../../ae';
import { AssociationList, type Timers } from './record-list';

export class AssociationStore implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<AssociationRecord>();
  /** An association opened, changed (at most every 250 ms while open) or closed. */
  readonly onDidChange: vscode.Event<AssociationRecord> = this.emitter.event;
  private readonly cleared = new vscode.EventEmitter<void>();
  /** The closed associations were forgotten (Clear Associations). */
  readonly onDidClear: vscode.Event<void> = this.cleared.event;
  private readonly list: AssociationList;
  private recorder: AssociationRecorder | undefined;
  private detach: (() => void) | undefined;

  constructor(capacity: number, timers?: Timers) {
    this.list = new AssociationList(capacity, (record) => this.emitter.fire(record), timers);
  }

  /** Closed associations kept (open ones are always kept). */
  get capacity(): number {
    return this.list.capacity;
  }

  set capacity(value: number) {
    this.list.capacity = value;
    this.recorder?.resize(value);
  }

  /** Follows the engine's recorder from now on (records it already holds are taken over). */
  attach(recorder: AssociationRecorder): void {
    if (this.recorder === recorder) return;
    this.detach?.();
    this.recorder = recorder;
    recorder.resize(this.list.capacity);
    const closed = recorder.closedCount;
    recorder.records().forEach((record, i) => {
      if (i < closed) this.list.closedRecord(record);
      else this.list.opened(record);
    });
    const opened = (r: AssociationRecord) => this.list.opened(r);
    const updated = (r: AssociationRecord) => this.list.updated(r);
    const closedRecord = (r: AssociationRecord) => this.list.closedRecord(r);
    recorder.on('opened', opened);
    recorder.on('updated', updated);
    recorder.on('closed', closedRecord);
    this.detach = () => {
      recorder.off('opened', opened);
      recorder.off('updated', updated);
      recorder.off('closed', closedRecord);
    };
  }

  get(id: string): AssociationRecord | undefined {
    return this.list.get(id);
  }

  /** Closed associations oldest first, then the open ones (live records: they change until closed). */
  all(): AssociationRecord[] {
    return this.list.all();
  }

  /** Forgets the closed associations, here and in the engine's recorder. */
  clear(): void {
    this.list.clear();
    this.recorder?.clear();
    this.cleared.fire();
  }

  dispose(): void {
    this.detach?.();
    this.detach = undefined;
    this.list.dispose();
    this.emitter.dispose();
    this.cleared.dispose();
  }
}
