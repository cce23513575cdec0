// One version for the extension, the dicomnet package and the CLI: package.json's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { VERSION } from '../../../src/dicom/version';
import { DEFAULT_IMPLEMENTATION_VERSION_NAME } from '../../../src/dicom/file-meta';
import { REPO_ROOT, dicomnet } from '../../helpers/processes';

const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

test('VERSION is package.json\'s version (npm version keeps them together through scripts/sync-version.mjs)', () => {
  assert.equal(VERSION, manifest.version);
});

test('the Implementation Version Name carries the version and fits its 16 characters', () => {
  assert.equal(DEFAULT_IMPLEMENTATION_VERSION_NAME, `DICOMNET_${VERSION}`.slice(0, 16));
  assert.ok(DEFAULT_IMPLEMENTATION_VERSION_NAME.length <= 16);
});

test('dicomnet --version prints it', async () => {
  const r = await dicomnet(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, `dicomnet ${VERSION}\n`);
});

test('CHANGELOG.md starts at this version', () => {
  const changelog = readFileSync(path.join(REPO_ROOT, 'CHANGELOG.md'), 'utf8');
  assert.equal(changelog.match(/^## (\S+)/m)?.[1], VERSION);
});
