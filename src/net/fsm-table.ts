// The DICOM upper layer state transition table (PS3.8 §9.2, Table 9-10), keyed by the
// standard's own names. A missing entry for a PDU event cannot happen (every state with a
// transport connection lists every PDU event); a missing entry for a local primitive means
// the local user asked for something the state does not allow.

export type State =
  | 'Sta1' | 'Sta2' | 'Sta3' | 'Sta4' | 'Sta5' | 'Sta6' | 'Sta7'
  | 'Sta8' | 'Sta9' | 'Sta10' | 'Sta11' | 'Sta12' | 'Sta13';

export type Event =
  | 'Evt1' | 'Evt2' | 'Evt3' | 'Evt4' | 'Evt5' | 'Evt6' | 'Evt7' | 'Evt8' | 'Evt9' | 'Evt10'
  | 'Evt11' | 'Evt12' | 'Evt13' | 'Evt14' | 'Evt15' | 'Evt16' | 'Evt17' | 'Evt18' | 'Evt19';

export type Action =
  | 'AE-1' | 'AE-2' | 'AE-3' | 'AE-4' | 'AE-5' | 'AE-6' | 'AE-7' | 'AE-8'
  | 'DT-1' | 'DT-2'
  | 'AR-1' | 'AR-2' | 'AR-3' | 'AR-4' | 'AR-5' | 'AR-6' | 'AR-7' | 'AR-8' | 'AR-9' | 'AR-10'
  | 'AA-1' | 'AA-2' | 'AA-3' | 'AA-4' | 'AA-5' | 'AA-6' | 'AA-7' | 'AA-8';

export const STATES: Record<State, string> = {
  Sta1: 'Idle',
  Sta2: 'Transport connection open (awaiting A-ASSOCIATE-RQ PDU)',
  Sta3: 'Awaiting local A-ASSOCIATE response primitive',
  Sta4: 'Awaiting transport connection opening to complete',
  Sta5: 'Awaiting A-ASSOCIATE-AC or A-ASSOCIATE-RJ PDU',
  Sta6: 'Association established and ready for data transfer',
  Sta7: 'Awaiting A-RELEASE-RP PDU',
  Sta8: 'Awaiting local A-RELEASE response primitive',
  Sta9: 'Release collision requestor side; awaiting A-RELEASE response primitive',
  Sta10: 'Release collision acceptor side; awaiting A-RELEASE-RP PDU',
  Sta11: 'Release collision requestor side; awaiting A-RELEASE-RP PDU',
  Sta12: 'Release collision acceptor side; awaiting A-RELEASE response primitive',
  Sta13: 'Awaiting transport connection close indication',
};

export const EVENTS: Record<Event, string> = {
  Evt1: 'A-ASSOCIATE request (local user)',
  Evt2: 'Transport connection confirm (local transport service)',
  Evt3: 'A-ASSOCIATE-AC PDU received',
  Evt4: 'A-ASSOCIATE-RJ PDU received',
  Evt5: 'Transport connection indication (local transport service)',
  Evt6: 'A-ASSOCIATE-RQ PDU received',
  Evt7: 'A-ASSOCIATE response primitive (accept)',
  Evt8: 'A-ASSOCIATE response primitive (reject)',
  Evt9: 'P-DATA request primitive',
  Evt10: 'P-DATA-TF PDU received',
  Evt11: 'A-RELEASE request primitive',
  Evt12: 'A-RELEASE-RQ PDU received',
  Evt13: 'A-RELEASE-RP PDU received',
  Evt14: 'A-RELEASE response primitive',
  Evt15: 'A-ABORT request primitive',
  Evt16: 'A-ABORT PDU received',
  Evt17: 'Transport connection closed indication',
  Evt18: 'ARTIM timer expired',
  Evt19: 'Unrecognized or invalid PDU received',
};

const established: State[] = ['Sta6', 'Sta7', 'Sta8', 'Sta9', 'Sta10', 'Sta11', 'Sta12'];

/** One row of Table 9-10 for a PDU event: the action in Sta2, Sta3, Sta5, Sta6–12 (unless overridden) and Sta13. */
function pduRow(sta2: Action, sta3: Action, sta5: Action, sta6to12: Action, sta13: Action,
  overrides: Partial<Record<State, Action>> = {}): Partial<Record<State, Action>> {
  const row: Partial<Record<State, Action>> = { Sta2: sta2, Sta3: sta3, Sta5: sta5, Sta13: sta13 };
  for (const s of established) row[s] = sta6to12;
  return { ...row, ...overrides };
}

export const TRANSITIONS: Record<Event, Partial<Record<State, Action>>> = {
  Evt1: { Sta1: 'AE-1' },
  Evt2: { Sta4: 'AE-2' },
  Evt3: pduRow('AA-1', 'AA-8', 'AE-3', 'AA-8', 'AA-6'),
  Evt4: pduRow('AA-1', 'AA-8', 'AE-4', 'AA-8', 'AA-6'),
  Evt5: { Sta1: 'AE-5' },
  Evt6: pduRow('AE-6', 'AA-8', 'AA-8', 'AA-8', 'AA-7'),
  Evt7: { Sta3: 'AE-7' },
  Evt8: { Sta3: 'AE-8' },
  Evt9: { Sta6: 'DT-1', Sta8: 'AR-7' },
  Evt10: pduRow('AA-1', 'AA-8', 'AA-8', 'AA-8', 'AA-6', { Sta6: 'DT-2', Sta7: 'AR-6' }),
  Evt11: { Sta6: 'AR-1' },
  Evt12: pduRow('AA-1', 'AA-8', 'AA-8', 'AA-8', 'AA-6', { Sta6: 'AR-2', Sta7: 'AR-8' }),
  Evt13: pduRow('AA-1', 'AA-8', 'AA-8', 'AA-8', 'AA-6', { Sta7: 'AR-3', Sta10: 'AR-10', Sta11: 'AR-3' }),
  Evt14: { Sta8: 'AR-4', Sta9: 'AR-9', Sta12: 'AR-4' },
  Evt15: {
    Sta3: 'AA-1', Sta4: 'AA-2', Sta5: 'AA-1', Sta6: 'AA-1', Sta7: 'AA-1', Sta8: 'AA-1',
    Sta9: 'AA-1', Sta10: 'AA-1', Sta11: 'AA-1', Sta12: 'AA-1',
  },
  Evt16: pduRow('AA-2', 'AA-3', 'AA-3', 'AA-3', 'AA-2'),
  Evt17: pduRow('AA-5', 'AA-4', 'AA-4', 'AA-4', 'AR-5', { Sta4: 'AA-4' }),
  Evt18: { Sta2: 'AA-2', Sta13: 'AA-2' },
  Evt19: pduRow('AA-1', 'AA-8', 'AA-8', 'AA-8', 'AA-7'),
};

export function transition(event: Event, state: State): Action | undefined {
  return TRANSITIONS[event][state];
}
