// Splitting a batch over associations at the presentation-context limit: each file in the first
// group (in order) whose contexts still fit with it, as the plain rule below places it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { groupForAssociations, proposeStorageContexts } from '../../../src/services/store-contexts';
import { conversionTargets } from '../../../src/services/store-conversion';

type File = { id: number; sopClassUid: string; transferSyntaxUid: string };

/** The rule, spelled out: a file goes to the first group whose context count with it stays within the limit. */
function reference(files: readonly File[], limit: number): number[][] {
  const groups: { files: File[]; classes: Map<string, Set<string>> }[] = [];
  const count = (classes: Map<string, Set<string>>) => [...classes.values()]
    .reduce((n, syntaxes) => n + syntaxes.size + ([...syntaxes].some((ts) => conversionTargets(ts).length > 0) ? 1 : 0), 0);
  for (const file of files) {
    const fits = groups.find((g) => {
      const classes = new Map([...g.classes].map(([c, s]) => [c, new Set(s)]));
      classes.set(file.sopClassUid, new Set([...(classes.get(file.sopClassUid) ?? []), file.transferSyntaxUid]));
      return count(classes) <= limit;
    });
    const g = fits ?? groups[groups.push({ files: [], classes: new Map() }) - 1]!;
    g.files.push(file);
    g.classes.set(file.sopClassUid, new Set([...(g.classes.get(file.sopClassUid) ?? []), file.transferSyntaxUid]));
  }
  return groups.map((g) => g.files.map((f) => f.id));
}

const SYNTAXES = ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.70', '1.2.840.10008.1.2.4.90', '1.2.3.4.5.6.unknown'];

/** A small deterministic generator (no Math.random: the same batches every run). */
function batch(seed: number, n: number, classes: number): File[] {
  let x = seed;
  const next = (m: number) => { x = (x * 1103515245 + 12345) % 2147483648; return x % m; };
  return Array.from({ length: n }, (_, id) => ({ id, sopClassUid: `1.2.840.10008.5.1.4.1.1.${next(classes)}`, transferSyntaxUid: SYNTAXES[next(SYNTAXES.length)]! }));
}

describe('groupForAssociations', () => {
  test('places every file as the rule does, for batches that need one group or many', () => {
    for (const [seed, n, classes, limit] of [[1, 40, 3, 128], [2, 300, 40, 128], [3, 200, 25, 20], [4, 120, 10, 6], [5, 500, 90, 128], [6, 60, 30, 3]] as const) {
      const files = batch(seed, n, classes);
      const groups = groupForAssociations(files, limit);
      assert.deepEqual(groups.map((g) => g.map((f) => f.id)), reference(files, limit), `seed ${seed}, limit ${limit}`);
      for (const g of groups) assert.ok(proposeStorageContexts(g).length <= limit, `seed ${seed}: a group proposes more than ${limit} contexts`);
    }
  });

  test('a worked example at a limit of 4: files of a class and syntax already placed follow their group', () => {
    const f = (id: number, c: string, ts: string): File => ({ id, sopClassUid: c, transferSyntaxUid: ts });
    const [ivle, evle, jpeg] = SYNTAXES as [string, string, string];
    // Limit 4: group 1 fills with class A (3 syntaxes + fallback = 4); B's file opens group 2; the
    // second B file fits nowhere earlier and joins group 2; a C file then fits group 2 (B: 2, C: 2).
    const files = [f(0, 'A', ivle), f(1, 'A', evle), f(2, 'A', jpeg), f(3, 'B', ivle), f(4, 'B', ivle), f(5, 'C', ivle), f(6, 'A', ivle)];
    assert.deepEqual(groupForAssociations(files, 4).map((g) => g.map((x) => x.id)), reference(files, 4));
    assert.deepEqual(groupForAssociations(files, 4).map((g) => g.map((x) => x.id)), [[0, 1, 2, 6], [3, 4, 5]]);
  });
});
