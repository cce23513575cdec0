import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import fc from 'fast-check';
import { canonicalPath } from '../../../src/archive/archive-index/entries';

test('canonicalPath is path.join(study, series, sop + ".dcm") for UIDs and for any other text', () => {
  const segment = fc.string({ unit: fc.constantFrom('1', '2', '0', '.', '/', 'a', '\\'), maxLength: 8 });
  fc.assert(fc.property(segment, segment, segment, (study, series, sop) => {
    assert.equal(canonicalPath(study, series, sop), path.join(study, series, `${sop}.dcm`));
  }), { numRuns: 2000 });
  assert.equal(canonicalPath('1.2.3', '1.2.3.4', '1.2.3.4.5'), ['1.2.3', '1.2.3.4', '1.2.3.4.5.dcm'].join(path.sep));
  assert.equal(canonicalPath('..', '1.2', '.'), path.join('..', '1.2', '..dcm'));
});
