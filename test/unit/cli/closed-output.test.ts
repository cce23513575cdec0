// dicomnet whose standard output's reader has gone (`dicomnet find | head`): it stops at once and
// silently with 141, as a native tool killed by SIGPIPE does, instead of Node's uncaught EPIPE
// error and stack trace. Checked on the built dist/cli.js: the full tool (main.ts) and a command's
// own bundle (echo) take separate paths to the same exit.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { DicomServer } from '../../../src/ae/server';
import { EXIT_OUTPUT_CLOSED } from '../../../src/cli/errors';
import { CLI } from '../../helpers/processes';
import { within } from '../../helpers/wait';

/**
 * Runs dicomnet with its stdout's read end closed before the process starts writing (the pipe's
 * only reader is ours; the child's copy closes on exec), so its first write fails with EPIPE.
 */
async function runWithClosedOutput(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const code = await within(`dicomnet ${args.join(' ')} to exit with its output closed`,
    new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c))), 30_000);
  return { code, stderr };
}

describe('dicomnet with its output closed', () => {
  let server: DicomServer;
  before(async () => {
    server = new DicomServer({ aeTitle: 'SERVER', port: 0 });
    await server.listen();
  });
  after(async () => {
    await server.close(100);
  });

  it('a command with a bundle of its own (echo) exits 141 without a word once it has echoed', async () => {
    const { code, stderr } = await runWithClosedOutput(['echo', '127.0.0.1', String(server.port), '--aec', 'SERVER']);
    assert.equal(code, EXIT_OUTPUT_CLOSED, `exit code ${code}; stderr: ${stderr}`);
    assert.equal(stderr, '');
  });

  it('the full tool (dicomnet --version) exits 141 without a word', async () => {
    const { code, stderr } = await runWithClosedOutput(['--version']);
    assert.equal(code, EXIT_OUTPUT_CLOSED, `exit code ${code}; stderr: ${stderr}`);
    assert.equal(stderr, '');
  });
});
