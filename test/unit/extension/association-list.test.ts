// The DICOM Associations view's record list: the last N closed associations and every open one,
// closed oldest first then open; updates of open ones gathered (a C-STORE of 1,000 files changes
// its record 2,000 times); the capacity applied when the setting changes. The records here are
// plain objects shaped as the recorder makes them; the timers are driven by hand.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AssociationRecord } from '../../../src/ae/recording';
import { AssociationList, type Timers } from '../../../src/extension/associations/record-list';

function record(n: number, closed = true): AssociationRecord {
  return {
    version: 1, id: `7-${n}`, direction: 'outbound', peerAddress: '127.0.0.1:104', callingAeTitle: 'DICOMNET', calledAeTitle: 'PACS',
    startedAt: new Date(Date.UTC(2026, 11, 6, 10, 0, n)).toISOString(), messages: [],
    ...(closed ? { durationMs: 5, outcome: { kind: 'released' as const, description: 'released (we asked)', releasedBy: 'us' as const } } : {}),
  };
}

/** Timers that run only when told. */
class ManualTimers implements Timers {
  private pending = new Map<number, () => void>();
  private next = 1;
  set(fn: () => void): unknown {
    const id = this.next++;
    this.pending.set(id, fn);
    return id;
  }
  clear(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  get armed(): number {
    return this.pending.size;
  }
  runAll(): void {
    const fns = [...this.pending.values()];
    this.pending.clear();
    for (const fn of fns) fn();
  }
}

function list(capacity: number) {
  const changes: string[] = [];
  const timers = new ManualTimers();
  const l = new AssociationList(capacity, (r) => changes.push(`${r.id}:${r.outcome ? 'closed' : 'open'}`), timers);
  return { l, changes, timers };
}

describe('association list', () => {
  test('keeps the last N closed associations, oldest first, then the open ones; get finds either', () => {
    const { l } = list(3);
    const running = record(100, false);
    l.opened(running);
    for (let n = 1; n <= 5; n++) {
      const r = record(n, false);
      l.opened(r);
      l.closedRecord({ ...r, ...record(n) });
    }
    assert.deepEqual(l.all().map((r) => r.id), ['7-3', '7-4', '7-5', '7-100']);
    assert.equal(l.get('7-1'), undefined);
    assert.equal(l.get('7-4')?.outcome?.kind, 'released');
    assert.equal(l.get('7-100'), running);
  });

  test('a smaller capacity drops the oldest at once, open ones stay; clear forgets closed ones only', () => {
    const { l } = list(10);
    for (let n = 1; n <= 6; n++) l.closedRecord(record(n));
    l.opened(record(7, false));
    l.capacity = 2;
    assert.equal(l.capacity, 2);
    assert.deepEqual(l.all().map((r) => r.id), ['7-5', '7-6', '7-7']);
    l.clear();
    assert.deepEqual(l.all().map((r) => r.id), ['7-7']);
    assert.throws(() => { l.capacity = 0; }, /at least 1/);
  });

  test('openings and closings are passed on at once; 2,000 updates of a running C-STORE become one', () => {
    const { l, changes, timers } = list(5);
    const r = record(1, false);
    l.opened(r);
    assert.deepEqual(changes, ['7-1:open']);
    for (let i = 0; i < 2000; i++) l.updated(r);
    assert.deepEqual(changes, ['7-1:open'], 'updates wait for the interval');
    assert.equal(timers.armed, 1, 'one timer for all of them');
    timers.runAll();
    assert.deepEqual(changes, ['7-1:open', '7-1:open']);
    l.updated(r);
    l.closedRecord({ ...r, ...record(1) });
    timers.runAll();
    assert.deepEqual(changes, ['7-1:open', '7-1:open', '7-1:closed'], 'an update held when the association closed is not passed on after its closing');
  });

  test('updates of several open associations are passed on together, each once; unknown ones are ignored', () => {
    const { l, changes, timers } = list(5);
    const a = record(1, false);
    const b = record(2, false);
    l.opened(a);
    l.opened(b);
    changes.length = 0;
    for (let i = 0; i < 10; i++) { l.updated(a); l.updated(b); }
    l.updated(record(9, false));
    timers.runAll();
    assert.deepEqual(changes.sort(), ['7-1:open', '7-2:open']);
  });

  test('10,000 associations through a list of 100 leave 100', () => {
    const { l, changes } = list(100);
    for (let n = 1; n <= 10_000; n++) {
      const r = record(n, false);
      l.opened(r);
      l.closedRecord({ ...r, ...record(n) });
    }
    assert.equal(l.all().length, 100);
    assert.equal(l.all()[0].id, '7-9901');
    assert.equal(changes.length, 20_000, 'each opening and closing told once');
  });

  test('dispose cancels a held update', () => {
    const { l, changes, timers } = list(5);
    const r = record(1, false);
    l.opened(r);
    l.updated(r);
    l.dispose();
    assert.equal(timers.armed, 0);
    assert.deepEqual(changes, ['7-1:open']);
  });
});
