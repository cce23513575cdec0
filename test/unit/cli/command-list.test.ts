import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS } from '../../../src/cli/commands';

describe('dicomnet command list', () => {
  it('loads, for every listed name, the command of that name, summary and aliases', async () => {
    for (const entry of COMMANDS) {
      const command = await entry.load();
      assert.equal(command.name, entry.name, `the entry "${entry.name}" loads the command "${command.name}"`);
      assert.equal(command.summary, entry.summary, `the summary of "${entry.name}" differs between the list and the command`);
      assert.deepEqual(command.aliases ?? [], entry.aliases ?? [], `the aliases of "${entry.name}" differ between the list and the command`);
    }
  });

  it('names every command and alias once', () => {
    const names = COMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? [])]);
    assert.equal(new Set(names).size, names.length);
  });
});
