import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FILES_IN_RESERVE, FILES_PER_ASSOCIATION, fitToOpenFiles, openFiles, openFilesNote } from '../../../src/ae/open-files';

const defaults = { maxWaiting: 4096, maxWaitingPerSource: 1024 };

describe('waiting bounds fitted to the open-file limit', () => {
  test('a limit with room for the bounds leaves them as they are', () => {
    const fitted = fitToOpenFiles(defaults, 32, { limit: 1_048_576, open: 20 });
    assert.deepEqual(fitted, defaults);
    assert.equal(openFilesNote(fitted), undefined);
  });

  test('a low limit lowers both bounds to what is left after the associations and the reserve', () => {
    const files = { limit: 1024, open: 24 };
    const room = 1024 - 24 - 32 * FILES_PER_ASSOCIATION - FILES_IN_RESERVE;
    const fitted = fitToOpenFiles(defaults, 32, files);
    assert.deepEqual(fitted, { maxWaiting: room, maxWaitingPerSource: room, openFileLimit: 1024 });
    assert.match(openFilesNote(fitted)!, new RegExp(`open-file limit \\(1024\\) leaves room for ${room} connections waiting .*\\(${room} from one address\\)`));
  });

  test('only the bound that does not fit is lowered', () => {
    const fitted = fitToOpenFiles({ maxWaiting: 5000, maxWaitingPerSource: 100 }, 8, { limit: 4096, open: 30 });
    assert.deepEqual(fitted, { maxWaiting: 4096 - 30 - 8 * FILES_PER_ASSOCIATION - FILES_IN_RESERVE, maxWaitingPerSource: 100, openFileLimit: 4096 });
  });

  test('a limit too low for anything still leaves a small room', () => {
    const fitted = fitToOpenFiles(defaults, 32, { limit: 64, open: 40 });
    assert.equal(fitted.maxWaiting, 16);
    assert.equal(fitted.maxWaitingPerSource, 16);
  });

  test('no limit known (not Linux, or unlimited): the bounds stand', () => {
    assert.deepEqual(fitToOpenFiles(defaults, 32, undefined), defaults);
  });

  test('on Linux the limit and the open descriptors are read from /proc', { skip: process.platform !== 'linux' }, () => {
    const files = openFiles();
    assert.ok(files, '/proc/self/limits gave no open-file limit');
    assert.ok(files.limit >= files.open && files.open >= 3, JSON.stringify(files));
  });
});
