// Study filters (the query a node runs when it is expanded) as query keys and as words.
import { StudyFilter } from './nodes';

export function dicomDate(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getFullYear(), 4)}${p(d.getMonth() + 1)}${p(d.getDate())}`;
}

function daysBefore(now: Date, days: number): Date {
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  d.setDate(d.getDate() - days);
  return d;
}

/** The StudyDate matching value of a filter date, or undefined for any date. */
export function studyDateRange(value: string | undefined, now: Date = new Date()): string | undefined {
  switch (value) {
    case undefined: case '': case 'any': return undefined;
    case 'today': return dicomDate(now);
    case 'last7days': return `${dicomDate(daysBefore(now, 6))}-${dicomDate(now)}`;
    case 'last30days': return `${dicomDate(daysBefore(now, 29))}-${dicomDate(now)}`;
    default: return value;
  }
}

/** "Key=value" pairs for a STUDY-level query (return keys are added by the engine). */
export function filterKeys(filter: StudyFilter, now: Date = new Date()): string[] {
  const keys: string[] = [];
  const date = studyDateRange(filter.studyDate, now);
  if (date) keys.push(`StudyDate=${date}`);
  if (filter.patientId) keys.push(`PatientID=${filter.patientId}`);
  if (filter.patientName) keys.push(`PatientName=${filter.patientName}`);
  if (filter.modality) keys.push(`ModalitiesInStudy=${filter.modality}`);
  if (filter.accessionNumber) keys.push(`AccessionNumber=${filter.accessionNumber}`);
  return keys;
}

function formatDate(text: string): string {
  return /^\d{8}$/.test(text) ? `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6)}` : text;
}

/** "last 7 days · patient ID 123" */
export function describeFilter(filter: StudyFilter): string {
  const parts: string[] = [];
  switch (filter.studyDate) {
    case undefined: case 'any': parts.push('any date'); break;
    case 'today': parts.push('today'); break;
    case 'last7days': parts.push('last 7 days'); break;
    case 'last30days': parts.push('last 30 days'); break;
    default: {
      const [from, to] = filter.studyDate.split('-');
      parts.push(filter.studyDate.includes('-') ? `${from ? formatDate(from) : '…'} to ${to ? formatDate(to) : '…'}` : formatDate(filter.studyDate));
    }
  }
  if (filter.patientId) parts.push(`patient ID ${filter.patientId}`);
  if (filter.patientName) parts.push(`patient ${filter.patientName}`);
  if (filter.modality) parts.push(`modality ${filter.modality}`);
  if (filter.accessionNumber) parts.push(`accession ${filter.accessionNumber}`);
  return parts.join(' · ');
}
