// The public entry of the engine (src/index.ts, the dicomnet package's API) against what the
// package README documents: every name its API section names is exported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as engine from '../../../src/index';
import { REPO_ROOT } from '../../helpers/processes';

const readme = readFileSync(path.join(REPO_ROOT, 'packaging', 'dicomnet', 'README.md'), 'utf8');
const apiSection = readme.slice(readme.indexOf('\n## API\n'), readme.indexOf('\n## Command line\n'));
/** Interfaces the README names: types only, nothing to find at run time. */
const TYPE_ONLY = new Set(['ScpService', 'StoreBackend']);

test('every name in the package README\'s API section is exported by src/index.ts', () => {
  // The first column of the table, and the list of errors below it.
  const firstColumns = apiSection.split('\n').filter((l) => l.startsWith('| `')).map((l) => l.split('|')[1]);
  const errors = apiSection.slice(apiSection.indexOf('\nErrors:'));
  const named = [...[...firstColumns, errors].join(' ').matchAll(/`([A-Za-z_$][\w$]*)`/g)].map((m) => m[1]).filter((n) => !TYPE_ONLY.has(n));
  assert.ok(named.length > 40, `the API section names only ${named.length} exports`);
  const missing = [...new Set(named)].filter((n) => !(n in engine));
  assert.deepEqual(missing, []);
});

test('the README\'s examples import only exported names', () => {
  for (const [, names] of readme.matchAll(/^import \{([^}]*)\} from 'dicomnet';$/gm)) {
    const missing = names.split(',').map((n) => n.trim()).filter((n) => n && !(n in engine));
    assert.deepEqual(missing, []);
  }
});
