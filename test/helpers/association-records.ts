// Reading association records back in interop tests: the JSON lines a `--record FILE` wrote, a
// bounded wait for one, and what a DCMTK tool's -d log says about a negotiation parameter.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { AssociationRecord } from '../../src/ae/recording/record';

export function readRecords(file: string): AssociationRecord[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  // Only whole lines: a record still being written (the file read mid-write) is not there yet.
  return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean).map((l) => JSON.parse(l) as AssociationRecord);
}

/** Waits (at most 10 s) until the file holds a record `pick` accepts; the SCP writes it when the association closes. */
export async function recordIn(file: string, what: string, pick: (r: AssociationRecord) => boolean): Promise<AssociationRecord> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = readRecords(file).find(pick);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no record of ${what} in ${file} within 10 s: ${readRecords(file).map((r) => `${r.callingAeTitle}/${r.outcome?.kind}`).join(', ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What a DCMTK tool's -d log says about its side: "Our Implementation Version Name: …" and the like. */
export function fromLog(log: string, label: string): string {
  // The last mention: DCMTK logs the parameters once before the association is negotiated and once after.
  const all = [...log.matchAll(new RegExp(`${label}:[ \\t]*(\\S+)`, 'g'))];
  assert.ok(all.length > 0, `the DCMTK log has no "${label}": ${log.slice(0, 2000)}`);
  return all[all.length - 1][1];
}
