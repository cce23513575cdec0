// Micro-benchmark: matching 10,000 synthetic study records. It prints timings and never asserts
// them (machines differ); it asserts only the match counts, which are deterministic.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tags, Tag } from '../../../../src/dicom/tag';
import { compileQuery, CompiledQuery } from '../../../../src/services/query';
import { buildResponseIdentifier } from '../../../../src/services/query/response';
import { QueryRecord, AttributeValue } from '../../../../src/services/query/record';
import { STUDY_ROOT } from '../../../../src/services/query/model';
import { identifier, IdentifierFields } from './helpers';

const FAMILY = ['SMITH', 'JONES', 'MÜLLER', 'GARCIA', 'NGUYEN', 'DOE', 'ROSSI', 'KOWALSKI', 'SATO', 'PAPADOPOULOS'];
const GIVEN = ['ANNA', 'JOHN', 'MARIA', 'LI', 'OMAR', 'EVA', 'PAUL', 'SOFIA'];
const MODALITIES = ['CT', 'MR', 'US', 'CR', 'PT', 'SR'];

/** A study record the way an index might hold one: fixed fields behind a switch. */
class StudyRecord implements QueryRecord {
  constructor(
    readonly patientName: string, readonly patientId: string, readonly studyDate: string, readonly studyTime: string,
    readonly studyUid: string, readonly accession: string, readonly modalities: readonly string[], readonly description: string,
  ) {}
  value(t: Tag): AttributeValue | undefined {
    switch (t) {
      case Tags.PatientName: return this.patientName;
      case Tags.PatientID: return this.patientId;
      case Tags.StudyDate: return this.studyDate;
      case Tags.StudyTime: return this.studyTime;
      case Tags.StudyInstanceUID: return this.studyUid;
      case Tags.AccessionNumber: return this.accession;
      case Tags.ModalitiesInStudy: return this.modalities;
      case Tags.StudyDescription: return this.description;
      default: return undefined;
    }
  }
}

function makeStudies(n: number): StudyRecord[] {
  const out: StudyRecord[] = [];
  for (let i = 0; i < n; i++) {
    const day = 1 + (i % 28);
    const month = 1 + (Math.floor(i / 28) % 12);
    const year = 2015 + (i % 10);
    out.push(new StudyRecord(
      `${FAMILY[i % FAMILY.length]}^${GIVEN[(i * 7) % GIVEN.length]}`,
      `PID${i % 4000}`,
      `${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`,
      `${String(i % 24).padStart(2, '0')}${String(i % 60).padStart(2, '0')}00`,
      `1.2.826.0.1.3680043.10.${i}`,
      `ACC${i}`,
      [MODALITIES[i % MODALITIES.length]!, ...(i % 5 === 0 ? ['SR'] : [])],
      `STUDY ${i % 100}`,
    ));
  }
  return out;
}

const RETURN_KEYS: IdentifierFields = {
  PatientName: null, PatientID: null, StudyDate: null, StudyTime: null, StudyInstanceUID: null,
  AccessionNumber: null, ModalitiesInStudy: null, StudyDescription: null,
};

/** Median time of `rounds` runs after a few warm-up runs, printed; returns the match count. */
function time(label: string, rounds: number, run: () => number, print: (s: string) => void): number {
  let count = 0;
  for (let i = 0; i < 5; i++) count = run();
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    count = run();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)]!;
  print(`${label.padEnd(52)} ${median.toFixed(3).padStart(8)} ms median  (${count} matches)`);
  return count;
}

test('benchmark: matching 10,000 study records (prints, does not assert timings)', (t) => {
  const studies = makeStudies(10_000);
  const print = (s: string) => t.diagnostic(s);
  const scan = (q: CompiledQuery) => () => {
    let n = 0;
    for (const s of studies) if (q.matches(s)) n++;
    return n;
  };
  const q = (fields: IdentifierFields, opts = {}) => compileQuery(identifier({ QueryRetrieveLevel: 'STUDY', ...RETURN_KEYS, ...fields }), { model: STUDY_ROOT, ...opts });

  const compileStart = process.hrtime.bigint();
  for (let i = 0; i < 1000; i++) q({ PatientName: 'SMITH*', StudyDate: '20200101-20201231' });
  print(`${'compileQuery (8 keys, 2 matching)'.padEnd(52)} ${(Number(process.hrtime.bigint() - compileStart) / 1e6 / 1000).toFixed(3).padStart(8)} ms`);

  // Expected counts come from plain predicates over the synthetic fields, not from the matcher.
  const count = (f: (s: StudyRecord) => boolean) => studies.filter(f).length;
  const minutes = (tm: string) => Number(tm.slice(0, 2)) * 60 + Number(tm.slice(2, 4));
  assert.equal(time('PatientName=* (universal)', 20, scan(q({ PatientName: '*' })), print), 10_000);
  assert.equal(time('StudyDate range 2020 + ModalitiesInStudy=MR', 20, scan(q({ StudyDate: '20200101-20201231', ModalitiesInStudy: 'MR' })), print),
    count((s) => s.studyDate.startsWith('2020') && s.modalities.includes('MR')));
  assert.equal(time('PatientName=SMITH* (wild card)', 20, scan(q({ PatientName: 'SMITH*' })), print), count((s) => s.patientName.startsWith('SMITH')));
  assert.equal(time('PatientName=*^anna (wild card, case-insensitive)', 20, scan(q({ PatientName: '*^anna' }, { caseInsensitivePersonNames: true })), print),
    count((s) => s.patientName.endsWith('^ANNA')));
  assert.equal(time('PatientName=muller^maria (fuzzy single value)', 20, scan(q({ PatientName: 'muller^maria' }, { fuzzyPersonNames: true })), print),
    count((s) => s.patientName === 'MÜLLER^MARIA'));
  assert.equal(time('StudyTime=0800-1200', 20, scan(q({ StudyTime: '0800-1200' })), print),
    count((s) => minutes(s.studyTime) >= 8 * 60 && minutes(s.studyTime) <= 12 * 60));
  assert.equal(time('StudyInstanceUID (single, scanned)', 20, scan(q({ StudyInstanceUID: '1.2.826.0.1.3680043.10.4242' })), print), 1);

  const selective = q({ StudyDate: '20200101-20201231', ModalitiesInStudy: 'MR' });
  const matched = studies.filter((s) => selective.matches(s));
  time(`buildResponseIdentifier for ${matched.length} matches`, 20, () => {
    for (const s of matched) buildResponseIdentifier(selective, s);
    return matched.length;
  }, print);
});
