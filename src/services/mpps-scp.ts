// Modality Performed Procedure Step SCP (PS3.4 F.7, F.8): N-CREATE of an IN PROGRESS step, N-SET
// until it is COMPLETED or DISCONTINUED (final states are final), and N-GET of the Retrieve SOP
// class, over a backend that keeps the instances.
import { Dataset } from '../dicom';
import { isValidUid } from '../dicom';
import { generateUid } from '../dicom';
import { Status } from '../dimse';
import {
  MPPS_RETRIEVE_SOP_CLASS, MPPS_SOP_CLASS, MppsViolation, NO_LONGER_UPDATABLE, checkCreate, checkFinalState, checkSet, isFinalStatus,
} from './mpps-rules';
import { NOutcome, NServiceScp } from './n-scp';

export type MppsUpdate =
  | { outcome: 'updated'; merged: Dataset }
  | { outcome: 'unknown' }
  | { outcome: 'refused'; violation: MppsViolation };

/** Where MPPS instances live. Changes to one instance never run at the same time. */
export interface MppsBackend {
  read(sopInstanceUid: string): Promise<Dataset | undefined>;
  /** Stores a new instance; 'exists' when the UID is taken. */
  create(sopInstanceUid: string, attributes: Dataset, callingAeTitle: string): Promise<'created' | 'exists'>;
  /**
   * Replaces the top-level attributes the modification list carries (sequences whole), unless
   * `check` (given the merged and the current attributes) refuses the result.
   */
  update(sopInstanceUid: string, modifications: Dataset, callingAeTitle: string,
    check: (merged: Dataset, current: Dataset) => MppsViolation | undefined): Promise<MppsUpdate>;
}

export interface MppsEvent {
  operation: 'N-CREATE' | 'N-SET' | 'N-GET';
  sopInstanceUid: string;
  callingAeTitle: string;
  status: number;
  /** The refusal or warning, when there was one. */
  comment?: string;
  /** The step's status after the operation, when it succeeded. */
  stepStatus?: string;
}

export interface MppsScpOptions {
  backend: MppsBackend;
  onEvent?: (event: MppsEvent) => void;
  onError?: (error: Error) => void;
}

function outcomeOf(violation: MppsViolation, sopInstanceUid?: string): NOutcome {
  return {
    status: violation.status, errorComment: violation.errorComment, errorId: violation.errorId,
    attributeIdentifierList: violation.attributeIdentifierList, dataset: violation.dataset, sopInstanceUid,
  };
}

/** Refuses changes to a step in a final state, and a final state the step is not ready for. */
function finalRules(merged: Dataset, current: Dataset): MppsViolation | undefined {
  if (isFinalStatus(current.string('PerformedProcedureStepStatus')?.trim())) return { ...NO_LONGER_UPDATABLE };
  return isFinalStatus(merged.string('PerformedProcedureStepStatus')?.trim()) ? checkFinalState(merged) : undefined;
}

export function mppsScp(options: MppsScpOptions): NServiceScp {
  const { backend } = options;
  const report = (event: MppsEvent, outcome: NOutcome): NOutcome => {
    options.onEvent?.({ ...event, status: outcome.status, comment: outcome.errorComment });
    return outcome;
  };
  const existing = (uid: string) => (isValidUid(uid) ? backend.read(uid) : Promise.resolve(undefined));
  const unknown = (uid: string): NOutcome => ({ status: Status.NoSuchSopInstance, errorComment: `no MPPS instance ${uid.slice(0, 40)}` });
  return new NServiceScp({
    name: 'mpps',
    sopClasses: [MPPS_SOP_CLASS, MPPS_RETRIEVE_SOP_CLASS],
    onError: (error) => options.onError?.(error),
    handlers: {
      'n-create': async ({ sa, sopClassUid, sopInstanceUid, dataset }) => {
        const event = { operation: 'N-CREATE' as const, sopInstanceUid: sopInstanceUid ?? '', callingAeTitle: sa.peerAeTitle, status: 0 };
        if (sopClassUid !== MPPS_SOP_CLASS) return report(event, { status: Status.NoSuchSopClass, errorComment: 'N-CREATE is for the MPPS SOP Class' });
        if (sopInstanceUid !== undefined && !isValidUid(sopInstanceUid)) {
          return report(event, { status: Status.InvalidObjectInstance, errorComment: 'the Affected SOP Instance UID is not a valid UID' });
        }
        // PS3.4 F.7.2.1.2 wants the SCU to name the instance; one that does not gets a UID from us (PS3.7 10.1.5.1.4).
        const uid = sopInstanceUid ?? generateUid();
        event.sopInstanceUid = uid;
        const check = checkCreate(dataset);
        if (check.failure) return report(event, outcomeOf(check.failure));
        if (await backend.create(uid, dataset!, sa.peerAeTitle) === 'exists') {
          return report(event, { status: Status.DuplicateSopInstance, errorComment: `MPPS instance ${uid} exists already`, sopInstanceUid: uid });
        }
        return report({ ...event, stepStatus: 'IN PROGRESS' }, check.warning ? outcomeOf(check.warning, uid) : { status: Status.Success, sopInstanceUid: uid });
      },
      'n-set': async ({ sa, sopClassUid, sopInstanceUid, dataset }) => {
        const uid = sopInstanceUid!;
        const event = { operation: 'N-SET' as const, sopInstanceUid: uid, callingAeTitle: sa.peerAeTitle, status: 0 };
        if (sopClassUid !== MPPS_SOP_CLASS) return report(event, { status: Status.NoSuchSopClass, errorComment: 'N-SET is for the MPPS SOP Class' });
        const current = await existing(uid);
        if (!current) return report(event, unknown(uid));
        if (isFinalStatus(current.string('PerformedProcedureStepStatus')?.trim())) return report(event, { ...NO_LONGER_UPDATABLE });
        const check = checkSet(dataset!);
        if (check.failure) return report(event, outcomeOf(check.failure));
        const update = await backend.update(uid, dataset!, sa.peerAeTitle, finalRules);
        if (update.outcome === 'unknown') return report(event, unknown(uid));
        if (update.outcome === 'refused') return report(event, outcomeOf(update.violation));
        const stepStatus = update.merged.string('PerformedProcedureStepStatus')?.trim();
        return report({ ...event, stepStatus }, check.warning ? outcomeOf(check.warning) : { status: Status.Success });
      },
      'n-get': async ({ sa, message, sopClassUid, sopInstanceUid }) => {
        const uid = sopInstanceUid!;
        const event = { operation: 'N-GET' as const, sopInstanceUid: uid, callingAeTitle: sa.peerAeTitle, status: 0 };
        if (sopClassUid !== MPPS_RETRIEVE_SOP_CLASS) return report(event, { status: Status.UnrecognizedOperation, errorComment: 'N-GET is for the MPPS Retrieve SOP Class' });
        const current = await existing(uid);
        if (!current) return report(event, unknown(uid));
        const wanted = message.command.attributeIdentifierList;
        if (!wanted?.length) return report(event, { status: Status.Success, dataset: current });
        const answer = new Dataset();
        const charset = current.get('SpecificCharacterSet');
        if (charset) answer.add(charset);
        const absent: number[] = [];
        for (const t of wanted) {
          const el = current.get(t);
          if (el) answer.add(el); else absent.push(t);
        }
        return report(event, absent.length
          ? { status: Status.AttributeListError, attributeIdentifierList: absent, dataset: answer }
          : { status: Status.Success, dataset: answer });
      },
    },
  });
}
