export { MppsStore, MPPS_DIR, describeMpps, type MppsRecord, type MppsHistoryEntry } from './mpps-store';
