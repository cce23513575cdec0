// The transition table against PS3.8 Table 9-10, row by row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TRANSITIONS, State, Event } from '../../../src/net/fsm-table';

// Each row: Sta1..Sta13 as in the standard ('' = not applicable).
const TABLE: Record<Event, string[]> = {
  Evt1: ['AE-1', '', '', '', '', '', '', '', '', '', '', '', ''],
  Evt2: ['', '', '', 'AE-2', '', '', '', '', '', '', '', '', ''],
  Evt3: ['', 'AA-1', 'AA-8', '', 'AE-3', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-6'],
  Evt4: ['', 'AA-1', 'AA-8', '', 'AE-4', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-6'],
  Evt5: ['AE-5', '', '', '', '', '', '', '', '', '', '', '', ''],
  Evt6: ['', 'AE-6', 'AA-8', '', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-7'],
  Evt7: ['', '', 'AE-7', '', '', '', '', '', '', '', '', '', ''],
  Evt8: ['', '', 'AE-8', '', '', '', '', '', '', '', '', '', ''],
  Evt9: ['', '', '', '', '', 'DT-1', '', 'AR-7', '', '', '', '', ''],
  Evt10: ['', 'AA-1', 'AA-8', '', 'AA-8', 'DT-2', 'AR-6', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-6'],
  Evt11: ['', '', '', '', '', 'AR-1', '', '', '', '', '', '', ''],
  Evt12: ['', 'AA-1', 'AA-8', '', 'AA-8', 'AR-2', 'AR-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-6'],
  Evt13: ['', 'AA-1', 'AA-8', '', 'AA-8', 'AA-8', 'AR-3', 'AA-8', 'AA-8', 'AR-10', 'AR-3', 'AA-8', 'AA-6'],
  Evt14: ['', '', '', '', '', '', '', 'AR-4', 'AR-9', '', '', 'AR-4', ''],
  Evt15: ['', '', 'AA-1', 'AA-2', 'AA-1', 'AA-1', 'AA-1', 'AA-1', 'AA-1', 'AA-1', 'AA-1', 'AA-1', ''],
  Evt16: ['', 'AA-2', 'AA-3', '', 'AA-3', 'AA-3', 'AA-3', 'AA-3', 'AA-3', 'AA-3', 'AA-3', 'AA-3', 'AA-2'],
  Evt17: ['', 'AA-5', 'AA-4', 'AA-4', 'AA-4', 'AA-4', 'AA-4', 'AA-4', 'AA-4', 'AA-4', 'AA-4', 'AA-4', 'AR-5'],
  Evt18: ['', 'AA-2', '', '', '', '', '', '', '', '', '', '', 'AA-2'],
  Evt19: ['', 'AA-1', 'AA-8', '', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-8', 'AA-7'],
};

test('every cell of Table 9-10 is in the transition table, and nothing else', () => {
  for (const [event, row] of Object.entries(TABLE) as [Event, string[]][]) {
    row.forEach((expected, i) => {
      const state = `Sta${i + 1}` as State;
      assert.equal(TRANSITIONS[event][state] ?? '', expected, `${event} in ${state}`);
    });
  }
});
