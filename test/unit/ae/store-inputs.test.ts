// Collecting a sender's inputs: every file under the folders given, in name order, each named
// exactly as path.join(folder, name) names it, however the folder was written.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { collectStoreInputs } from '../../../src/ae/store-inputs';
import { Dataset, encodeDataset } from '../../../src/dicom';
import { buildFileMeta } from '../../../src/dicom/file-meta';

const EVLE = '1.2.840.10008.1.2.1';
const CT = '1.2.840.10008.5.1.4.1.1.2';

const root = mkdtempSync(path.join(tmpdir(), 'dicomnet-inputs-'));
after(() => rmSync(root, { recursive: true, force: true }));

let uid = 0;
function dicomFile(file: string): void {
  const sopInstanceUid = `1.2.3.${++uid}`;
  const ds = new Dataset();
  ds.set('SOPClassUID', 'UI', CT);
  ds.set('SOPInstanceUID', 'UI', sopInstanceUid);
  ds.set('StudyInstanceUID', 'UI', '1.2.3');
  ds.set('SeriesInstanceUID', 'UI', '1.2.3.4');
  writeFileSync(file, Buffer.concat([buildFileMeta({ sopClassUid: CT, sopInstanceUid, transferSyntaxUid: EVLE }), encodeDataset(ds, EVLE)]));
}

// root/{b.dcm, a/{2.dcm, 10.dcm, notes.txt, .hidden.dcm, deep/x.dcm}, .dot/y.dcm, c.txt, link-to-a -> a, link-to-b -> b.dcm}
const tree = path.join(root, 'tree');
mkdirSync(path.join(tree, 'a', 'deep'), { recursive: true });
mkdirSync(path.join(tree, '.dot'));
dicomFile(path.join(tree, 'b.dcm'));
dicomFile(path.join(tree, 'a', '2.dcm'));
dicomFile(path.join(tree, 'a', '10.dcm'));
dicomFile(path.join(tree, 'a', '.hidden.dcm'));
dicomFile(path.join(tree, 'a', 'deep', 'x.dcm'));
dicomFile(path.join(tree, '.dot', 'y.dcm'));
writeFileSync(path.join(tree, 'a', 'notes.txt'), 'not DICOM');
writeFileSync(path.join(tree, 'c.txt'), 'not DICOM either');
symlinkSync(path.join(tree, 'a'), path.join(tree, 'link-to-a'));
symlinkSync(path.join(tree, 'b.dcm'), path.join(tree, 'link-to-b'));

/** The paths as the collection always named them: path.join of each folder and name, dot-entries left out, links followed. */
function joinedPaths(input: string): string[] {
  if (!statSync(input).isDirectory()) return [input];
  const names = readdirSync(input).filter((n) => !n.startsWith('.')).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return names.flatMap((name) => joinedPaths(path.join(input, name)));
}

async function collectedPaths(input: string): Promise<string[]> {
  const collected = await collectStoreInputs([input]);
  const skipped = new Map(collected.skipped.map((s) => [s.path, s.reason]));
  for (const reason of skipped.values()) assert.equal(reason, 'not a DICOM file');
  const sent = new Set(collected.files.map((f) => f.path));
  // Files and skipped inputs together, in the order of the walk (the reference's order).
  const all = joinedPaths(input).filter((p) => sent.has(p) || skipped.has(p));
  assert.equal(all.length, collected.files.length + collected.skipped.length, `${input}: every collected path is one path.join gives`);
  assert.deepEqual(collected.files.map((f) => f.path), all.filter((p) => sent.has(p)), `${input}: files in walk order`);
  return all;
}

describe('collectStoreInputs names files as path.join does', () => {
  test('a folder written in any form: the same paths as joining its names', async () => {
    const relative = path.relative(process.cwd(), tree);
    const forms = [tree, `${tree}/`, `${tree}//`, `${tree}/./`, path.join(tree, 'a') + '/..', `${tree}/a/../a`, relative, `./${relative}`, `${relative}/`];
    for (const input of forms) {
      const paths = await collectedPaths(input);
      assert.deepEqual(paths, joinedPaths(input), input);
      assert.equal(paths.length, input.endsWith('a') ? 4 : 11, input);
    }
    // The expected names, spelled out once for the plain form.
    assert.deepEqual((await collectedPaths(tree)).map((p) => path.relative(tree, p)), [
      'a/10.dcm', 'a/2.dcm', 'a/deep/x.dcm', 'a/notes.txt', 'b.dcm', 'c.txt',
      'link-to-a/10.dcm', 'link-to-a/2.dcm', 'link-to-a/deep/x.dcm', 'link-to-a/notes.txt', 'link-to-b',
    ].map((p) => p.split('/').join(path.sep)));
  });

  test('the current folder as "." and as "./", and a single file', async () => {
    const cwd = process.cwd();
    process.chdir(tree);
    try {
      for (const input of ['.', './', 'a', './a/', 'a/deep/..']) {
        assert.deepEqual(await collectedPaths(input), joinedPaths(input), input);
      }
      assert.deepEqual(await collectedPaths('.'), ['a/10.dcm', 'a/2.dcm', 'a/deep/x.dcm', 'a/notes.txt', 'b.dcm', 'c.txt',
        'link-to-a/10.dcm', 'link-to-a/2.dcm', 'link-to-a/deep/x.dcm', 'link-to-a/notes.txt', 'link-to-b'].map((p) => p.split('/').join(path.sep)));
    } finally {
      process.chdir(cwd);
    }
    assert.deepEqual(await collectedPaths(`${tree}//b.dcm`), [`${tree}//b.dcm`]);
  });
});
