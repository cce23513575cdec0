// Instances handed to ArchiveIndex.addSoon() and not yet in its tables: indexed together, after a
// short delay or as soon as anything reads the index, whichever comes first.

import { Tags } from '../../dicom';
import { IndexedInstance, IndexInput } from './archive-index-types';
import { asciiText } from './values';

/** Longest an instance waits in the queue when nothing reads the index. */
export const ADD_DELAY_MS = 20;
/** Queued instances that are indexed at once, without waiting for the delay. */
export const ADD_BATCH = 64;

export interface QueuedAdd {
  input: IndexInput;
  /** Called once it is indexed (its view), or could not be (the error). */
  done?: (result: IndexedInstance | Error) => void;
}

export class AddQueue {
  private items: QueuedAdd[] = [];
  /** SOP Instance UIDs queued, as the index reads them from the elements. */
  private readonly uids = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  /** `run` indexes what is queued, in order (it calls take()). */
  constructor(private readonly run: () => void) {}

  get size(): number {
    return this.items.length;
  }

  push(item: QueuedAdd): void {
    this.items.push(item);
    const uid = asciiText(item.input.elements.get(Tags.SOPInstanceUID));
    if (uid) this.uids.add(uid);
    if (this.items.length >= ADD_BATCH) this.run();
    else if (!this.timer) {
      this.timer = setTimeout(this.run, ADD_DELAY_MS);
      // The queue never keeps a process alive: close() indexes what is left.
      this.timer.unref();
    }
  }

  /** An instance with this SOP Instance UID is queued. */
  has(sopInstanceUid: string): boolean {
    return this.uids.has(sopInstanceUid);
  }

  /** Everything queued, in order; the queue is empty afterwards. */
  take(): QueuedAdd[] {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const items = this.items;
    this.items = [];
    this.uids.clear();
    return items;
  }
}
